// The Sentry stand-in answers as the sessions endpoint does: auth, validation, rounding, shape.
import { REPLAY_START, SCENARIOS } from '../prometheus/scenarios';
import { scenarioHistory, totalsBetween } from './history';
import { SentryApiStandIn, startSentryApi } from './server';

let sentry: SentryApiStandIn;
beforeAll(async () => {
  sentry = await startSentryApi({ scenarios: SCENARIOS.filter((s) => s.name === 'error-spike') });
});
afterAll(async () => {
  await sentry?.close();
});

const iso = (sec: number) => new Date(sec * 1000).toISOString().replace('.000Z', 'Z');

async function get(params: Array<[string, string]>, headers: Record<string, string> = { authorization: `Bearer ${sentry.token}` }, org = sentry.organization) {
  const res = await fetch(`${sentry.url}/api/0/organizations/${org}/sessions/?${new URLSearchParams(params)}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Sentry sessions stand-in', () => {
  const release = () => sentry.releases('error-spike').canary;

  it('checks the bearer token like Sentry', async () => {
    expect(await get([['field', 'sum(session)']], {})).toEqual({ status: 401, body: { detail: 'Authentication credentials were not provided.' } });
    expect(await get([['field', 'sum(session)']], { authorization: 'Bearer nope' })).toEqual({ status: 401, body: { detail: 'Invalid token' } });
    expect(await get([['field', 'sum(session)']], { authorization: `Bearer ${sentry.tokenWithoutScope}` })).toEqual({ status: 403, body: { detail: 'You do not have permission to perform this action.' } });
    expect((await get([['field', 'sum(session)'], ['statsPeriod', '1h']], undefined, 'other')).status).toBe(404);
  });

  it('refuses what Sentry refuses, with its messages', async () => {
    expect(await get([['statsPeriod', '1h']])).toEqual({ status: 400, body: { detail: 'Request is missing a "field"' } });
    expect(await get([['field', 'count(session)'], ['statsPeriod', '1h']])).toEqual({ status: 400, body: { detail: 'Invalid field: "count(session)"' } });
    expect((await get([['field', 'sum(session)'], ['statsPeriod', '1h'], ['interval', '15s']])).body).toEqual({ detail: 'The interval has to be a multiple of the minimum interval of ten seconds.' });
    expect((await get([['field', 'sum(session)'], ['statsPeriod', '1h'], ['interval', '70s']])).body).toEqual({ detail: 'The interval should divide one day without a remainder.' });
    expect((await get([['field', 'sum(session)'], ['statsPeriod', '1d'], ['interval', '10s']])).body).toEqual({ detail: 'Your interval and date range would create too many results. Use a larger interval, or a smaller date range.' });
  });

  it('widens the range to whole intervals and counts the sessions started in each', async () => {
    const from = REPLAY_START + 170;
    const to = REPLAY_START + 290;
    const { status, body } = await get([
      ['field', 'sum(session)'],
      ['field', 'crash_free_rate(session)'],
      ['query', `release:"${release()}"`],
      ['groupBy', 'release'],
      ['interval', '1m'],
      ['start', iso(from)],
      ['end', iso(to)],
    ]);
    expect(status).toBe(200);
    const start = Math.floor(from / 60) * 60;
    expect(body.start).toBe(iso(start));
    expect(body.end).toBe(iso(Math.ceil(to / 60) * 60));
    expect(body.intervals).toEqual([0, 1, 2].map((i) => iso(start + 60 * i)));
    const h = scenarioHistory(SCENARIOS.find((s) => s.name === 'error-spike')!, 'canary');
    const minute = (i: number) => totalsBetween(h, start + 60 * i, start + 60 * (i + 1));
    const groups = body.groups as Array<{ by: unknown; totals: Record<string, number>; series: Record<string, number[]> }>;
    expect(groups).toHaveLength(1);
    expect(groups[0].by).toEqual({ release: release() });
    expect(groups[0].series['sum(session)']).toEqual([0, 1, 2].map((i) => minute(i).sessions));
    expect(groups[0].series['crash_free_rate(session)']).toEqual([0, 1, 2].map((i) => 1 - minute(i).crashedSessions / minute(i).sessions));
    // The crashes start at 3 minutes into the rollout: the first minute is clean, the last is not.
    expect(groups[0].series['crash_free_rate(session)'][2]).toBeLessThan(0.95);
    expect(groups[0].totals['sum(session)']).toBe([0, 1, 2].reduce((n, i) => n + minute(i).sessions, 0));
  });

  it('leaves out a release without sessions, and series or totals when asked', async () => {
    const range: Array<[string, string]> = [['field', 'sum(session)'], ['groupBy', 'release'], ['interval', '1m'], ['start', iso(REPLAY_START)], ['end', iso(REPLAY_START + 60)]];
    expect((await get([...range, ['query', 'release:"com.acme.other@1.0"']])).body.groups).toEqual([]);
    expect((await get([...range, ['query', `release:"${release()}"`], ['environment', 'staging']])).body.groups).toEqual([]);
    const [g] = (await get([...range, ['query', `release:${release()}`], ['includeSeries', '0']])).body.groups as Array<Record<string, unknown>>;
    expect(Object.keys(g)).toEqual(['by', 'totals']);
  });
});
