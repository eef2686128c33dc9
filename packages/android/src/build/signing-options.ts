import { envNameOption, isAbsent, pathOption, patternOption, secretFromEnv, UserError } from '@shipfleet/core';

/** A password read from an environment variable: the variable's name (for tools that read it themselves) and its value. */
export interface PasswordFromEnv {
  env: string;
  value: string;
}

/** The upload key: where the keystore is, its alias and passwords. */
export interface ResolvedSigning {
  /** A keystore file given by path, or the bytes decoded from keystoreEnv (written to a private temp folder at run time). */
  keystore: { path: string } | { bytes: Buffer; source: string };
  alias: string;
  storePassword: PasswordFromEnv;
  /** The key's password; the store password when keyPasswordEnv is not given. */
  keyPassword: PasswordFromEnv;
  /** Every secret text to mask: the passwords and the keystore's base64. */
  secrets: string[];
}

export interface SigningGiven {
  keystore?: unknown;
  keystoreEnv?: unknown;
  keystorePasswordEnv?: unknown;
  keyAlias?: unknown;
  keyAliasEnv?: unknown;
  keyPasswordEnv?: unknown;
}

/**
 * The variables the project's CI secrets use (the Android platform lists them): with none of
 * keystore/keystoreEnv given and ANDROID_KEYSTORE_BASE64 set, the build signs from these.
 */
export const DEFAULT_SIGNING_VARIABLES = {
  keystoreEnv: 'ANDROID_KEYSTORE_BASE64',
  keystorePasswordEnv: 'ANDROID_KEYSTORE_PASSWORD',
  keyAliasEnv: 'ANDROID_KEY_ALIAS',
  keyPasswordEnv: 'ANDROID_KEY_PASSWORD',
} as const;

const ALIAS = /^[^\s\u0000-\u001f](?:[^\u0000-\u001f]{0,98}[^\s\u0000-\u001f])?$/;
const SIGNING_NAMES = ['keystorePasswordEnv', 'keyAlias', 'keyAliasEnv', 'keyPasswordEnv'] as const;

/** JKS files start with FEEDFEED; PKCS12 ones are a DER SEQUENCE (0x30). */
function looksLikeKeystore(bytes: Buffer): boolean {
  return (bytes.length > 4 && bytes.readUInt32BE(0) === 0xfeedfeed) || (bytes.length > 32 && bytes[0] === 0x30);
}

function password(option: string, name: unknown, env: NodeJS.ProcessEnv, what: string): PasswordFromEnv {
  const secret = secretFromEnv(option, name, { env, what })!;
  return { env: name as string, value: secret.text };
}

/**
 * The signing options: none (an unsigned build), or a keystore (keystore or
 * keystoreEnv, else the default variables when ANDROID_KEYSTORE_BASE64 is set),
 * its password's variable and the key alias. Passwords are only
 * ever read from variables; messages name the variables, never the values.
 */
/** The options with the default variables filled in, when no keystore is given and ANDROID_KEYSTORE_BASE64 is set. */
function withDefaultVariables(given: SigningGiven, env: NodeJS.ProcessEnv, warn: (m: string) => void): SigningGiven {
  const d = DEFAULT_SIGNING_VARIABLES;
  if (!isAbsent(given.keystore) || !isAbsent(given.keystoreEnv) || !env[d.keystoreEnv]) return given;
  const filled: SigningGiven = {
    ...given,
    keystoreEnv: d.keystoreEnv,
    keystorePasswordEnv: given.keystorePasswordEnv ?? d.keystorePasswordEnv,
    ...(isAbsent(given.keyAlias) && isAbsent(given.keyAliasEnv) ? { keyAliasEnv: d.keyAliasEnv } : {}),
    ...(isAbsent(given.keyPasswordEnv) && env[d.keyPasswordEnv] ? { keyPasswordEnv: d.keyPasswordEnv } : {}),
  };
  const used = (['keystoreEnv', 'keystorePasswordEnv', 'keyAliasEnv', 'keyPasswordEnv'] as const).filter((k) => filled[k] !== given[k]).map((k) => `${k}=${filled[k]}`);
  warn(`No keystore option given and ${d.keystoreEnv} is set: signing with the upload key from the default variables (${used.join(', ')})`);
  return filled;
}

export function resolveSigning(options: SigningGiven, ctx: { workspaceRoot: string; projectRoot: string; env: NodeJS.ProcessEnv; warn: (m: string) => void }): ResolvedSigning | undefined {
  const { env } = ctx;
  const given = withDefaultVariables(options, env, ctx.warn);
  if (!isAbsent(given.keystore) && !isAbsent(given.keystoreEnv)) {
    throw new UserError('keystoreEnv', 'is given together with keystore', 'Give the upload keystore one way: "keystore" (a file) or "keystoreEnv" (a variable holding its base64)');
  }
  if (isAbsent(given.keystore) && isAbsent(given.keystoreEnv)) {
    const stray = SIGNING_NAMES.filter((n) => !isAbsent(given[n]));
    if (stray.length) throw new UserError('keystore', `is not given, but ${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'}`, 'Give "keystore" (a file) or "keystoreEnv" (a variable holding its base64) to sign with the upload key, or leave out every signing option for an unsigned build');
    return undefined;
  }

  let keystore: ResolvedSigning['keystore'];
  const secrets: string[] = [];
  if (!isAbsent(given.keystore)) {
    keystore = { path: pathOption('keystore', given.keystore, { workspaceRoot: ctx.workspaceRoot, projectRoot: ctx.projectRoot, mustExist: 'file', warn: ctx.warn })! };
  } else {
    const secret = secretFromEnv('keystoreEnv', given.keystoreEnv, { env, decode: 'base64', what: 'the base64 of the upload keystore (.jks or .p12)' })!;
    if (!looksLikeKeystore(secret.bytes)) {
      throw new UserError('keystoreEnv', `${secret.source} decodes to something that is not a Java keystore (JKS or PKCS12)`, `Store the base64 of the keystore file itself in ${secret.source}: base64 < upload.jks | tr -d '\\n'`);
    }
    keystore = { bytes: secret.bytes, source: secret.source };
    secrets.push(...secret.mask);
  }

  if (isAbsent(given.keystorePasswordEnv)) throw new UserError('keystorePasswordEnv', 'is required with a keystore', 'Give the NAME of the environment variable that holds the keystore password, e.g. "keystorePasswordEnv": "ANDROID_KEYSTORE_PASSWORD"');
  const storePassword = password('keystorePasswordEnv', given.keystorePasswordEnv, env, 'the keystore password');
  const keyPassword = isAbsent(given.keyPasswordEnv) ? storePassword : password('keyPasswordEnv', given.keyPasswordEnv, env, 'the key password');
  secrets.push(storePassword.value, keyPassword.value);

  if (!isAbsent(given.keyAlias) && !isAbsent(given.keyAliasEnv)) throw new UserError('keyAliasEnv', 'is given together with keyAlias', 'Give the key alias one way: "keyAlias" or "keyAliasEnv"');
  let alias: string;
  if (!isAbsent(given.keyAliasEnv)) {
    const name = envNameOption('keyAliasEnv', given.keyAliasEnv, { what: 'the key alias' })!;
    const value = env[name]?.trim();
    if (!value) throw new UserError('keyAliasEnv', `environment variable ${name} is not set`, `Set ${name} to the alias of the upload key in the keystore`);
    if (!ALIAS.test(value)) throw new UserError('keyAliasEnv', `environment variable ${name} does not hold a key alias (one line, up to 100 characters)`, `Set ${name} to the alias of the upload key, as \`keytool -list\` shows it`);
    alias = value;
  } else if (!isAbsent(given.keyAlias)) {
    alias = patternOption('keyAlias', given.keyAlias, { pattern: ALIAS, what: 'a key alias (one line, up to 100 characters)', example: 'upload' })!;
  } else {
    throw new UserError('keyAlias', 'is required with a keystore', 'Give "keyAlias" (e.g. "upload") or "keyAliasEnv" (the NAME of a variable holding it)');
  }
  return { keystore, alias, storePassword, keyPassword, secrets: [...new Set(secrets)] };
}
