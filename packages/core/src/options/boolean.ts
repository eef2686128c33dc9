import { UserError } from '../errors';
import { isAbsent, showValue } from './value';

/** true or false (not "true", not 1). */
export function booleanOption(option: string, value: unknown, rules: { fix?: string } = {}): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'boolean') throw new UserError(option, `must be true or false, got ${showValue(value)}`, rules.fix ?? `Write "${option}": true or "${option}": false, without quotes`);
  return value;
}
