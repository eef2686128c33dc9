// Kubernetes' side of core's blue-green strategy, as Argo Rollouts' BlueGreen does it without its
// controller: the idle colour is a Deployment <name>-<colour> beside the live one, a preview Service
// selects it, the switch is the live Service's selector, and retiring a colour scales it to 0.
import { BlueGreenAdapter, errorMessage, IdleDeployment, TaskContext, UserError } from '@shipfleet/core';
import { applyObjects, notServedMessage, placeObject } from '../apply';
import { DeployIO } from '../deploy-io';
import { K8sDeployResult, workloadOutcome } from '../deploy-result';
import { gatherReasons } from '../gather-reasons';
import { renderYaml } from '../manifests';
import { NormalizedK8sOptions } from '../options';
import { RenderedManifests } from '../render';
import { describeRef, getPath, K8sObject, ObjectRef } from '../types';
import { waitForRollouts } from '../wait-rollout';
import { Color, colorDeployment, coloredName, colorOfSelector, COLOR_LABEL, FIRST_COLOR, NEVER_LIVE_ANNOTATION, otherColor } from './colors';
import { K8sBlueGreenSettings, PREVIEW_URL_FIX, previewUrlFor } from './options';
import { colorSelector, firstPort, previewServiceFor, selectorText, serviceRef, switchSelector } from './services';
import { BlueGreenTarget, findBlueGreenTarget } from './target';

export const deploymentRef = (name: string, namespace: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace });

/** What the blue-green steps share with the rest of the k8s plan. */
export interface K8sBlueGreenContext {
  o: NormalizedK8sOptions;
  settings: K8sBlueGreenSettings;
  result: K8sDeployResult;
  /** Connects once, then gives this task's io. */
  io: (ctx: TaskContext) => Promise<DeployIO>;
  /** The rendered manifests (known once the render step has run). */
  rendered: () => RenderedManifests;
  /** Masks what the run learnt is secret (a kustomization's Secret values). */
  redact: (text: string) => string;
}

/** Scales a Deployment as `kubectl scale` does (a merge patch of spec.replicas); the object stays. */
export async function scaleDeployment(io: DeployIO, ref: ObjectRef, replicas: number, fieldManager: string): Promise<void> {
  await io.client.mergePatch(ref, { spec: { replicas } }, { fieldManager });
  io.log(`${describeRef(ref)} scaled to ${replicas}`);
}

/** Waits for one Deployment by the rules of kubectl rollout status; throws with the reasons from its pods and events when it does not roll out. */
export async function waitForDeployment(io: DeployIO, ref: ObjectRef, timeoutSeconds: number, result: K8sDeployResult): Promise<void> {
  const [r] = await waitForRollouts(io, [ref], timeoutSeconds * 1000);
  const outcome = workloadOutcome(result, ref);
  outcome.message = r.status.message;
  if (r.outcome === 'done') {
    outcome.state = 'rolled-out';
    return;
  }
  if (r.outcome === 'cancelled' || io.signal?.aborted) throw new Error('interrupted');
  const reasons = r.object ? await gatherReasons(io.client, r.object, r.status) : { summary: r.status.message, details: [] };
  outcome.state = r.outcome === 'failed' ? 'failed' : 'not-completed';
  outcome.reason = r.outcome === 'timeout' ? `${reasons.summary} (not complete after ${timeoutSeconds}s: ${r.status.message})` : reasons.summary;
  outcome.details = reasons.details;
  for (const d of reasons.details) io.log(`  ${d}`);
  throw new Error(`${describeRef(ref)} did not roll out: ${outcome.reason}`);
}

/** Reruns `fn` with its error message masked (UserErrors pass as they are). */
export function masked<A extends unknown[], R>(redact: (text: string) => string, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new Error(redact(errorMessage(e)));
    }
  };
}

interface Deployed {
  target: BlueGreenTarget;
  namespace: string;
  idle: Color;
  idleName: string;
  /** The live Service's selector of the idle colour. */
  idleSelector: Record<string, string>;
  /** What took the traffic before: a colour's Deployment, or the Deployment of a rolling deploy. */
  previous?: { deployment: string; selector: Record<string, string> };
  idleApplied: boolean;
}

/** The stages in words, from what is known before the plan runs. */
function describeStages(c: K8sBlueGreenContext, target: BlueGreenTarget | undefined): BlueGreenAdapter['describe'] {
  const { o, settings } = c;
  const name = target?.deployment.metadata.name ?? '<deployment>';
  const svc = target?.serviceName ?? settings.activeService ?? '<live Service>';
  const preview = target?.previewName ?? settings.previewService ?? `${svc}-preview`;
  const apply = `server-side apply, field manager ${o.fieldManager}`;
  const shown: string[] = [];
  if (target) {
    const ns = target.deployment.metadata.namespace ?? o.namespace ?? '<namespace>';
    const objects = [colorDeployment(target.deployment, FIRST_COLOR)];
    if (target.service || target.preview) objects.push(previewServiceFor(target, ns, FIRST_COLOR, undefined, o));
    shown.push(`Rendered for ${FIRST_COLOR} (a first deploy, or when green is live; when blue is live the names and ${COLOR_LABEL} say green):`, ...renderYaml(objects).trimEnd().split('\n').map((l) => `  ${l}`));
  }
  const previewWhere = settings.previewUrl
    ? `check at ${settings.previewUrl} ({service} ${preview}, {color} the new colour)`
    : target?.previewIngressUrl
      ? `check at ${target.previewIngressUrl} (the Ingress of the manifests for service ${preview})`
      : o.kubeconfig?.inCluster
        ? `check at http://${preview}.<namespace>.svc.cluster.local:<port> (in-cluster)`
        : 'no preview URL: the run stops here (give previewUrl)';
  return {
    deployIdle: [
      `read service/${svc}: its selector's ${COLOR_LABEL} is the live colour; the new version is the other one (${FIRST_COLOR} when it selects none)`,
      ...(target?.others.length ? [`${apply}: ${target.others.map((x) => describeRef(x)).join(', ')}`] : []),
      ...(target?.service ? [`${apply}: service/${svc} from the manifests, its selector kept on the live colour`] : []),
      `${apply}, force: deployment/${name}-<colour> (its replicas were last set by a scale-down of this tool)`,
      `${apply}: service/${preview} selecting the new colour`,
      previewWhere,
      ...shown,
    ].join('\n     '),
    waitReady: `deployment/${name}-<colour> by the rules of kubectl rollout status, up to ${o.timeoutSeconds}s; on failure the reasons from its pods and events`,
    switchTo: `${apply}: service/${svc} with spec.selector ${COLOR_LABEL}=<new colour>${target?.service ? ' (the manifests\' Service whole, so only the selector changes)' : ' (the selector alone, force)'}`,
    switchBack: `${apply}: service/${svc} with spec.selector ${COLOR_LABEL}=<previous colour>`,
    retireNew: `PATCH deployment/${name}-<new colour> (merge patch, as kubectl scale): spec.replicas 0 and annotation ${NEVER_LIVE_ANNOTATION} (a rollback never switches to it); the Deployment stays`,
    retireOld: `PATCH deployment/${name}-<previous colour> (merge patch, as kubectl scale): spec.replicas 0; the Deployment stays, so a rollback is a scale-up and one switch`,
  };
}

/** The target when the manifests are rendered before the plan runs (files, or a kustomization rendered for a dry run). */
function knownTarget(c: K8sBlueGreenContext): BlueGreenTarget | undefined {
  try {
    return c.o.rendered ? findBlueGreenTarget(c.o.rendered.objects, c.settings) : undefined;
  } catch {
    // The deploy step reports it.
    return undefined;
  }
}

export function k8sBlueGreenAdapter(c: K8sBlueGreenContext): BlueGreenAdapter {
  const { o, settings, result } = c;
  const known = knownTarget(c);
  let d: Deployed | undefined;
  const fieldManager = o.fieldManager;
  const deployed = () => d!;

  const deployIdle = async (ctx: TaskContext): Promise<IdleDeployment> => {
    const io = await c.io(ctx);
    const { client } = io;
    const target = findBlueGreenTarget(c.rendered().objects, settings);
    const placed = await placeObject(client, target.deployment, o.namespace);
    if (!placed) throw new Error(notServedMessage(target.deployment, false));
    const namespace = placed.metadata.namespace!;
    const name = target.deployment.metadata.name!;
    const live = await client.get(serviceRef(target.serviceName, namespace));
    if (!live && !target.service) throw new Error(`service ${target.serviceName} does not exist in namespace ${namespace} and the manifests do not hold it: add it to the manifests, or correct activeService`);
    const liveSelector = getPath(live, ['spec', 'selector']) as Record<string, string> | undefined;
    const baseSelector = (getPath(target.service ?? live, ['spec', 'selector']) ?? {}) as Record<string, string>;
    const liveColor = colorOfSelector(liveSelector);
    const idle = liveColor ? otherColor(liveColor) : FIRST_COLOR;
    let previous: Deployed['previous'];
    if (liveColor) {
      previous = { deployment: coloredName(name, liveColor), selector: colorSelector(baseSelector, liveColor) };
      if (!(await client.get(deploymentRef(previous.deployment, namespace)))) io.log(`service/${target.serviceName} selects ${COLOR_LABEL}=${liveColor}, but deployment ${previous.deployment} does not exist`);
    } else if (live && liveSelector && (await client.get(deploymentRef(name, namespace)))) {
      // The Deployment of a rolling deploy: its selector has no colour, so the new colour's pods match it too until the switch.
      previous = { deployment: name, selector: { ...liveSelector } };
      io.log(`service/${target.serviceName} selects ${selectorText(liveSelector)} without a colour: the pods of ${coloredName(name, idle)} match it as well and take a share of its traffic until the switch; deployment ${name} is retired after it`);
    }

    const previewService = previewServiceFor(target, namespace, idle, live, o);
    const previewUrl = previewUrlFor(settings, { service: target.previewName, namespace, color: idle, port: firstPort(previewService), ingressUrl: target.previewIngressUrl, inCluster: !!o.kubeconfig?.inCluster });
    if (!previewUrl) throw new UserError('previewUrl', 'is required: nothing else says where this machine reaches the preview Service', PREVIEW_URL_FIX);

    const idleName = coloredName(name, idle);
    d = { target, namespace, idle, idleName, idleSelector: colorSelector(baseSelector, idle), previous, idleApplied: false };
    result.blueGreen = { activeService: target.serviceName, previewService: target.previewName, color: idle, ...(liveColor ? { previousColor: liveColor } : {}), switched: false };
    ctx.setOutput('color', idle);

    const applyOptions = { fieldManager, force: o.forceConflicts, dryRun: false, namespace: o.namespace };
    if (target.others.length) await applyObjects(io, target.others, applyOptions, result);
    if (target.service && live && previous) await switchSelector(client, target, namespace, previous.selector, o);
    d.idleApplied = true;
    await applyObjects(io, [colorDeployment(target.deployment, idle)], { ...applyOptions, force: true }, result);
    const applied = await client.get(deploymentRef(idleName, namespace));
    if (applied?.metadata.annotations?.[NEVER_LIVE_ANNOTATION] !== undefined) {
      await client.mergePatch(deploymentRef(idleName, namespace), { metadata: { annotations: { [NEVER_LIVE_ANNOTATION]: null } } }, { fieldManager });
    }
    await applyObjects(io, [previewService], applyOptions, result);
    return {
      previewUrl,
      ...(target.liveIngressUrl ? { liveUrl: target.liveIngressUrl } : {}),
      describe: `deployment ${idleName}`,
      ...(previous ? { live: `deployment ${previous.deployment}` } : {}),
    };
  };

  const select = async (ctx: TaskContext, selector: Record<string, string>, switched: boolean) => {
    const io = await c.io(ctx);
    const { target, namespace } = deployed();
    await switchSelector(io.client, target, namespace, selector, o);
    io.log(`service/${target.serviceName} selects ${selectorText(selector)}`);
    if (result.blueGreen) result.blueGreen.switched = switched;
  };

  return {
    target: known ? `deployment ${known.deployment.metadata.name} behind service ${known.serviceName}` : 'the Deployment of the manifests',
    describe: describeStages(c, known),
    deployIdle: masked(c.redact, deployIdle),
    waitReady: masked(c.redact, async (ctx: TaskContext) => {
      const { idleName, namespace } = deployed();
      await waitForDeployment(await c.io(ctx), deploymentRef(idleName, namespace), o.timeoutSeconds, result);
    }),
    switchTo: masked(c.redact, async (ctx: TaskContext) => {
      await select(ctx, deployed().idleSelector, true);
      ctx.setOutput('activeColor', deployed().idle);
    }),
    switchBack: masked(c.redact, async (ctx: TaskContext) => {
      const previous = deployed().previous;
      if (!previous) throw new Error('nothing took the traffic before this deploy: nothing to switch back to');
      await select(ctx, previous.selector, false);
    }),
    retire: masked(c.redact, async (ctx: TaskContext, which: 'new' | 'old') => {
      if (!d) return;
      const io = await c.io(ctx);
      if (which === 'new') {
        const ref = deploymentRef(d.idleName, d.namespace);
        // An apply that failed may have left nothing to scale.
        if (!d.idleApplied || !(await io.client.get(ref))) return;
        // Marked, so that a rollback does not switch to a version that never passed its check.
        await io.client.mergePatch(ref, { metadata: { annotations: { [NEVER_LIVE_ANNOTATION]: new Date().toISOString() } }, spec: { replicas: 0 } }, { fieldManager });
        io.log(`${describeRef(ref)} scaled to 0`);
        return;
      }
      if (d.previous) await scaleDeployment(io, deploymentRef(d.previous.deployment, d.namespace), 0, fieldManager);
    }),
  };
}
