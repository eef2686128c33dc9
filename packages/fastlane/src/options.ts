import { existsSync, readFileSync, statSync } from 'fs';
import { isAbsolute, join, resolve } from 'path';
import { isEnvName, UserError } from '@shipfleet/core';
import { importsOtherFiles, parseFastfileLanes } from './fastfile';

export interface FastlaneLaneOptions {
  lane: string;
  platform?: 'ios' | 'android';
  /** Passed to the lane as key:value arguments. */
  options?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
  /** Names of env vars whose values are secrets (masked in all output). */
  secretEnv?: string[];
  /** Directory fastlane runs in; default the project root. */
  cwd?: string;
  /** auto: `bundle exec fastlane` when a Gemfile is present. */
  bundler?: 'auto' | 'always' | 'never';
  timeoutSeconds?: number;
}

export interface NormalizedFastlaneOptions extends Required<Omit<FastlaneLaneOptions, 'platform' | 'timeoutSeconds'>> {
  platform?: 'ios' | 'android';
  timeoutSeconds?: number;
  /** The folder holding the Fastfile, where fastlane writes report.xml. */
  fastlaneDir: string;
  useBundler: boolean;
}

/** What fastlane-lane uses for an option left out; its schema.json states the same defaults. */
export const FASTLANE_LANE_DEFAULTS = {
  bundler: 'auto',
} as const;

const LANE = /^[a-z_][a-zA-Z0-9_]*$/;
const OPTION_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates fastlane-lane options against the project on disk; each problem is a UserError naming the option. */
export function normalizeFastlaneOptions(raw: Partial<FastlaneLaneOptions>, projectRoot: string): NormalizedFastlaneOptions {
  const { lane } = raw;
  if (lane === undefined || lane === '') throw new UserError('lane', 'is required', 'Pass the lane to run, e.g. --lane=beta');
  if (typeof lane !== 'string' || !LANE.test(lane)) {
    throw new UserError('lane', `"${String(lane)}" is not a fastlane lane name`, 'Use the name as declared in the Fastfile (lane :beta do → --lane=beta), without platform prefix or colon');
  }
  if (raw.platform !== undefined && raw.platform !== 'ios' && raw.platform !== 'android') {
    throw new UserError('platform', `"${String(raw.platform)}" is not supported`, 'Use "ios" or "android", or leave it out to use the Fastfile\'s default_platform');
  }
  const bundler = raw.bundler ?? FASTLANE_LANE_DEFAULTS.bundler;
  if (!['auto', 'always', 'never'].includes(bundler)) throw new UserError('bundler', `"${String(bundler)}" is not one of auto, always, never`, 'Use auto (bundle exec when a Gemfile is present), always or never');

  const options = raw.options ?? {};
  if (!isPlainObject(options)) throw new UserError('options', 'must be a map of lane options', 'Example: "options": {"build_number": "42"}');
  for (const [key, value] of Object.entries(options)) {
    if (!OPTION_KEY.test(key)) throw new UserError('options', `key "${key}" is not a valid lane option name`, 'Use letters, digits and _ (it becomes key:value on fastlane\'s command line)');
    if (!['string', 'number', 'boolean'].includes(typeof value)) throw new UserError('options', `value of "${key}" must be a string, number or boolean`, 'fastlane receives lane options as key:value text');
  }
  const env = raw.env ?? {};
  if (!isPlainObject(env)) throw new UserError('env', 'must be a map of environment variables', 'Example: "env": {"FASTLANE_XCODEBUILD_SETTINGS_TIMEOUT": "120"}');
  for (const [key, value] of Object.entries(env)) {
    if (!isEnvName(key)) throw new UserError('env', `"${key}" is not an environment variable name`, 'Use letters, digits and _');
    if (typeof value !== 'string') throw new UserError('env', `value of ${key} must be a string`, 'Quote it in the options');
  }
  const secretEnv = raw.secretEnv ?? [];
  if (!Array.isArray(secretEnv)) throw new UserError('secretEnv', 'must be a list of environment variable names', 'Example: "secretEnv": ["MATCH_PASSWORD"]');

  if (raw.timeoutSeconds !== undefined && !(typeof raw.timeoutSeconds === 'number' && raw.timeoutSeconds > 0)) {
    throw new UserError('timeoutSeconds', `${String(raw.timeoutSeconds)} is not a positive number of seconds`, 'Leave it out for no limit, or give e.g. 3600');
  }

  const cwd = raw.cwd ? (isAbsolute(raw.cwd) ? raw.cwd : resolve(projectRoot, raw.cwd)) : projectRoot;
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new UserError('cwd', `${cwd} is not a directory`, 'Point it at the folder that contains fastlane/Fastfile (default: the project root)');
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
  return { lane, platform: raw.platform, options: options as NormalizedFastlaneOptions['options'], env, secretEnv, cwd, bundler, fastlaneDir, useBundler, timeoutSeconds: raw.timeoutSeconds };
}
