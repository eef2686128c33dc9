import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { integerOption, patternOption, UserError } from '@shipfleet/core';

/** The highest versionCode Google Play accepts. */
export const MAX_VERSION_CODE = 2_100_000_000;

/** CI run numbers, in the order they are tried: GitHub Actions, GitLab CI, Jenkins. */
export const CI_RUN_NUMBER_VARIABLES = ['GITHUB_RUN_NUMBER', 'CI_PIPELINE_IID', 'BUILD_NUMBER'] as const;

const VERSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;

/** package.json's version, else pubspec.yaml's `version:` before the `+build`. */
function projectVersion(root: string): { value: string; from: string } | undefined {
  const packageJson = join(root, 'package.json');
  if (existsSync(packageJson)) {
    try {
      const version = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown }).version;
      if (typeof version === 'string' && version) return { value: version, from: packageJson };
    } catch {
      // An unreadable package.json holds no version; the pubspec or the option may.
    }
  }
  const pubspec = join(root, 'pubspec.yaml');
  if (existsSync(pubspec)) {
    const m = /^version:\s*["']?([^\s"'#+]+)/m.exec(readFileSync(pubspec, 'utf8'));
    if (m) return { value: m[1], from: pubspec };
  }
  return undefined;
}

export function resolveVersionName(given: unknown, root: string): string {
  const option = patternOption('versionName', given, { pattern: VERSION_NAME, what: 'a version name (letters, digits, . _ + -, up to 100 characters)', example: '1.4.0' });
  if (option !== undefined) return option;
  const found = projectVersion(root);
  if (!found) throw new UserError('versionName', `is not given, and ${root} has no package.json or pubspec.yaml with a version`, 'Give "versionName", e.g. "1.4.0", or add a version to package.json');
  if (!VERSION_NAME.test(found.value)) throw new UserError('versionName', `the version ${JSON.stringify(found.value.slice(0, 40))} read from ${found.from} is not a version name (letters, digits, . _ + -)`, 'Give "versionName", or fix the version there');
  return found.value;
}

/**
 * The versionCode: the option, else the CI run number plus versionCodeOffset.
 * Play needs a new, higher code for every upload, from 1 to 2100000000.
 */
export function resolveVersionCode(given: unknown, offsetGiven: unknown, env: NodeJS.ProcessEnv): number {
  const range = { max: MAX_VERSION_CODE, fix: `Give a whole number from 1 to ${MAX_VERSION_CODE}, without quotes, higher than every version code uploaded before` };
  const code = integerOption('versionCode', given, { ...range, min: 1 });
  const offset = integerOption('versionCodeOffset', offsetGiven, { min: 0, max: MAX_VERSION_CODE - 1 }) ?? 0;
  if (code !== undefined) return code;
  const variable = CI_RUN_NUMBER_VARIABLES.find((name) => env[name] !== undefined && env[name] !== '');
  if (!variable) {
    throw new UserError('versionCode', `is not given, and none of ${CI_RUN_NUMBER_VARIABLES.join(', ')} is set to derive it from the CI run number`, 'Give "versionCode" (a whole number higher than the last upload), or build in CI; "versionCodeOffset" is added to the run number');
  }
  const run = env[variable]!;
  if (!/^\d{1,10}$/.test(run)) throw new UserError('versionCode', `${variable} is ${JSON.stringify(run.slice(0, 20))}, not a run number`, 'Give "versionCode" explicitly');
  const derived = Number(run) + offset;
  if (derived < 1 || derived > MAX_VERSION_CODE) {
    throw new UserError(offset ? 'versionCodeOffset' : 'versionCode', `${variable} (${run}) plus versionCodeOffset (${offset}) is ${derived}, outside 1 to ${MAX_VERSION_CODE}`, 'Give a smaller "versionCodeOffset" or an explicit "versionCode"');
  }
  return derived;
}
