// The Services of a blue-green deploy: the live one's selector switch, and the preview Service.
import { ClusterClient } from '../cluster';
import { applyErrorMessage } from '../apply';
import { clone, getPath, isPlainObject, K8sObject, ObjectRef } from '../types';
import { Color, COLOR_LABEL, withoutColor } from './colors';
import { BlueGreenTarget } from './target';

export const serviceRef = (name: string, namespace: string): ObjectRef => ({ apiVersion: 'v1', kind: 'Service', name, namespace });

export const selectorText = (selector: Record<string, string>) => Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');

export interface SwitchOptions {
  fieldManager: string;
  forceConflicts: boolean;
}

/** The live Service as the switch applies it: the manifests' Service with `selector`, or (a Service only the cluster holds) its selector alone. */
export function serviceWithSelector(target: BlueGreenTarget, namespace: string, selector: Record<string, string>): K8sObject {
  if (!target.service) return { apiVersion: 'v1', kind: 'Service', metadata: { name: target.serviceName, namespace }, spec: { selector } };
  const intent = clone(target.service);
  intent.metadata.namespace = namespace;
  intent.spec = { ...(intent.spec as Record<string, unknown>), selector };
  return intent;
}

/**
 * Points the live Service at `selector` in one server-side apply (field
 * manager shipfleet). A Service of the manifests is applied whole, as the
 * deploy applies it, so the selector is the only field that changes (an apply
 * of the selector alone would drop the fields shipfleet applied before); a
 * Service only the cluster holds gets the selector alone, taken over from
 * whichever manager set it.
 */
export async function switchSelector(client: ClusterClient, target: BlueGreenTarget, namespace: string, selector: Record<string, string>, opts: SwitchOptions): Promise<K8sObject> {
  const obj = serviceWithSelector(target, namespace, selector);
  const force = target.service ? opts.forceConflicts : true;
  try {
    return await client.apply(obj, { fieldManager: opts.fieldManager, force, dryRun: false });
  } catch (e) {
    throw new Error(applyErrorMessage(obj, e, force));
  }
}

/** The selector that picks one colour's pods: the live Service's own, with the colour. */
export function colorSelector(base: unknown, color: Color): Record<string, string> {
  return { ...withoutColor(base), [COLOR_LABEL]: color };
}

/**
 * The preview Service: the manifests' own when they hold it, else a
 * ClusterIP Service with the live Service's ports; either way it selects the
 * idle colour.
 */
export function previewServiceFor(target: BlueGreenTarget, namespace: string, color: Color, live: K8sObject | undefined, common: { labels: Record<string, string>; annotations: Record<string, string> }): K8sObject {
  if (target.preview) {
    const own = clone(target.preview);
    own.metadata.namespace = namespace;
    own.spec = { ...(own.spec as Record<string, unknown>), selector: colorSelector(getPath(own, ['spec', 'selector']), color) };
    return own;
  }
  const base = target.service ?? live;
  const ports = getPath(base, ['spec', 'ports']);
  if (!Array.isArray(ports) || !ports.length) throw new Error(`service ${target.serviceName} has no ports for its preview Service ${target.previewName} to copy`);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: target.previewName,
      namespace,
      ...(Object.keys(common.labels).length ? { labels: { ...common.labels } } : {}),
      ...(Object.keys(common.annotations).length ? { annotations: { ...common.annotations } } : {}),
    },
    spec: {
      type: 'ClusterIP',
      selector: colorSelector(getPath(base, ['spec', 'selector']), color),
      ports: ports.map((p) => {
        const { nodePort: _nodePort, ...rest } = (isPlainObject(p) ? p : {}) as Record<string, unknown>;
        return rest;
      }),
    },
  };
}

/** The first port of a Service, for an in-cluster preview URL. */
export function firstPort(service: K8sObject): number | undefined {
  const ports = getPath(service, ['spec', 'ports']);
  const port = Array.isArray(ports) && isPlainObject(ports[0]) ? ports[0].port : undefined;
  return typeof port === 'number' ? port : undefined;
}
