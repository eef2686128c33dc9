// The requests of the canary scenario suite tick by tick, as a vendor's agent would count them:
// per 5 s tick and version, the requests that succeeded and failed and the latency of each.
// Both metric stand-ins (Cloud Monitoring, Datadog) aggregate these into their own data model.
import { noiseDraws, REPLAY_START, Scenario } from '../prometheus/scenarios';

export const TICK_SECONDS = 5;
/** The scenarios' history: ten minutes before the replay starts to forty minutes after. */
export const TRAFFIC_START = REPLAY_START - 600;
export const TRAFFIC_END = REPLAY_START + 2400;

export interface TrafficTick {
  /** End of the tick, seconds since the epoch: the tick covers (t - 5, t]. */
  t: number;
  ok: number;
  errors: number;
  /** Latency of each request, ms: the successful ones first, then the failed ones. */
  latenciesMs: Float64Array;
}

/** A starting state for the noise of one series: FNV-1a of its name. */
function seed(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

/**
 * The ticks of one version of a scenario over the whole history, ticks
 * without traffic left out (a version absent, or no request in 5 s). The
 * numbers follow the scenario's tick(): the expected request count with
 * ±10 % jitter (fractions carried over), each request failing with the
 * tick's error rate, latencies log-normal around the tick's median.
 */
export function scenarioTraffic(s: Scenario, version: 'canary' | 'stable'): TrafficTick[] {
  const draw = noiseDraws(seed(`${s.name}/${version}/requests`));
  const normal = () => Math.sqrt(-2 * Math.log(1 - draw())) * Math.cos(2 * Math.PI * draw());
  const ticks: TrafficTick[] = [];
  let carry = 0;
  for (let sec = TRAFFIC_START; sec <= TRAFFIC_END; sec += TICK_SECONDS) {
    const tick = s.tick(version, sec - REPLAY_START);
    if (!tick) continue;
    carry += tick.rps * TICK_SECONDS * (0.9 + 0.2 * draw());
    let n = Math.floor(carry);
    carry -= n;
    let errors = 0;
    for (let i = 0; i < n; i++) if (draw() < tick.errorRate) errors++;
    if (tick.extraErrors) {
      errors += tick.extraErrors;
      n = Math.max(n, errors);
    }
    if (n === 0) continue;
    const latenciesMs = new Float64Array(n);
    for (let i = 0; i < n; i++) latenciesMs[i] = tick.medianMs * Math.exp(0.35 * normal());
    ticks.push({ t: sec, ok: n - errors, errors, latenciesMs });
  }
  return ticks;
}
