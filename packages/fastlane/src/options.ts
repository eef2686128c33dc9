import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import {
  deprecatedOption,
  durationOption,
  envNameOption,
  isEnvName,
  isPlainObject,
  oneOfOption,
  pathOption,
  plainObjectOption,
  stringListOption,
  UserError,
} from '@shipfleet/core';
import { importsOtherFiles, parseFastfileLanes } from './fastfile';

export interface FastlaneLaneOptions {
  lane: string;
  platform?: 'ios' | 'android';
  /** Passed to the lane as key:value arguments. */
  options?: Record<string, string | number | boolean>;
  /** Environment variables for fastlane (not secrets). */
  envVars?: Record<string, string>;
  /** @deprecated the old name of envVars. */
  env?: Record<string, string>;
  /** Names of env vars whose values are secrets (masked in all output). */
  secretEnv?: string[];
  /** Folder fastlane runs in, relative to the workspace root; default the project root. */
  cwd?: string;
  /** auto: `bundle exec fastlane` when a Gemfile is present. */
  bundler?: 'auto' | 'always' | 'never';
  /** Stop fastlane after this long: "45m", "1h30m", or a number of seconds. */
  timeout?: string | number;
  /** @deprecated the old name of timeout (seconds). */
  timeoutSeconds?: number;
}

export interface NormalizedFastlaneOptions {
  lane: string;
  platform?: 'ios' | 'android';
  options: Record<string, string | number | boolean>;
  envVars: Record<string, string>;
  secretEnv: string[];
  cwd: string;
  bundler: 'auto' | 'always' | 'never';
  /** No limit when undefined. */
  timeoutMs?: number;
  /** The folder holding the Fastfile, where fastlane writes report.xml. */
  fastlaneDir: string;
  useBundler: boolean;
}

/** Where the options are read: `cwd` is relative to the workspace root (default: the project root itself). */
export interface FastlaneOptionsContext {
  workspaceRoot?: string;
  /** Told about renamed options and paths read the old way. */
  warn?: (message: string) => void;
}

/** What fastlane-lane uses for an option left out; its schema.json states the same defaults. */
export const FASTLANE_LANE_DEFAULTS = {
  bundler: 'auto',
} as const;

const LANE = /^[a-z_][a-zA-Z0-9_]*$/;
const OPTION_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BUNDLER = ['auto', 'always', 'never'] as const;

function renamed(raw: Partial<FastlaneLaneOptions>, warn: (message: string) => void): Partial<FastlaneLaneOptions> {
  // `env` is the deploy environment everywhere else: a plain word there is that, not variables.
  if (raw.env !== undefined && raw.env !== null && !isPlainObject(raw.env)) {
    throw new UserError('env', `${JSON.stringify(raw.env)} is not a map of environment variables (fastlane-lane takes no deploy environment)`, 'Give variables for fastlane in "envVars", e.g. "envVars": {"FASTLANE_XCODEBUILD_SETTINGS_TIMEOUT": "120"}');
  }
  return deprecatedOption(deprecatedOption(raw, 'env', 'envVars', warn), 'timeoutSeconds', 'timeout', warn);
}

function laneOptions(value: unknown): Record<string, string | number | boolean> {
  const options = plainObjectOption('options', value, { what: 'a map of lane options', example: '{"build_number": "42"}' }) ?? {};
  for (const [key, v] of Object.entries(options)) {
    if (!OPTION_KEY.test(key)) throw new UserError('options', `key "${key}" is not a valid lane option name`, 'Use letters, digits and _ (it becomes key:value on fastlane\'s command line)');
    if (!['string', 'number', 'boolean'].includes(typeof v)) throw new UserError('options', `value of "${key}" must be a string, number or boolean`, 'fastlane receives lane options as key:value text');
  }
  return options as Record<string, string | number | boolean>;
}

function envVars(value: unknown): Record<string, string> {
  const vars = plainObjectOption('envVars', value, { what: 'a map of environment variables', example: '{"FASTLANE_XCODEBUILD_SETTINGS_TIMEOUT": "120"}' }) ?? {};
  for (const [key, v] of Object.entries(vars)) {
    if (!isEnvName(key)) throw new UserError('envVars', `"${key}" is not an environment variable name`, 'Use letters, digits and _');
    if (typeof v !== 'string') throw new UserError('envVars', `value of ${key} must be a string`, 'Quote it in the options');
  }
  return vars as Record<string, string>;
}

function secretEnvNames(value: unknown): string[] {
  const names = stringListOption('secretEnv', value, { items: 'environment variable names', example: 'MATCH_PASSWORD', what: 'an environment variable name' }) ?? [];
  return names.map((name) => envNameOption('secretEnv', name, { what: 'a secret for the lane' })!);
}

/**
 * Validates fastlane-lane options against the project on disk; each problem
 * is a UserError naming the option.
 */
export function normalizeFastlaneOptions(given: Partial<FastlaneLaneOptions>, projectRoot: string, context: FastlaneOptionsContext = {}): NormalizedFastlaneOptions {
  const warn = context.warn ?? (() => undefined);
  const raw = renamed(given, warn);
  const { lane } = raw;
  if (lane === undefined || lane === '') throw new UserError('lane', 'is required', 'Pass the lane to run, e.g. --lane=beta');
  if (typeof lane !== 'string' || !LANE.test(lane)) {
    throw new UserError('lane', `"${String(lane)}" is not a fastlane lane name`, 'Use the name as declared in the Fastfile (lane :beta do → --lane=beta), without platform prefix or colon');
  }
  if (raw.platform !== undefined && raw.platform !== 'ios' && raw.platform !== 'android') {
    throw new UserError('platform', `"${String(raw.platform)}" is not supported`, 'Use "ios" or "android", or leave it out to use the Fastfile\'s default_platform');
  }
  const bundler = oneOfOption('bundler', raw.bundler, BUNDLER, { fix: 'Use auto (bundle exec when a Gemfile is present), always or never' }) ?? FASTLANE_LANE_DEFAULTS.bundler;
  const options = laneOptions(raw.options);
  const vars = envVars(raw.envVars);
  const secretEnv = secretEnvNames(raw.secretEnv);
  const timeoutMs = durationOption('timeout', raw.timeout, { min: 1000, example: '45m' });

  const cwd =
    pathOption('cwd', raw.cwd, {
      workspaceRoot: context.workspaceRoot ?? projectRoot,
      projectRoot,
      mustExist: 'dir',
      warn,
      fix: 'Point it at the folder that contains fastlane/Fastfile, relative to the workspace root (default: the project root)',
    }) ?? projectRoot;
  const fastlaneDir = existsSync(join(cwd, 'fastlane', 'Fastfile')) ? join(cwd, 'fastlane') : existsSync(join(cwd, 'Fastfile')) ? cwd : undefined;
  if (!fastlaneDir) throw new UserError('cwd', `no fastlane/Fastfile in ${cwd}`, 'Run `fastlane init` in the project, or set cwd to the folder that holds fastlane/Fastfile');

  const fastfile = readFileSync(join(fastlaneDir, 'Fastfile'), 'utf8');
  const declared = parseFastfileLanes(fastfile);
  const matching = declared.filter((l) => l.name === lane && (!raw.platform || !l.platform || l.platform === raw.platform));
  if (!matching.length && !importsOtherFiles(fastfile)) {
    const names = declared.filter((l) => !l.private).map((l) => (l.platform ? `${l.platform} ${l.name}` : l.name));
    throw new UserError('lane', `"${raw.platform ? raw.platform + ' ' : ''}${lane}" is not declared in ${join(fastlaneDir, 'Fastfile')}`, names.length ? `Lanes declared there: ${names.join(', ')}` : 'Declare it with `lane :name do … end`');
  }
  if (matching.length && matching.every((l) => l.private)) throw new UserError('lane', `"${lane}" is a private_lane`, 'fastlane cannot run a private lane directly; call it from a public lane');

  const useBundler = bundler === 'always' || (bundler === 'auto' && existsSync(join(cwd, 'Gemfile')));
  return { lane, platform: raw.platform, options, envVars: vars, secretEnv, cwd, bundler, fastlaneDir, useBundler, timeoutMs };
}
