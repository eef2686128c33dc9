// Services, revisions and long-running operations of the Cloud Run Admin API v2, in memory:
// what services.create/patch validate and store, and what reconciliation (run when an
// operation completes) makes of it. The HTTP side is server.ts.
import { randomBytes, randomUUID } from 'crypto';
import { GoogleApiError } from '../play-api/google-error';
import { Endpoints } from './endpoints';
import { applyUpdateMask, UPDATABLE_FIELDS } from './field-mask';
import { ImageBehaviour, imageBehaviour, revisionFailure } from './images';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export const SERVICE_TYPE = 'type.googleapis.com/google.cloud.run.v2.Service';
const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST';
const REVISION = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';
/** Revision and service ids: lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen. */
const RESOURCE_ID = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const TAG = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DEFAULT_SERVICE_ACCOUNT = '123456789012-compute@developer.gserviceaccount.com';

const invalid = (message: string) => new GoogleApiError(400, message, 'badRequest');
const now = () => new Date().toISOString();
const newEtag = () => `"${randomBytes(12).toString('base64url')}"`;

export interface Condition {
  type: string;
  state: 'CONDITION_PENDING' | 'CONDITION_RECONCILING' | 'CONDITION_FAILED' | 'CONDITION_SUCCEEDED';
  message?: string;
  lastTransitionTime: string;
  severity?: 'ERROR' | 'INFO';
  reason?: string;
  revisionReason?: string;
}

export interface RevisionState {
  id: string;
  serviceId: string;
  template: Json;
  image: string;
  port: number;
  behaviour: ImageBehaviour;
  createTime: string;
  uid: string;
  conditions: Condition[];
  /** undefined while reconciling. */
  ready?: boolean;
}

export interface ServiceState {
  project: string;
  location: string;
  id: string;
  /** The fields a client writes (UPDATABLE_FIELDS), defaults filled in. */
  spec: Json;
  uid: string;
  generation: number;
  observedGeneration: number;
  createTime: string;
  updateTime: string;
  etag: string;
  revisions: Map<string, RevisionState>;
  /** Revision ids in creation order. */
  order: string[];
  latestReadyRevision?: string;
  latestCreatedRevision?: string;
  trafficStatuses: Json[];
  uri?: string;
  terminalCondition: Condition;
  reconciling: boolean;
  counter: number;
}

export interface OperationState {
  id: string;
  project: string;
  location: string;
  service: ServiceState;
  pollsLeft: number;
  done: boolean;
  error?: { code: number; message: string };
  /** Ends the operation: reconciliation of the change it stands for. */
  finish: () => Promise<void>;
}

export interface ModelOptions {
  /** operations.get calls before an operation is done (0: done in the answer to the write). */
  operationPolls: number;
  images: Record<string, ImageBehaviour>;
  /** The next N operations end with an INTERNAL error (the change is not applied). */
  takeOperationFault: () => boolean;
}

export const serviceName = (s: Pick<ServiceState, 'project' | 'location' | 'id'>) => `projects/${s.project}/locations/${s.location}/services/${s.id}`;
export const revisionName = (s: ServiceState, id: string) => `${serviceName(s)}/revisions/${id}`;

/** The console's logs URL of a revision, as Cloud Run's logUri gives it. */
export function logUri(s: ServiceState, revision: string): string {
  const filter = `resource.type = "cloud_run_revision"\nresource.labels.service_name = "${s.id}"\nresource.labels.location = "${s.location}"\nresource.labels.revision_name = "${revision}"`;
  return `https://console.cloud.google.com/logs/viewer?project=${s.project}&resource=cloud_run_revision/service_name/${s.id}/revision_name/${revision}&advancedFilter=${encodeURIComponent(filter)}`;
}

const condition = (type: string, state: Condition['state'], extra: Partial<Condition> = {}): Condition => ({ type, state, lastTransitionTime: now(), ...extra });

/** A template with what Cloud Run fills in when a client leaves it out. */
function withDefaults(template: Json): Json {
  const t = structuredClone(template);
  const containers = Array.isArray(t.containers) ? (t.containers as Json[]) : [];
  for (const c of containers) {
    c.resources = isObject(c.resources) ? c.resources : {};
    const r = c.resources as Json;
    r.limits = { cpu: '1000m', memory: '512Mi', ...(isObject(r.limits) ? r.limits : {}) };
    if (!Array.isArray(c.ports) || !c.ports.length) c.ports = [{ name: 'http1', containerPort: 8080 }];
  }
  t.timeout ??= '300s';
  t.serviceAccount ??= DEFAULT_SERVICE_ACCOUNT;
  t.maxInstanceRequestConcurrency ??= 80;
  t.scaling = { maxInstanceCount: 100, ...(isObject(t.scaling) ? t.scaling : {}) };
  return t;
}

function checkTemplate(template: unknown, serviceId: string): Json {
  if (!isObject(template)) throw invalid('service.template: The template is required.');
  const containers = template.containers;
  if (!Array.isArray(containers) || containers.length === 0) throw invalid('service.template.containers: At least one container is required.');
  containers.forEach((c, i) => {
    if (!isObject(c) || typeof c.image !== 'string' || !c.image) throw invalid(`service.template.containers[${i}].image: The image is required.`);
    for (const e of Array.isArray(c.env) ? c.env : []) {
      if (!isObject(e) || typeof e.name !== 'string') throw invalid(`service.template.containers[${i}].env: Every variable needs a name.`);
      if (['PORT', 'K_SERVICE', 'K_REVISION', 'K_CONFIGURATION'].includes(e.name)) throw invalid(`service.template.containers[${i}].env: The following reserved env names were provided: ${e.name}. These values are automatically set by the system.`);
      const source = isObject(e.valueSource) ? e.valueSource : undefined;
      if (source && e.value !== undefined) throw invalid(`service.template.containers[${i}].env[${e.name}]: value and valueSource are mutually exclusive.`);
      if (source) {
        const ref = isObject(source.secretKeyRef) ? source.secretKeyRef : undefined;
        if (!ref || typeof ref.secret !== 'string' || !/^(projects\/[^/]+\/secrets\/)?[A-Za-z0-9_-]{1,255}$/.test(ref.secret)) throw invalid(`service.template.containers[${i}].env[${e.name}].valueSource.secretKeyRef.secret: must be a secret name or projects/{project}/secrets/{secret}.`);
        if (ref.version !== undefined && (typeof ref.version !== 'string' || !/^(latest|[1-9]\d*)$/.test(ref.version))) throw invalid(`service.template.containers[${i}].env[${e.name}].valueSource.secretKeyRef.version: must be "latest" or a version number.`);
      }
    }
  });
  if (template.revision !== undefined) {
    const r = template.revision;
    if (typeof r !== 'string' || !RESOURCE_ID.test(r) || r.length > 63) throw invalid(`service.template.revision: Revision name "${String(r)}" must use only lowercase letters, digits and hyphens, start with a letter, not end with a hyphen, and be at most 63 characters long.`);
    if (!r.startsWith(`${serviceId}-`)) throw invalid(`service.template.revision: Revision name "${r}" must be prefixed by the name of the enclosing Service: "${serviceId}-".`);
  }
  return template;
}

function checkTraffic(traffic: unknown, known: (revision: string) => boolean): Json[] {
  if (traffic === undefined) return [];
  if (!Array.isArray(traffic)) throw invalid('service.traffic: must be a list of traffic targets.');
  let sum = 0;
  const tags = new Set<string>();
  for (const t of traffic) {
    if (!isObject(t)) throw invalid('service.traffic: every entry must be an object.');
    const type = t.type ?? (t.revision ? REVISION : LATEST);
    if (type !== LATEST && type !== REVISION) throw invalid(`service.traffic.type: "${String(t.type)}" is not a traffic target allocation type.`);
    const percent = t.percent ?? 0;
    if (typeof percent !== 'number' || !Number.isInteger(percent) || percent < 0 || percent > 100) throw invalid('service.traffic.percent: must be a whole number from 0 to 100.');
    sum += percent;
    if (type === REVISION) {
      if (typeof t.revision !== 'string' || !t.revision) throw invalid('service.traffic.revision: A revision name is required for TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION.');
      if (!known(t.revision)) throw new GoogleApiError(404, `Revision named '${t.revision}' does not exist.`, 'notFound');
    } else if (t.revision) {
      throw invalid('service.traffic.revision: must be empty for TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST.');
    }
    if (t.tag !== undefined && t.tag !== '') {
      if (typeof t.tag !== 'string' || !TAG.test(t.tag) || t.tag.length > 46) throw invalid(`service.traffic.tag: "${String(t.tag)}" must use only lowercase letters, digits and hyphens, start with a letter and not end with a hyphen.`);
      if (tags.has(t.tag)) throw invalid(`service.traffic.tag: Tag "${t.tag}" is used more than once.`);
      tags.add(t.tag);
    }
  }
  if (traffic.length && sum !== 100) throw invalid(`service.traffic: Traffic percentages must add up to 100, not ${sum}.`);
  return traffic as Json[];
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class CloudRunModel {
  readonly services = new Map<string, ServiceState>();
  readonly operations = new Map<string, OperationState>();

  constructor(
    private readonly options: ModelOptions,
    readonly endpoints: Endpoints,
  ) {}

  key = (project: string, location: string, id: string) => `${project}/${location}/${id}`;

  get(project: string, location: string, id: string): ServiceState | undefined {
    return this.services.get(this.key(project, location, id));
  }

  /** services.create, or services.patch (with allowMissing, on a missing service): the operation. */
  async write(project: string, location: string, id: string, body: Json, mask: string[][] | undefined, creating: boolean): Promise<OperationState> {
    let s = this.get(project, location, id);
    if (creating) {
      if (s) throw new GoogleApiError(409, `Resource '${id}' already exists.`, 'alreadyExists');
      if (!RESOURCE_ID.test(id) || id.length > 49) throw invalid(`serviceId: "${id}" must begin with a letter, use only lowercase letters, digits and hyphens, not end with a hyphen, and be fewer than 50 characters.`);
    } else if (!s) {
      throw notFound('SERVICE', id, location, project);
    } else if (typeof body.etag === 'string' && body.etag && body.etag !== s.etag) {
      throw new GoogleApiError(409, `The etag "${body.etag}" does not match the current etag of service '${id}': it was changed meanwhile. Read it again and retry.`, 'aborted');
    }
    const fresh = !s;
    const base: Json = s ? s.spec : {};
    const next = applyUpdateMask(base, body, creating ? undefined : mask);
    next.template = withDefaults(checkTemplate(next.template, id));
    next.ingress ??= 'INGRESS_TRAFFIC_ALL';
    next.launchStage ??= 'GA';

    const state: ServiceState = s ?? {
      project, location, id, spec: {}, uid: randomUUID(), generation: 0, observedGeneration: 0, createTime: now(), updateTime: now(), etag: newEtag(),
      revisions: new Map(), order: [], trafficStatuses: [], terminalCondition: condition('Ready', 'CONDITION_PENDING'), reconciling: false, counter: 0,
    };
    // A new revision when the template changed (a first write always makes one).
    const templateChanged = fresh || !sameJson(withDefaults(base.template as Json), next.template);
    let created: RevisionState | undefined;
    if (templateChanged) {
      const template = next.template as Json;
      const wanted = typeof template.revision === 'string' ? template.revision : undefined;
      if (wanted && state.revisions.has(wanted)) throw new GoogleApiError(409, `Revision named '${wanted}' with different configuration already exists.`, 'alreadyExists');
      const revisionId = wanted ?? `${id}-${String(state.counter + 1).padStart(5, '0')}-${randomBytes(2).toString('hex').slice(0, 3)}`;
      const container = (template.containers as Json[])[0];
      const port = Number(((container.ports as Json[])[0] as Json).containerPort ?? 8080);
      created = {
        id: revisionId, serviceId: id, template: structuredClone(template), image: String(container.image), port, behaviour: imageBehaviour(String(container.image), this.options.images),
        createTime: now(), uid: randomUUID(), conditions: [condition('Ready', 'CONDITION_RECONCILING'), condition('ContainerReady', 'CONDITION_PENDING')],
      };
    }
    const traffic = checkTraffic(next.traffic, (r) => state.revisions.has(r) || r === created?.id);
    if (!traffic.length) next.traffic = [{ type: LATEST, percent: 100 }];

    if (fresh) this.services.set(this.key(project, location, id), state);
    if (created) {
      state.counter += 1;
      state.revisions.set(created.id, created);
      state.order.push(created.id);
      state.latestCreatedRevision = created.id;
    }
    state.spec = next;
    state.generation += 1;
    state.updateTime = now();
    state.etag = newEtag();
    state.reconciling = true;
    state.terminalCondition = condition('Ready', 'CONDITION_RECONCILING');

    const op: OperationState = {
      id: randomUUID(), project, location, service: state, pollsLeft: this.options.operationPolls, done: false,
      finish: () => this.reconcile(state, op, created),
    };
    this.operations.set(op.id, op);
    if (op.pollsLeft <= 0) await this.complete(op);
    return op;
  }

  /** operations.get: one poll closer to done. */
  async poll(op: OperationState): Promise<void> {
    if (op.done) return;
    op.pollsLeft -= 1;
    if (op.pollsLeft <= 0) await this.complete(op);
  }

  private async complete(op: OperationState): Promise<void> {
    if (op.done) return;
    await op.finish();
    op.done = true;
  }

  /** What Cloud Run does after a write: start the new revision, then route the traffic asked for. */
  private async reconcile(s: ServiceState, op: OperationState, created: RevisionState | undefined): Promise<void> {
    const fail = (message: string, code: number) => {
      s.reconciling = false;
      s.terminalCondition = condition('Ready', 'CONDITION_FAILED', { message, severity: 'ERROR' });
      op.error = { code, message };
    };
    if (this.options.takeOperationFault()) {
      if (created) this.settle(s, created, false, 'INTERNAL', 'reason', 'Internal error encountered while creating the revision.');
      return fail('Internal error encountered. Please retry the operation.', 13);
    }
    if (created) {
      const failure = revisionFailure(created.behaviour, created.image, created.port, logUri(s, created.id));
      if (failure) this.settle(s, created, false, failure.reason, failure.reasonField, failure.message);
      else this.settle(s, created, true);
    }
    // Each traffic target resolved to a ready revision, else the write fails and the old routes stay.
    const resolved: Json[] = [];
    for (const t of s.spec.traffic as Json[]) {
      const revision = t.type === REVISION || t.revision ? String(t.revision) : s.latestReadyRevision;
      const r = revision ? s.revisions.get(revision) : undefined;
      if (!r || !r.ready) {
        const why = r?.conditions.find((c) => c.type === 'Ready')?.message;
        return fail(`Revision '${revision ?? '(latest ready)'}' is not ready and cannot serve traffic. ${why ?? ''}`.trim(), 9);
      }
      const uri = t.tag ? await this.endpoints.revisionUrl({ revision: r.id, behaviour: r.behaviour }) : undefined;
      resolved.push({ type: t.type ?? (t.revision ? REVISION : LATEST), revision: r.id, ...(t.percent ? { percent: t.percent } : {}), ...(t.tag ? { tag: t.tag, uri } : {}) });
    }
    s.trafficStatuses = resolved;
    s.uri = await this.endpoints.serviceUrl(serviceName(s));
    this.endpoints.route(
      serviceName(s),
      resolved.map((t) => ({ revision: String(t.revision), behaviour: s.revisions.get(String(t.revision))!.behaviour, percent: Number(t.percent ?? 0) })),
    );
    s.observedGeneration = s.generation;
    s.reconciling = false;
    s.terminalCondition = condition('Ready', 'CONDITION_SUCCEEDED');
  }

  private settle(s: ServiceState, r: RevisionState, ok: boolean, reason?: string, reasonField: 'reason' | 'revisionReason' = 'reason', message?: string): void {
    r.ready = ok;
    r.conditions = ok
      ? [condition('Ready', 'CONDITION_SUCCEEDED'), condition('ContainerReady', 'CONDITION_SUCCEEDED'), condition('ResourcesAvailable', 'CONDITION_SUCCEEDED')]
      : [
          condition('Ready', 'CONDITION_FAILED', { message, severity: 'ERROR', [reasonField]: reason }),
          condition(reasonField === 'revisionReason' ? 'ContainerHealthy' : 'ContainerReady', 'CONDITION_FAILED', { message, severity: 'ERROR', [reasonField]: reason }),
        ];
    if (ok) s.latestReadyRevision = r.id;
  }

  serviceJson(s: ServiceState): Json {
    const spec = Object.fromEntries(UPDATABLE_FIELDS.filter((f) => s.spec[f] !== undefined).map((f) => [f, structuredClone(s.spec[f])]));
    return {
      name: serviceName(s),
      uid: s.uid,
      generation: String(s.generation),
      ...spec,
      labels: spec.labels ?? {},
      createTime: s.createTime,
      updateTime: s.updateTime,
      creator: 'deployer@shipfleet-stand-in.iam.gserviceaccount.com',
      lastModifier: 'deployer@shipfleet-stand-in.iam.gserviceaccount.com',
      observedGeneration: String(s.observedGeneration),
      terminalCondition: s.terminalCondition,
      conditions: [],
      ...(s.latestReadyRevision ? { latestReadyRevision: revisionName(s, s.latestReadyRevision) } : {}),
      ...(s.latestCreatedRevision ? { latestCreatedRevision: revisionName(s, s.latestCreatedRevision) } : {}),
      trafficStatuses: s.trafficStatuses,
      ...(s.uri ? { uri: s.uri, urls: [s.uri] } : {}),
      ...(s.reconciling ? { reconciling: true } : {}),
      etag: s.etag,
    };
  }

  revisionJson(s: ServiceState, r: RevisionState): Json {
    const t = r.template;
    return {
      name: revisionName(s, r.id),
      uid: r.uid,
      generation: '1',
      labels: t.labels ?? {},
      annotations: t.annotations ?? {},
      createTime: r.createTime,
      updateTime: r.createTime,
      launchStage: 'GA',
      service: serviceName(s),
      scaling: t.scaling,
      containers: t.containers,
      timeout: t.timeout,
      serviceAccount: t.serviceAccount,
      maxInstanceRequestConcurrency: t.maxInstanceRequestConcurrency,
      executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
      conditions: r.conditions,
      observedGeneration: '1',
      logUri: logUri(s, r.id),
      ...(r.ready === undefined ? { reconciling: true } : {}),
      etag: `"${r.uid.slice(0, 12)}"`,
    };
  }

  operationJson(op: OperationState): Json {
    const service = this.serviceJson(op.service);
    return {
      name: `projects/${op.project}/locations/${op.location}/operations/${op.id}`,
      metadata: { '@type': SERVICE_TYPE, ...service },
      done: op.done,
      ...(op.done && op.error ? { error: { ...op.error, details: [] } } : {}),
      ...(op.done && !op.error ? { response: { '@type': SERVICE_TYPE, ...service } } : {}),
    };
  }
}

export function notFound(kind: 'SERVICE' | 'REVISION', id: string, location: string, project: string): GoogleApiError {
  return new GoogleApiError(404, `Resource '${id}' of kind '${kind}' in region '${location}' in project '${project}' does not exist.`, 'notFound');
}
