// The moves of a Cloud Run deploy, each a services.patch (or create) and a wait on its
// operation: a new revision at 0 % behind a tag, a traffic change, a rollback target.
import { TaskLog, UserError } from '@shipfleet/core';
import { CloudRunApiError, CloudRunClient, CloudRunRevision, CloudRunService, Operation } from './client';
import { explainRevisionFailure } from './conditions';
import { revisionNameFor, shortName } from './names';
import { NormalizedCloudRunOptions } from './options';
import { OperationFailedError, waitForOperation } from './operation';
import { revisionTemplate, serviceFields } from './template';
import { describeSplit, mainRevision, readSplit, renderSplit, sameSplit, Split, withCandidate } from './traffic';

/** What every move needs: the client of the project and region, where to log, how long to wait. */
export interface MoveContext {
  client: CloudRunClient;
  project: string;
  region: string;
  service: string;
  waitTimeoutMs: number;
  log: TaskLog;
  signal?: AbortSignal;
  /** First wait between two operation polls (default 1 s). */
  pollIntervalMs?: number;
}

/** A deploy that Cloud Run refused or could not serve: the reason in words. */
export class CloudRunDeployError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudRunDeployError';
  }
}

const isStale = (err: unknown) => err instanceof CloudRunApiError && err.status === 409 && /etag/i.test(err.googleMessage);

/** services.get, or a clear error when the service does not exist. */
export async function requireService(c: MoveContext): Promise<CloudRunService> {
  const service = await c.client.getService(c.service);
  if (!service) throw new CloudRunDeployError(`service ${c.service} does not exist in project ${c.project}, region ${c.region}`);
  return service;
}

/** Waits for a write's operation; a revision that cannot serve is explained in words, with its logs URL. */
async function settle(c: MoveContext, op: Operation, label: string, revision?: string): Promise<CloudRunService> {
  try {
    await waitForOperation(c.client, op, { label, timeoutMs: c.waitTimeoutMs, pollIntervalMs: c.pollIntervalMs, signal: c.signal, log: c.log });
  } catch (err) {
    if (!(err instanceof OperationFailedError)) throw err;
    const failed: CloudRunRevision | undefined = revision ? await c.client.getRevision(c.service, revision) : undefined;
    const why = failed && explainRevisionFailure(failed, c);
    throw new CloudRunDeployError(why ?? `${label} failed: ${err.message}`);
  }
  return requireService(c);
}

/** services.patch of the traffic alone (guarded by the etag: a service changed meanwhile is read again, once). */
export async function moveTraffic(c: MoveContext, next: (current: CloudRunService) => Split, label: string): Promise<CloudRunService> {
  for (let attempt = 1; ; attempt++) {
    const current = await requireService(c);
    const split = next(current);
    if (sameSplit(readSplit(current), split)) {
      c.log(`${label}: the service already serves ${describeSplit(split)}`);
      return current;
    }
    c.log(`${label}: ${describeSplit(readSplit(current))} → ${describeSplit(split)}`);
    try {
      const op = await c.client.patchService(c.service, { traffic: renderSplit(split), etag: current.etag }, ['traffic']);
      return await settle(c, op, label);
    } catch (err) {
      if (attempt >= 2 || !isStale(err)) throw err;
      c.log(`service ${c.service} changed meanwhile: reading it again`);
    }
  }
}

/**
 * The name of the new revision: the one asked for, else a free derived one ("-2", "-3"… appended
 * when a redeploy of the same version and commit finds its name taken), else one from the time.
 */
export async function freeRevisionName(c: MoveContext, o: NormalizedCloudRunOptions, now = new Date()): Promise<string> {
  if (!o.revision) return `${o.service}-${now.toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
  if (!(await c.client.getRevision(o.service, o.revision))) return o.revision;
  if (!o.revisionDerived) throw new UserError('revision', `service ${o.service} already has a revision named ${o.revision}`, 'Give a new name, or leave "revision" out to derive one from version and commit');
  for (let attempt = 2; attempt <= 50; attempt++) {
    const name = revisionNameFor(o.service, o.version, o.commit, attempt)!;
    if (!(await c.client.getRevision(o.service, name))) {
      c.log(`revision ${o.revision} exists already (a redeploy of the same version and commit): naming the new one ${name}`);
      return name;
    }
  }
  throw new UserError('revision', `service ${o.service} already has revisions ${o.revision} to ${o.revision}-50`, 'Give a new version, or a revision name');
}

export interface DeployedRevision {
  service: CloudRunService;
  revision: string;
  /** The revision that had most traffic before (none on a first deploy). */
  previous?: string;
  /** The candidate's own URL (its tag's). */
  tagUrl?: string;
  created: boolean;
}

/**
 * Creates the revision: the service's template with the options over it, named `revision`; the
 * traffic as it serves now (every entry by revision name) plus the new revision behind `tag` at
 * 0 %. A new service gets the revision with all its traffic. Waits until it serves.
 */
export async function deployRevision(c: MoveContext, o: NormalizedCloudRunOptions, revision: string, tag: string): Promise<DeployedRevision> {
  for (let attempt = 1; ; attempt++) {
    const current = await c.client.getService(c.service);
    const template = revisionTemplate(o, revision, current?.template);
    const { fields, mask } = serviceFields(o, template, current?.labels);
    const before = current ? readSplit(current) : undefined;
    const split: Split = before ? withCandidate(before, revision, tag) : { percents: new Map([[revision, 100]]), tags: new Map([[tag, revision]]) };
    c.log(current ? `service ${c.service} serves ${describeSplit(before!)}; revision ${revision} joins behind tag ${tag} at 0 %` : `service ${c.service} does not exist: creating it with revision ${revision}, which takes all traffic`);
    try {
      const op = current
        ? await c.client.patchService(c.service, { ...fields, traffic: renderSplit(split), etag: current.etag }, mask)
        : await c.client.createService(c.service, { ...fields, traffic: renderSplit(split) });
      const service = await settle(c, op, `revision ${revision}`, revision);
      const tagUrl = service.trafficStatuses?.find((t) => t.tag === tag)?.uri;
      return { service, revision, previous: before && mainRevision(before), tagUrl, created: !current };
    } catch (err) {
      if (attempt >= 2 || !isStale(err)) throw err;
      c.log(`service ${c.service} changed meanwhile: reading it again`);
    }
  }
}

const isReady = (r: CloudRunRevision) => (r.conditions ?? []).some((c) => c.type === 'Ready' && c.state === 'CONDITION_SUCCEEDED');

/**
 * What a rollback goes back to: the revision asked for (it must be ready), else the newest ready
 * revision created before the one serving most traffic now.
 */
export async function rollbackTarget(c: MoveContext, service: CloudRunService, wanted?: string): Promise<{ from?: string; to: string }> {
  const from = mainRevision(readSplit(service));
  const revisions = await c.client.listRevisions(c.service);
  if (wanted) {
    const r = revisions.find((x) => shortName(x.name) === wanted);
    if (!r) throw new UserError('revision', `service ${c.service} has no revision ${wanted}`, `Give one of ${revisions.slice(0, 5).map((x) => shortName(x.name)).join(', ') || '(none)'} (gcloud run revisions list)`);
    if (!isReady(r)) throw new UserError('revision', `revision ${wanted} is not ready: it cannot take traffic`, 'Give a revision that served before');
    return { from, to: wanted };
  }
  const byAge = [...revisions].sort((a, b) => Date.parse(b.createTime ?? '') - Date.parse(a.createTime ?? ''));
  const at = byAge.findIndex((r) => shortName(r.name) === from);
  const to = byAge.slice(at + 1).find((r) => isReady(r) && shortName(r.name) !== from);
  if (!to) throw new CloudRunDeployError(`service ${c.service} has no ready revision older than ${from ?? 'the serving one'} to roll back to`);
  return { from, to: shortName(to.name) };
}
