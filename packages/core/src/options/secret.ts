import { readFileSync, statSync } from 'fs';
import { UserError } from '../errors';
import { MIN_SECRET_LENGTH } from '../secret-forms';
import { envNameOption } from './env-name';
import { isAbsent } from './value';

/**
 * How a secret is stored: `raw` as it is; `base64` must decode cleanly;
 * `auto` decodes when the value is clean base64 and keeps it as it is
 * otherwise (right for "a PEM file or its base64"; wrong for passwords, which
 * can happen to be valid base64).
 */
export type SecretDecoding = 'raw' | 'base64' | 'auto';

export interface Secret {
  /** The secret after decoding. */
  bytes: Buffer;
  /** `bytes` as UTF-8 text. */
  text: string;
  /** Whether base64 was decoded. */
  decoded: boolean;
  /** Every text form to mask in output (raw and decoded): pass them to runPlan's `secrets`. */
  mask: string[];
  /** Where it came from, safe to show: "$VERCEL_TOKEN" or a file path. */
  source: string;
}

export interface SecretRules {
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default raw. */
  decode?: SecretDecoding;
  /** What the secret is, for fixes: "the Vercel token" (default "the secret"). */
  what?: string;
}

const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}[\r\n]*$/;
const BASE64URL = /^[A-Za-z0-9\-_\r\n]+={0,2}[\r\n]*$/;

/** The bytes of clean base64 or base64url (line breaks allowed), or undefined when `value` is not that. */
export function decodeBase64Strict(value: string): Buffer | undefined {
  const trimmed = value.trim();
  const url = !BASE64.test(trimmed);
  if (url && !BASE64URL.test(trimmed)) return undefined;
  const compact = trimmed.replace(/[\r\n]/g, '');
  const unpadded = compact.replace(/=+$/, '');
  if (unpadded.length % 4 === 1 || (compact !== unpadded && compact.length % 4 !== 0)) return undefined;
  const bytes = Buffer.from(unpadded, url ? 'base64url' : 'base64');
  if (!bytes.length || bytes.toString(url ? 'base64url' : 'base64').replace(/=+$/, '') !== unpadded) return undefined;
  return bytes;
}

function asText(bytes: Buffer): string | undefined {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}

/** Whether a secret is long enough to be masked reliably: MIN_SECRET_LENGTH characters or more, surrounding whitespace aside. */
export function isMaskable(text: string): boolean {
  return text.trim().length >= MIN_SECRET_LENGTH;
}

function tooShort(option: string, subject: string, rules: SecretRules): UserError {
  return new UserError(option, `${subject} fewer than ${MIN_SECRET_LENGTH} characters, too few to mask reliably in output`, `Use a secret of at least ${MIN_SECRET_LENGTH} characters for ${rules.what ?? 'this option'}`);
}

function decode(option: string, stored: Buffer, source: string, rules: SecretRules): Secret {
  const storedText = asText(stored);
  const decoding = rules.decode ?? 'raw';
  const bytes = decoding === 'raw' || storedText === undefined ? undefined : decodeBase64Strict(storedText);
  if (decoding === 'base64' && !bytes) {
    throw new UserError(option, `${source} is not base64`, `Store the base64 of ${rules.what ?? 'the secret'} in ${source}, e.g. the output of \`base64 < file | tr -d '\\n'\``);
  }
  const decodedText = bytes ? asText(bytes) : undefined;
  // Binary content has no text form to mask, so no length to check.
  if (storedText !== undefined && !isMaskable(storedText)) throw tooShort(option, `${source} holds`, rules);
  if (decodedText !== undefined && !isMaskable(decodedText)) throw tooShort(option, `${source} decodes to`, rules);
  const value = bytes ?? stored;
  const mask = [storedText, decodedText].filter((s): s is string => !!s);
  return { bytes: value, text: value.toString('utf8'), decoded: !!bytes, mask: [...new Set(mask)], source };
}

/**
 * The secret held by the environment variable an option names: the name must
 * be valid and the variable set, with at least MIN_SECRET_LENGTH characters
 * (also once decoded). Messages name the variable, never its value.
 */
export function secretFromEnv(option: string, name: unknown, rules: SecretRules = {}): Secret | undefined {
  const envName = envNameOption(option, name, { what: rules.what });
  if (envName === undefined) return undefined;
  const value = (rules.env ?? process.env)[envName];
  if (value === undefined || value === '') {
    throw new UserError(option, `environment variable ${envName} is not set`, `Set ${envName} to ${rules.what ?? 'the secret'} in the environment of this run (for example from your CI secret store)`);
  }
  return decode(option, Buffer.from(value, 'utf8'), `$${envName}`, rules);
}

/**
 * The secret held by a file (an absolute path: resolve it with pathOption
 * first); text needs at least MIN_SECRET_LENGTH characters. Messages name the
 * file, never its content.
 */
export function secretFromFile(option: string, path: string | undefined, rules: Omit<SecretRules, 'env'> = {}): Secret | undefined {
  if (isAbsent(path)) return undefined;
  let content: Buffer;
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    content = readFileSync(path);
  } catch {
    throw new UserError(option, `${path} is not a readable file`, `Point "${option}" at the file that holds ${rules.what ?? 'the secret'}`);
  }
  if (!content.length) throw new UserError(option, `${path} is empty`, `Put ${rules.what ?? 'the secret'} in ${path}`);
  return decode(option, content, path, rules);
}
