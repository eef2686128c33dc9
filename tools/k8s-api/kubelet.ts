// The kubelet: creates and deletes pods for the controllers, and gives each pod the status and events
// its containers' images call for in the scenario.
import { randomInt } from 'crypto';
import { controllerCreate, controllerWrite } from './controller-writes';
import { EventRecorder } from './events';
import { randomSuffix } from './generated-names';
import { ObjectStore } from './store';
import { Json, K8sObjectJson, PodBehaviour, Scenario } from './types';
import { clone, nowIso } from './values';

export const podReady = (pod: K8sObjectJson): boolean => ((pod.status && pod.status.conditions) || []).some((c: Json) => c.type === 'Ready' && c.status === 'True');

const pullError = (image: string): string => `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;

const TAGGED_BEHAVIOURS: PodBehaviour[] = ['bad', 'crash', 'slow', 'unschedulable'];

export class Kubelet {
  /** Pod uid → when it was created (ms), which its status follows. */
  private readonly birth = new Map<string, number>();
  private readonly times = new Map<string, { created: string; ip: string }>();
  /** Pod uid → the one-off events already recorded. */
  private readonly eventsDone = new Map<string, Set<string>>();

  constructor(
    private readonly store: ObjectStore,
    private readonly scenario: Scenario,
    private readonly events: EventRecorder,
  ) {}

  /** How a container of this image behaves: by image, by image name, by tag, else the default. */
  behaviourOf(image: Json): PodBehaviour {
    const img = String(image || '');
    const { images } = this.scenario;
    if (images[img]) return images[img];
    const name = img.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
    if (images[name]) return images[name];
    const tag = /:([^/:@]+)(@|$)/.exec(img);
    if (tag && (TAGGED_BEHAVIOURS as string[]).includes(tag[1])) return tag[1] as PodBehaviour;
    return this.scenario.default || 'ok';
  }

  /** Creates a pod of `owner` from `template` (named `<owner>-<suffix>` unless `extra.name`). */
  createPod(owner: K8sObjectJson, template: Json, extra: { name?: string; labels?: Record<string, string>; nodeName?: string } = {}): K8sObjectJson {
    const meta = clone((template && template.metadata) || {});
    const name = extra.name || `${owner.metadata.name}-${randomSuffix()}`;
    const pod = {
      metadata: {
        name,
        namespace: owner.metadata.namespace,
        labels: { ...(meta.labels || {}), ...(extra.labels || {}) },
        ...(meta.annotations ? { annotations: meta.annotations } : {}),
        ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { ...clone((template && template.spec) || {}), ...(extra.nodeName ? { nodeName: extra.nodeName } : { nodeName: 'node-1' }) },
    };
    const stored = controllerCreate(this.store, 'Pod', pod);
    this.birth.set(stored.metadata.uid, Date.now());
    this.times.set(stored.metadata.uid, { created: nowIso(), ip: `10.244.${randomInt(0, 255)}.${randomInt(2, 254)}` });
    this.events.record(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, `${owner.kind.toLowerCase()}-controller`);
    return stored;
  }

  deletePod(pod: K8sObjectJson, owner?: K8sObjectJson): void {
    this.store.remove(this.store.resources.byKind('Pod')!, pod);
    this.birth.delete(pod.metadata.uid);
    this.times.delete(pod.metadata.uid);
    if (owner) this.events.record(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, `${owner.kind.toLowerCase()}-controller`);
  }

  /** Brings every pod's status up to date (pods it did not create count from their creationTimestamp). */
  run(): void {
    for (const pod of this.store.list('Pod')) {
      if (!this.birth.has(pod.metadata.uid)) {
        this.birth.set(pod.metadata.uid, Date.parse(pod.metadata.creationTimestamp) || Date.now());
        this.times.set(pod.metadata.uid, { created: pod.metadata.creationTimestamp || nowIso(), ip: '10.244.0.2' });
      }
      const status = this.statusOf(pod);
      const updated = controllerWrite(this.store, pod, (p) => {
        p.status = status;
      });
      this.podEvents(updated, status);
    }
  }

  private statusOf(pod: K8sObjectJson): Json {
    const scenario = this.scenario;
    const containers: Json[] = (pod.spec && pod.spec.containers) || [];
    const age = Date.now() - this.birth.get(pod.metadata.uid)!;
    const behaviours = containers.map((c) => this.behaviourOf(c.image));
    const t = this.times.get(pod.metadata.uid)!;
    const conditions: Json[] = [];
    if (behaviours.includes('unschedulable')) {
      return {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.', lastTransitionTime: t.created, lastProbeTime: null }],
        qosClass: 'BestEffort',
      };
    }
    conditions.push({ type: 'PodScheduled', status: 'True', lastTransitionTime: t.created, lastProbeTime: null });
    let allReady = true;
    let running = false;
    const statuses = containers.map((c, i) => {
      const b = behaviours[i];
      const base = { name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, started: false };
      if (b === 'bad') {
        allReady = false;
        if (age < scenario.pullFailAfterMs) return { ...base, state: { waiting: { reason: 'ContainerCreating' } } };
        const backoff = age >= scenario.pullFailAfterMs * 2;
        return { ...base, state: { waiting: backoff ? { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } : { reason: 'ErrImagePull', message: pullError(c.image) } } };
      }
      if (age < Math.min(scenario.readyAfterMs, 100) && b !== 'ok') {
        allReady = false;
        return { ...base, state: { waiting: { reason: 'ContainerCreating' } } };
      }
      if (b === 'crash') {
        allReady = false;
        running = true;
        const restarts = Math.floor(age / scenario.restartEveryMs);
        const backoffSeconds = Math.min(300, 10 * Math.pow(2, Math.max(0, restarts - 1)));
        const backoffText = backoffSeconds >= 300 ? '5m0s' : `${backoffSeconds}s`;
        return {
          ...base,
          restartCount: restarts,
          state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${backoffText} restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: t.created, finishedAt: nowIso(), containerID: `containerd://${pod.metadata.uid.replace(/-/g, '')}` } },
        };
      }
      if (b === 'slow') {
        allReady = false;
        running = true;
        return { ...base, started: true, state: { running: { startedAt: t.created } } };
      }
      if (age < scenario.readyAfterMs) {
        allReady = false;
        return { ...base, state: { waiting: { reason: 'ContainerCreating' } } };
      }
      running = true;
      return { ...base, ready: true, started: true, state: { running: { startedAt: t.created } } };
    });
    const ready = allReady && containers.length > 0;
    const notReady = ready ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${statuses.filter((s) => !s.ready).map((s) => s.name).join(' ')}]` };
    conditions.push({ type: 'Initialized', status: 'True', lastTransitionTime: t.created, lastProbeTime: null });
    conditions.push({ type: 'ContainersReady', status: ready ? 'True' : 'False', ...notReady, lastTransitionTime: t.created, lastProbeTime: null });
    conditions.push({ type: 'Ready', status: ready ? 'True' : 'False', ...notReady, lastTransitionTime: t.created, lastProbeTime: null });
    return {
      phase: running || ready ? 'Running' : 'Pending',
      conditions,
      hostIP: '10.0.0.10',
      podIP: t.ip,
      podIPs: [{ ip: t.ip }],
      startTime: t.created,
      containerStatuses: statuses,
      qosClass: 'BestEffort',
    };
  }

  /** The events a pod's status calls for, each recorded once (a crash loop's once per restart). */
  private podEvents(pod: K8sObjectJson, status: Json): void {
    const record = this.events.record.bind(this.events);
    const done = this.eventsDone.get(pod.metadata.uid) || new Set<string>();
    this.eventsDone.set(pod.metadata.uid, done);
    const once = (id: string, fn: () => void) => {
      if (!done.has(id)) {
        done.add(id);
        fn();
      }
    };
    const sched = (status.conditions || []).find((c: Json) => c.type === 'PodScheduled');
    if (sched && sched.status === 'False') once('unschedulable', () => record(pod, 'Warning', 'FailedScheduling', sched.message, 'default-scheduler'));
    else once('scheduled', () => record(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${pod.spec.nodeName || 'node-1'}`, 'default-scheduler'));
    for (const s of status.containerStatuses || []) {
      const w = s.state && s.state.waiting;
      once(`pulling:${s.name}`, () => record(pod, 'Normal', 'Pulling', `Pulling image "${s.image}"`, 'kubelet'));
      if (w && w.reason === 'ErrImagePull') {
        once(`pullfail:${s.name}`, () => {
          record(pod, 'Warning', 'Failed', `Failed to pull image "${s.image}": ${pullError(s.image)}`, 'kubelet');
          record(pod, 'Warning', 'Failed', 'Error: ErrImagePull', 'kubelet');
        });
      }
      if (w && w.reason === 'ImagePullBackOff') {
        once(`backoff:${s.name}`, () => {
          record(pod, 'Normal', 'BackOff', `Back-off pulling image "${s.image}"`, 'kubelet');
          record(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', 'kubelet');
        });
      }
      if (s.state && (s.state.running || (w && w.reason === 'CrashLoopBackOff'))) {
        once(`started:${s.name}`, () => {
          record(pod, 'Normal', 'Pulled', `Successfully pulled image "${s.image}"`, 'kubelet');
          record(pod, 'Normal', 'Created', `Created container ${s.name}`, 'kubelet');
          record(pod, 'Normal', 'Started', `Started container ${s.name}`, 'kubelet');
        });
      }
      if (w && w.reason === 'CrashLoopBackOff') once(`crash:${s.name}:${s.restartCount}`, () => record(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${s.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`, 'kubelet'));
      if (s.state && s.state.running && !s.ready && this.behaviourOf(s.image) === 'slow') once(`unhealthy:${s.name}`, () => record(pod, 'Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', 'kubelet'));
    }
  }
}
