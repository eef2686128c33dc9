// A local stand-in for the part of the Kubernetes API that a deploy and
// `kubectl get` use: discovery, server-side apply (and the other patch
// types), get/list/watch, create/replace/delete, and controllers that play
// the Deployment, ReplicaSet, StatefulSet and DaemonSet controllers and a
// kubelet whose pods behave according to a scenario keyed by image. Plain
// HTTP on 127.0.0.1, bearer token auth, everything in memory.
//
//   const api = await startK8sApi({ scenario: { deadlineFactor: 0.01 } });
//   … api.url, api.kubeconfigPath, api.get('Deployment', 'default', 'api'), api.requests …
//   await api.close();
//
//   node -r @swc-node/register tools/k8s-api/server.ts --port 0 [--token T] [--kubeconfig FILE]   # prints the URL
import { randomUUID } from 'crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'http';
import { AddressInfo, Socket } from 'net';
import { tmpdir } from 'os';
import { dirname, join, resolve as resolvePath } from 'path';
import { Controllers } from './controllers';
import { controllerCreate } from './controller-writes';
import { EventRecorder } from './events';
import { FieldOwnership } from './field-ownership';
import { createRequestHandler, sendStatus } from './http';
import { Kubelet } from './kubelet';
import { kubeconfigText } from './kubeconfig';
import { gv, ResourceRegistry } from './resources';
import { serverSideApply } from './server-side-apply';
import { ObjectStore } from './store';
import { K8sApiOptions, K8sApiScenario, K8sObjectJson, RecordedRequest, Scenario } from './types';
import { clone, nowIso } from './values';

export { parseYaml } from './yaml-subset';
export type { K8sApiOptions, K8sApiScenario, K8sObjectJson, PodBehaviour, RecordedRequest } from './types';

export const DEFAULT_TOKEN = 'k8s-stand-in-token';

const DEFAULT_SCENARIO: Scenario = {
  images: {},
  default: 'ok',
  readyAfterMs: 200,
  pullFailAfterMs: 150,
  restartEveryMs: 250,
  deadlineFactor: 0.01,
  controllers: true,
  nodes: 2,
  tickMs: 50,
};

export interface K8sApi {
  url: string;
  token: string;
  /** A kubeconfig for this server (context "stand-in", bearer token), written at start. */
  kubeconfigPath: string;
  /** Writes a kubeconfig for this server to `file` (context name and namespace optional); returns the path. */
  writeKubeconfig(file: string, options?: { context?: string; namespace?: string; user?: string }): string;
  /** Every stored object, by `${group}/${plural}/${namespace}/${name}`. */
  objects: Map<string, K8sObjectJson>;
  requests: RecordedRequest[];
  scenario: Scenario;
  get(kind: string, namespace: string | undefined, name: string): K8sObjectJson | undefined;
  list(kind: string, namespace?: string): K8sObjectJson[];
  /** Stores an object as if `manager` had server-side applied it (force). */
  preload(obj: K8sObjectJson, manager?: string): K8sObjectJson;
  /** Stores an object exactly as given (generation, status and all), as a recorded state to read back. */
  setObject(obj: K8sObjectJson): K8sObjectJson;
  /** Changes the scenario (images → behaviour, timings) for what happens from now on. */
  setScenario(scenario: K8sApiScenario): void;
  /** Runs the controllers once, now. */
  tick(): void;
  close(): Promise<void>;
}

/** The objects a fresh cluster has: its namespaces and nodes. */
function addNodes(store: ObjectStore, nodes: number): void {
  for (const ns of ['default', 'kube-system', 'kube-public']) controllerCreate(store, 'Namespace', { metadata: { name: ns }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  for (let i = 1; i <= nodes; i++) {
    controllerCreate(store, 'Node', {
      metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, 'kubernetes.io/os': 'linux' } },
      spec: {},
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] },
    });
  }
}

export function startK8sApi(options: K8sApiOptions = {}): Promise<K8sApi> {
  const { port = 0, host = '127.0.0.1', token = DEFAULT_TOKEN, allowAnonymous = false } = options;
  const scenario: Scenario = { ...DEFAULT_SCENARIO, ...(options.scenario || {}) };
  scenario.images = { ...(options.scenario && options.scenario.images) };

  const resources = new ResourceRegistry();
  const store = new ObjectStore(resources, new FieldOwnership());
  const events = new EventRecorder(store);
  const kubelet = new Kubelet(store, scenario, events);
  const controllers = new Controllers({ store, scenario, events, kubelet });
  const requests: RecordedRequest[] = [];
  addNodes(store, scenario.nodes);

  const server = createServer();
  const handle = createRequestHandler({ store, requests, token, allowAnonymous, host, port: () => (server.address() as AddressInfo).port });
  server.on('request', (req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) sendStatus(res, 500, 'InternalError', e.message);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const tick = () => controllers.tick();

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const url = `http://${host}:${(server.address() as AddressInfo).port}`;
      const tmpDir = mkdtempSync(join(tmpdir(), 'k8s-stand-in-'));
      const kubeconfigPath = join(tmpDir, 'kubeconfig');
      writeFileSync(kubeconfigPath, kubeconfigText({ server: url, token }), { mode: 0o600 });
      const timer = setInterval(() => {
        try {
          tick();
        } catch (e) {
          process.stderr.write(`k8s stand-in controller error: ${(e as Error).stack}\n`);
        }
      }, scenario.tickMs);
      timer.unref();
      resolve({
        url,
        token,
        kubeconfigPath,
        writeKubeconfig(file, opts = {}) {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, kubeconfigText({ ...opts, server: url, token }), { mode: 0o600 });
          return file;
        },
        objects: store.objects,
        requests,
        scenario,
        get: (kind, namespace, name) => clone(store.find(kind, namespace, name)),
        list: (kind, namespace) => store.list(kind, namespace).map(clone),
        preload(obj, manager = 'preload') {
          const r = resources.byKind(obj.kind, obj.apiVersion);
          if (!r) throw new Error(`unknown kind ${obj.kind}`);
          return clone(serverSideApply(store, r, r.namespaced ? obj.metadata.namespace || 'default' : undefined, obj.metadata.name, obj, { manager, force: true, dryRun: false }).object);
        },
        setObject(obj) {
          const r = resources.byKind(obj.kind, obj.apiVersion);
          if (!r) throw new Error(`unknown kind ${obj.kind}`);
          const copy = clone(obj);
          copy.apiVersion = gv(r);
          copy.metadata.uid = copy.metadata.uid || randomUUID();
          copy.metadata.creationTimestamp = copy.metadata.creationTimestamp || nowIso();
          if (r.namespaced) copy.metadata.namespace = copy.metadata.namespace || 'default';
          return clone(store.put(r, copy, store.objects.has(store.keyOf(r, copy.metadata.namespace, copy.metadata.name)) ? 'MODIFIED' : 'ADDED'));
        },
        setScenario(next) {
          const images = { ...scenario.images, ...((next && next.images) || {}) };
          Object.assign(scenario, next || {});
          scenario.images = images;
        },
        tick,
        close() {
          clearInterval(timer);
          for (const w of store.watchers) w.end?.();
          store.watchers.clear();
          for (const s of sockets) s.destroy();
          rmSync(tmpDir, { recursive: true, force: true });
          return new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}

/** `node -r @swc-node/register tools/k8s-api/server.ts --port 0 …`: runs the stand-in until SIGINT/SIGTERM. */
function main(args: string[]): void {
  const arg = (name: string, fallback?: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const scenario: K8sApiScenario = {};
  if (arg('deadline-factor')) scenario.deadlineFactor = Number(arg('deadline-factor'));
  if (arg('ready-after-ms')) scenario.readyAfterMs = Number(arg('ready-after-ms'));
  startK8sApi({ port: Number(arg('port', '0')), host: arg('host', '127.0.0.1'), token: arg('token', process.env.K8S_STAND_IN_TOKEN || DEFAULT_TOKEN), allowAnonymous: args.includes('--allow-anonymous'), scenario })
    .then((api) => {
      const file = arg('kubeconfig');
      const kubeconfig = file ? api.writeKubeconfig(resolvePath(file)) : api.kubeconfigPath;
      process.stdout.write(`${api.url}\nkubeconfig: ${kubeconfig}\n`);
      const stop = () => api.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      setInterval(() => undefined, 1 << 30);
    })
    .catch((e: Error) => {
      process.stderr.write(`${e.stack}\n`);
      process.exit(1);
    });
}

if (require.main === module) main(process.argv.slice(2));
