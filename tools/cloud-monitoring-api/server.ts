// A local stand-in for the Cloud Monitoring API v3's projects.timeSeries.list, serving Cloud Run
// request metrics of the canary scenario suite, with Google's token endpoints (service-account
// JWT grant, STS exchange) from the Play stand-in. In memory, on 127.0.0.1.
//
//   const gcm = await startCloudMonitoringApi({ scenarios: SCENARIOS });
//   … gcm.url, gcm.tokenUrl, gcm.serviceAccountKey(), gcm.revisions('healthy'), gcm.requests …
//   await gcm.close();
import { createServer, IncomingMessage, ServerResponse } from 'http';
import { AddressInfo, Socket } from 'net';
import { Scenario } from '../prometheus/scenarios';
import { GoogleApiError, sendError, sendJson, unauthenticated } from '../play-api/google-error';
import { OAuthError, TokenAuthority } from '../play-api/oauth';
import { aggregate, AggregationError, OutSeries } from './aggregate';
import { FilterError, matches, metricTypeOf, parseFilter } from './filter';
import { cloudRunSeries, distributionJson, RawSeries } from './series';
import { scenarioTraffic } from './traffic';

export const STAND_IN_PROJECT = 'shipfleet-stand-in';
/** Scopes that may read time series. */
const READ_SCOPES = ['https://www.googleapis.com/auth/monitoring.read', 'https://www.googleapis.com/auth/monitoring', 'https://www.googleapis.com/auth/cloud-platform'];
const ALIGNERS = /^ALIGN_(NONE|DELTA|RATE|INTERPOLATE|NEXT_OLDER|MIN|MAX|MEAN|COUNT|SUM|STDDEV|COUNT_TRUE|COUNT_FALSE|FRACTION_TRUE|PERCENTILE_(99|95|50|05)|PERCENT_CHANGE)$/;
const REDUCERS = /^REDUCE_(NONE|MEAN|MIN|MAX|SUM|STDDEV|COUNT|COUNT_TRUE|COUNT_FALSE|FRACTION_TRUE|PERCENTILE_(99|95|50|05))$/;

export interface CloudMonitoringFaults {
  /** The next N list calls answer 429 RESOURCE_EXHAUSTED. */
  tooManyRequests?: number;
  /** The next N list calls answer 503 UNAVAILABLE. */
  unavailable?: number;
  /** The next N list calls answer 200 with an HTML page. */
  malformed?: number;
  /** Every list call answers 403 PERMISSION_DENIED (an account without roles/monitoring.viewer). */
  forbidden?: boolean;
}

export interface CloudMonitoringApiOptions {
  /** Each scenario's canary and stable traffic as two Cloud Run revisions (see revisions()). */
  scenarios?: Scenario[];
  /** Most series per page; more make nextPageToken. */
  pageSize?: number;
  faults?: CloudMonitoringFaults;
}

export interface CloudMonitoringApiStandIn {
  /** http://127.0.0.1:PORT: the API root (…/v3/projects/{project}/timeSeries). */
  url: string;
  /** `${url}/token`: the JWT-bearer grant. */
  tokenUrl: string;
  /** `${url}/v1/token`: the STS token exchange. */
  stsUrl: string;
  project: string;
  serviceAccountKey(): Record<string, string>;
  externalAccountConfig(subjectTokenFile: string): Record<string, unknown>;
  oidcToken: string;
  /** Access tokens issued so far. */
  accessTokens: string[];
  /** The revision names of a scenario's versions. */
  revisions(scenario: string): { canary: string; baseline: string };
  requests: Array<{ method: string; path: string; query: Record<string, string>; status: number }>;
  setFaults(f: CloudMonitoringFaults): void;
  close(): Promise<void>;
}

export const scenarioRevisions = (scenario: string) => ({ canary: `${scenario}-canary`, baseline: `${scenario}-stable` });

const invalidArgument = (message: string) => new GoogleApiError(400, message, 'badRequest');

/** "60s", "60.5s": a protobuf Duration in JSON. */
function durationMs(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d{1,9})?)s$/.exec(value);
  if (!m) throw invalidArgument(`Invalid value at '${field}' (type.googleapis.com/google.protobuf.Duration), Field '${field}', Illegal duration format; duration must end with 's'`);
  return Number(m[1]) * 1000;
}

function timeMs(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\dT/.test(value) || !Number.isFinite(ms)) throw invalidArgument(`Invalid value at '${field}' (type.googleapis.com/google.protobuf.Timestamp), Field '${field}', Invalid time format: Failed to parse input`);
  return ms;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function seriesJson(s: OutSeries): Record<string, unknown> {
  return {
    metric: s.metric,
    resource: s.resource,
    metricKind: s.metricKind,
    valueType: s.valueType,
    points: s.points.map((p) => ({
      interval: { startTime: iso(p.start), endTime: iso(p.end) },
      value: typeof p.value !== 'number' ? { distributionValue: distributionJson(p.value) } : s.valueType === 'DOUBLE' ? { doubleValue: p.value } : { int64Value: String(p.value) },
    })),
    unit: s.unit,
  };
}

export async function startCloudMonitoringApi(options: CloudMonitoringApiOptions = {}): Promise<CloudMonitoringApiStandIn> {
  const store: RawSeries[] = [];
  for (const s of options.scenarios ?? []) {
    const rev = scenarioRevisions(s.name);
    store.push(...cloudRunSeries(STAND_IN_PROJECT, s.name, rev.canary, scenarioTraffic(s, 'canary')));
    store.push(...cloudRunSeries(STAND_IN_PROJECT, s.name, rev.baseline, scenarioTraffic(s, 'stable')));
  }
  let faults: CloudMonitoringFaults = { ...options.faults };
  const pageSize = options.pageSize ?? 1000;
  const requests: CloudMonitoringApiStandIn['requests'] = [];
  let authority: TokenAuthority;

  const take = (name: 'tooManyRequests' | 'unavailable' | 'malformed') => {
    if (!faults[name]) return false;
    faults[name]! -= 1;
    return true;
  };

  const list = (project: string, q: Record<string, string>, res: ServerResponse) => {
    if (faults.forbidden || project !== STAND_IN_PROJECT) {
      throw new GoogleApiError(403, `Permission monitoring.timeSeries.list denied (or the resource may not exist).`, 'forbidden');
    }
    if (take('tooManyRequests')) {
      throw new GoogleApiError(429, "Quota exceeded for quota metric 'Time series queries' and limit 'Time series queries per minute' of service 'monitoring.googleapis.com'.", 'rateLimitExceeded');
    }
    if (take('unavailable')) throw new GoogleApiError(503, 'The service is currently unavailable.', 'backendError');
    if (take('malformed')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Service temporarily unavailable</body></html>');
      return;
    }
    if (!q.filter) throw invalidArgument('Field filter had an invalid value of "": The filter must not be empty.');
    let filter;
    try {
      filter = parseFilter(q.filter);
    } catch (e) {
      if (e instanceof FilterError) throw invalidArgument(`Field filter had an invalid value of "${q.filter}": ${e.message}`);
      throw e;
    }
    if (!metricTypeOf(filter)) throw invalidArgument(`Field filter had an invalid value of "${q.filter}": The filter must specify exactly one metric type.`);
    const end = timeMs(q['interval.endTime'], 'interval.end_time');
    if (end === undefined) throw invalidArgument('Field interval.endTime had an invalid value: The end time must be specified.');
    const start = timeMs(q['interval.startTime'], 'interval.start_time') ?? end;
    if (start > end) throw invalidArgument('Field interval.startTime had an invalid value: The start time must be before the end time.');
    const aligner = q['aggregation.perSeriesAligner'] ?? 'ALIGN_NONE';
    const reducer = q['aggregation.crossSeriesReducer'] ?? 'REDUCE_NONE';
    if (!ALIGNERS.test(aligner)) throw invalidArgument(`Invalid value at 'aggregation.per_series_aligner' (type.googleapis.com/google.monitoring.v3.Aggregation.Aligner), "${aligner}"`);
    if (!REDUCERS.test(reducer)) throw invalidArgument(`Invalid value at 'aggregation.cross_series_reducer' (type.googleapis.com/google.monitoring.v3.Aggregation.Reducer), "${reducer}"`);
    const periodMs = durationMs(q['aggregation.alignmentPeriod'], 'aggregation.alignment_period');
    if (aligner !== 'ALIGN_NONE') {
      if (periodMs === undefined) throw invalidArgument('Field aggregation.alignmentPeriod had an invalid value: An alignment period must be specified when a per-series aligner is used.');
      if (periodMs < 60_000) throw invalidArgument(`Field aggregation.alignmentPeriod had an invalid value of "${q['aggregation.alignmentPeriod']}": The alignment period must be at least 60 seconds.`);
    }
    let series: OutSeries[];
    try {
      const groupBy = q['aggregation.groupByFields'] ? q['aggregation.groupByFields'].split(',') : [];
      series = aggregate(store.filter((s) => matches(s, filter)), start, end, { periodMs, aligner, reducer, groupBy });
    } catch (e) {
      if (e instanceof AggregationError || e instanceof FilterError) throw invalidArgument(e.message);
      throw e;
    }
    const offset = q.pageToken ? Number(Buffer.from(q.pageToken, 'base64url').toString('utf8')) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw invalidArgument('Field pageToken had an invalid value.');
    const page = series.slice(offset, offset + pageSize);
    const next = offset + pageSize < series.length ? Buffer.from(String(offset + pageSize)).toString('base64url') : undefined;
    // Google leaves empty fields out: no series, no timeSeries field.
    sendJson(res, 200, { ...(page.length ? { timeSeries: page.map(seriesJson) } : {}), ...(next ? { nextPageToken: next } : {}), unit: page[0]?.unit ?? '' });
  };

  const handleToken = async (req: IncomingMessage, res: ServerResponse, grant: (form: URLSearchParams) => Record<string, unknown>) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const form = String(req.headers['content-type'] ?? '').includes('application/json')
      ? new URLSearchParams(Object.entries(JSON.parse(text || '{}') as Record<string, unknown>).map(([k, v]): [string, string] => [k, String(v)]))
      : new URLSearchParams(text);
    try {
      sendJson(res, 200, grant(form), { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate' });
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e;
      sendJson(res, e.status, e.body());
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, entry: CloudMonitoringApiStandIn['requests'][number]) => {
    const path = entry.path;
    if (path === '/token' && req.method === 'POST') return handleToken(req, res, (f) => authority.jwtBearerGrant(f));
    if (path === '/v1/token' && req.method === 'POST') return handleToken(req, res, (f) => authority.tokenExchange(f));
    const m = /^\/v3\/projects\/([^/]+)\/timeSeries$/.exec(path);
    if (!m || req.method !== 'GET') throw new GoogleApiError(404, `The requested URL ${path} was not found on this server.`, 'notFound');
    const auth = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const token = auth ? authority.lookup(auth[1]) : undefined;
    if (!token) throw unauthenticated(Boolean(auth));
    if (!token.scopes.some((s) => READ_SCOPES.includes(s))) {
      throw new GoogleApiError(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions', 'global', {
        'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/monitoring.read"',
      });
    }
    return list(decodeURIComponent(m[1]), entry.query, res);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const query: Record<string, string> = {};
    // A repeated parameter (aggregation.groupByFields) keeps every value.
    for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
    const entry = { method: req.method ?? 'GET', path: url.pathname, query, status: 0 };
    requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    handle(req, res, entry).catch((e: unknown) => {
      if (res.headersSent) return;
      sendError(res, e instanceof GoogleApiError ? e : new GoogleApiError(500, `Internal error: ${(e as Error).message}`, 'backendError'));
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const tokenUrl = `${url}/token`;
      const stsUrl = `${url}/v1/token`;
      authority = new TokenAuthority(tokenUrl);
      resolve({
        url,
        tokenUrl,
        stsUrl,
        project: STAND_IN_PROJECT,
        serviceAccountKey: () => authority.serviceAccountKey(),
        externalAccountConfig: (file) => authority.externalAccountConfig(stsUrl, file),
        oidcToken: authority.oidcToken,
        accessTokens: authority.issued,
        revisions: scenarioRevisions,
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
