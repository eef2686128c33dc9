import { UserError } from '../errors';
import { isAbsent, showValue } from './value';

/** One of a fixed list of strings; the message lists them. */
export function oneOfOption<T extends string>(option: string, value: unknown, allowed: readonly T[], rules: { fix?: string } = {}): T | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new UserError(option, `${showValue(value)} is not one of ${allowed.join(', ')}`, rules.fix ?? `Use one of ${allowed.join(', ')}`);
  }
  return value as T;
}
