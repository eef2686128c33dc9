import { existsSync, realpathSync, statSync } from 'fs';
import { homedir, tmpdir } from 'os';
import { isAbsolute, resolve } from 'path';
import { randomBytes } from 'crypto';
import { isEnvName, UserError } from '@shipfleet/core';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const abs = (p: string, base: string): string => (isAbsolute(p) ? p : resolve(base, p));

export const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();
export const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/** A string option: undefined when absent, a UserError when present but not a non-empty string. */
export function stringOption(raw: unknown, option: string, fix: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' || raw.trim() === '') throw new UserError(option, `must be a non-empty string, got ${JSON.stringify(raw)}`, fix);
  return raw;
}

export function booleanOption(raw: unknown, option: string, fallback: boolean): boolean {
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw !== 'boolean') throw new UserError(option, `must be true or false, got ${JSON.stringify(raw)}`, `Use "${option}": ${fallback}`);
  return raw;
}

export function oneOf<T extends string>(raw: unknown, option: string, allowed: readonly T[], fallback: T, fix?: string): T {
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw !== 'string' || !allowed.includes(raw as T)) {
    throw new UserError(option, `"${String(raw)}" is not one of ${allowed.join(', ')}`, fix ?? `Use one of ${allowed.join(', ')} (default ${fallback})`);
  }
  return raw as T;
}

export function secondsOption(raw: unknown, option: string): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw <= 0) {
    throw new UserError(option, `${JSON.stringify(raw)} is not a positive number of seconds`, 'Leave it out for no limit, or give e.g. 3600');
  }
  return raw;
}

/**
 * The value of the environment variable an option names. Secrets are passed
 * by the NAME of the variable that holds them, never by value.
 */
export function envOption(option: string, name: unknown, env: NodeJS.ProcessEnv, what: string): string {
  if (typeof name !== 'string' || !isEnvName(name)) {
    throw new UserError(option, `${JSON.stringify(name)} is not an environment variable name`, `Give the NAME of the variable that holds ${what} (letters, digits, _), never the value itself`);
  }
  const value = env[name];
  if (value === undefined || value === '') throw new UserError(option, `environment variable ${name} is not set`, `Set ${name} to ${what} in the environment of this run (for example from your CI secret store)`);
  return value;
}

/** Where private temporary folders go: the CI job's own temp folder when there is one. */
export function tempBase(env: NodeJS.ProcessEnv): string {
  return env.RUNNER_TEMP || env.TMPDIR || tmpdir();
}

export function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

export function randomName(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** A random password for a keychain that lives only as long as the run. */
export function randomPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** Same file, also when one form goes through /private (macOS prints /private/var for /var). */
export function samePath(a: string, b: string): boolean {
  const norm = (p: string) => {
    let r = p;
    try {
      r = realpathSync(p);
    } catch {
      /* not on disk: compare as written */
    }
    return r.replace(/^\/private(?=\/(var|tmp|etc)\/)/, '');
  };
  return a === b || norm(a) === norm(b);
}

export function firstLine(text: string): string {
  return (text.split('\n').map((l) => l.trim()).find(Boolean) ?? '').slice(0, 300);
}

