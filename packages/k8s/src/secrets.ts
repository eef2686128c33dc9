import { isMaskable, MASK } from '@shipfleet/core';
import { clone, isPlainObject, K8sObject } from './types';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Replaces every value of a Secret's `data` and `stringData` with ***
 * (keys stay visible), and a Secret's last-applied-configuration annotation,
 * which repeats them. Returns masked copies plus the secret values to add to
 * the run's redactor: each stringData value, each data value as written
 * (base64) and decoded. Values shorter than MIN_SECRET_LENGTH are masked in
 * renderings but not added (the runner refuses secrets too short to mask).
 */
export function maskSecrets(objects: K8sObject[]): { objects: K8sObject[]; secrets: string[] } {
  const secrets = new Set<string>();
  const add = (v: string) => {
    if (isMaskable(v)) secrets.add(v);
  };
  const masked = objects.map((o) => {
    if (o.kind !== 'Secret') return o;
    const copy = clone(o);
    if (isPlainObject(copy.data)) {
      for (const key of Object.keys(copy.data)) {
        const value = copy.data[key];
        if (typeof value === 'string') {
          add(value);
          const decoded = Buffer.from(value, 'base64').toString('utf8');
          // Binary content does not survive utf8 decoding as the same text; the base64 form is masked either way.
          if (!decoded.includes('\uFFFD')) add(decoded);
        }
        copy.data[key] = MASK;
      }
    }
    if (isPlainObject(copy.stringData)) {
      for (const key of Object.keys(copy.stringData)) {
        const value = copy.stringData[key];
        if (typeof value === 'string') add(value);
        else if (value !== null && value !== undefined) add(String(value));
        copy.stringData[key] = MASK;
      }
    }
    const annotations = copy.metadata?.annotations;
    if (annotations && LAST_APPLIED in annotations) annotations[LAST_APPLIED] = MASK;
    return copy;
  });
  return { objects: masked, secrets: [...secrets] };
}
