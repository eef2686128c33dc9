import { formatDuration, Plan, Redactor, RetryPolicy, Step, taskStep, TaskContext, UserError } from '@shipfleet/core';
import { VercelClient, VercelClientStats, VercelDeployment, VercelProject } from './api';
import {
  checkAccess,
  checkProductionCandidate,
  createDeploymentUploadingMissing,
  findPreviousProduction,
  targetFields,
  waitForProduction,
  waitUntilReady,
} from './deploy';
import { formatBytes, formatCount, hashFiles, HashedFile, listDeploymentFiles, LocalFile } from './files';
import { NormalizedVercelOptions } from './options';

export interface VercelPlanContext {
  /** The Vercel token (the value of tokenEnv). Used only in the Authorization header. */
  token: string;
  /** Verbose HTTP trace: one line per request and per response. Progress and retries go to the step log. */
  log?: (line: string) => void;
  /** Retry tuning (tests, benchmarks). */
  retry?: Partial<RetryPolicy>;
  /** Base interval of readiness polling (default 1000 ms). */
  pollIntervalMs?: number;
}

/** Filled in while the plan runs. */
export interface VercelRunResult {
  action: NormalizedVercelOptions['action'];
  deploymentId?: string;
  /** https://… of the deployment. */
  url?: string;
  inspectorUrl?: string;
  readyState?: string;
  /** Domains assigned with the alias option. */
  aliases: string[];
  /** deploy: files in the deployment, and their total size. */
  files?: number;
  totalBytes?: number;
  /** deploy: files the API reported missing and that were uploaded, and their bytes. */
  uploadedFiles: number;
  uploadedBytes: number;
  /** HTTP requests sent to the API (retries included), and retries. */
  requests: number;
  retries: number;
  /** promote and rollback: production before the change. */
  previousProductionId?: string;
}

export interface VercelPlanResult {
  plan: Plan;
  result: VercelRunResult;
  /** Values to mask in every output of the run: pass them to runPlan's `secrets`. */
  secrets: string[];
}

/** Everything the steps of one plan share while it runs. */
interface RunState {
  project?: VercelProject;
  hashed?: HashedFile[];
  deployment?: VercelDeployment;
  targetId?: string;
}

/** Files one POST /v13/deployments takes, as @vercel/client counts them. */
export const FILE_LIMIT = 15_000;

const targetLabel = (t: string) => (t === 'preview' || t === 'production' ? t : `custom environment "${t}"`);

/**
 * The plan of a Vercel deploy, promote or rollback: task steps whose titles
 * and descriptions say what each does (a dry run prints them), and a result
 * object filled in as they run.
 */
export function buildVercelPlan(o: NormalizedVercelOptions, context: VercelPlanContext): VercelPlanResult {
  const { token } = context;
  const redactor = new Redactor([token]);
  const trace = context.log ? (line: string) => context.log!(redactor.redact(line)) : undefined;
  const pollIntervalMs = context.pollIntervalMs ?? 1000;
  const timeoutMs = o.timeoutMs;
  const stats: VercelClientStats = { requests: 0, retries: 0, uploadedFiles: 0, uploadedBytes: 0 };
  const result: VercelRunResult = { action: o.action, aliases: [], uploadedFiles: 0, uploadedBytes: 0, requests: 0, retries: 0 };
  const state: RunState = {};
  // Request lines as a dry run shows them (the client adds teamId the same way).
  const api = (path: string, query: Record<string, string> = {}) => {
    const q = new URLSearchParams(query);
    if (o.teamId) q.set('teamId', o.teamId);
    const qs = q.toString();
    return `${o.apiUrl}${path}${qs ? `?${qs}` : ''}`;
  };

  // Each task gets a client bound to its abort signal; all of them count into `stats`.
  const task = (title: string, description: string, run: (ctx: TaskContext, client: VercelClient) => Promise<void>): Step =>
    taskStep(title, description, async (ctx) => {
      const log = (line: string) => ctx.log(redactor.redact(line));
      const client = new VercelClient({ apiUrl: o.apiUrl, token, teamId: o.teamId, retry: context.retry, signal: ctx.signal, onRetry: log, trace, stats });
      try {
        await run({ ...ctx, log }, client);
      } catch (err) {
        // Messages are built without the token; this is the last line of defence.
        if (err instanceof Error) err.message = redactor.redact(err.message);
        throw err;
      } finally {
        result.requests = stats.requests;
        result.retries = stats.retries;
      }
    });

  const access = task(
    `Check the token and access to project ${o.projectId}`,
    `${o.teamId ? `GET ${api(`/v2/teams/${o.teamId}`)}` : `GET ${api('/v2/user')}`}, then GET /v9/projects/${o.projectId}; a rejected token (401/403) or an unknown project (404) stops the run here, before any file is read. Token from $${o.tokenEnv}, sent only as the Authorization header`,
    async (ctx, client) => {
      state.project = await checkAccess(client, o, ctx.log);
    },
  );

  const steps: Step[] = [access];
  let title: string;

  if (o.action === 'deploy') {
    const source = o.source!;
    const listed: LocalFile[] = listDeploymentFiles(source);
    if (!listed.length) throw new UserError('appDir', `${source.dir} holds no files to deploy`, 'Build the project first, and point appDir at the folder the build writes');
    const listedBytes = listed.reduce((n, f) => n + f.size, 0);
    result.files = listed.length;
    result.totalBytes = listedBytes;
    title = `Vercel deploy of ${o.projectId} (${targetLabel(o.target)})`;
    const body = () => ({
      name: state.project!.name,
      project: state.project!.id,
      files: state.hashed!.map((f) => ({ file: f.file, sha: f.sha, size: f.size, mode: f.mode })),
      ...targetFields(o.target),
      ...(Object.keys(o.meta).length ? { meta: o.meta } : {}),
    });
    const what = source.kind === 'prebuilt' ? `prebuilt Build Output API v3 folder ${source.dir} (files named .vercel/output/…)` : `static folder ${source.dir}`;
    steps.push(
      task(
        `Hash ${formatCount(listed.length)} files (SHA-1, ${formatBytes(listedBytes)})`,
        `${what}; each file is streamed through SHA-1, 16 at a time, never held in memory whole; names are relative POSIX paths${source.kind === 'static' ? '; .git, node_modules, .vercel, .DS_Store, .env.*.local and the like are left out' : ''}`,
        async (ctx) => {
          const started = Date.now();
          state.hashed = await hashFiles(listed, { signal: ctx.signal });
          const distinct = new Set(state.hashed.map((f) => f.sha)).size;
          result.totalBytes = state.hashed.reduce((n, f) => n + f.size, 0);
          ctx.log(`${formatCount(state.hashed.length)} files, ${formatCount(distinct)} distinct contents, ${formatBytes(result.totalBytes)} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
          if (state.hashed.length > FILE_LIMIT) {
            ctx.log(`warning: ${formatCount(state.hashed.length)} files is more than the ${formatCount(FILE_LIMIT)} the deployments API takes in one file list (\`vercel deploy\` switches to --archive=tgz there, which this client does not do); expect the create step to be refused`);
          }
        },
      ),
      task(
        'Create deployment (POST /v13/deployments), upload only missing files, create again',
        `POST ${api('/v13/deployments')} for project ${o.projectId}, ${targetLabel(o.target)}${Object.keys(o.meta).length ? `, meta ${Object.keys(o.meta).join(', ')}` : ''}, with every file's name, SHA-1 and size. Vercel answers missing_files with the SHA-1s it does not have; exactly those are uploaded with POST /v2/files (x-vercel-digest), ${o.concurrency} at a time, then the deployment is created again. An unchanged redeploy uploads nothing. 429 (after its Retry-After), 408, 500, 502, 503, 504, network errors and timeouts are retried with backoff; other errors fail at once`,
        async (ctx, client) => {
          const { deployment, uploaded } = await createDeploymentUploadingMissing(client, body(), state.hashed!, { concurrency: o.concurrency, signal: ctx.signal, log: ctx.log });
          state.deployment = deployment;
          result.uploadedFiles = uploaded.files;
          result.uploadedBytes = uploaded.bytes;
          result.deploymentId = deployment.id;
          result.url = `https://${deployment.url}`;
          result.inspectorUrl = deployment.inspectorUrl ?? undefined;
          result.readyState = deployment.readyState;
          ctx.log(`created ${deployment.id}: ${result.url}${deployment.inspectorUrl ? ` (inspect: ${deployment.inspectorUrl})` : ''}`);
          ctx.setOutput('deploymentId', deployment.id);
          ctx.setOutput('url', result.url);
          if (deployment.inspectorUrl) ctx.setOutput('inspectorUrl', deployment.inspectorUrl);
        },
      ),
      task(
        o.target === 'production' ? 'Wait until READY and the production domains are assigned' : 'Wait until READY',
        `poll GET /v13/deployments/:id (every ${pollIntervalMs >= 1000 ? `${pollIntervalMs / 1000}s` : `${pollIntervalMs} ms`} for the first 15s, then less often) up to ${formatDuration(o.timeoutMs)}; ERROR or CANCELED fails with Vercel's errorMessage`,
        async (ctx, client) => {
          const d = await waitUntilReady(client, state.deployment!, { timeoutMs, pollIntervalMs, waitForAliases: o.target === 'production', signal: ctx.signal, log: ctx.log });
          state.deployment = d;
          result.readyState = d.readyState;
          ctx.log(`READY: https://${d.url}${d.alias?.length ? ` (domains: ${d.alias.join(', ')})` : ''}`);
        },
      ),
    );
    if (o.alias.length) {
      steps.push(
        task(`Assign aliases: ${o.alias.join(', ')}`, `POST ${api('/v2/deployments/:id/aliases')} once per domain; each then serves the new deployment`, async (ctx, client) => {
          for (const alias of o.alias) {
            const answer = await client.assignAlias(state.deployment!.id, alias);
            result.aliases.push(alias);
            ctx.log(`${alias} → ${state.deployment!.id}${answer?.oldDeploymentId ? ` (was ${answer.oldDeploymentId})` : ''}`);
          }
          ctx.setOutput('aliases', result.aliases.join(', '));
        }),
      );
    }
  } else if (o.action === 'promote') {
    const id = o.deploymentId!;
    title = `Vercel promote of ${id} (${o.projectId})`;
    steps.push(
      task(
        `Promote ${id} to production (POST /v10/projects/${o.projectId}/promote/${id})`,
        `GET /v13/deployments/${id} checks it is a READY production deployment of the project; then POST ${api(`/v10/projects/${o.projectId}/promote/${id}`)} points the production domains at it (no rebuild)`,
        async (ctx, client) => {
          const project = state.project!;
          await checkProductionCandidate(client, project, id, 'promote');
          result.previousProductionId = project.targets?.production?.id;
          result.deploymentId = id;
          if (result.previousProductionId === id) {
            ctx.log(`${id} is already the production deployment of ${project.name}: nothing to do`);
            state.targetId = undefined;
            return;
          }
          await client.promote(project.id, id);
          state.targetId = id;
          ctx.log(`requested: production of ${project.name} ${result.previousProductionId ?? '(none)'} → ${id}`);
        },
      ),
      waitStep(),
    );
  } else {
    const explicit = o.deploymentId;
    title = `Vercel rollback of ${o.projectId}${explicit ? ` to ${explicit}` : ''}`;
    steps.push(
      task(
        explicit ? `Check rollback target ${explicit}` : 'Find the previous production deployment',
        explicit
          ? `GET /v13/deployments/${explicit}: it must be a READY production deployment of the project`
          : `GET /v9/projects/${o.projectId} names the current production deployment; GET ${api('/v6/deployments', { projectId: o.projectId, target: 'production', state: 'READY' })} lists the earlier ones, newest first; the newest older than the current one is picked`,
        async (ctx, client) => {
          const project = state.project!;
          result.previousProductionId = project.targets?.production?.id;
          if (explicit) {
            await checkProductionCandidate(client, project, explicit, 'rollback');
            state.targetId = explicit;
          } else {
            state.targetId = (await findPreviousProduction(client, project, ctx.log)).previous.uid;
          }
          result.deploymentId = state.targetId;
        },
      ),
      task(
        `Roll back production (POST /v9/projects/${o.projectId}/rollback/${explicit ?? ':deploymentId'})`,
        `points the production domains of the project back at ${explicit ?? 'the deployment found above'} (no rebuild)`,
        async (ctx, client) => {
          const project = state.project!;
          const id = state.targetId!;
          if (result.previousProductionId === id) {
            ctx.log(`${id} is already the production deployment of ${project.name}: nothing to do`);
            state.targetId = undefined;
            return;
          }
          await client.rollback(project.id, id);
          ctx.log(`requested: production of ${project.name} ${result.previousProductionId ?? '(none)'} → ${id}`);
        },
      ),
      waitStep(),
    );
  }

  function waitStep(): Step {
    return task('Wait until production points at it', `poll GET /v9/projects/${o.projectId} until the project's alias job for the deployment has succeeded (a failed job fails), up to ${formatDuration(o.timeoutMs)}`, async (ctx, client) => {
      const id = state.targetId;
      if (id) {
        const project = await waitForProduction(client, state.project!.id, id, { timeoutMs, pollIntervalMs, signal: ctx.signal, log: ctx.log });
        ctx.log(`production of ${project.name} is ${id}`);
      }
      ctx.setOutput('deploymentId', result.deploymentId!);
      ctx.setOutput('productionDeploymentId', result.deploymentId!);
      if (result.previousProductionId) ctx.setOutput('previousProductionDeploymentId', result.previousProductionId);
    });
  }

  return { plan: { title, steps }, result, secrets: [token] };
}
