import { UserError } from './errors';
import { secretFromEnv } from './options/secret';

/**
 * Reads the secret values named by env var names (an option such as
 * `secretEnv`). A name that is malformed or unset is a UserError naming the option.
 */
export function secretsFromEnv(option: string, names: string[] | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (names === undefined) return [];
  if (!Array.isArray(names)) throw new UserError(option, 'must be a list of environment variable names', `Example: "${option}": ["MATCH_PASSWORD"]`);
  // An item left empty is a bad name, not an absent option.
  return names.map((name) => secretFromEnv(option, name ?? '', { env })!.text);
}
