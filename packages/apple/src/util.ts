import { existsSync, realpathSync, statSync } from 'fs';
import { homedir, tmpdir } from 'os';
import { randomBytes } from 'crypto';
import { patternOption } from '@shipfleet/core';

export const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();
export const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/** A string option: undefined when absent, a UserError when present but not a non-empty string. */
export function stringOption(raw: unknown, option: string, fix: string): string | undefined {
  return patternOption(option, raw, { pattern: /\S/, what: 'a non-empty string', example: '', fix });
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

