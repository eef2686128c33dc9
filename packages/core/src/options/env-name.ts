import { UserError } from '../errors';
import { isAbsent, showValue } from './value';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

/**
 * The NAME of an environment variable (letters, digits, _). Secrets are passed
 * by the name of the variable that holds them, never by value. `what` is what
 * the variable holds: "the Vercel token".
 */
export function envNameOption(option: string, value: unknown, rules: { what?: string } = {}): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string' || !isEnvName(value)) {
    throw new UserError(option, `${showValue(value)} is not an environment variable name`, `Give the NAME of the variable that holds ${rules.what ?? 'the secret'} (letters, digits, _), never the secret itself`);
  }
  return value;
}
