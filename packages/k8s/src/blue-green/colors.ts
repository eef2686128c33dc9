// The two colours of a blue-green Deployment: its name, labels and selector, and the colour a Service selects.
import { clone, isPlainObject, K8sObject } from '../types';

export const COLOR_LABEL = 'shipfleet.dev/color';
/** On a colour retired without ever taking traffic (its check or rollout failed): not a version to roll back to. */
export const NEVER_LIVE_ANNOTATION = 'shipfleet.dev/never-live';
export const COLORS = ['blue', 'green'] as const;
export type Color = (typeof COLORS)[number];

/** The colour deployed when no Service selects one yet. */
export const FIRST_COLOR: Color = 'blue';

export const otherColor = (color: Color): Color => (color === 'blue' ? 'green' : 'blue');

export const coloredName = (name: string, color: Color): string => `${name}-${color}`;

/** The colour a Service's selector picks, if it picks one. */
export function colorOfSelector(selector: unknown): Color | undefined {
  const value = isPlainObject(selector) ? selector[COLOR_LABEL] : undefined;
  return (COLORS as readonly unknown[]).includes(value) ? (value as Color) : undefined;
}

/** A Service selector without its colour: what selects both colours' pods. */
export function withoutColor(selector: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isPlainObject(selector)) for (const [k, v] of Object.entries(selector)) if (k !== COLOR_LABEL && typeof v === 'string') out[k] = v;
  return out;
}

/**
 * The manifests' Deployment as one colour: named `<name>-<colour>`, with the
 * colour label on the object, its pod template and its selector (so the two
 * colours' ReplicaSets never adopt each other's pods).
 */
export function colorDeployment(deployment: K8sObject, color: Color): K8sObject {
  const copy = clone(deployment);
  copy.metadata.name = coloredName(deployment.metadata.name!, color);
  copy.metadata.labels = { ...(copy.metadata.labels ?? {}), [COLOR_LABEL]: color };
  const spec = (copy.spec ?? {}) as { selector?: { matchLabels?: Record<string, string> }; template?: { metadata?: { labels?: Record<string, string> } } };
  spec.selector = { ...(spec.selector ?? {}), matchLabels: { ...(spec.selector?.matchLabels ?? {}), [COLOR_LABEL]: color } };
  spec.template = spec.template ?? {};
  spec.template.metadata = { ...(spec.template.metadata ?? {}), labels: { ...(spec.template.metadata?.labels ?? {}), [COLOR_LABEL]: color } };
  copy.spec = spec;
  return copy;
}
