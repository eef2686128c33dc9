// The revision template and the service fields a deploy writes: what the options say, over the
// service's current template (fields the options do not set, such as volumes or VPC access, stay).
import { Container, EnvVar, RevisionTemplate } from './client';
import { NormalizedCloudRunOptions } from './options';

/** Environment of the container: plain values, then Secret Manager references (by name and version, never values). */
export function containerEnv(o: NormalizedCloudRunOptions): EnvVar[] {
  return [
    ...Object.entries(o.env).map(([name, value]) => ({ name, value })),
    ...Object.entries(o.secrets).map(([name, ref]) => ({ name, valueSource: { secretKeyRef: { secret: ref.secret, version: ref.version } } })),
  ];
}

/** The template of the new revision named `revision` (undefined: Cloud Run names it). */
export function revisionTemplate(o: NormalizedCloudRunOptions, revision: string | undefined, current: RevisionTemplate = {}): RevisionTemplate {
  const { revision: _previous, ...kept } = structuredClone(current);
  const [first, ...sidecars] = kept.containers ?? [];
  const container: Container = { ...(first ?? {}), image: o.image!, env: containerEnv(o) };
  if (o.cpu || o.memory) container.resources = { ...(first?.resources ?? {}), limits: { ...(first?.resources?.limits ?? {}), ...(o.cpu ? { cpu: o.cpu } : {}), ...(o.memory ? { memory: o.memory } : {}) } };
  if (o.port) container.ports = [{ name: first?.ports?.[0]?.name ?? 'http1', containerPort: o.port }];
  const scaling = { ...(kept.scaling ?? {}), ...(o.minInstances !== undefined ? { minInstanceCount: o.minInstances } : {}), ...(o.maxInstances !== undefined ? { maxInstanceCount: o.maxInstances } : {}) };
  return {
    ...kept,
    ...(revision ? { revision } : {}),
    labels: { ...(kept.labels ?? {}), ...o.labels },
    ...(Object.keys(scaling).length ? { scaling } : {}),
    ...(o.requestTimeoutMs !== undefined ? { timeout: `${o.requestTimeoutMs / 1000}s` } : {}),
    ...(o.serviceAccount ? { serviceAccount: o.serviceAccount } : {}),
    ...(o.concurrency !== undefined ? { maxInstanceRequestConcurrency: o.concurrency } : {}),
    containers: [container, ...sidecars],
  };
}

/** The fields of the Service a deploy sends besides traffic, and their update mask. */
export function serviceFields(o: NormalizedCloudRunOptions, template: RevisionTemplate, currentLabels: Record<string, string> = {}): { fields: { labels: Record<string, string>; template: RevisionTemplate; ingress?: string }; mask: string[] } {
  const fields = { labels: { ...currentLabels, ...o.labels }, template, ...(o.ingress ? { ingress: o.ingress } : {}) };
  return { fields, mask: ['labels', 'template', ...(o.ingress ? ['ingress'] : []), 'traffic'] };
}
