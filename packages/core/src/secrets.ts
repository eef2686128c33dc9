import { UserError } from './errors';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads the secret values named by env var names (an option such as
 * `secretEnv`). A name that is malformed or unset is a UserError naming the option.
 */
export function secretsFromEnv(option: string, names: string[] | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (names === undefined) return [];
  if (!Array.isArray(names)) throw new UserError(option, 'must be a list of environment variable names', `Example: "${option}": ["MATCH_PASSWORD"]`);
  return names.map((name) => {
    if (typeof name !== 'string' || !ENV_NAME.test(name)) {
      throw new UserError(option, `"${String(name)}" is not an environment variable name`, 'Give the NAME of the variable that holds the secret (letters, digits, _), never the secret itself');
    }
    const value = env[name];
    if (value === undefined || value === '') {
      throw new UserError(option, `environment variable ${name} is not set`, `Set ${name} in the environment of this run (for example from your CI secret store)`);
    }
    return value;
  });
}

export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}
