// The only module that loads @kubernetes/client-node. That package is an ES
// module: Node 20 loads it with require(), but jest cannot, so it is required
// lazily inside connectCluster and nothing else imports this file at load time.
import { readFileSync } from 'fs';
import * as http from 'http';
import * as https from 'https';
import { displayUrl } from '@shipfleet/core';
import { ClusterClient, KubeApiError } from './cluster';
import { KubeconfigTarget } from './kubeconfig';
import { isPlainObject, K8sObject, ObjectRef } from './types';

/* eslint-disable @typescript-eslint/no-explicit-any */
type ClientNode = any;

function loadClientNode(): ClientNode {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@kubernetes/client-node');
}

/** Builds a KubeConfig as kubectl would read it: the files merged in order (first definition wins), or in-cluster. */
function loadKubeConfig(k8s: ClientNode, target: KubeconfigTarget | undefined): any {
  const kc = new k8s.KubeConfig();
  if (!target) throw new Error('no kubeconfig found: KUBECONFIG is not set and ~/.kube/config does not exist');
  if (target.inCluster) {
    kc.loadFromCluster();
    return kc;
  }
  kc.loadFromFile(target.paths[0]);
  for (const file of target.paths.slice(1)) {
    const other = new k8s.KubeConfig();
    other.loadFromFile(file);
    for (const c of other.clusters) if (!kc.getCluster(c.name)) kc.addCluster(c);
    for (const u of other.users) if (!kc.getUser(u.name)) kc.addUser(u);
    for (const c of other.contexts) if (!kc.getContextObject(c.name)) kc.addContext(c);
    if (!kc.currentContext && other.currentContext) kc.setCurrentContext(other.currentContext);
  }
  if (target.context) kc.setCurrentContext(target.context);
  if (target.tokenFile) authenticateWithTokenFile(kc, target.user, target.tokenFile);
  return kc;
}

/** kubectl's `tokenFile`, which @kubernetes/client-node does not read: read at each request (such tokens rotate); an inline token still wins, as in kubectl. */
function authenticateWithTokenFile(kc: any, user: string | undefined, file: string): void {
  kc.addAuthenticator({
    isAuthProvider: (u: { name: string }) => u.name === user,
    applyAuthentication: async (_u: unknown, opts: https.RequestOptions) => {
      (opts.headers as Record<string, string>).Authorization = `Bearer ${readFileSync(file, 'utf8').trim()}`;
    },
  });
}

/** What the connection may be told while it runs. */
export interface ClusterHooks {
  /** Each credential sent (a bearer token, a password, a client key), when first used: a run masks it from then on. */
  addSecret?: (value: string) => void;
}

function credentialsIn(opts: https.RequestOptions): string[] {
  const found: string[] = [];
  const authorization = (opts.headers as Record<string, unknown> | undefined)?.Authorization;
  const bearer = typeof authorization === 'string' ? /^Bearer\s+(.+)$/i.exec(authorization)?.[1] : undefined;
  if (bearer) found.push(bearer);
  if (typeof opts.auth === 'string' && opts.auth.includes(':')) found.push(opts.auth.slice(opts.auth.indexOf(':') + 1));
  if (opts.key) found.push(String(opts.key));
  return found.filter(Boolean);
}

/**
 * Reports every credential @kubernetes/client-node puts on a request, its
 * watches included: exec plugins, token files and auth providers issue them
 * only while the run goes on.
 */
function reportCredentials(kc: any, addSecret: (value: string) => void): void {
  const reported = new Set<string>();
  const apply = kc.applyToHTTPSOptions.bind(kc);
  kc.applyToHTTPSOptions = async (opts: https.RequestOptions) => {
    await apply(opts);
    for (const value of credentialsIn(opts)) {
      if (reported.has(value)) continue;
      addSecret(value);
      reported.add(value);
    }
  };
}

const REQUEST_TIMEOUT_MS = 60_000;

function apiBase(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/**
 * A ClusterClient over the kubeconfig's cluster: @kubernetes/client-node
 * reads the kubeconfig and supplies credentials (tokens, client
 * certificates, exec plugins, CA) and watches; requests carry objects as raw
 * JSON so no field is lost to typed models.
 */
export function connectCluster(target: KubeconfigTarget | undefined, hooks: ClusterHooks = {}): ClusterClient {
  const k8s = loadClientNode();
  const kc = loadKubeConfig(k8s, target);
  if (hooks.addSecret) reportCredentials(kc, hooks.addSecret);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig context "${kc.getCurrentContext()}" has no cluster`);
  const base: string = cluster.server.replace(/\/+$/, '');
  // Messages show the server without credentials or query.
  const server = displayUrl(base).replace(/\/+$/, '');
  const contextName: string | undefined = kc.getCurrentContext() || undefined;
  const contextNamespace: string | undefined = contextName ? kc.getContextObject(contextName)?.namespace : undefined;
  const watches = new Set<AbortController>();
  const discovery = new Map<string, Promise<Map<string, { name: string; namespaced: boolean }>>>();

  async function request(method: string, path: string, query: Record<string, string | undefined> = {}, body?: string, contentType?: string): Promise<unknown> {
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const opts: https.RequestOptions = { method, headers: { Accept: 'application/json', 'User-Agent': 'shipfleet' } };
    await kc.applyToHTTPSOptions(opts);
    if (body !== undefined) {
      (opts.headers as Record<string, string>)['Content-Type'] = contentType ?? 'application/json';
      (opts.headers as Record<string, string>)['Content-Length'] = String(Buffer.byteLength(body));
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(parsed);
          const message = isPlainObject(parsed) && typeof parsed.message === 'string' ? parsed.message : `${status} ${res.statusMessage ?? ''} from ${method} ${url.pathname}: ${text.slice(0, 200)}`;
          const reason = isPlainObject(parsed) && typeof parsed.reason === 'string' ? parsed.reason : undefined;
          reject(new KubeApiError(status, message, reason));
        });
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${url.pathname}: no answer from ${server} within ${REQUEST_TIMEOUT_MS / 1000}s`)));
      req.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ECONNREFUSED' ? new Error(`cannot reach the API server at ${server} (connection refused)`) : e));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  function resources(apiVersion: string, refresh = false): Promise<Map<string, { name: string; namespaced: boolean }>> {
    let entry = discovery.get(apiVersion);
    if (!entry || refresh) {
      entry = request('GET', apiBase(apiVersion))
        .then((list) => {
          const map = new Map<string, { name: string; namespaced: boolean }>();
          const items = isPlainObject(list) && Array.isArray(list.resources) ? list.resources : [];
          for (const r of items as Array<{ name: string; kind: string; namespaced: boolean }>) {
            if (!r.name.includes('/')) map.set(r.kind, { name: r.name, namespaced: !!r.namespaced });
          }
          return map;
        })
        .catch((e) => {
          discovery.delete(apiVersion);
          if (e instanceof KubeApiError && e.status === 404) return new Map();
          throw e;
        });
      discovery.set(apiVersion, entry);
    }
    return entry;
  }

  async function resourceFor(apiVersion: string, kind: string) {
    let found = (await resources(apiVersion)).get(kind);
    // A CRD applied a moment ago is not in the cached discovery yet.
    if (!found) found = (await resources(apiVersion, true)).get(kind);
    return found;
  }

  async function pathOf(ref: { apiVersion: string; kind: string; namespace?: string; name?: string }): Promise<string> {
    const resource = await resourceFor(ref.apiVersion, ref.kind);
    if (!resource) throw new KubeApiError(404, `the server ${server} does not serve ${ref.kind} in ${ref.apiVersion} (is its CRD installed?)`, 'NotFound');
    const ns = resource.namespaced ? ref.namespace ?? contextNamespace ?? 'default' : undefined;
    return `${apiBase(ref.apiVersion)}${ns ? `/namespaces/${encodeURIComponent(ns)}` : ''}/${resource.name}${ref.name ? `/${encodeURIComponent(ref.name)}` : ''}`;
  }

  return {
    server,
    context: contextName,
    defaultNamespace: contextNamespace ?? 'default',
    resourceFor,
    async apply(obj, { fieldManager, force, dryRun }) {
      const path = await pathOf({ apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name });
      // JSON is YAML: kubectl sends apply patches the same way.
      return (await request('PATCH', path, { fieldManager, force: String(force), dryRun: dryRun ? 'All' : undefined }, JSON.stringify(obj), 'application/apply-patch+yaml')) as K8sObject;
    },
    async get(ref) {
      try {
        return (await request('GET', await pathOf(ref))) as K8sObject;
      } catch (e) {
        if (e instanceof KubeApiError && e.status === 404) return undefined;
        throw e;
      }
    },
    async list(apiVersion, kind, namespace, options = {}) {
      const resource = await resourceFor(apiVersion, kind);
      if (!resource) throw new KubeApiError(404, `the server ${server} does not serve ${kind} in ${apiVersion}`, 'NotFound');
      const path = `${apiBase(apiVersion)}${resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${resource.name}`;
      const list = (await request('GET', path, { labelSelector: options.labelSelector || undefined, fieldSelector: options.fieldSelector || undefined })) as { items?: K8sObject[] };
      return (list?.items ?? []).map((item) => ({ ...item, apiVersion: item.apiVersion ?? apiVersion, kind: item.kind ?? kind }));
    },
    async delete(ref, { dryRun }) {
      try {
        await request('DELETE', await pathOf(ref), { dryRun: dryRun ? 'All' : undefined }, JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }), 'application/json');
      } catch (e) {
        if (!(e instanceof KubeApiError && e.status === 404)) throw e;
      }
    },
    async mergePatch(ref, patch, { fieldManager }) {
      return (await request('PATCH', await pathOf(ref), { fieldManager }, JSON.stringify(patch), 'application/merge-patch+json')) as K8sObject;
    },
    async watch(ref, onChange) {
      const resource = await resourceFor(ref.apiVersion, ref.kind);
      if (!resource) return () => undefined;
      const ns = resource.namespaced ? ref.namespace ?? contextNamespace ?? 'default' : undefined;
      const path = `${apiBase(ref.apiVersion)}${ns ? `/namespaces/${encodeURIComponent(ns)}` : ''}/${resource.name}`;
      const watcher = new k8s.Watch(kc);
      let stopped = false;
      let controller: AbortController | undefined;
      const start = async () => {
        if (stopped) return;
        try {
          controller = await watcher.watch(path, { fieldSelector: `metadata.name=${ref.name}` }, () => onChange(), () => {
            if (controller) watches.delete(controller);
            // The server ends watches now and then; start again unless stopped. Polling covers the gap.
            if (!stopped) setTimeout(() => void start(), 500).unref();
          });
          if (stopped) controller?.abort();
          else if (controller) watches.add(controller);
        } catch {
          // Watching is an optimisation: the deploy polls as well.
        }
      };
      await start();
      return () => {
        stopped = true;
        controller?.abort();
        if (controller) watches.delete(controller);
      };
    },
    close() {
      for (const c of watches) c.abort();
      watches.clear();
    },
  };
}
