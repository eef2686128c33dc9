import { sleep, startProgress, TaskLog } from '@shipfleet/core';
import { AbortedError, CreateDeploymentBody, VercelApiError, VercelClient, VercelDeployment, VercelDeploymentSummary, VercelProject } from './api';
import { forEachLimit, formatBytes, formatCount, HashedFile } from './files';
import { NormalizedVercelOptions } from './options';

type Log = TaskLog;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** Who the token acts for, and the project: fails early on a bad token, a foreign scope or an unknown project. */
export async function checkAccess(client: VercelClient, o: Pick<NormalizedVercelOptions, 'teamId' | 'userId' | 'projectId' | 'tokenEnv'>, log: Log): Promise<VercelProject> {
  const rejected = (err: unknown): never => {
    if (err instanceof VercelApiError && (err.status === 401 || err.status === 403)) {
      throw new Error(`Vercel did not accept the token in ${o.tokenEnv}${o.teamId ? ` for team ${o.teamId}` : ''}: ${err.message}. Check that the token is valid and has access to this scope`);
    }
    throw err;
  };
  let scope: string;
  if (o.teamId) {
    const team = await client.getTeam(o.teamId).catch(rejected);
    scope = `team ${team.slug ?? team.id}`;
  } else {
    const { user } = await client.getUser().catch(rejected);
    if (o.userId && user.id !== o.userId) {
      throw new Error(`orgId ${o.userId} is not the account of this token (it belongs to ${user.username ?? user.id}); for a team project set teamId (or orgId) to the team's id`);
    }
    scope = `account ${user.username ?? user.id}`;
  }
  let project: VercelProject;
  try {
    project = await client.getProject(o.projectId);
  } catch (err) {
    if (err instanceof VercelApiError && err.status === 404) {
      throw new Error(`project ${o.projectId} was not found in ${scope}: ${err.message}. ${o.teamId ? 'Check projectId' : 'If the project belongs to a team, set teamId'}`);
    }
    return rejected(err);
  }
  log(`${scope}, project ${project.name} (${project.id})`);
  return project;
}

/** `target` as the deployments API takes it: nothing for preview, target for production, customEnvironmentSlugOrId otherwise. */
export function targetFields(target: string): Pick<CreateDeploymentBody, 'target' | 'customEnvironmentSlugOrId'> {
  if (target === 'preview') return {};
  if (target === 'production') return { target: 'production' };
  return { customEnvironmentSlugOrId: target };
}

export interface UploadSummary {
  files: number;
  bytes: number;
}

function missingShas(err: unknown): string[] | undefined {
  if (!(err instanceof VercelApiError) || err.code !== 'missing_files') return undefined;
  const missing = err.apiError?.missing;
  return Array.isArray(missing) ? missing.filter((s): s is string => typeof s === 'string') : [];
}

/**
 * Creates the deployment the way `vercel deploy` does: POST /v13/deployments
 * with the file list; when the API answers `missing_files`, upload exactly the
 * SHA-1s it lists (a bounded number at a time), then create again. Files
 * Vercel already has from any earlier deployment are never sent again.
 */
export async function createDeploymentUploadingMissing(
  client: VercelClient,
  body: CreateDeploymentBody,
  files: readonly HashedFile[],
  opts: { concurrency: number; signal?: AbortSignal; log: Log; progressIntervalMs?: number },
): Promise<{ deployment: VercelDeployment; uploaded: UploadSummary }> {
  const bySha = new Map<string, HashedFile>();
  for (const f of files) if (!bySha.has(f.sha)) bySha.set(f.sha, f);
  const uploaded: UploadSummary = { files: 0, bytes: 0 };

  // A second missing_files after an upload can happen when stored files expire
  // in between; a third means something else is wrong.
  for (let round = 1; ; round++) {
    let missing: string[] | undefined;
    try {
      const deployment = await client.createDeployment(body, opts.signal);
      if (round === 1) opts.log(`All ${formatCount(files.length)} files are already on Vercel: nothing to upload`);
      return { deployment, uploaded };
    } catch (err) {
      missing = missingShas(err);
      if (missing === undefined) throw err;
      if (round > 2) throw new Error(`Vercel still reports ${missing.length} missing file(s) after uploading them twice: ${err instanceof Error ? err.message : String(err)}`);
    }
    const toUpload = missing.map((sha) => {
      const file = bySha.get(sha);
      if (!file) throw new Error(`Vercel asked for a file this deployment does not list (sha ${sha})`);
      return file;
    });
    const total = toUpload.reduce((n, f) => n + f.size, 0);
    opts.log(`${formatCount(toUpload.length)} of ${formatCount(bySha.size)} distinct files missing on Vercel (${formatBytes(total)}); uploading ${Math.min(opts.concurrency, toUpload.length)} at a time`);
    let doneFiles = 0;
    let doneBytes = 0;
    // On a terminal a redrawn line; in CI a line every few seconds at most, and the last one always.
    const progress = startProgress(opts.log, { label: `uploading ${formatCount(toUpload.length)} files`, total, unit: 'bytes', intervalMs: opts.progressIntervalMs, signal: opts.signal });
    try {
      await forEachLimit(toUpload, opts.concurrency, async (file) => {
        try {
          await client.uploadFile(file, opts.signal);
        } catch (err) {
          if (err instanceof AbortedError) throw err;
          throw new Error(`uploading ${file.file} (${formatBytes(file.size)}): ${err instanceof Error ? err.message : String(err)}`);
        }
        doneFiles++;
        doneBytes += file.size;
        uploaded.files++;
        uploaded.bytes += file.size;
        progress.update(doneBytes, `${formatCount(doneFiles)}/${formatCount(toUpload.length)} files`);
      }, opts.signal);
    } finally {
      progress.end();
    }
    if (opts.signal?.aborted) throw new AbortedError('upload');
    opts.log(`uploaded ${formatCount(doneFiles)} files (${formatBytes(doneBytes)}); creating the deployment again`);
  }
}

const isReady = (d: { readyState?: string; state?: string }) => d.readyState === 'READY' || d.state === 'READY';
const isFailed = (d: { readyState?: string }) => d.readyState === 'ERROR' || d.readyState === 'CANCELED' || (d.readyState ?? '').endsWith('_ERROR');

/** Poll spacing: every `base` for the first 15 s, then 5×, then 10× (a 1 s base gives 1 s, 5 s, 10 s). */
export function pollDelay(elapsedMs: number, baseMs: number): number {
  if (elapsedMs < 15_000) return baseMs;
  if (elapsedMs < 60_000) return baseMs * 5;
  return baseMs * 10;
}

/**
 * Polls GET /v13/deployments/:id until READY (and, for production, until its
 * domains are assigned). ERROR and CANCELED fail, naming the state and
 * Vercel's errorMessage. Logs each change of state.
 */
export async function waitUntilReady(
  client: VercelClient,
  created: VercelDeployment,
  opts: { timeoutMs: number; pollIntervalMs: number; waitForAliases: boolean; signal?: AbortSignal; log: Log },
): Promise<VercelDeployment> {
  const started = Date.now();
  let d = created;
  let last = d.readyState;
  opts.log(`state ${last}`);
  for (;;) {
    if (d.aliasError) {
      throw new Error(`deployment ${d.id} is ${d.readyState} but its domains could not be assigned: ${d.aliasError.code ?? ''} ${d.aliasError.message ?? ''}`.trim());
    }
    if (isReady(d) && (!opts.waitForAliases || d.aliasAssigned)) return d;
    if (isFailed(d)) {
      const reason = d.errorMessage || d.errorCode || 'Vercel gave no error message';
      throw new Error(`deployment ${d.id} ended in ${d.readyState}${d.errorCode && d.errorMessage ? ` (${d.errorCode})` : ''}: ${reason}${d.inspectorUrl ? `. Build logs: ${d.inspectorUrl}` : ''}`);
    }
    const elapsed = Date.now() - started;
    if (elapsed >= opts.timeoutMs) {
      throw new Error(`deployment ${d.id} is still ${d.readyState}${isReady(d) ? ' (domains not assigned yet)' : ''} after ${seconds(elapsed)}; it goes on at Vercel${d.inspectorUrl ? `: ${d.inspectorUrl}` : ''}. Raise timeout to wait longer`);
    }
    await sleep(Math.min(pollDelay(elapsed, opts.pollIntervalMs), Math.max(0, opts.timeoutMs - elapsed)), opts.signal);
    if (opts.signal?.aborted) throw new AbortedError(`waiting for ${d.id}`);
    d = await client.getDeployment(created.id, opts.signal);
    if (d.readyState !== last) {
      opts.log(`${last} → ${d.readyState} (${seconds(Date.now() - started)})`);
      last = d.readyState;
    }
  }
}

/** Reads a deployment that promote or rollback is asked to move production to, and checks it can be. */
export async function checkProductionCandidate(client: VercelClient, project: VercelProject, deploymentId: string, action: 'promote' | 'rollback'): Promise<VercelDeployment> {
  let d: VercelDeployment;
  try {
    d = await client.getDeployment(deploymentId);
  } catch (err) {
    if (err instanceof VercelApiError && err.status === 404) throw new Error(`deployment ${deploymentId} was not found: ${err.message}`);
    throw err;
  }
  if (d.projectId && d.projectId !== project.id) throw new Error(`deployment ${deploymentId} belongs to project ${d.projectId}, not to ${project.name} (${project.id})`);
  if (!isReady(d)) throw new Error(`deployment ${deploymentId} is ${d.readyState}; only a READY deployment can be ${action === 'promote' ? 'promoted' : 'rolled back to'}`);
  if (d.target !== 'production') {
    throw new Error(
      action === 'promote'
        ? `deployment ${deploymentId} is a preview deployment; Vercel promotes only production deployments directly (\`vercel promote\` would rebuild it with production settings instead). Deploy with target "production" and promote that deployment`
        : `deployment ${deploymentId} is a preview deployment; only an earlier production deployment can be rolled back to`,
    );
  }
  return d;
}

/** The newest READY production deployment older than the current one: what "roll back" means without a deployment id. */
export async function findPreviousProduction(client: VercelClient, project: VercelProject, log: Log): Promise<{ current: string; previous: VercelDeploymentSummary }> {
  const current = project.targets?.production?.id;
  if (!current) throw new Error(`project ${project.name} has no production deployment to roll back from`);
  let currentCreated = project.targets?.production?.createdAt;
  let until: number | undefined;
  for (let page = 0; page < 10; page++) {
    const { deployments, pagination } = await client.listDeployments({ projectId: project.id, target: 'production', state: 'READY', limit: 100, until });
    const sorted = [...deployments].sort((a, b) => b.created - a.created);
    if (currentCreated === undefined) {
      const here = sorted.find((d) => d.uid === current);
      if (here) currentCreated = here.created;
      else if (page === 0) currentCreated = (await client.getDeployment(current)).createdAt;
    }
    const candidate = sorted.find((d) => d.uid !== current && isReady(d) && d.isRollbackCandidate !== false && (currentCreated === undefined || d.created < currentCreated));
    if (candidate) {
      log(`current production ${current}; previous ${candidate.uid} (${candidate.url}, ${new Date(candidate.created).toISOString()})`);
      return { current, previous: candidate };
    }
    if (!pagination?.next) break;
    until = pagination.next;
  }
  throw new Error(`project ${project.name} has no READY production deployment older than the current one (${current}) to roll back to`);
}

/**
 * After a promote or rollback request, polls GET /v9/projects/:id until the
 * project's alias job for the deployment has succeeded (or production points
 * at it); a failed job fails.
 */
export async function waitForProduction(
  client: VercelClient,
  projectId: string,
  deploymentId: string,
  opts: { timeoutMs: number; pollIntervalMs: number; signal?: AbortSignal; log: Log },
): Promise<VercelProject> {
  const started = Date.now();
  let lastStatus: string | undefined;
  for (;;) {
    const p = await client.getProject(projectId);
    const job = p.lastAliasRequest;
    const status = job && job.toDeploymentId === deploymentId ? job.jobStatus : undefined;
    if (status !== lastStatus && status) opts.log(`${job?.type ?? 'alias'} job ${status}`);
    lastStatus = status;
    if (status === 'failed') throw new Error(`Vercel could not move all production domains of ${p.name} to ${deploymentId} (${job?.type ?? 'alias'} job failed)`);
    if (status === 'succeeded' || status === 'skipped' || (!status && p.targets?.production?.id === deploymentId)) return p;
    const elapsed = Date.now() - started;
    if (elapsed >= opts.timeoutMs) throw new Error(`production of ${p.name} does not point at ${deploymentId} after ${seconds(elapsed)} (job ${status ?? 'not reported'}); raise timeout to wait longer`);
    await sleep(Math.min(pollDelay(elapsed, opts.pollIntervalMs), Math.max(0, opts.timeoutMs - elapsed)), opts.signal);
    if (opts.signal?.aborted) throw new AbortedError(`waiting for production to point at ${deploymentId}`);
  }
}
