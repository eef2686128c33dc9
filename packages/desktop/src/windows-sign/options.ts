import { randomBytes } from 'crypto';
import { tmpdir } from 'os';
import { basename, join } from 'path';
import {
  booleanOption,
  consoleLogger,
  deprecatedOption,
  durationOption,
  isAbsent,
  isPlainObject,
  oneOfOption,
  pathOption,
  patternOption,
  secretFromFile,
  stringListOption,
  urlOption,
  UserError,
} from '@shipfleet/core';
import { DryRunGaps, secretOrGap, unsetOption } from './dry-run-gaps';
import { expandFilePattern, isGlob } from '../file-globs';
import { OSSLSIGNCODE_EXTENSIONS, osslsigncodeSupports } from './osslsigncode';
import { FILE_PLACEHOLDER } from './sign-command';

export type WindowsSignMethod = 'osslsigncode' | 'signtool' | 'command';
export const WINDOWS_SIGN_METHODS: readonly WindowsSignMethod[] = ['osslsigncode', 'signtool', 'command'];

/** Options as a user writes them. Paths are relative to the workspace root. */
export interface SignWindowsOptions {
  /** osslsigncode (default, any OS), signtool (Windows runners), or command (a cloud signing tool). */
  method?: WindowsSignMethod;
  /** Files to sign in place: paths or globs (`dist/win-unpacked/**\/*.{exe,dll}`). */
  files: string[];
  /** The .p12 (certificate with its private key), as a path. */
  signingCert?: string;
  /** Name of the env var holding the base64 of the .p12. */
  signingCertEnv?: string;
  /** Name of the env var holding the .p12 password. */
  signingPasswordEnv?: string;
  /** @deprecated use signingCert */
  certificate?: string;
  /** @deprecated use signingCertEnv */
  certificateEnv?: string;
  /** @deprecated use signingPasswordEnv */
  certificatePasswordEnv?: string;
  /** signtool: the SHA-1 thumbprint of a certificate in the Windows certificate store (/sha1), instead of a .p12. */
  certificateSha1?: string;
  /** signtool: the store to search (/s), default My. */
  certificateStore?: string;
  /** signtool: search the machine's store rather than the user's (/sm). */
  machineStore?: boolean;
  /** Add an RFC 3161 timestamp (default true): the signature then outlives the certificate. */
  timestamp?: boolean;
  /** Time-stamp authority (default http://timestamp.digicert.com); osslsigncode tries a list in turn. */
  timestampUrl?: string | string[];
  /** Shown by Windows as the program's name in the UAC prompt (-n / /d). */
  description?: string;
  /** A URL about the program (-i / /du). */
  descriptionUrl?: string;
  /** PEM file of CA certificates to verify with (osslsigncode verify -CAfile); default the system's. */
  caFile?: string;
  /**
   * method command: argv with {file}, run once per file, e.g. ["smctl", "sign", "--keypair-alias", "key1", "--input", "{file}"].
   * A command that writes a signed copy names it {output}: the copy is verified, then renamed over the file.
   */
  command?: string[];
  /** method command: names of the env vars holding credentials the command reads (passed to it, masked). */
  secretEnv?: string[];
  /** Verify each signature after signing (default true). */
  verify?: boolean;
  /** The osslsigncode program (default osslsigncode on PATH). */
  osslsigncodePath?: string;
  /** The signtool program (default signtool on PATH). */
  signtoolPath?: string;
  /** Limit for signing one file: a duration such as "5m", or seconds (default "5m"). */
  timeout?: string | number;
}

/** What sign-windows uses for an option left out. */
export const SIGN_WINDOWS_DEFAULTS = {
  method: 'osslsigncode',
  timestamp: true,
  timestampUrl: 'http://timestamp.digicert.com',
  verify: true,
  osslsigncodePath: 'osslsigncode',
  signtoolPath: 'signtool',
  timeout: '5m',
} as const;

export interface SignWindowsContext {
  /** Absolute; paths in options are relative to it. Default: the project root. */
  workspaceRoot?: string;
  /** Told about renamed options, legacy paths and dry-run gaps. Default: standard error. */
  warn?: (message: string) => void;
  /** A dry run: a credential not set or a file not built yet is a placeholder in the plan, with a warning. */
  dryRun?: boolean;
  /** Where the private folder for decoded keys is made (default $RUNNER_TEMP, $TMPDIR, the OS temp folder). */
  tmpDir?: string;
  /** Which verifier method command uses: signtool on win32, osslsigncode elsewhere (default process.platform). */
  platform?: NodeJS.Platform;
}

export interface WindowsP12Input {
  /** The .p12 on disk (signingCert): used where it is. */
  path?: string;
  /** The decoded .p12 (signingCertEnv): written to the private folder. */
  bytes?: Buffer;
  /** Where it came from, safe to show; the placeholder in a dry run without it. */
  label: string;
}

export interface NormalizedSignWindowsOptions {
  method: WindowsSignMethod;
  /** Absolute paths; in a dry run, patterns that match nothing yet are kept as written. */
  files: string[];
  p12?: WindowsP12Input;
  /** The .p12 password (or its placeholder in a dry run). */
  password?: string;
  certificateSha1?: string;
  certificateStore?: string;
  machineStore: boolean;
  timestampUrls: string[];
  description?: string;
  descriptionUrl?: string;
  caFile?: string;
  command?: string[];
  secretEnv: string[];
  verifier?: 'osslsigncode' | 'signtool';
  osslsigncodePath: string;
  signtoolPath: string;
  timeoutMs: number;
  /** Private folder (0700) for the decoded .p12 and the password file, removed at the end. */
  workDir: string;
  /** Values to mask in every output: pass them to runPlan's `secrets`. */
  secrets: string[];
}

const RENAMED = { certificate: 'signingCert', certificateEnv: 'signingCertEnv', certificatePasswordEnv: 'signingPasswordEnv' } as const;

function text(option: string, value: unknown, fix: string): string | undefined {
  return patternOption(option, value, { pattern: /\S/, what: 'a non-empty string', example: '', fix });
}

function programOption(option: string, value: unknown, fallback: string): string {
  return text(option, value, `Give the program's name on PATH or its path, e.g. "${fallback}"`) ?? fallback;
}

/** Validates sign-windows options; every problem is a UserError naming the option. */
export function normalizeSignWindowsOptions(options: Partial<SignWindowsOptions>, projectRoot: string, env: NodeJS.ProcessEnv = process.env, context: SignWindowsContext = {}): NormalizedSignWindowsOptions {
  if (!isPlainObject(options)) throw new UserError('options', 'must be an object', 'Pass the executor options as a map');
  const warn = context.warn ?? ((m: string) => consoleLogger.warn(m));
  const gaps = new DryRunGaps(!!context.dryRun, warn);
  let raw = options as Partial<SignWindowsOptions>;
  for (const [oldName, newName] of Object.entries(RENAMED)) raw = deprecatedOption(raw, oldName, newName, warn);
  const rules = { workspaceRoot: context.workspaceRoot ?? projectRoot, projectRoot, warn };

  const method = oneOfOption('method', raw.method, WINDOWS_SIGN_METHODS) ?? SIGN_WINDOWS_DEFAULTS.method;
  const secrets: string[] = [];

  const files = signFiles(raw.files, method, rules, gaps);

  // Certificate: a .p12 (osslsigncode, signtool), or a store thumbprint (signtool); none for a command.
  const certGiven = ['signingCert', 'signingCertEnv', 'signingPasswordEnv'].filter((k) => !isAbsent((raw as Record<string, unknown>)[k]));
  const storeGiven = ['certificateSha1', 'certificateStore', 'machineStore'].filter((k) => !isAbsent((raw as Record<string, unknown>)[k]));
  if (method === 'command' && certGiven.length + storeGiven.length) {
    throw new UserError(certGiven[0] ?? storeGiven[0], 'is not used with method "command"', 'The signing command brings its own key (an HSM or a cloud service); name the env vars it reads in secretEnv');
  }
  if (method === 'osslsigncode' && storeGiven.length) {
    throw new UserError(storeGiven[0], 'is a signtool option (the Windows certificate store)', 'Give the .p12 with signingCert or signingCertEnv, or set method: "signtool" on a Windows runner');
  }
  if (!isAbsent(raw.signingCert) && !isAbsent(raw.signingCertEnv)) {
    throw new UserError('signingCert', 'both signingCert and signingCertEnv are set', 'Give the .p12 either as a path or as the name of an env var holding its base64, not both');
  }
  const certificateSha1 = patternOption('certificateSha1', raw.certificateSha1, {
    pattern: /^[0-9A-Fa-f]{40}$/,
    what: 'a SHA-1 thumbprint (40 hex digits)',
    example: '0123456789abcdef0123456789abcdef01234567',
    fix: 'Copy the Thumbprint of the certificate (certmgr.msc → Details, or Get-ChildItem Cert:\\CurrentUser\\My) without spaces',
  });
  if (certificateSha1 && (!isAbsent(raw.signingCert) || !isAbsent(raw.signingCertEnv))) {
    throw new UserError('certificateSha1', 'is set together with a .p12', 'Sign either with the certificate in the store (certificateSha1) or with the .p12 (signingCert or signingCertEnv)');
  }
  const certificateStore = patternOption('certificateStore', raw.certificateStore, { pattern: /^[A-Za-z][A-Za-z0-9 _-]*$/, what: 'a certificate store name', example: 'My' });
  const machineStore = booleanOption('machineStore', raw.machineStore) ?? false;
  if ((certificateStore || machineStore) && !certificateSha1) throw new UserError(certificateStore ? 'certificateStore' : 'machineStore', 'is set but certificateSha1 is not', 'Give the thumbprint of the certificate to use from the store');

  let p12: WindowsP12Input | undefined;
  let password: string | undefined;
  if (method !== 'command' && !certificateSha1) {
    p12 = readP12(raw, method, rules, env, gaps, secrets);
    const pw = secretOrGap('signingPasswordEnv', raw.signingPasswordEnv, { env, what: 'the .p12 password' }, gaps);
    if (pw && 'secret' in pw) {
      secrets.push(...pw.secret.mask);
      password = pw.secret.text;
    } else if (pw) password = pw.missing;
    if (password !== undefined && method === 'signtool' && 'secret' in pw!) {
      warn('Option "signingPasswordEnv": signtool takes the .p12 password only on its command line (/p), where other processes on this runner can read it while signtool runs (shipfleet masks it in output). Prefer importing the certificate into the store and signing with certificateSha1.');
    }
  } else if (!isAbsent(raw.signingPasswordEnv)) {
    throw new UserError('signingPasswordEnv', 'is set but no .p12 is given', 'The password opens a .p12: give it with signingCert or signingCertEnv');
  }

  const timestamp = booleanOption('timestamp', raw.timestamp) ?? SIGN_WINDOWS_DEFAULTS.timestamp;
  let timestampUrls: string[] = [];
  const explicitTsa = !isAbsent(raw.timestampUrl);
  if (method === 'command' && explicitTsa) throw new UserError('timestampUrl', 'is not used with method "command"', 'Give the time-stamp server in the command itself, as the signing tool expects it');
  if (method !== 'command' && timestamp) {
    const given = raw.timestampUrl ?? SIGN_WINDOWS_DEFAULTS.timestampUrl;
    const list = typeof given === 'string' ? [given] : stringListOption('timestampUrl', given, { example: 'http://timestamp.digicert.com', items: 'URLs' }) ?? [];
    if (!list.length) throw new UserError('timestampUrl', 'is an empty list', 'Give at least one time-stamp server, or set timestamp: false');
    if (list.length > 1 && method === 'signtool') throw new UserError('timestampUrl', 'lists several servers, but signtool takes one (/tr)', 'Give one URL');
    // RFC 3161 responses are signed by the authority, so plain http is what time-stamp servers serve.
    timestampUrls = list.map((u) => urlOption('timestampUrl', u, { example: 'http://timestamp.digicert.com', allowHttp: true })!);
  } else if (!timestamp && explicitTsa) {
    throw new UserError('timestampUrl', 'is set but timestamp is false', 'Drop timestampUrl, or set timestamp: true');
  }

  const description = text('description', raw.description, 'Give the program\'s name as the UAC prompt should show it, e.g. "Example App"');
  const descriptionUrl = urlOption('descriptionUrl', raw.descriptionUrl, { example: 'https://example.com/app' });
  if (method === 'command' && (description || descriptionUrl)) throw new UserError(description ? 'description' : 'descriptionUrl', 'is not used with method "command"', 'Pass it in the command, in the form the signing tool expects');

  let command: string[] | undefined;
  let secretEnv: string[] = [];
  if (method === 'command') {
    command = stringListOption('command', raw.command, { example: 'smctl', items: 'arguments' });
    if (!command?.length) throw new UserError('command', 'is required with method "command"', `Give the signing command as a list, with ${FILE_PLACEHOLDER} where the file goes, e.g. ["smctl", "sign", "--keypair-alias", "key_123", "--input", "${FILE_PLACEHOLDER}"]`);
    if (!command.some((a) => a.includes(FILE_PLACEHOLDER))) throw new UserError('command', `has no ${FILE_PLACEHOLDER}`, `Write ${FILE_PLACEHOLDER} where the file to sign goes; the command runs once per file`);
    secretEnv = stringListOption('secretEnv', raw.secretEnv, { example: 'SM_API_KEY', items: 'environment variable names' }) ?? [];
    for (const name of secretEnv) {
      const s = secretOrGap('secretEnv', name, { env, what: 'a credential of the signing command' }, gaps);
      if (s && 'secret' in s) secrets.push(...s.secret.mask);
    }
  } else {
    if (!isAbsent(raw.command)) throw new UserError('command', `is used only with method "command" (method is "${method}")`, 'Set method: "command", or drop command');
    if (!isAbsent(raw.secretEnv)) throw new UserError('secretEnv', `is used only with method "command" (method is "${method}")`, 'Pass the .p12 password with signingPasswordEnv');
  }

  const verify = booleanOption('verify', raw.verify) ?? SIGN_WINDOWS_DEFAULTS.verify;
  const platform = context.platform ?? process.platform;
  const verifier = !verify ? undefined : method === 'command' ? (platform === 'win32' ? 'signtool' : 'osslsigncode') : method;
  const caFile = pathOption('caFile', raw.caFile, { ...rules, mustExist: 'file', fix: 'Point caFile at a PEM file of the CA certificates the signature must chain to' });
  if (caFile && verifier !== 'osslsigncode') {
    throw new UserError('caFile', verify ? 'is read by osslsigncode verify only; signtool verifies against the Windows certificate store' : 'is set but verify is false', verify ? 'Install the CA in the Windows store instead, or drop caFile' : 'Drop caFile, or set verify: true');
  }

  const tmpBase = context.tmpDir ?? (env.RUNNER_TEMP || env.TMPDIR || tmpdir());
  return {
    method,
    files,
    p12,
    password,
    certificateSha1,
    certificateStore,
    machineStore,
    timestampUrls,
    description,
    descriptionUrl,
    caFile,
    command,
    secretEnv,
    verifier,
    osslsigncodePath: programOption('osslsigncodePath', raw.osslsigncodePath, SIGN_WINDOWS_DEFAULTS.osslsigncodePath),
    signtoolPath: programOption('signtoolPath', raw.signtoolPath, SIGN_WINDOWS_DEFAULTS.signtoolPath),
    timeoutMs: durationOption('timeout', raw.timeout ?? SIGN_WINDOWS_DEFAULTS.timeout, { min: 1000, example: '5m' })!,
    workDir: join(tmpBase, `shipfleet-sign-windows-${randomBytes(6).toString('hex')}`),
    secrets: [...new Set(secrets)],
  };
}

type PathRulesBase = { workspaceRoot: string; projectRoot: string; warn: (m: string) => void };

/** Each path or glob, expanded to the files it names (deduplicated, in order). */
function signFiles(value: unknown, method: WindowsSignMethod, rules: PathRulesBase, gaps: DryRunGaps): string[] {
  const patterns = stringListOption('files', value, { example: 'dist/apps/desktop/*.exe', items: 'paths or globs' });
  if (!patterns?.length) throw new UserError('files', 'is required', 'List the files to sign, relative to the workspace root, e.g. ["dist/apps/desktop/*.exe"]');
  const out: string[] = [];
  for (const pattern of patterns) {
    const abs = pathOption('files', pattern, rules)!;
    const found = expandFilePattern(abs);
    if (!found.length) {
      const problem = isGlob(pattern) ? `"${pattern}" matches no file (looked for ${abs})` : `${abs} is not a file`;
      out.push(gaps.fill(new UserError('files', problem, 'Build the files first (paths are relative to the workspace root), or fix the path'), abs));
      continue;
    }
    for (const file of found) {
      if (method === 'osslsigncode' && !osslsigncodeSupports(file)) {
        if (!isGlob(pattern)) throw new UserError('files', `osslsigncode cannot sign ${basename(file)}`, `osslsigncode signs ${OSSLSIGNCODE_EXTENSIONS.join(' ')} files; use a glob that picks only those`);
        continue; // a glob such as dist/** picks up other files too
      }
      if (!out.includes(file)) out.push(file);
    }
  }
  if (!out.length) throw new UserError('files', `no file osslsigncode can sign matches ${patterns.map((p) => `"${p}"`).join(', ')}`, `osslsigncode signs ${OSSLSIGNCODE_EXTENSIONS.join(' ')} files`);
  return out;
}

function readP12(raw: Partial<SignWindowsOptions>, method: WindowsSignMethod, rules: PathRulesBase, env: NodeJS.ProcessEnv, gaps: DryRunGaps, secrets: string[]): WindowsP12Input {
  const what = 'the .p12 (code-signing certificate with its private key)';
  if (isAbsent(raw.signingCert) && isAbsent(raw.signingCertEnv)) {
    const fix = method === 'signtool'
      ? 'Give signingCert (a .p12 path), signingCertEnv (env var holding its base64), or certificateSha1 (a certificate in the Windows store)'
      : 'Give signingCert (a .p12 path) or signingCertEnv (the name of an env var holding its base64)';
    return { label: gaps.fill(new UserError('signingCert', 'no signing certificate is given', fix), unsetOption('signingCert or signingCertEnv')) };
  }
  const path = pathOption('signingCert', raw.signingCert, { ...rules, mustExist: 'file', fix: 'Point signingCert at the .p12/.pfx exported with its private key (relative to the workspace root)' });
  let bytes: Buffer;
  let label: string;
  let option: string;
  if (path) {
    const s = secretFromFile('signingCert', path, { what })!;
    secrets.push(...s.mask);
    [bytes, label, option] = [s.bytes, path, 'signingCert'];
  } else {
    const s = secretOrGap('signingCertEnv', raw.signingCertEnv, { env, decode: 'base64', what: `the base64 of ${what}` }, gaps)!;
    if ('missing' in s) return { label: s.missing };
    secrets.push(...s.secret.mask);
    [bytes, label, option] = [s.secret.bytes, s.secret.source, 'signingCertEnv'];
  }
  // PKCS#12 is DER: a SEQUENCE (0x30).
  if (bytes.length < 16 || bytes[0] !== 0x30) throw new UserError(option, `${label} is not a PKCS#12 (.p12/.pfx) file`, 'Export the code-signing certificate together with its private key as .p12/.pfx (openssl pkcs12 -export, or certmgr → Export → Yes, export the private key)');
  return path ? { path, label } : { bytes, label };
}
