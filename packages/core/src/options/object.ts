import { UserError } from '../errors';
import { isAbsent } from './value';

/** A JSON object (a map): not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An option that must be an object. `example` is its value as JSON, e.g.
 * `{"commit": "abc123"}`; `what` says what it holds ("a map of string values").
 */
export function plainObjectOption(option: string, value: unknown, rules: { example: string; what?: string; fix?: string }): Record<string, unknown> | undefined {
  if (isAbsent(value)) return undefined;
  if (!isPlainObject(value)) throw new UserError(option, `must be ${rules.what ?? 'an object'}`, rules.fix ?? `Example: "${option}": ${rules.example}`);
  return value;
}
