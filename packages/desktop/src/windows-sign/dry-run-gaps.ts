import { envNameOption, Secret, secretFromEnv, SecretRules, UserError } from '@shipfleet/core';

/**
 * What a dry run goes on without (a credential not set, a file not built
 * yet): the plan shows a placeholder and a warning says what a real run
 * would stop on. A real run throws the same error before anything runs.
 */
export class DryRunGaps {
  readonly errors: UserError[] = [];

  constructor(
    readonly dryRun: boolean,
    private readonly warn: (message: string) => void,
  ) {}

  fill(error: UserError, placeholder: string): string {
    if (!this.dryRun) throw error;
    this.errors.push(error);
    this.warn(`Dry run: ${error.message}. The plan shows ${placeholder}; a real run stops here.`);
    return placeholder;
  }
}

export const unsetEnv = (name: string): string => `<$${name} not set>`;
export const unsetOption = (option: string): string => `<${option} not set>`;

export type MaybeSecret = { secret: Secret } | { missing: string };

/** secretFromEnv, except that a variable not set is a gap in a dry run. A bad name, or a value too short or not base64, fails every run. */
export function secretOrGap(option: string, name: unknown, rules: SecretRules, gaps: DryRunGaps): MaybeSecret | undefined {
  const envName = envNameOption(option, name, { what: rules.what });
  if (envName === undefined) return undefined;
  const value = (rules.env ?? process.env)[envName];
  if ((value === undefined || value === '') && gaps.dryRun) {
    return { missing: gaps.fill(new UserError(option, `environment variable ${envName} is not set`, `Set ${envName} to ${rules.what ?? 'the secret'} in the environment of this run`), unsetEnv(envName)) };
  }
  return { secret: secretFromEnv(option, envName, rules)! };
}
