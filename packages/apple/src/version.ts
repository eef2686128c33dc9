import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import semver from 'semver';
import { UserError } from '@shipfleet/core';

export interface ResolvedValue {
  value: string;
  /** Where it came from, for the plan and messages. */
  source: string;
}

/** CI run counters, in the order they are looked for. */
export const BUILD_NUMBER_ENV = ['GITHUB_RUN_NUMBER', 'CI_PIPELINE_IID', 'BUILD_NUMBER'] as const;

function checkMarketingVersion(value: string, where: string): string {
  const v = semver.valid(value);
  if (!v) throw new UserError('marketingVersion', `${where} "${value}" is not a semantic version (x.y.z)`, 'Use e.g. "1.4.0"');
  const parsed = semver.parse(v)!;
  if (parsed.prerelease.length || parsed.build.length) {
    throw new UserError('marketingVersion', `${where} "${value}" has a pre-release or build suffix`, 'App Store Connect takes the marketing version (CFBundleShortVersionString) as x.y.z only; put the build in buildNumber');
  }
  return v;
}

/** The marketing version: the option, else the project's package.json version, else none (the Xcode project's own stays). */
export function resolveMarketingVersion(raw: unknown, projectRoot: string): ResolvedValue | undefined {
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'string') throw new UserError('marketingVersion', `must be a string such as "1.4.0", got ${JSON.stringify(raw)}`, 'Quote it in the options');
    return { value: checkMarketingVersion(raw, 'value'), source: 'option marketingVersion' };
  }
  const pkgPath = join(projectRoot, 'package.json');
  if (!existsSync(pkgPath)) return undefined;
  let pkg: { version?: unknown };
  try {
    pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  } catch {
    throw new UserError('marketingVersion', `${pkgPath} is not valid JSON`, 'Fix package.json, or set marketingVersion');
  }
  if (pkg.version === undefined) return undefined;
  if (typeof pkg.version !== 'string') throw new UserError('marketingVersion', `"version" in ${pkgPath} is not a string`, 'Set "version": "1.4.0" there, or set marketingVersion');
  return { value: checkMarketingVersion(pkg.version, `version in ${pkgPath}`), source: pkgPath };
}

const BUILD_NUMBER = /^\d+(\.\d+){0,2}$/;

function checkBuildNumber(value: string, where: string): string {
  if (!BUILD_NUMBER.test(value)) {
    throw new UserError('buildNumber', `${where} "${value}" is not a build number`, 'Apple takes one to three period-separated integers (CFBundleVersion), e.g. 42 or 1.0.42');
  }
  return value;
}

/** The build number: the option, else the CI run number, else none. */
export function resolveBuildNumber(raw: unknown, env: NodeJS.ProcessEnv): ResolvedValue | undefined {
  if (raw !== undefined && raw !== null) {
    if (typeof raw === 'number') {
      if (!Number.isInteger(raw) || raw < 0) throw new UserError('buildNumber', `${raw} is not a build number`, 'Use a non-negative integer such as 42');
      return { value: String(raw), source: 'option buildNumber' };
    }
    if (typeof raw !== 'string') throw new UserError('buildNumber', `must be a number or string, got ${JSON.stringify(raw)}`, 'Use e.g. 42');
    return { value: checkBuildNumber(raw, 'value'), source: 'option buildNumber' };
  }
  for (const name of BUILD_NUMBER_ENV) {
    const v = env[name];
    if (v) return { value: checkBuildNumber(v, `${name}`), source: `$${name}` };
  }
  return undefined;
}
