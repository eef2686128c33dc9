// action rollback of a blue-green Deployment: the live Service back to the other colour in one switch,
// once that colour has ready replicas again (scaled up from 0 when a deploy had retired it).
import { cleanupStep, Step, TaskContext, taskStep } from '@shipfleet/core';
import { getPath } from '../types';
import { deploymentRef, K8sBlueGreenContext, masked, scaleDeployment, waitForDeployment } from './adapter';
import { Color, coloredName, colorOfSelector, COLOR_LABEL, NEVER_LIVE_ANNOTATION, otherColor } from './colors';
import { colorSelector, selectorText, serviceRef, switchSelector } from './services';
import { BlueGreenTarget, findBlueGreenTarget } from './target';

interface RollbackState {
  target?: BlueGreenTarget;
  namespace?: string;
  from?: Color;
  to?: Color;
  scaledUp: boolean;
  switched: boolean;
}

export function k8sBlueGreenRollbackSteps(c: K8sBlueGreenContext): Step[] {
  const { o, settings, result } = c;
  const state: RollbackState = { scaledUp: false, switched: false };
  const fieldManager = o.fieldManager;
  const svc = settings.activeService ?? 'the live Service';

  const prepare = async (ctx: TaskContext) => {
    const io = await c.io(ctx);
    const target = findBlueGreenTarget(c.rendered().objects, settings);
    const name = target.deployment.metadata.name!;
    const namespace = target.deployment.metadata.namespace ?? o.namespace ?? io.client.defaultNamespace;
    const live = await io.client.get(serviceRef(target.serviceName, namespace));
    if (!live) throw new Error(`service ${target.serviceName} does not exist in namespace ${namespace}: nothing to roll back`);
    const from = colorOfSelector(getPath(live, ['spec', 'selector']));
    if (!from) throw new Error(`service ${target.serviceName} selects no colour (${COLOR_LABEL}): no blue-green deploy has switched it yet, so there is nothing to roll back to`);
    const to = otherColor(from);
    Object.assign(state, { target, namespace, from, to });
    result.blueGreen = { activeService: target.serviceName, previewService: target.previewName, color: to, previousColor: from, switched: false };
    const ref = deploymentRef(coloredName(name, to), namespace);
    const previous = await io.client.get(ref);
    if (!previous) throw new Error(`deployment ${ref.name} does not exist: nothing to roll back to (service ${target.serviceName} has only ever selected ${from})`);
    const neverLive = previous.metadata.annotations?.[NEVER_LIVE_ANNOTATION];
    if (neverLive !== undefined) {
      throw new Error(`deployment ${ref.name} holds a version whose deploy failed before taking traffic (${neverLive}), not the one served before ${from}: nothing to roll back to. Deploy the version to go back to instead`);
    }
    if ((getPath(previous, ['spec', 'replicas']) ?? 1) === 0) {
      const liveDeployment = await io.client.get(deploymentRef(coloredName(name, from), namespace));
      const replicas = (getPath(liveDeployment, ['spec', 'replicas']) ?? getPath(target.deployment, ['spec', 'replicas']) ?? 1) as number;
      io.log(`deployment ${ref.name} was scaled to 0 after an earlier switch: scaling it to ${replicas} (the replicas of deployment ${coloredName(name, from)})`);
      state.scaledUp = true;
      await scaleDeployment(io, ref, replicas, fieldManager);
    }
    await waitForDeployment(io, ref, o.timeoutSeconds, result);
  };

  return [
    cleanupStep('Scale the previous colour back to 0 unless traffic went back to it', {
      kind: 'task',
      description: 'when this rollback scaled it up and then stopped before the switch: PATCH its Deployment (merge patch) spec.replicas 0; the live colour is untouched',
      run: masked(c.redact, async (ctx: TaskContext) => {
        if (!state.scaledUp || state.switched) return;
        const ref = deploymentRef(coloredName(state.target!.deployment.metadata.name!, state.to!), state.namespace!);
        ctx.log(`The rollback stopped before the switch: ${ref.name} goes back to 0 replicas; traffic stays on ${state.from}`);
        await scaleDeployment(await c.io(ctx), ref, 0, fieldManager);
      }),
    }),
    taskStep(
      'Make the previous colour ready to take the traffic again',
      [
        `read ${svc}: its selector's ${COLOR_LABEL} is the live colour; the other colour's Deployment must exist`,
        'scaled to 0 by an earlier deploy: PATCH (merge patch, as kubectl scale) spec.replicas to the live colour\'s replicas',
        `wait for it by the rules of kubectl rollout status, up to ${o.timeoutSeconds}s`,
      ].join('\n     '),
      masked(c.redact, prepare),
    ),
    taskStep(
      'Switch all traffic back to the previous colour',
      `server-side apply, field manager ${fieldManager}: ${svc} with spec.selector ${COLOR_LABEL}=<the other colour>, in one switch; the colour that was live keeps running without traffic`,
      masked(c.redact, async (ctx: TaskContext) => {
        const io = await c.io(ctx);
        const target = state.target!;
        const selector = colorSelector(getPath(target.service ?? (await io.client.get(serviceRef(target.serviceName, state.namespace!))), ['spec', 'selector']), state.to!);
        await switchSelector(io.client, target, state.namespace!, selector, o);
        state.switched = true;
        result.blueGreen!.switched = true;
        ctx.setOutput('activeColor', state.to!);
        const left = coloredName(target.deployment.metadata.name!, state.from!);
        io.log(`service/${target.serviceName} selects ${selectorText(selector)}: all traffic is back on deployment ${coloredName(target.deployment.metadata.name!, state.to!)}`);
        io.log(`deployment ${left} keeps its replicas without traffic; the next deploy replaces it (kubectl scale deployment ${left} --replicas=0 frees them now)`);
      }),
    ),
  ];
}
