import { ActionContext, ActionKind, TrafficAction } from './action';

/**
 * A partial Kubernetes object: the fields the canary owns. Apply it with
 * server-side apply (or a JSON merge patch); other fields are left alone.
 */
export interface K8sPatch {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { replicas: number };
}

/** Applies one partial object to the cluster; injected (the k8s library's client, or a fake in tests). */
export type PatchObject = (patch: K8sPatch, ctx: ActionContext) => Promise<void>;

export const CANARY_ANNOTATION = 'nginx.ingress.kubernetes.io/canary';
export const CANARY_WEIGHT_ANNOTATION = 'nginx.ingress.kubernetes.io/canary-weight';

export type KubernetesActionSpec =
  | {
      type: 'kubernetes';
      /** ingress-nginx canary: a second Ingress for the canary Service, weighted by annotation. */
      mode: 'ingress-nginx';
      /** The canary Ingress (same host and path as the stable one). */
      ingress: string;
      namespace?: string;
    }
  | {
      type: 'kubernetes';
      /** Two Deployments behind one Service: the weight is the share of canary replicas. */
      mode: 'replicas';
      canary: string;
      stable: string;
      /** Replicas of both together. */
      replicas: number;
      namespace?: string;
    };

/** The annotations of an ingress-nginx canary Ingress at a weight. */
export function ingressCanaryPatch(ingress: string, namespace: string | undefined, weight: number): K8sPatch {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: ingress, ...(namespace ? { namespace } : {}), annotations: { [CANARY_ANNOTATION]: 'true', [CANARY_WEIGHT_ANNOTATION]: String(Math.round(weight)) } },
  };
}

/**
 * Canary and stable replicas for a weight: the nearest split, with at least
 * one canary replica for any weight above 0 and one stable replica for any
 * weight below 100 (so a step never becomes a full switch or no canary at all).
 */
export function replicaSplit(total: number, weight: number): { canary: number; stable: number } {
  let canary = Math.round((total * weight) / 100);
  if (weight > 0 && canary === 0) canary = 1;
  if (weight < 100 && canary === total && total > 1) canary = total - 1;
  if (weight <= 0) canary = 0;
  if (weight >= 100) canary = total;
  return { canary, stable: total - canary };
}

const deployment = (name: string, namespace: string | undefined, replicas: number): K8sPatch => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, ...(namespace ? { namespace } : {}) },
  spec: { replicas },
});

/**
 * The patches of a move, in a safe order: the Deployment that grows first, so
 * capacity never dips (toward the canary: canary first; a rollback: stable first).
 */
export function kubernetesPatches(spec: KubernetesActionSpec, kind: ActionKind, weight: number): K8sPatch[] {
  const w = kind === 'promote' ? 100 : kind === 'rollback' ? 0 : weight;
  if (spec.mode === 'ingress-nginx') return [ingressCanaryPatch(spec.ingress, spec.namespace, w)];
  const split = replicaSplit(spec.replicas, w);
  const canary = deployment(spec.canary, spec.namespace, split.canary);
  const stable = deployment(spec.stable, spec.namespace, split.stable);
  return kind === 'rollback' ? [stable, canary] : [canary, stable];
}

function describePatch(p: K8sPatch): string {
  const ns = p.metadata.namespace ? `${p.metadata.namespace}/` : '';
  if (p.kind === 'Ingress') return `Ingress ${ns}${p.metadata.name}: ${CANARY_WEIGHT_ANNOTATION}=${p.metadata.annotations?.[CANARY_WEIGHT_ANNOTATION]}`;
  return `Deployment ${ns}${p.metadata.name}: replicas=${p.spec?.replicas}`;
}

/** Moves traffic by patching Kubernetes objects through an injected PatchObject. */
export class KubernetesAction implements TrafficAction {
  constructor(readonly spec: KubernetesActionSpec, private readonly patchObject: PatchObject) {}

  describe(kind: ActionKind, weight: number): string {
    const patches = kubernetesPatches(this.spec, kind, weight);
    const text = `apply ${patches.map(describePatch).join(', then ')}`;
    if (this.spec.mode === 'replicas' && kind === 'setWeight') {
      const split = replicaSplit(this.spec.replicas, weight);
      const actual = (100 * split.canary) / this.spec.replicas;
      if (Math.abs(actual - weight) >= 0.5) return `${text} (${split.canary} of ${this.spec.replicas} replicas: ${Number(actual.toFixed(1))}% rather than ${weight}%)`;
    }
    return text;
  }

  private async apply(kind: ActionKind, weight: number, ctx: ActionContext): Promise<void> {
    for (const patch of kubernetesPatches(this.spec, kind, weight)) {
      await this.patchObject(patch, ctx);
      ctx.log(`applied ${describePatch(patch)}`);
    }
  }

  setWeight(weight: number, ctx: ActionContext): Promise<void> {
    return this.apply('setWeight', weight, ctx);
  }

  promote(ctx: ActionContext): Promise<void> {
    return this.apply('promote', 100, ctx);
  }

  rollback(ctx: ActionContext): Promise<void> {
    return this.apply('rollback', 0, ctx);
  }
}
