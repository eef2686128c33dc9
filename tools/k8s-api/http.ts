// The HTTP side: authentication, request records, discovery, and the resource endpoints
// (list/watch, get, apply and other patches, create, replace, delete).
import { randomUUID } from 'crypto';
import { IncomingMessage, ServerResponse } from 'http';
import { ApiError, notFound } from './api-error';
import { discoveryGroups, resourceList } from './discovery';
import { randomSuffix } from './generated-names';
import { update } from './non-apply-writes';
import { jsonPatch, mergePatch, PatchError } from './patches';
import { gv, Resource } from './resources';
import { parseFieldSelector, parseSelector } from './selectors';
import { serverSideApply } from './server-side-apply';
import { ObjectStore, Watcher } from './store';
import { toTable } from './table';
import { Json, K8sObjectJson, RecordedRequest } from './types';
import { clone, isObj } from './values';
import { parseYaml } from './yaml-subset';

export interface HttpOptions {
  store: ObjectStore;
  requests: RecordedRequest[];
  token: string;
  allowAnonymous: boolean;
  host: string;
  /** The port the server listens on, once it does. */
  port: () => number;
}

type Query = Record<string, string>;

interface Route {
  group: string;
  version: string;
  r?: Resource;
  namespace?: string;
  name?: string;
  sub?: string;
  /** A resource name not served in this group version. */
  unknown?: string;
}

const VERSION = { major: '1', minor: '30', gitVersion: 'v1.30.0-shipfleet-stand-in', gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2024-01-01T00:00:00Z', goVersion: 'go1.22.0', compiler: 'gc', platform: 'linux/amd64' };
const NOT_FOUND = 'the server could not find the requested resource';

function send(res: ServerResponse, code: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Audit-Id': randomUUID() });
  res.end(text);
}

/** Answers a metav1.Status failure. */
export function sendStatus(res: ServerResponse, code: number, reason: string, message: string, details?: Json): void {
  send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** JSON, or block YAML when the content type says YAML. */
function parseBody(text: string, contentType: string | undefined): Json {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    if (/yaml/.test(contentType || '')) {
      try {
        return parseYaml(text);
      } catch (y) {
        throw new ApiError(400, 'BadRequest', `error decoding YAML: ${(y as Error).message}`);
      }
    }
    throw new ApiError(400, 'BadRequest', `couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

/** The field manager of a non-apply write: ?fieldManager, else the client's name from its User-Agent. */
function managerFrom(query: Query, req: IncomingMessage, fallback: string): string {
  if (query.fieldManager) return query.fieldManager;
  const ua = String(req.headers['user-agent'] || '');
  const m = /^([^/ ]+)/.exec(ua);
  return m ? m[1] : fallback;
}

/** Objects go out as copies: what is sent (and trimmed for lists) never touches what is stored. */
const outgoing = (obj: K8sObjectJson): K8sObjectJson => clone(obj);

export function createRequestHandler(o: HttpOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { store, requests, token, allowAnonymous, host } = o;
  const { resources, objects } = store;

  /** Splits /api/v1/... or /apis/g/v/... into resource, namespace, name, subresource. */
  function route(pathname: string): Route | undefined {
    const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 2) {
      group = '';
      version = parts[1];
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1];
      version = parts[2];
      rest = parts.slice(3);
    } else return undefined;
    const res = (plural: string) => resources.find(group, version, plural);
    if (!rest.length) return { group, version };
    const namespacedResource = rest[0] === 'namespaces' && rest.length >= 3 ? res(rest[2]) : undefined;
    if (namespacedResource && namespacedResource.namespaced) {
      return { group, version, r: namespacedResource, namespace: rest[1], name: rest[3], sub: rest[4] };
    }
    const r = res(rest[0]);
    if (!r) return { group, version, unknown: rest[0] };
    return { group, version, r, namespace: undefined, name: rest[1], sub: rest[2] };
  }

  function watch(req: IncomingMessage, res: ServerResponse, r: Resource, matches: (obj: K8sObjectJson) => boolean, query: Query): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    // Clients wait for the headers before they read events: send them now, not with the first event.
    res.flushHeaders();
    const w: Watcher = {
      group: r.group,
      plural: r.plural,
      matches,
      send(type, obj) {
        if (!res.writableEnded) res.write(`${JSON.stringify({ type, object: outgoing(obj) })}\n`);
      },
    };
    const since = Number(query.resourceVersion || 0);
    if (since > 0) {
      for (const e of store.history) if (e.rv > since && e.group === r.group && e.plural === r.plural && matches(e.object)) w.send(e.type, e.object);
    } else {
      const prefix = `${r.group}/${r.plural}/`;
      for (const [k, obj] of objects) if (k.startsWith(prefix) && matches(obj)) w.send('ADDED', obj);
    }
    store.watchers.add(w);
    const end = () => {
      store.watchers.delete(w);
      if (!res.writableEnded) res.end();
    };
    const timeout = Number(query.timeoutSeconds || 0);
    const timer = timeout > 0 ? setTimeout(end, timeout * 1000) : undefined;
    if (timer) timer.unref();
    req.on('close', () => {
      if (timer) clearTimeout(timer);
      store.watchers.delete(w);
    });
    w.end = end;
  }

  function patch(req: IncomingMessage, res: ServerResponse, rt: Route & { r: Resource; name: string }, namespace: string | undefined, query: Query, bodyText: string, dryRun: boolean): void {
    const { r } = rt;
    const ct = String(req.headers['content-type'] || '').split(';')[0].trim();
    const body = parseBody(bodyText, ct);
    if (ct.startsWith('application/apply-patch')) {
      if (rt.sub) return sendStatus(res, 400, 'BadRequest', 'apply to subresources is not supported by this stand-in');
      const out = serverSideApply(store, r, namespace, rt.name, body, { manager: query.fieldManager, force: query.force === 'true', dryRun });
      return send(res, out.created ? 201 : 200, outgoing(out.object));
    }
    const live = objects.get(store.keyOf(r, namespace, rt.name));
    if (!live) throw notFound(r, rt.name);
    let next: Json;
    if (ct === 'application/json-patch+json') {
      if (!Array.isArray(body)) throw new ApiError(400, 'BadRequest', 'a JSON patch must be a list of operations');
      try {
        next = jsonPatch(live, body);
      } catch (e) {
        throw new ApiError((e instanceof PatchError && e.code) || 422, 'Invalid', (e as Error).message);
      }
    } else if (ct === 'application/merge-patch+json' || ct === 'application/strategic-merge-patch+json') {
      next = mergePatch(live, body);
    } else {
      return sendStatus(res, 415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
    }
    if (query.force !== undefined) return sendStatus(res, 400, 'BadRequest', 'force: Invalid value: true: may not be specified for non-apply patch');
    delete next.metadata.managedFields;
    const out = update(store, r, namespace, rt.name, next, { manager: managerFrom(query, req, 'unknown'), dryRun, subresource: rt.sub });
    return send(res, 200, outgoing(out.object));
  }

  async function resourceRequest(req: IncomingMessage, res: ServerResponse, rt: Route & { r: Resource }, query: Query, bodyText: string): Promise<void> {
    const { r } = rt;
    const namespace = r.namespaced ? rt.namespace : undefined;
    const dryRun = query.dryRun === 'All';
    if (query.dryRun !== undefined && query.dryRun !== 'All') return sendStatus(res, 400, 'BadRequest', `dryRun: Unsupported value: "${query.dryRun}": supported values: "All"`);
    const wantsTable = /as=Table/.test(String(req.headers.accept || ''));

    if (req.method === 'GET' && !rt.name) {
      const labelTest = parseSelector(query.labelSelector);
      const fieldTest = parseFieldSelector(query.fieldSelector);
      const matches = (obj: K8sObjectJson) => (!namespace || obj.metadata.namespace === namespace) && labelTest(obj.metadata.labels) && fieldTest(obj);
      if (query.watch === 'true' || query.watch === '1') return watch(req, res, r, matches, query);
      const prefix = `${r.group}/${r.plural}/`;
      const items = [...objects]
        .filter(([k, obj]) => k.startsWith(prefix) && matches(obj))
        .map(([, obj]) => obj)
        .sort((a, b) => String(a.metadata.namespace || '').localeCompare(String(b.metadata.namespace || '')) || a.metadata.name.localeCompare(b.metadata.name));
      if (wantsTable) return send(res, 200, toTable(r, items, store.resourceVersion));
      return send(res, 200, {
        kind: `${r.kind}List`,
        apiVersion: gv(r),
        metadata: { resourceVersion: String(store.resourceVersion) },
        // Items without apiVersion and kind, as the real server sends them.
        items: items.map((obj) => {
          const c: Json = outgoing(obj);
          delete c.apiVersion;
          delete c.kind;
          return c;
        }),
      });
    }
    const key = store.keyOf(r, namespace, rt.name!);
    if (req.method === 'GET') {
      const obj = objects.get(key);
      if (!obj) throw notFound(r, rt.name!);
      return send(res, 200, wantsTable ? toTable(r, [obj], obj.metadata.resourceVersion) : outgoing(obj));
    }
    if (req.method === 'PATCH') {
      if (!rt.name) return sendStatus(res, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      return patch(req, res, { ...rt, name: rt.name }, namespace, query, bodyText, dryRun);
    }
    if (req.method === 'POST' && !rt.name) {
      const body = parseBody(bodyText, req.headers['content-type']);
      if (!isObj(body) || !isObj(body.metadata) || !body.metadata.name) {
        if (isObj(body) && isObj(body.metadata) && body.metadata.generateName) body.metadata.name = `${body.metadata.generateName}${randomSuffix()}`;
        else throw new ApiError(422, 'Invalid', `${r.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
      }
      const ns = r.namespaced ? namespace || body.metadata.namespace || 'default' : undefined;
      const out = update(store, r, ns, body.metadata.name, body as K8sObjectJson, { manager: managerFrom(query, req, 'unknown'), dryRun, create: true });
      return send(res, 201, outgoing(out.object));
    }
    if (req.method === 'PUT' && rt.name) {
      const body = parseBody(bodyText, req.headers['content-type']);
      const live = objects.get(key);
      if (live && body.metadata && body.metadata.resourceVersion && body.metadata.resourceVersion !== live.metadata.resourceVersion) {
        throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${r.plural}${r.group ? `.${r.group}` : ''} "${rt.name}": the object has been modified; please apply your changes to the latest version and try again`);
      }
      delete body.metadata.managedFields;
      const out = update(store, r, namespace, rt.name, body, { manager: managerFrom(query, req, 'unknown'), dryRun, create: !live, subresource: rt.sub });
      return send(res, live ? 200 : 201, outgoing(out.object));
    }
    if (req.method === 'DELETE' && rt.name) {
      const live = objects.get(key);
      if (!live) throw notFound(r, rt.name);
      if (!dryRun) store.remove(r, live);
      return send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: rt.name, group: r.group, kind: r.plural, uid: live.metadata.uid } });
    }
    return sendStatus(res, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }

  return async function handle(req, res) {
    const url = new URL(req.url!, 'http://localhost');
    const query: Query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = { time: Date.now(), method: req.method!, path: url.pathname, query, contentType: req.headers['content-type'], accept: req.headers.accept, userAgent: req.headers['user-agent'], user: undefined, body: undefined, status: undefined };
    requests.push(record);
    const reply = res.writeHead.bind(res) as (code: number, ...args: unknown[]) => ServerResponse;
    res.writeHead = ((code: number, ...args: unknown[]) => {
      record.status = code;
      return reply(code, ...args);
    }) as typeof res.writeHead;
    const auth = req.headers.authorization;
    // kubectl (client-go) sends credentials only over TLS: without a token a request is anonymous, allowed only when asked for.
    record.user = auth === `Bearer ${token}` ? 'token' : auth === undefined ? 'anonymous' : 'invalid';
    if (record.user === 'invalid' || (record.user === 'anonymous' && !allowAnonymous)) return sendStatus(res, 401, 'Unauthorized', 'Unauthorized');
    const bodyText = await readBody(req);
    record.body = bodyText || undefined;
    try {
      const p = url.pathname.replace(/\/+$/, '') || '/';
      if (req.method === 'GET' && p === '/version') return send(res, 200, VERSION);
      if (req.method === 'GET' && p === '/api') {
        return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `${host}:${o.port()}` }] });
      }
      if (req.method === 'GET' && p === '/apis') return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: discoveryGroups(resources.all) });
      if (req.method === 'GET' && /^\/apis\/[^/]+$/.test(p)) {
        const g = discoveryGroups(resources.all).find((x) => x.name === p.split('/')[2]);
        return g ? send(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...g }) : sendStatus(res, 404, 'NotFound', NOT_FOUND);
      }
      if (p === '/healthz' || p === '/readyz' || p === '/livez') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
        return;
      }
      const rt = route(p);
      if (!rt) return sendStatus(res, 404, 'NotFound', NOT_FOUND);
      if (!rt.r) {
        if (req.method === 'GET' && !rt.unknown) {
          const rl = resourceList(resources.all, rt.group, rt.version);
          return rl ? send(res, 200, rl) : sendStatus(res, 404, 'NotFound', NOT_FOUND);
        }
        return sendStatus(res, 404, 'NotFound', NOT_FOUND);
      }
      return await resourceRequest(req, res, { ...rt, r: rt.r }, query, bodyText);
    } catch (e) {
      if (e instanceof ApiError) return sendStatus(res, e.code, e.reason, e.message, e.details);
      return sendStatus(res, 500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
    }
  };
}
