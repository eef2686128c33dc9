import type { Plan } from './plan';

/** Every variable name a step of the plan (or a cleanup) declares as holding a secret it needs. */
export function declaredSecretEnv(plan: Plan): Set<string> {
  const names = new Set<string>();
  for (const step of plan.steps) {
    const run = step.kind === 'cleanup' ? step.action : step;
    if (run.kind === 'run') for (const name of run.secretEnv ?? []) names.add(name);
  }
  return names;
}

/**
 * What a command of the run inherits: this process's environment without the
 * variables that hold a secret of the run (by value, or by a name a step
 * declares secret), except the ones the command itself declares. Every
 * other variable (PATH, HOME, CI…) passes as it is.
 */
export class StepEnvironment {
  private readonly secretValues: Set<string>;

  constructor(
    secrets: Iterable<string | undefined>,
    private readonly secretNames: Set<string>,
    private readonly source: NodeJS.ProcessEnv = process.env,
  ) {
    this.secretValues = new Set([...secrets].filter((s): s is string => !!s).map((s) => s.trim()));
  }

  inherited(ownSecretEnv: readonly string[] = []): Record<string, string> {
    const own = new Set(ownSecretEnv);
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.source)) {
      if (value === undefined) continue;
      if (!own.has(name) && (this.secretNames.has(name) || this.secretValues.has(value.trim()))) continue;
      env[name] = value;
    }
    return env;
  }
}
