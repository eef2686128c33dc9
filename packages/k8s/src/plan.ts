import { BlueGreenHooks, blueGreenSteps, cleanupStep, mapTaskLog, Plan, Redactor, Step, taskStep, TaskContext } from '@shipfleet/core';
import { k8sBlueGreenAdapter, K8sBlueGreenContext } from './blue-green/adapter';
import { k8sBlueGreenRollbackSteps } from './blue-green/rollback-steps';
import { applyObjects } from './apply';
import { ClusterClient } from './cluster';
import type { ClusterHooks } from './cluster-client';
import { waitAndRollback } from './deploy';
import { DeployIO } from './deploy-io';
import { emptyResult, K8sDeployResult } from './deploy-result';
import { diffObjects, diffSummary } from './diff';
import { KubeconfigTarget } from './kubeconfig';
import { renderKustomization } from './kustomize';
import { NormalizedK8sOptions } from './options';
import { pruneObjects } from './prune';
import { RenderedManifests } from './render';
import { describeRef, isWorkload, K8sObject } from './types';

export interface K8sPlanDeps {
  /** Opens the API connection (default: @kubernetes/client-node over the kubeconfig, loaded only when the plan runs). */
  connect?: (target: KubeconfigTarget | undefined, hooks: ClusterHooks) => ClusterClient | Promise<ClusterClient>;
  /** How often workloads are read while waiting (default 1000 ms; watch events wake the wait sooner). */
  pollIntervalMs?: number;
  /** Without a terminal: at most one rollout progress line per workload this often (default 5 s). */
  progressIntervalMs?: number;
  /** strategy blue-green: the checks' HTTP client and the waits (tests pass a sleep that does not wait). */
  blueGreenHooks?: BlueGreenHooks;
}

function defaultConnect(target: KubeconfigTarget | undefined, hooks: ClusterHooks): ClusterClient {
  // Loaded here, not at the top: @kubernetes/client-node is an ES module that jest cannot load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { connectCluster } = require('./cluster-client') as typeof import('./cluster-client');
  return connectCluster(target, hooks);
}

const objectsText = (n: number | undefined) => `${n} object${n === 1 ? '' : 's'}`;
const indented = (text: string) => text.trimEnd().split('\n').map((l) => `  ${l}`);

function describeTarget(o: NormalizedK8sOptions): string {
  const k = o.kubeconfig;
  if (!k) return 'the cluster of the kubeconfig found at run time (none found now)';
  if (k.inCluster) return 'the in-cluster API server (service account of this pod)';
  return `${k.server} (context ${k.context}, kubeconfig ${k.paths.join(', ')})`;
}

/**
 * The deploy as a plan: render the manifests, server-side apply them, wait
 * for every workload's rollout (undoing on failure), and prune when asked.
 * `result` is filled in as the plan runs.
 */
export function buildK8sPlan(o: NormalizedK8sOptions, deps: K8sPlanDeps = {}): { plan: Plan; result: K8sDeployResult } {
  const result = emptyResult(o.serverDryRun);
  const state: { rendered?: RenderedManifests; client?: ClusterClient; applied?: K8sObject[]; redactor: Redactor } = {
    rendered: o.rendered,
    redactor: new Redactor(o.secrets),
  };
  const connect = deps.connect ?? defaultConnect;
  // Secrets of a kustomization are only known once it is rendered: everything logged here goes through this redactor too.
  const io = (ctx: TaskContext): DeployIO => ({
    client: state.client!,
    log: mapTaskLog(ctx.log, (line) => state.redactor.redact(line)),
    signal: ctx.signal,
    pollIntervalMs: deps.pollIntervalMs,
    progressIntervalMs: deps.progressIntervalMs,
  });
  const fail = (e: unknown): never => {
    const message = state.redactor.redact((e as Error)?.message ?? String(e));
    result.failed = true;
    result.reason = result.reason ? state.redactor.redact(result.reason) : message;
    throw new Error(message);
  };

  const manifests = o.manifests;
  // Known before the plan runs for manifest files, and for a kustomization rendered for a dry run.
  const count = o.rendered?.objects.length;
  const renderDescription = [
    manifests.kind === 'files'
      ? `${objectsText(count)} from ${manifests.files.join(', ')}`
      : o.rendered
        ? `$ ${o.kubectl} kustomize ${manifests.dir}   (rendered for this dry run: ${objectsText(count)}; rendered again when the plan runs)`
        : `$ ${o.kubectl} kustomize ${manifests.dir}   (run when the plan runs; output captured, never printed)`,
    ...renderSettings(o),
    ...(o.rendered ? ['Rendered manifests (Secret values masked):', ...indented(o.rendered.yaml)] : ['Secret values masked in everything shown']),
  ].join('\n     ');
  const applyMode = `server-side, field manager ${o.fieldManager}${o.serverDryRun ? ', server dry run' : ''}`;

  const steps: Step[] = [
    taskStep(manifests.kind === 'files' ? `Render manifests (${objectsText(count)})` : `Render kustomization ${manifests.dir}`, renderDescription, async (ctx) => {
      try {
        if (manifests.kind === 'kustomize') {
          state.rendered = await renderKustomization(o, ctx.exec);
          state.redactor.add(...state.rendered.secrets);
        }
        const rendered = state.rendered!;
        result.objects = rendered.objects.map((x) => describeRef(x));
        for (const c of rendered.imageChanges) ctx.log(`${c.object} ${c.container}: ${c.from} → ${c.to}`);
        ctx.log(`${objectsText(rendered.objects.length)}: ${result.objects.join(', ')}`);
        ctx.setOutput('objects', String(rendered.objects.length));
      } catch (e) {
        fail(e);
      }
    }),
    cleanupStep('Close connections to the API server', {
      kind: 'task',
      description: 'stops watches and closes connections',
      run: () => state.client?.close?.(),
    }),
  ];
  const connectTo = async (ctx: TaskContext) => {
    // Credentials an exec plugin or a token file yields are masked from the moment they are used.
    state.client = await connect(o.kubeconfig, { addSecret: (value) => { ctx.addSecret(value); state.redactor.add(value); } });
    ctx.log(`API server ${state.client.server}${state.client.context ? ` (context ${state.client.context})` : ''}`);
  };

  if (o.diff) {
    steps.push(
      taskStep(
        `Diff ${count !== undefined ? objectsText(count) : 'the rendered objects'} against the cluster (server dry run, field manager ${o.fieldManager})`,
        [
          `against ${describeTarget(o)}`,
          `PATCH each object, Content-Type application/apply-patch+yaml, ?fieldManager=${o.fieldManager}&force=${o.forceConflicts}&dryRun=All (nothing is stored), GET the live object`,
          'print a unified diff of live against after-apply per object (without status, managedFields, resourceVersion, generation, uid, creationTimestamp; Secret values masked on both sides), then how many objects changed, are unchanged, are new',
          'changes nothing in the cluster; no rollout wait, no prune; succeeds whether or not there are differences',
        ].join('\n     '),
        async (ctx) => {
          try {
            await connectTo(ctx);
            const diffs = await diffObjects(io(ctx), state.rendered!.objects, { fieldManager: o.fieldManager, force: o.forceConflicts, namespace: o.namespace });
            result.objects = diffs.map((d) => d.object);
            result.diff = diffs.map(({ object, change }) => ({ object, change }));
            ctx.log(`diff: ${diffSummary(diffs)}`);
            ctx.setOutput('diff', diffSummary(diffs));
          } catch (e) {
            fail(e);
          }
        },
      ),
    );
    return { plan: { title: `k8s-deploy --diff ${manifests.kind === 'files' ? objectsText(count) : `kustomization ${manifests.dir}`}${o.kubeconfig?.context ? ` against ${o.kubeconfig.context}` : ''}`, steps }, result };
  }

  if (o.blueGreen) {
    const settings = o.blueGreen;
    const context: K8sBlueGreenContext = {
      o,
      settings,
      result,
      io: async (ctx) => {
        if (!state.client) await connectTo(ctx);
        return io(ctx);
      },
      rendered: () => state.rendered!,
      redact: (text) => state.redactor.redact(text),
    };
    if (settings.action === 'rollback') steps.push(...k8sBlueGreenRollbackSteps(context));
    else steps.push(...blueGreenSteps(k8sBlueGreenAdapter(context), settings.options, deps.blueGreenHooks));
    const what = manifests.kind === 'files' ? objectsText(count) : `kustomization ${manifests.dir}`;
    const title = `k8s-deploy ${settings.action === 'rollback' ? '--action=rollback (blue-green)' : `blue-green ${what}`}${o.kubeconfig?.context ? ` ${settings.action === 'rollback' ? 'on' : 'to'} ${o.kubeconfig.context}` : ''}`;
    return { plan: { title, steps }, result };
  }

  steps.push(
    taskStep(
      count !== undefined ? `Apply ${objectsText(count)} (${applyMode})` : `Apply the rendered objects (${applyMode})`,
      [
        `to ${describeTarget(o)}`,
        `PATCH each object, Content-Type application/apply-patch+yaml, ?fieldManager=${o.fieldManager}&force=${o.forceConflicts}${o.serverDryRun ? '&dryRun=All (the API server validates; nothing is stored)' : ''}`,
        'order: namespaces, CRDs, cluster policy, service accounts and RBAC, secrets and config, storage, services, workloads, autoscalers, ingresses, webhooks, other kinds',
        ...(o.rendered ? o.rendered.objects.map((x, i) => `${i + 1}. ${describeRef(x, true)}`) : []),
      ].join('\n     '),
      async (ctx) => {
        try {
          await connectTo(ctx);
          state.applied = await applyObjects(io(ctx), state.rendered!.objects, { fieldManager: o.fieldManager, force: o.forceConflicts, dryRun: o.serverDryRun, namespace: o.namespace }, result);
          const counts = ['created', 'configured', 'unchanged'].map((a) => `${result.applied.filter((x) => x.action === a).length} ${a}`).join(', ');
          ctx.setOutput('applied', `${objectsText(result.applied.length)} (${counts})${o.serverDryRun ? ', server dry run' : ''}`);
          if (o.serverDryRun) ctx.log('server dry run: the API server accepted every object; nothing was changed and no rollout is waited for');
        } catch (e) {
          fail(e);
        }
      },
    ),
  );

  if (!o.serverDryRun) {
    const workloads = o.rendered?.objects.filter(isWorkload).map((x) => describeRef(x));
    steps.push(
      taskStep(
        workloads ? `Wait for rollouts (${workloads.length ? workloads.join(', ') : 'none'})` : 'Wait for rollouts',
        [
          `every Deployment, StatefulSet and DaemonSet, by the rules of kubectl rollout status, up to ${o.timeoutSeconds}s`,
          o.rollbackOnFailure
            ? 'on failure or timeout: collect the reasons from pods and events, roll back every workload this deploy changed to its previous revision (as kubectl rollout undo), wait for that, and fail'
            : 'on failure or timeout: collect the reasons from pods and events and fail, leaving the workloads as they are (rollbackOnFailure is off)',
        ].join('\n     '),
        async (ctx) => {
          try {
            await waitAndRollback(io(ctx), state.applied ?? [], { timeoutSeconds: o.timeoutSeconds, rollbackOnFailure: o.rollbackOnFailure, fieldManager: o.fieldManager }, result);
            for (const w of result.workloads) if (w.state === 'rolled-out') ctx.setOutput(w.workload, 'rolled out');
          } catch (e) {
            for (const w of result.workloads) if (w.rolledBackTo !== undefined) ctx.setOutput(w.workload, `rolled back to revision ${w.rolledBackTo}`);
            fail(e);
          }
        },
      ),
    );
  }
  if (o.prune) {
    const prune = o.prune;
    steps.push(
      taskStep(
        `Prune objects labelled ${prune.selector} that the manifests no longer hold${o.serverDryRun ? ' (server dry run)' : ''}`,
        `delete ConfigMaps, Secrets, Services, workloads, Jobs, Ingresses, … in the deployed namespaces that match ${prune.selector}, were applied by field manager ${o.fieldManager}, and are not in the manifests (never Namespaces or PersistentVolumeClaims)`,
        async (ctx) => {
          try {
            await pruneObjects(io(ctx), state.applied ?? [], { selector: prune.selector, fieldManager: o.fieldManager, dryRun: o.serverDryRun }, result);
            if (result.pruned.length) ctx.setOutput('pruned', result.pruned.join(', '));
          } catch (e) {
            fail(e);
          }
        },
      ),
    );
  }

  const title = `k8s-deploy ${manifests.kind === 'files' ? objectsText(count) : `kustomization ${manifests.dir}`}${o.kubeconfig?.context ? ` to ${o.kubeconfig.context}` : ''}${o.serverDryRun ? ' (server dry run)' : ''}`;
  return { plan: { title, steps }, result };
}

function renderSettings(o: NormalizedK8sOptions): string[] {
  const lines: string[] = [];
  const images = Object.entries(o.images);
  if (images.length) lines.push(`images: ${images.map(([k, v]) => `${k} → ${v}${o.imageSources[k] && o.imageSources[k] !== 'images' ? ` (${o.imageSources[k]})` : ''}`).join(', ')}`);
  for (const note of o.imagesReplaced) lines.push(`  ${note}`);
  if (o.rendered?.imageChanges.length) for (const c of o.rendered.imageChanges) lines.push(`  ${c.object} ${c.container}: ${c.from} → ${c.to}`);
  if (o.namespace) lines.push(`namespace: ${o.namespace}`);
  const labels = Object.entries(o.labels);
  if (labels.length) lines.push(`labels: ${labels.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const annotations = Object.entries(o.annotations);
  if (annotations.length) lines.push(`annotations: ${annotations.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  return lines;
}
