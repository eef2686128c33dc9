// A local stand-in for Sentry's release-health sessions endpoint,
// GET /api/0/organizations/{organization}/sessions/, with Sentry's bearer-token auth and error
// bodies ({"detail": …}), serving release histories generated from the canary scenario suite
// (history.ts). In memory, on 127.0.0.1; faults (429, 5xx, a malformed body, no answer) on demand.
//
//   const sentry = await startSentryApi();
//   … sentry.url, sentry.token, sentry.organization, sentry.projectId, sentry.releases('healthy'),
//     sentry.inject({ status: 503 }, 2), sentry.requests …
//   await sentry.close();
import { randomBytes } from 'crypto';
import { createServer, IncomingMessage, ServerResponse } from 'http';
import { AddressInfo, Socket } from 'net';
import { Scenario, SCENARIOS } from '../prometheus/scenarios';
import { ReleaseHistory, scenarioHistory, scenarioReleases, Totals, totalsBetween } from './history';

export type SentryFault = { status: number; retryAfter?: number } | 'malformed' | 'no-answer';

export interface SentryApiOptions {
  /** Scenarios whose releases are served (default: the whole suite). */
  scenarios?: Scenario[];
  organization?: string;
  projectId?: string;
  /** The one environment sessions are recorded in. */
  environment?: string;
}

export interface SentryRequest {
  method: string;
  path: string;
  /** Every query parameter in order (field repeats). */
  params: Array<[string, string]>;
  authorization?: string;
}

export interface SentryApiStandIn {
  /** http://127.0.0.1:PORT (the API root is `${url}/api/0`). */
  url: string;
  /** An auth token with org:read: the sessions endpoint answers it. */
  token: string;
  /** A valid token without org:read: 403. */
  tokenWithoutScope: string;
  organization: string;
  projectId: string;
  environment: string;
  /** The two releases of a scenario. */
  releases(scenario: string): { baseline: string; canary: string };
  /** The next `times` requests get this fault instead of their answer. */
  inject(fault: SentryFault, times?: number): void;
  requests: SentryRequest[];
  close(): Promise<void>;
}

const DAY = 86_400;
const FINEST_INTERVAL = 10;
const MAX_POINTS = 1000;
const FIELDS = ['sum(session)', 'count_unique(user)', 'crash_rate(session)', 'crash_rate(user)', 'crash_free_rate(session)', 'crash_free_rate(user)'] as const;
type Field = (typeof FIELDS)[number];
const GROUP_BYS = ['project', 'release', 'environment', 'session.status'];

/** A refusal with Sentry's body: {"detail": "…"}. */
class ApiError extends Error {
  constructor(readonly status: number, readonly detail: string, readonly headers: Record<string, string> = {}) {
    super(detail);
  }
}

const NOT_AUTHENTICATED = 'Authentication credentials were not provided.';
const INVALID_TOKEN = 'Invalid token';
const NO_PERMISSION = 'You do not have permission to perform this action.';
const NOT_FOUND = 'The requested resource does not exist';

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sentry's statsPeriod syntax: a number and s, m, h, d or w; seconds, or undefined. */
function parsePeriod(text: string): number | undefined {
  const m = /^(\d+)([smhdw])$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: DAY, w: 7 * DAY }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
}

function parseTime(name: string, text: string): number {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || !Number.isFinite(ms)) throw new ApiError(400, `${name}: invalid date "${text}"`);
  return ms / 1000;
}

const isoZ = (sec: number) => new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The release terms of a search query: release:value or release:"quoted \"value\"". */
function releaseTerms(query: string): string[] {
  const releases: string[] = [];
  const term = /\s*([A-Za-z_.]+):("(?:[^"\\]|\\.)*"|\S+)\s*/y;
  let rest = query.trim();
  while (rest) {
    term.lastIndex = 0;
    const m = term.exec(rest);
    if (!m) throw new ApiError(400, `Parse error at '${rest.slice(0, 20)}' (column 1). This is commonly caused by unmatched parentheses. Enclose any text in double quotes.`);
    if (m[1] !== 'release') throw new ApiError(400, `sentry-api stand-in: search term "${m[1]}:" is not implemented (only release:)`);
    releases.push(m[2].startsWith('"') ? m[2].slice(1, -1).replace(/\\(.)/g, '$1') : m[2]);
    rest = rest.slice(term.lastIndex);
  }
  return releases;
}

function fieldValue(field: Field, t: Totals): number | null {
  switch (field) {
    case 'sum(session)':
      return t.sessions;
    case 'count_unique(user)':
      return t.users;
    case 'crash_rate(session)':
      return t.sessions ? t.crashedSessions / t.sessions : null;
    case 'crash_rate(user)':
      return t.users ? t.crashedUsers / t.users : null;
    case 'crash_free_rate(session)':
      return t.sessions ? 1 - t.crashedSessions / t.sessions : null;
    case 'crash_free_rate(user)':
      return t.users ? 1 - t.crashedUsers / t.users : null;
  }
}

export async function startSentryApi(options: SentryApiOptions = {}): Promise<SentryApiStandIn> {
  const scenarios = options.scenarios ?? SCENARIOS;
  const organization = options.organization ?? 'acme';
  const projectId = options.projectId ?? '4505';
  const environment = options.environment ?? 'production';
  const token = `sntrys_${randomBytes(24).toString('hex')}`;
  const tokenWithoutScope = `sntrys_${randomBytes(24).toString('hex')}`;
  const requests: SentryRequest[] = [];
  const faults: SentryFault[] = [];

  // Release histories, generated the first time a release is asked for.
  const byRelease = new Map<string, { scenario: Scenario; version: 'canary' | 'stable' }>();
  for (const s of scenarios) {
    const r = scenarioReleases(s);
    byRelease.set(r.baseline, { scenario: s, version: 'stable' });
    byRelease.set(r.canary, { scenario: s, version: 'canary' });
  }
  const histories = new Map<string, ReleaseHistory>();
  const history = (release: string): ReleaseHistory | undefined => {
    const at = byRelease.get(release);
    if (!at) return undefined;
    let h = histories.get(release);
    if (!h) histories.set(release, (h = scenarioHistory(at.scenario, at.version)));
    return h;
  };

  function authenticate(req: IncomingMessage): void {
    const header = req.headers.authorization;
    if (!header) throw new ApiError(401, NOT_AUTHENTICATED);
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m || (m[1] !== token && m[1] !== tokenWithoutScope)) throw new ApiError(401, INVALID_TOKEN);
    if (m[1] === tokenWithoutScope) throw new ApiError(403, NO_PERMISSION);
  }

  /** The sessions endpoint: validation and rounding as Sentry's metrics-based release health does them. */
  function sessions(params: URLSearchParams): unknown {
    const fields = params.getAll('field');
    if (!fields.length) throw new ApiError(400, 'Request is missing a "field"');
    for (const f of fields) {
      if (/^(avg|p50|p75|p90|p95|p99|max)\(session\.duration\)$/.test(f)) throw new ApiError(400, `sentry-api stand-in: field "${f}" is not implemented`);
      if (!(FIELDS as readonly string[]).includes(f)) throw new ApiError(400, `Invalid field: "${f}"`);
    }
    const groupBy = params.getAll('groupBy');
    for (const g of groupBy) {
      if (!GROUP_BYS.includes(g)) throw new ApiError(400, `Invalid groupBy: "${g}"`);
      if (g !== 'release') throw new ApiError(400, `sentry-api stand-in: groupBy "${g}" is not implemented (only release)`);
    }
    const projects = params.getAll('project');
    if (projects.some((p) => p !== projectId && p !== '-1')) throw new ApiError(403, NO_PERMISSION);

    const intervalText = params.get('interval') ?? '1h';
    const interval = parsePeriod(intervalText);
    if (interval === undefined) throw new ApiError(400, `Invalid interval: "${intervalText}"`);
    if (interval % FINEST_INTERVAL !== 0 || interval < FINEST_INTERVAL) throw new ApiError(400, 'The interval has to be a multiple of the minimum interval of ten seconds.');
    if (interval > DAY) throw new ApiError(400, 'The interval has to be less than one day.');
    if (DAY % interval !== 0) throw new ApiError(400, 'The interval should divide one day without a remainder.');

    let start: number;
    let end: number;
    if (params.get('start') !== null || params.get('end') !== null) {
      if (params.get('start') === null || params.get('end') === null) throw new ApiError(400, 'start and end are both required');
      start = parseTime('start', params.get('start')!);
      end = parseTime('end', params.get('end')!);
      if (start > end) throw new ApiError(400, 'start must be before end');
    } else {
      if (params.get('statsPeriod') === null) throw new ApiError(400, 'sentry-api stand-in: give start and end, or statsPeriod');
      const period = parsePeriod(params.get('statsPeriod')!);
      if (period === undefined) throw new ApiError(400, `Invalid statsPeriod: "${params.get('statsPeriod')}"`);
      end = Date.now() / 1000;
      start = end - period;
    }
    // The range is widened to whole intervals (start down, end up).
    start = Math.floor(start / interval) * interval;
    end = Math.ceil(end / interval) * interval;
    if ((end - start) / interval > MAX_POINTS) throw new ApiError(400, 'Your interval and date range would create too many results. Use a larger interval, or a smaller date range.');

    const query = params.get('query') ?? '';
    const wanted = releaseTerms(query);
    const env = params.getAll('environment');
    const recorded = env.length === 0 || env.includes(environment);
    const releases = (wanted.length ? [...new Set(wanted)].filter((r) => wanted.every((w) => w === r)) : [...byRelease.keys()]).filter((r) => recorded && history(r));

    const intervals: string[] = [];
    for (let t = start; t < end; t += interval) intervals.push(isoZ(t));
    const includeTotals = params.get('includeTotals') !== '0';
    const includeSeries = params.get('includeSeries') !== '0';
    const groupOf = (hs: ReleaseHistory[], by: Record<string, string>) => {
      const totalsOf = (from: number, to: number): Totals => {
        // User ids are per release: users of two releases count as different people here.
        const each = hs.map((h) => totalsBetween(h, from, to));
        return each.reduce((a, b) => ({ sessions: a.sessions + b.sessions, crashedSessions: a.crashedSessions + b.crashedSessions, users: a.users + b.users, crashedUsers: a.crashedUsers + b.crashedUsers }), { sessions: 0, crashedSessions: 0, users: 0, crashedUsers: 0 });
      };
      const totals = totalsOf(start, end);
      if (!totals.sessions) return undefined;
      const group: Record<string, unknown> = { by };
      if (includeTotals) group.totals = Object.fromEntries(fields.map((f) => [f, fieldValue(f as Field, totals)]));
      if (includeSeries) {
        const buckets = intervals.map((_, i) => totalsOf(start + i * interval, start + (i + 1) * interval));
        group.series = Object.fromEntries(fields.map((f) => [f, buckets.map((b) => fieldValue(f as Field, b))]));
      }
      return group;
    };
    const groups = groupBy.includes('release')
      ? releases.map((r) => groupOf([history(r)!], { release: r })).filter(Boolean)
      : [groupOf(releases.map((r) => history(r)!), {})].filter(Boolean);
    return { start: isoZ(start), end: isoZ(end), query, intervals, groups };
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, params: [...url.searchParams.entries()], authorization: req.headers.authorization });
    const fault = faults.shift();
    if (fault === 'no-answer') return;
    if (fault === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"start": "2024-01-01T00:00:00Z", "intervals": [');
      return;
    }
    if (fault) {
      const detail = fault.status === 429 ? 'You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds' : 'Internal Error';
      send(res, fault.status, { detail }, fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {});
      return;
    }
    try {
      authenticate(req);
      const m = /^\/api\/0\/organizations\/([^/]+)\/sessions\/$/.exec(url.pathname);
      if (!m || req.method !== 'GET') throw new ApiError(404, NOT_FOUND);
      if (decodeURIComponent(m[1]) !== organization) throw new ApiError(404, NOT_FOUND);
      send(res, 200, sessions(url.searchParams));
    } catch (err) {
      if (err instanceof ApiError) send(res, err.status, { detail: err.detail }, err.headers);
      else send(res, 500, { detail: 'Internal Error' });
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    tokenWithoutScope,
    organization,
    projectId,
    environment,
    releases: (name) => {
      const s = scenarios.find((x) => x.name === name);
      if (!s) throw new Error(`no scenario ${name}`);
      return scenarioReleases(s);
    },
    inject: (fault, times = 1) => {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
