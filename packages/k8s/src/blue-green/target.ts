// What a blue-green deploy works on, found in the rendered manifests: the Deployment, the live
// Service that selects it, the preview Service, and the URLs Ingresses give them.
import { UserError } from '@shipfleet/core';
import { describeRef, getPath, isPlainObject, isWorkload, K8sObject } from '../types';
import { COLOR_LABEL, withoutColor } from './colors';

export interface BlueGreenTarget {
  /** The manifests' Deployment, before colouring. */
  deployment: K8sObject;
  /** The live Service's name (activeService). */
  serviceName: string;
  /** The live Service as the manifests give it; undefined when it lives only in the cluster. */
  service?: K8sObject;
  /** The preview Service's name (previewService). */
  previewName: string;
  /** The manifests' own preview Service, when they hold one. */
  preview?: K8sObject;
  /** Every other object: applied as a rolling deploy applies it. */
  others: K8sObject[];
  /** From an Ingress of the manifests whose backend is the preview Service. */
  previewIngressUrl?: string;
  /** From an Ingress of the manifests whose backend is the live Service. */
  liveIngressUrl?: string;
}

export interface TargetNames {
  activeService?: string;
  previewService?: string;
}

const isService = (o: K8sObject) => o.kind === 'Service' && o.apiVersion === 'v1';

/** Whether a Service's selector (its colour aside) picks the Deployment's pods. */
export function selectsDeployment(service: K8sObject, deployment: K8sObject): boolean {
  const selector = withoutColor(getPath(service, ['spec', 'selector']));
  const labels = getPath(deployment, ['spec', 'template', 'metadata', 'labels']);
  if (!Object.keys(selector).length || !isPlainObject(labels)) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** `https://host/path` of the first Ingress rule whose backend is Service `name` (https when its TLS lists the host). */
export function ingressUrlFor(objects: K8sObject[], name: string): string | undefined {
  for (const ingress of objects.filter((o) => o.kind === 'Ingress')) {
    const tlsHosts = ((getPath(ingress, ['spec', 'tls']) as Array<{ hosts?: string[] }> | undefined) ?? []).flatMap((t) => t.hosts ?? []);
    for (const rule of (getPath(ingress, ['spec', 'rules']) as Array<Record<string, unknown>> | undefined) ?? []) {
      const host = rule.host;
      if (typeof host !== 'string' || !host || host.includes('*')) continue;
      const paths = (getPath(rule, ['http', 'paths']) as Array<Record<string, unknown>> | undefined) ?? [];
      const path = paths.find((p) => getPath(p, ['backend', 'service', 'name']) === name);
      if (!path) continue;
      const prefix = typeof path.path === 'string' && path.path !== '/' ? path.path.replace(/\/+$/, '') : '';
      return `${tlsHosts.includes(host) ? 'https' : 'http'}://${host}${prefix}`;
    }
  }
  return undefined;
}

/**
 * Finds the Deployment and its live Service in the rendered objects. The
 * manifests hold exactly one workload, a Deployment; the live Service is
 * `activeService` (in the manifests or only in the cluster), else the one
 * Service of the manifests that selects the Deployment.
 */
export function findBlueGreenTarget(objects: K8sObject[], names: TargetNames): BlueGreenTarget {
  const workloads = objects.filter(isWorkload);
  const deployments = workloads.filter((w) => w.kind === 'Deployment');
  if (deployments.length !== 1 || workloads.length !== 1) {
    const found = workloads.length ? workloads.map((w) => describeRef(w)).join(', ') : 'none';
    throw new UserError('strategy', `blue-green deploys one Deployment; the manifests hold ${found}`, 'Keep one Deployment in the manifests of a blue-green target, and deploy other workloads with their own target');
  }
  const deployment = deployments[0];
  const name = deployment.metadata.name!;
  const selectorLabels = getPath(deployment, ['spec', 'selector', 'matchLabels']);
  if (isPlainObject(selectorLabels) && COLOR_LABEL in selectorLabels) {
    throw new UserError('manifests', `${describeRef(deployment)} already selects on ${COLOR_LABEL}`, 'Leave the colour label out of the manifests: the blue-green deploy adds it');
  }
  const autoscaler = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && getPath(o, ['spec', 'scaleTargetRef', 'name']) === name);
  if (autoscaler) {
    throw new UserError('manifests', `${describeRef(autoscaler)} scales deployment ${name}, which a blue-green deploy renames to ${name}-blue and ${name}-green`, 'Remove the HorizontalPodAutoscaler from a blue-green target (size the Deployment with replicas)');
  }

  const services = objects.filter(isService);
  let service: K8sObject | undefined;
  if (names.activeService) {
    service = services.find((s) => s.metadata.name === names.activeService);
    if (service && !selectsDeployment(service, deployment)) {
      throw new UserError('activeService', `service ${names.activeService} in the manifests does not select the pods of deployment ${name}`, `Give it a selector that the pod template's labels match, e.g. {"app": "${name}"}`);
    }
  } else {
    const candidates = services.filter((s) => selectsDeployment(s, deployment) && s.metadata.name !== names.previewService);
    // A Service of the manifests named after another one with "-preview" is that one's preview.
    const selecting = candidates.filter((s) => !candidates.some((o) => !names.previewService && `${o.metadata.name}-preview` === s.metadata.name));
    if (!selecting.length) throw new UserError('activeService', `no Service in the manifests selects the pods of deployment ${name}`, 'Add the Service users reach to the manifests, or name a Service of the cluster with activeService');
    if (selecting.length > 1) throw new UserError('activeService', `several Services select deployment ${name}: ${selecting.map((s) => s.metadata.name).join(', ')}`, 'Name the one users reach with activeService');
    service = selecting[0];
  }
  const serviceName = names.activeService ?? service!.metadata.name!;
  const previewName = names.previewService ?? `${serviceName}-preview`;
  if (previewName === serviceName) throw new UserError('previewService', `is the live Service ${serviceName} itself`, 'Give the preview Service its own name');
  if (previewName.length > 63) throw new UserError('previewService', `"${previewName}" is longer than 63 characters`, 'Give a shorter previewService');
  const preview = services.find((s) => s.metadata.name === previewName);
  if (preview && !selectsDeployment(preview, deployment)) {
    throw new UserError('previewService', `service ${previewName} in the manifests does not select the pods of deployment ${name}`, 'Give it the live Service\'s selector (the deploy adds the colour)');
  }
  const others = objects.filter((o) => o !== deployment && o !== service && o !== preview);
  return {
    deployment,
    serviceName,
    service,
    previewName,
    preview,
    others,
    previewIngressUrl: ingressUrlFor(objects, previewName),
    liveIngressUrl: ingressUrlFor(objects, serviceName),
  };
}
