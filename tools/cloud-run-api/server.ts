// A local stand-in for the Cloud Run Admin API v2 (services, revisions, long-running operations)
// with Google's token endpoints (service-account JWT grant, STS exchange) from the Play stand-in.
// In memory, on 127.0.0.1; every ready revision and service answers on a tiny server of its own.
//
//   const run = await startCloudRunApi();
//   … run.url, run.tokenUrl, run.serviceAccountKey(), run.service('shipfleet-stand-in', 'europe-west1', 'web') …
//   await run.close();
import { createServer, IncomingMessage, ServerResponse } from 'http';
import { AddressInfo, Socket } from 'net';
import { GoogleApiError, sendError, sendJson, unauthenticated } from '../play-api/google-error';
import { OAuthError, TokenAuthority } from '../play-api/oauth';
import { Endpoints } from './endpoints';
import { FieldMaskError, parseUpdateMask } from './field-mask';
import { ImageBehaviour } from './images';
import { CloudRunModel, notFound, ServiceState } from './model';

export const STAND_IN_PROJECT = 'shipfleet-stand-in';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

export interface CloudRunFaults {
  /** The next N API calls answer 429 RESOURCE_EXHAUSTED. */
  tooManyRequests?: number;
  /** The next N API calls answer 503 UNAVAILABLE. */
  unavailable?: number;
  /** The next N operations end with an INTERNAL error instead of applying their change. */
  operationError?: number;
  /** Every API call answers 403 PERMISSION_DENIED (an account without roles/run.developer). */
  forbidden?: boolean;
}

export interface CloudRunApiOptions {
  /** operations.get calls before an operation is done (default 2; 0: done in the write's answer). */
  operationPolls?: number;
  /** Image (with or without digest) → behaviour, over what the tag or name says. */
  images?: Record<string, ImageBehaviour>;
  /** Projects the account may use (default [STAND_IN_PROJECT]); others answer 403. */
  projects?: string[];
  faults?: CloudRunFaults;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The parsed JSON body of a write. */
  body?: Record<string, unknown>;
}

export interface CloudRunApiStandIn {
  /** http://127.0.0.1:PORT: the API root (…/v2/projects/{project}/locations/{location}/services/{service}). */
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
  /** A service as services.get answers it, or undefined. */
  service(project: string, location: string, id: string): Record<string, unknown> | undefined;
  /** A revision as revisions.get answers it, or undefined. */
  revision(project: string, location: string, service: string, id: string): Record<string, unknown> | undefined;
  requests: RecordedRequest[];
  setFaults(f: CloudRunFaults): void;
  close(): Promise<void>;
}

const SERVICE_PATH = /^\/v2\/projects\/([^/]+)\/locations\/([^/]+)\/services(?:\/([^/:]+))?$/;
const REVISION_PATH = /^\/v2\/projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/]+)\/revisions(?:\/([^/]+))?$/;
const OPERATION_PATH = /^\/v2\/projects\/([^/]+)\/locations\/([^/]+)\/operations\/([^/]+)$/;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const flag = (v: string | undefined) => v === 'true' || v === '1';

export async function startCloudRunApi(options: CloudRunApiOptions = {}): Promise<CloudRunApiStandIn> {
  let faults: CloudRunFaults = { ...options.faults };
  const projects = options.projects ?? [STAND_IN_PROJECT];
  const requests: RecordedRequest[] = [];
  const endpoints = new Endpoints();
  const take = (name: 'tooManyRequests' | 'unavailable' | 'operationError') => {
    if (!faults[name]) return false;
    faults[name]! -= 1;
    return true;
  };
  const model = new CloudRunModel({ operationPolls: options.operationPolls ?? 2, images: options.images ?? {}, takeOperationFault: () => take('operationError') }, endpoints);
  let authority: TokenAuthority;

  const service = (project: string, location: string, id: string): ServiceState => {
    const s = model.get(project, location, id);
    if (!s) throw notFound('SERVICE', id, location, project);
    return s;
  };

  const api = async (req: IncomingMessage, res: ServerResponse, entry: RecordedRequest) => {
    const auth = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const token = auth ? authority.lookup(auth[1]) : undefined;
    if (!token) throw unauthenticated(Boolean(auth));
    if (!token.scopes.includes(CLOUD_PLATFORM)) {
      throw new GoogleApiError(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions', 'global', {
        'www-authenticate': `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${CLOUD_PLATFORM}"`,
      });
    }
    const project = decodeURIComponent(entry.path.split('/')[3] ?? '');
    if (faults.forbidden || !projects.includes(project)) {
      const permission = req.method === 'GET' ? 'run.services.get' : req.method === 'POST' ? 'run.services.create' : 'run.services.update';
      throw new GoogleApiError(403, `Permission '${permission}' denied on resource '${entry.path.replace(/^\/v2\//, '')}' (or resource may not exist).`, 'forbidden');
    }
    if (take('tooManyRequests')) throw new GoogleApiError(429, "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per region' of service 'run.googleapis.com'.", 'rateLimitExceeded', 'global', { 'retry-after': '1' });
    if (take('unavailable')) throw new GoogleApiError(503, 'The service is currently unavailable.', 'backendError');

    let m = OPERATION_PATH.exec(entry.path);
    if (m && req.method === 'GET') {
      const op = model.operations.get(decodeURIComponent(m[3]));
      if (!op || op.project !== m[1] || op.location !== m[2]) throw new GoogleApiError(404, `Operation '${m[3]}' not found.`, 'notFound');
      await model.poll(op);
      return sendJson(res, 200, model.operationJson(op));
    }
    m = REVISION_PATH.exec(entry.path);
    if (m && req.method === 'GET') {
      const [, p, l, sid, rid] = m.map((x) => (x === undefined ? x : decodeURIComponent(x)));
      const s = service(p, l, sid);
      if (rid) {
        const r = s.revisions.get(rid);
        if (!r) throw notFound('REVISION', rid, l, p);
        return sendJson(res, 200, model.revisionJson(s, r));
      }
      const all = [...s.order].reverse().map((id) => model.revisionJson(s, s.revisions.get(id)!));
      const size = Math.min(Number(entry.query.pageSize) || 100, 1000);
      const offset = entry.query.pageToken ? Number(Buffer.from(entry.query.pageToken, 'base64url').toString('utf8')) : 0;
      if (!Number.isInteger(offset) || offset < 0) throw new GoogleApiError(400, 'Invalid page token.', 'badRequest');
      const next = offset + size < all.length ? Buffer.from(String(offset + size)).toString('base64url') : undefined;
      return sendJson(res, 200, { revisions: all.slice(offset, offset + size), ...(next ? { nextPageToken: next } : {}) });
    }
    m = SERVICE_PATH.exec(entry.path);
    if (!m) throw new GoogleApiError(404, `The requested URL ${entry.path} was not found on this server.`, 'notFound');
    const [, p, l, sid] = m.map((x) => (x === undefined ? x : decodeURIComponent(x)));
    if (req.method === 'GET' && sid) return sendJson(res, 200, model.serviceJson(service(p, l, sid)));
    if (req.method === 'GET') {
      const all = [...model.services.values()].filter((s) => s.project === p && s.location === l).map((s) => model.serviceJson(s));
      return sendJson(res, 200, all.length ? { services: all } : {});
    }
    if ((req.method === 'POST' && !sid) || (req.method === 'PATCH' && sid)) {
      const text = await readBody(req);
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        throw new GoogleApiError(400, 'Invalid JSON payload received.', 'badRequest');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GoogleApiError(400, 'Invalid JSON payload received: the body must be a Service.', 'badRequest');
      entry.body = body as Record<string, unknown>;
      const id = req.method === 'POST' ? entry.query.serviceId ?? '' : sid;
      if (!id) throw new GoogleApiError(400, 'serviceId: The service id is required.', 'badRequest');
      const creating = req.method === 'POST' || (flag(entry.query.allowMissing) && !model.get(p, l, id));
      let mask;
      try {
        mask = parseUpdateMask(entry.query.updateMask);
      } catch (e) {
        if (e instanceof FieldMaskError) throw new GoogleApiError(400, e.message, 'badRequest');
        throw e;
      }
      if (flag(entry.query.validateOnly)) {
        if (!creating) service(p, l, id);
        return sendJson(res, 200, { name: `projects/${p}/locations/${l}/operations/validate-only`, done: true, response: body });
      }
      const op = await model.write(p, l, id, body as Record<string, unknown>, mask, creating);
      return sendJson(res, 200, model.operationJson(op));
    }
    throw new GoogleApiError(405, `Method ${req.method} is not allowed on ${entry.path}.`, 'badRequest');
  };

  const handleToken = async (req: IncomingMessage, res: ServerResponse, grant: (form: URLSearchParams) => Record<string, unknown>) => {
    const text = await readBody(req);
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

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const entry: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    const handled =
      entry.path === '/token' && req.method === 'POST'
        ? handleToken(req, res, (f) => authority.jwtBearerGrant(f))
        : entry.path === '/v1/token' && req.method === 'POST'
          ? handleToken(req, res, (f) => authority.tokenExchange(f))
          : api(req, res, entry);
    handled.catch((e: unknown) => {
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
        service: (p, l, id) => {
          const s = model.get(p, l, id);
          return s && model.serviceJson(s);
        },
        revision: (p, l, sid, id) => {
          const s = model.get(p, l, sid);
          const r = s?.revisions.get(id);
          return s && r && model.revisionJson(s, r);
        },
        requests,
        setFaults(f) {
          faults = { ...faults, ...f };
        },
        async close() {
          for (const s of sockets) s.destroy();
          await new Promise<void>((done) => server.close(() => done()));
          await endpoints.close();
        },
      });
    });
  });
}
