// A local stand-in for Datadog's metrics query API (GET /api/v1/query), serving APM-style request
// metrics of the canary scenario suite. In memory, on 127.0.0.1.
//
//   const dd = await startDatadogApi({ scenarios: SCENARIOS });
//   … dd.url, dd.apiKey, dd.appKey, dd.tags('healthy'), dd.requests, dd.setFaults({…}) …
//   await dd.close();
import { randomBytes } from 'crypto';
import { createServer, IncomingMessage, ServerResponse } from 'http';
import { AddressInfo, Socket } from 'net';
import { Scenario } from '../prometheus/scenarios';
import { scenarioTraffic, TICK_SECONDS } from '../cloud-monitoring-api/traffic';
import { inScope, MetricQuery, parseQuery, QueryError } from './query';

export const HITS = 'trace.http.request.hits';
export const ERRORS = 'trace.http.request.errors';
/** A distribution of request durations in seconds. */
export const DURATION = 'trace.http.request';

export interface DatadogFaults {
  /** The next N queries answer 429 with Datadog's rate-limit headers. */
  tooManyRequests?: number;
  /** The next N queries answer 503. */
  unavailable?: number;
  /** The next N queries answer 200 with an HTML page. */
  malformed?: number;
  /** The next N queries answer 200 with {"status": "error", "error": …}. */
  statusError?: number;
}

export interface DatadogApiOptions {
  /** Each scenario's traffic, tagged service:<scenario>, version:canary|stable, env:replay. */
  scenarios?: Scenario[];
  faults?: DatadogFaults;
}

export interface DatadogApiStandIn {
  /** http://127.0.0.1:PORT, the API root (${url}/api/v1/query). */
  url: string;
  /** The keys it accepts (DD-API-KEY, DD-APPLICATION-KEY). */
  apiKey: string;
  appKey: string;
  /** The tag filters of a scenario's versions. */
  tags(scenario: string): { canary: string; baseline: string };
  requests: Array<{ method: string; path: string; query: Record<string, string>; status: number; headers: Record<string, string | undefined> }>;
  setFaults(f: DatadogFaults): void;
  close(): Promise<void>;
}

export const scenarioTags = (scenario: string) => ({ canary: `service:${scenario},version:canary`, baseline: `service:${scenario},version:stable` });

/** One series as stored: its tags, and per point (timestamp in seconds, the start of the 5 s it covers) a count or the durations. */
interface StoredSeries {
  metric: string;
  tags: string[];
  points: { t: number; count: number; durations?: ArrayLike<number> }[];
}

class ApiError extends Error {
  constructor(readonly status: number, readonly errors: string[], readonly headers: Record<string, string> = {}) {
    super(errors.join('; '));
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers }).end(text);
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Datadog's default rollup for an API query over a range (its "rollup interval (API)" column). */
const defaultInterval = (rangeS: number) => (rangeS <= 3600 ? 20 : rangeS <= 4 * 3600 ? 60 : 300);

function spaceAggregate(values: number[], how: string): number {
  switch (how) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    default:
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

function timeAggregate(values: number[], how: string): number {
  if (how === 'count') return values.length;
  return spaceAggregate(values, how);
}

/** The query over [from, to): buckets aligned to multiples of the interval, data only up to `to`. */
function evaluate(store: StoredSeries[], q: MetricQuery, from: number, to: number): Record<string, unknown>[] {
  const matching = store.filter((s) => s.metric === q.metric && inScope(s.tags, q.scope));
  const distribution = q.metric === DURATION;
  if (!distribution && /^p\d\d$/.test(q.space)) throw new QueryError(`Error parsing query: \n percentile aggregation ${q.space} is only available for distribution metrics`);
  const interval = q.rollup?.seconds ?? defaultInterval(to - from);
  const groups = new Map<string, StoredSeries[]>();
  for (const s of matching) {
    const key = q.by.map((b) => s.tags.find((t) => t.startsWith(`${b}:`)) ?? `${b}:N/A`).join(',');
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const first = Math.floor(from / interval) * interval;
  const out: Record<string, unknown>[] = [];
  for (const [key, members] of groups) {
    const pointlist: [number, number | null][] = [];
    for (let b = first; b < to; b += interval) {
      const inBucket = (p: { t: number }) => p.t >= b && p.t < b + interval && p.t + TICK_SECONDS <= to;
      let value: number | null = null;
      if (distribution) {
        const durations = members.flatMap((s) => s.points.filter(inBucket).flatMap((p) => Array.from(p.durations ?? [])));
        if (durations.length) {
          durations.sort((x, y) => x - y);
          const pct = /^p(\d\d)$/.exec(q.space);
          value = pct ? quantile(durations, Number(pct[1]) / 100) : q.space === 'count' ? durations.length : spaceAggregate(durations, q.space);
        }
      } else {
        // Per series: the points of the bucket rolled up (counts: summed unless told), then across series.
        const method = q.rollup?.method ?? 'sum';
        const perSeries = members.map((s) => s.points.filter(inBucket).map((p) => p.count)).filter((v) => v.length).map((v) => timeAggregate(v, method));
        if (perSeries.length) {
          value = spaceAggregate(perSeries, q.space);
          if (q.modifier === 'as_rate') value /= interval;
        }
      }
      pointlist.push([b * 1000, value === null ? null : value * q.scale]);
    }
    if (pointlist.every(([, v]) => v === null)) continue;
    const scope = [...q.scope.map((s) => `${s.negate ? '!' : ''}${s.tag}`), ...(key ? [key] : [])].join(',') || '*';
    out.push({
      metric: q.metric,
      display_name: q.metric,
      expression: `${q.space}:${q.metric}{${scope}}`,
      scope,
      tag_set: key ? key.split(',') : [],
      aggr: q.space,
      unit: distribution ? [{ family: 'time', name: 'second', plural: 'seconds', scale_factor: 1, short_name: 's' }, null] : null,
      pointlist,
      start: pointlist[0][0],
      end: pointlist[pointlist.length - 1][0] + interval * 1000 - 1,
      interval,
      length: pointlist.length,
      query_index: 0,
    });
  }
  return out;
}

export async function startDatadogApi(options: DatadogApiOptions = {}): Promise<DatadogApiStandIn> {
  const store: StoredSeries[] = [];
  for (const s of options.scenarios ?? []) {
    for (const version of ['canary', 'stable'] as const) {
      const tags = [`service:${s.name}`, `version:${version}`, 'env:replay'];
      const ticks = scenarioTraffic(s, version);
      // A tick ending at t covers (t - 5, t]: Datadog stamps it with its start.
      store.push({ metric: HITS, tags, points: ticks.map((k) => ({ t: k.t - TICK_SECONDS, count: k.ok + k.errors })) });
      store.push({ metric: ERRORS, tags, points: ticks.filter((k) => k.errors).map((k) => ({ t: k.t - TICK_SECONDS, count: k.errors })) });
      store.push({ metric: DURATION, tags, points: ticks.map((k) => ({ t: k.t - TICK_SECONDS, count: k.latenciesMs.length, durations: Array.from(k.latenciesMs, (ms) => ms / 1000) })) });
    }
  }
  const apiKey = randomBytes(16).toString('hex');
  const appKey = randomBytes(20).toString('hex');
  let faults: DatadogFaults = { ...options.faults };
  const requests: DatadogApiStandIn['requests'] = [];
  const take = (name: keyof DatadogFaults) => {
    if (!faults[name]) return false;
    faults[name]! -= 1;
    return true;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, entry: DatadogApiStandIn['requests'][number]) => {
    if (entry.path !== '/api/v1/query' || req.method !== 'GET') throw new ApiError(404, ['Not found']);
    if (req.headers['dd-api-key'] !== apiKey || req.headers['dd-application-key'] !== appKey) throw new ApiError(403, ['Forbidden']);
    if (take('tooManyRequests')) throw new ApiError(429, ['Too many requests'], { 'x-ratelimit-limit': '1600', 'x-ratelimit-period': '3600', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1', 'retry-after': '1' });
    if (take('unavailable')) throw new ApiError(503, ['Service Unavailable']);
    if (take('malformed')) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Maintenance</body></html>');
    const { from, to, query } = entry.query;
    for (const [name, value] of [['from', from], ['to', to], ['query', query]]) if (!value) throw new ApiError(400, [`The '${name}' parameter is required`]);
    const fromS = Number(from);
    const toS = Number(to);
    if (!Number.isInteger(fromS) || !Number.isInteger(toS)) throw new ApiError(400, ["The 'from' and 'to' parameters must be integers (seconds since the epoch)"]);
    if (fromS >= toS) throw new ApiError(400, ["'from' must be earlier than 'to'"]);
    const body = { status: 'ok', res_type: 'time_series', resp_version: 1, query, from_date: fromS * 1000, to_date: toS * 1000, group_by: [] as string[], message: '', series: [] as Record<string, unknown>[] };
    if (take('statusError')) return send(res, 200, { ...body, status: 'error', error: 'Query timed out: the query could not be completed in time' });
    let parsed;
    try {
      parsed = parseQuery(query);
      body.series = evaluate(store, parsed, fromS, toS);
    } catch (e) {
      if (e instanceof QueryError) throw new ApiError(400, [e.message]);
      throw e;
    }
    body.group_by = parsed.by;
    send(res, 200, body);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const entry = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0, headers: { 'dd-api-key': req.headers['dd-api-key'] as string | undefined, 'dd-application-key': req.headers['dd-application-key'] as string | undefined } };
    requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    try {
      handle(req, res, entry);
    } catch (e) {
      if (e instanceof ApiError) send(res, e.status, { errors: e.errors }, e.headers);
      else send(res, 500, { errors: [`Internal Server Error: ${(e as Error).message}`] });
    }
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        apiKey,
        appKey,
        tags: scenarioTags,
        requests,
        setFaults(f) {
          faults = { ...faults, ...f };
        },
        close() {
          for (const s of sockets) s.destroy();
          return new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}
