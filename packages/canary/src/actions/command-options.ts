// The options of a command action: argv lists with {{weight}}, where and with what they run.
import { deprecatedOption, isEnvName, isPlainObject, pathOption, showValue, UserError } from '@shipfleet/core';
import { positiveDuration } from '../option-values';
import { ActionParseContext, TrafficActionType } from './action-type';
import { CommandAction, CommandActionSpec } from './command';

export const COMMAND_ACTION_DEFAULTS = { timeout: '60s' } as const;

const WEIGHT = /\{\{\s*weight\s*\}\}/;
const ARGV_EXAMPLE = '["kubectl", "annotate", "--overwrite", "ingress/web-canary", "nginx.ingress.kubernetes.io/canary-weight={{weight}}"] (no shell: one argument per element)';

function argvOption(option: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.length || !value.every((x) => typeof x === 'string') || !value[0]) {
    throw new UserError(option, 'must be a command as a list of arguments', `Example: ${ARGV_EXAMPLE}`);
  }
  for (const arg of value as string[]) {
    const rest = arg.replace(new RegExp(WEIGHT, 'g'), '');
    if (rest.includes('{{') || rest.includes('}}')) throw new UserError(option, `${showValue(arg)} has a placeholder other than {{weight}}`, 'Only {{weight}} (the percentage, 0–100) is filled in');
  }
  return value as string[];
}

function envVarsOption(a: Record<string, unknown>, warn: (message: string) => void): Record<string, string> {
  // Written with the full option names so the warning and errors name them.
  const named = deprecatedOption({ 'action.env': a.env, 'action.envVars': a.envVars }, 'action.env', 'action.envVars', warn);
  const vars = named['action.envVars'] ?? {};
  if (!isPlainObject(vars) || !Object.entries(vars).every(([k, v]) => isEnvName(k) && typeof v === 'string')) {
    throw new UserError('action.envVars', 'must be a map of variable names to string values', 'Example: {"KUBECONFIG": "/etc/kube/config"}');
  }
  return vars as Record<string, string>;
}

function parseCommandAction(a: Record<string, unknown>, ctx: ActionParseContext): CommandActionSpec {
  const setWeight = argvOption('action.setWeight', a.setWeight);
  if (!setWeight) throw new UserError('action.setWeight', 'must be a command as a list of arguments', `Example: ${ARGV_EXAMPLE}`);
  if (!setWeight.some((arg) => WEIGHT.test(arg))) {
    throw new UserError('action.setWeight', 'never uses {{weight}}', 'Put {{weight}} where the command takes the percentage, e.g. ["./set-weight.sh", "{{weight}}"]');
  }
  const cwd = pathOption('action.cwd', a.cwd, { workspaceRoot: ctx.workspaceRoot, projectRoot: ctx.projectRoot, warn: ctx.warn });
  return {
    type: 'command',
    setWeight,
    promote: argvOption('action.promote', a.promote),
    rollback: argvOption('action.rollback', a.rollback),
    cwd: cwd ?? ctx.projectRoot,
    env: envVarsOption(a, ctx.warn),
    timeoutMs: positiveDuration('action.timeout', a.timeout, COMMAND_ACTION_DEFAULTS.timeout, '60s'),
  };
}

/** Commands run through the plan's runner, {{weight}} filled in. */
export const commandActionType: TrafficActionType<CommandActionSpec> = {
  type: 'command',
  example: '{"type": "command", "setWeight": ["./set-weight.sh", "{{weight}}"]}',
  parse: parseCommandAction,
  create: (spec) => ({ action: new CommandAction(spec), secrets: [] }),
};
