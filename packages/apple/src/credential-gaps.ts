import { envNameOption, Secret, secretFromEnv, SecretRules, UserError } from '@shipfleet/core';

/** A credential a dry run went on without. */
export interface CredentialGap {
  option: string;
  /** What the plan shows in its place, e.g. `<$ASC_API_KEY not set>`. */
  placeholder: string;
  /** The error a real run stops with. */
  error: UserError;
}

/**
 * Credentials missing from a run: an option left out, or the environment
 * variable an option names not set. A dry run is how people learn what a
 * target does, so it goes on with a placeholder in the plan and a warning; a
 * real run stops with the same error before anything runs.
 */
export class CredentialGaps {
  readonly gaps: CredentialGap[] = [];

  constructor(
    readonly dryRun: boolean = false,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** In a dry run, the placeholder (recorded and warned about); in a real run, `error` is thrown. */
  fill(error: UserError, placeholder: string): string {
    if (!this.dryRun) throw error;
    this.gaps.push({ option: error.option, placeholder, error });
    this.warn(`Dry run without a credential: ${error.message}. The plan shows ${placeholder}; a real run stops here.`);
    return placeholder;
  }
}

/** What the plan shows for an environment variable that is not set. */
export const unsetEnv = (name: string): string => `<$${name} not set>`;
/** What the plan shows for an option left out. */
export const unsetOption = (option: string): string => `<${option} not set>`;

/** A secret a dry run goes on without: only its placeholder is known. */
export interface MissingSecret {
  missing: string;
}

export function isMissing<T extends object>(value: T | MissingSecret | undefined): value is MissingSecret {
  return value !== undefined && 'missing' in value;
}

/**
 * secretFromEnv, except that a variable not set is a gap (see CredentialGaps)
 * rather than an error in a dry run. A bad name, a value too short or not
 * base64 are errors in every run.
 */
export function secretFromEnvOrGap(option: string, name: unknown, rules: SecretRules, gaps: CredentialGaps): Secret | MissingSecret | undefined {
  const envName = envNameOption(option, name, { what: rules.what });
  if (envName === undefined) return undefined;
  try {
    return secretFromEnv(option, envName, rules);
  } catch (err) {
    const value = (rules.env ?? process.env)[envName];
    if (!(err instanceof UserError) || (value !== undefined && value !== '')) throw err;
    return { missing: gaps.fill(err, unsetEnv(envName)) };
  }
}
