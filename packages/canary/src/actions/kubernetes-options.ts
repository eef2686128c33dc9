// The options of a Kubernetes action: which objects carry the weight, in which mode.
import { integerOption, oneOfOption, patternOption, requiredOption, UserError } from '@shipfleet/core';
import { TrafficActionType } from './action-type';
import { KubernetesAction, KubernetesActionSpec } from './kubernetes';

const OBJECT_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const MODES = ['ingress-nginx', 'replicas'] as const;

function objectName(a: Record<string, unknown>, key: string): string {
  const option = `action.${key}`;
  const fix = 'Give the name as in metadata.name (lowercase letters, digits, - and .)';
  return requiredOption(option, patternOption(option, a[key], { pattern: OBJECT_NAME, what: 'a Kubernetes object name', example: 'web-canary', fix }), fix);
}

function parseKubernetesAction(a: Record<string, unknown>): KubernetesActionSpec {
  const mode = requiredOption(
    'action.mode',
    oneOfOption('action.mode', a.mode, MODES, { fix: 'Use ingress-nginx (canary-weight annotation on a canary Ingress) or replicas (the ratio of canary to stable replicas)' }),
    'Say how the weight is set: ingress-nginx (canary-weight annotation on a canary Ingress) or replicas (the ratio of canary to stable replicas)',
  );
  const namespace = patternOption('action.namespace', a.namespace, { pattern: NAMESPACE, what: 'a namespace name', example: 'shop', fix: "Leave it out for the context's namespace" });
  if (mode === 'ingress-nginx') return { type: 'kubernetes', mode, ingress: objectName(a, 'ingress'), namespace };
  const canary = objectName(a, 'canary');
  const stable = objectName(a, 'stable');
  if (canary === stable) throw new UserError('action.stable', 'names the same Deployment as action.canary', 'The canary and the stable version are two Deployments behind one Service');
  const replicasFix = 'Give the replicas of canary and stable together, e.g. 10: a weight of 25 runs 3 canary and 7 stable replicas';
  const replicas = requiredOption('action.replicas', integerOption('action.replicas', a.replicas, { min: 2, fix: replicasFix }), replicasFix);
  return { type: 'kubernetes', mode, canary, stable, replicas, namespace };
}

/** Patches an Ingress annotation or Deployment replicas through the cluster connection. */
export const kubernetesActionType: TrafficActionType<KubernetesActionSpec> = {
  type: 'kubernetes',
  example: '{"type": "kubernetes", "mode": "ingress-nginx", "ingress": "web-canary"}',
  parse: parseKubernetesAction,
  create: (spec, run) => {
    if (!run.patchObject) {
      throw new UserError('action', 'a kubernetes action needs a connection to the cluster', 'Run it through the shipfleet executor, which connects with your kubeconfig; from a script, pass deps.patchObject');
    }
    return { action: new KubernetesAction(spec, run.patchObject), secrets: [] };
  },
};
