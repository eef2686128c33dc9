import { UserError } from '../errors';
import { isAbsent } from './value';

/**
 * The value of an option that must be given, after its validator ran:
 * `requiredOption('projectId', patternOption('projectId', raw.projectId, …), 'Give the project id')`.
 */
export function requiredOption<T>(option: string, value: T | undefined | null, fix: string): T {
  if (isAbsent(value)) throw new UserError(option, 'is required', fix);
  return value;
}
