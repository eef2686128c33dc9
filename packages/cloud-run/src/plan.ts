import { AccessTokenProvider, createAccessTokenProvider, describeCredentials } from '@shipfleet/android';
import { BlueGreenHooks, blueGreenSteps, formatDuration, Plan, RetryPolicy, Step, TaskContext, taskStep } from '@shipfleet/core';
import { cloudRunBlueGreenAdapter } from './blue-green';
import { CloudRunClient } from './client';
import { deployRevision, freeRevisionName, MoveContext, moveTraffic, requireService, rollbackTarget } from './deploy';
import { CLOUD_PLATFORM_SCOPE, NormalizedCloudRunOptions, ResolvedCloudRunOptions } from './options';
import { revisionTemplate, serviceFields } from './template';
import { allTo, describeSplit, promoted, readSplit } from './traffic';

export interface CloudRunPlanContext {
  /** Retry tuning of API calls (tests). */
  retry?: Partial<RetryPolicy>;
  /** First wait between two operation polls (default 1 s). */
  pollIntervalMs?: number;
  /** strategy blue-green: an analysis before the switch, a client or sleep for the checks (tests). */
  blueGreenHooks?: BlueGreenHooks;
}

/** Filled in while the plan runs. */
export interface CloudRunRunResult {
  action: NormalizedCloudRunOptions['action'];
  strategy: NormalizedCloudRunOptions['strategy'];
  service: string;
  /** deploy: the new revision; rollback: the revision now serving. */
  revision?: string;
  /** The revision that served most traffic before. */
  previousRevision?: string;
  /** The service's URL. */
  url?: string;
  /** deploy: the new revision's own URL (its tag's). */
  tagUrl?: string;
  tag?: string;
  /** The traffic once the plan is done, in words. */
  traffic?: string;
  /** deploy: the service did not exist and was created. */
  created?: boolean;
}

export interface CloudRunPlanResult {
  plan: Plan;
  result: CloudRunRunResult;
  /** Values to mask in every output of the run: pass them to runPlan's `secrets`. */
  secrets: string[];
}

const TRAFFIC_KEPT = '<the traffic as it serves now, every entry by revision name>';

/**
 * The plan of a Cloud Run deploy or rollback: task steps whose descriptions show the calls and
 * the service update as JSON (secrets are Secret Manager references, so the JSON is showable), and
 * a result filled in as they run.
 */
export function buildCloudRunPlan(resolved: ResolvedCloudRunOptions, context: CloudRunPlanContext = {}): CloudRunPlanResult {
  const { options: o, credentials } = resolved;
  const result: CloudRunRunResult = { action: o.action, strategy: o.strategy, service: o.service };
  const serviceName = `projects/${o.project}/locations/${o.region}/services/${o.service}`;
  const api = `${o.apiUrl}/v2/${serviceName}`;
  const who = describeCredentials(credentials, o.tokenUrl);

  // One token provider for the run (the library caches and refreshes the token); what it learns is masked.
  let addSecret: (value: string) => void = () => undefined;
  let auth: AccessTokenProvider | undefined;
  const provider = () => (auth ??= createAccessTokenProvider(credentials, { tokenUrl: o.tokenUrl, scope: CLOUD_PLATFORM_SCOPE, api: 'the Cloud Run Admin API', onSecret: (v) => addSecret(v) }));
  const moveContext = (ctx: TaskContext): MoveContext => {
    addSecret = (v) => ctx.addSecret(v);
    const client = new CloudRunClient({ apiUrl: o.apiUrl, project: o.project, region: o.region, auth: provider(), retry: context.retry, signal: ctx.signal, onRetry: ctx.log });
    return { client, project: o.project, region: o.region, service: o.service, waitTimeoutMs: o.waitTimeoutMs, log: ctx.log, signal: ctx.signal, pollIntervalMs: context.pollIntervalMs };
  };
  const wait = `polls operations.get (backoff up to 10s) until done, up to ${formatDuration(o.waitTimeoutMs)}`;
  const setOutputs = (ctx: TaskContext) => {
    for (const key of ['revision', 'previousRevision', 'url', 'tagUrl', 'tag', 'traffic'] as const) {
      const v = result[key];
      if (v) ctx.setOutput(key, v);
    }
  };

  if (o.action === 'rollback') {
    const step = taskStep(
      `Roll back service ${o.service} to ${o.revision ?? 'the previous revision'}`,
      `GET ${api}; ${o.revision ? `revision ${o.revision} must be ready` : 'GET …/revisions: the newest ready revision created before the one serving most traffic'}; then one PATCH ${api}?updateMask=traffic sending all traffic to it (tags kept), and ${wait}. Credentials: ${who}`,
      async (ctx) => {
        const c = moveContext(ctx);
        const target = await rollbackTarget(c, await requireService(c), o.revision);
        result.previousRevision = target.from;
        result.revision = target.to;
        const service = await moveTraffic(c, (current) => allTo(readSplit(current), target.to), `rollback to ${target.to}`);
        result.url = service.uri;
        result.traffic = describeSplit(readSplit(service));
        ctx.log(`revision ${target.to} takes all traffic again${target.from ? ` (was ${target.from})` : ''}`);
        setOutputs(ctx);
      },
    );
    return { plan: { title: `Cloud Run rollback of ${o.service} (${o.project}, ${o.region})`, steps: [step] }, result, secrets: resolved.secrets };
  }

  // deploy
  const state: { revision?: string } = {};
  result.tag = o.tag;
  const shownTemplate = revisionTemplate(o, o.revision ?? `${o.service}-<time of the deploy>`);
  const { fields, mask } = serviceFields(o, shownTemplate);
  const newEntry = JSON.stringify({ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: shownTemplate.revision, tag: o.tag, percent: 0 });
  const update = JSON.stringify({ ...fields, traffic: '\0' }, null, 2).replace('"\\u0000"', `[${TRAFFIC_KEPT}, ${newEntry}]`);
  const read = taskStep(
    `Read service ${o.service} (${o.project}, ${o.region}) and name the new revision`,
    `GET ${api} (a missing service is created by the next step); GET …/revisions/${o.revision ?? '<name>'} to check the name is free${o.revisionDerived ? ' (taken: "-2", "-3"… is appended)' : ''}. Credentials: ${who}, scope cloud-platform`,
    async (ctx) => {
      const c = moveContext(ctx);
      const current = await c.client.getService(o.service);
      if (current) {
        const split = readSplit(current);
        ctx.log(`service ${o.service} serves ${describeSplit(split)}${current.uri ? ` at ${current.uri}` : ''}`);
      } else {
        ctx.log(`service ${o.service} does not exist yet in ${o.project}, ${o.region}: it will be created${o.strategy !== 'all-at-once' ? `; with nothing serving before, the first revision takes all traffic (strategy ${o.strategy} applies from the next deploy)` : ''}`);
      }
      state.revision = await freeRevisionName(c, o);
      result.revision = state.revision;
      ctx.setOutput('revision', state.revision);
    },
  );
  const deploy = taskStep(
    `Deploy revision ${o.revision ?? '<named at run time>'} of ${o.image} behind tag ${o.tag}, with no traffic`,
    `PATCH ${api}?updateMask=${mask.join(',')} (the service's etag guards against a change made meanwhile; a new service: POST ${o.apiUrl}/v2/projects/${o.project}/locations/${o.region}/services?serviceId=${o.service}); fields of the current template the options do not set (volumes, VPC access, probes…) are kept. Then ${wait}; a revision that cannot serve fails the step with its condition in words and its logs URL. The update:\n${update}`,
    async (ctx) => {
      const c = moveContext(ctx);
      const d = await deployRevision(c, o, state.revision!, o.tag);
      result.created = d.created;
      result.previousRevision = d.previous;
      result.tagUrl = d.tagUrl;
      result.url = d.service.uri;
      result.traffic = describeSplit(readSplit(d.service));
      ctx.log(`revision ${d.revision} is ready${d.tagUrl ? ` at ${d.tagUrl} (tag ${o.tag})` : ''}; traffic: ${result.traffic}`);
      setOutputs(ctx);
    },
  );

  let steps: Step[];
  if (o.strategy === 'blue-green') {
    const adapter = cloudRunBlueGreenAdapter(o, { moveContext, api, wait, state, result, setOutputs });
    steps = [read, ...blueGreenSteps(adapter, o.blueGreen!, context.blueGreenHooks)];
  } else if (o.strategy === 'canary') {
    steps = [
      read,
      deploy,
      taskStep(
        `Leave revision ${o.revision ?? '<new>'} at 0 % for canary-monitor`,
        `the plan stops here: the new revision answers only at its tag's URL; canary-monitor's cloud-run action moves traffic to it (weight → percent, the rest to the revisions serving now), promotes it to 100 % or rolls it back to 0 %`,
        (ctx) => {
          ctx.log(`canary: revision ${result.revision} waits at 0 %${result.tagUrl ? ` (${result.tagUrl})` : ''}; baseline ${result.previousRevision ?? '(none: first deploy)'}`);
          if (result.revision) ctx.setOutput('canaryRevision', result.revision);
          if (result.previousRevision) ctx.setOutput('baselineRevision', result.previousRevision);
        },
      ),
    ];
  } else {
    steps = [
      read,
      deploy,
      taskStep(
        `Send all traffic to revision ${o.revision ?? '<new>'}`,
        `PATCH ${api}?updateMask=traffic: the new revision 100 % (its tag kept; tags earlier deploys gave other revisions, rev-… and candidate, dropped; other tags kept), then ${wait}`,
        async (ctx) => {
          const c = moveContext(ctx);
          const service = await moveTraffic(c, (current) => promoted(readSplit(current), state.revision!), 'all traffic to the new revision');
          result.url = service.uri;
          result.traffic = describeSplit(readSplit(service));
          ctx.log(`revision ${state.revision} takes all traffic${service.uri ? ` at ${service.uri}` : ''}`);
          setOutputs(ctx);
        },
      ),
    ];
  }
  const plan: Plan = { title: `Cloud Run ${o.strategy} deploy of ${o.image} to ${o.service} (${o.project}, ${o.region})`, steps };
  return { plan, result, secrets: resolved.secrets };
}

