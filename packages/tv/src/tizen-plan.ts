import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { basename, delimiter, join } from 'path';
import { pathOption, Plan, requiredOption, runStep, secretFromEnv, secretFromFile, taskStep, UserError } from '@shipfleet/core';
import { listAppFiles } from './app-files';
import { generateDevIdentity, loadP12, SigningIdentity } from './certificates';
import { TizenConfig, validateTizenConfig } from './tizen-config';
import { writeWgt } from './wgt';

export interface PackageTizenOptions {
  /** Built web app folder holding config.xml. */
  appDir: string;
  /** Folder the .wgt is written to. */
  outputPath: string;
  /** Path of the author .p12. */
  authorCert?: string;
  /** Name of the env var holding the author .p12 as base64. */
  authorCertEnv?: string;
  /** Name of the env var holding the author .p12 password. */
  authorPasswordEnv?: string;
  distributorCert?: string;
  distributorCertEnv?: string;
  distributorPasswordEnv?: string;
  /** Store release: real author and distributor certificates required. */
  release?: boolean;
  /** Where development certificates are kept between runs (relative to the workspace root). */
  devCertDir?: string;
  /** Run Tizen's own `tizen package` instead (needs the Tizen CLI on PATH). */
  useTizenCli?: boolean;
  tizenProfile?: string;
  /** Globs (relative to appDir) left out of the package. */
  exclude?: string[];
}

/** What package-tizen uses for an option left out; its schema.json states the same defaults. */
export const PACKAGE_TIZEN_DEFAULTS = {
  devCertDir: '.shipfleet/tizen',
  useTizenCli: false,
} as const;

type Role = 'author' | 'distributor';

interface IdentitySource {
  role: Role;
  /** Where it comes from, for the plan and messages. */
  label: string;
  identity?: SigningIdentity;
  /** Generated on first use into devCertDir. */
  devPath?: string;
}

export interface NormalizedTizenOptions {
  appDir: string;
  outFile: string;
  config: TizenConfig;
  fileCount: number;
  inputBytes: number;
  author: IdentitySource;
  distributor: IdentitySource;
  useTizenCli: boolean;
  tizenProfile?: string;
  exclude: string[];
  /** Secret values to mask: passwords, certificate contents, private keys. */
  secrets: string[];
}

/**
 * How paths are read: relative to the workspace root; with `projectRoot`,
 * `{projectRoot}` is replaced and a path found only under the project root
 * is read from there with a warning.
 */
export interface TvPathContext {
  projectRoot?: string;
  warn?: (message: string) => void;
}

interface PathBase extends TvPathContext {
  workspaceRoot: string;
}

function onPath(bin: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, bin)));
}

function readP12(role: Role, o: PackageTizenOptions, base: PathBase, env: NodeJS.ProcessEnv): { p12: Buffer; label: string; mask: string[] } | undefined {
  const certOpt = `${role}Cert` as const;
  const envOpt = `${role}CertEnv` as const;
  const path = o[certOpt];
  const envName = o[envOpt];
  if (path && envName) throw new UserError(certOpt, `both ${certOpt} and ${envOpt} are set`, 'Give the .p12 either as a file path or as a base64 env var, not both');
  if (path) {
    const file = pathOption(certOpt, path, { ...base, mustExist: 'file', fix: 'Point it at the .p12 exported from Tizen Studio\'s Certificate Manager (paths are relative to the workspace root)' })!;
    const secret = secretFromFile(certOpt, file, { what: `the ${role} .p12` })!;
    return { p12: secret.bytes, label: secret.source, mask: secret.mask };
  }
  if (envName) {
    const secret = secretFromEnv(envOpt, envName, { env, decode: 'base64', what: `the ${role} .p12` })!;
    return { p12: secret.bytes, label: secret.source, mask: secret.mask };
  }
  return undefined;
}

function loadIdentity(role: Role, o: PackageTizenOptions, base: PathBase, env: NodeJS.ProcessEnv, secrets: string[]): IdentitySource | undefined {
  const certOpt = `${role}Cert` as const;
  const envOpt = `${role}CertEnv` as const;
  const pwOpt = `${role}PasswordEnv` as const;
  const cert = readP12(role, o, base, env);
  if (!cert) {
    if (o[pwOpt]) throw new UserError(pwOpt, `is set but no ${role} certificate is given`, `Set ${certOpt} (a .p12 path) or ${envOpt} (env var holding the base64 .p12)`);
    return undefined;
  }
  secrets.push(...cert.mask);
  const password = secretFromEnv(pwOpt, o[pwOpt], { env, what: `the ${role} .p12 password` });
  if (password) secrets.push(...password.mask);
  try {
    const identity = loadP12(cert.p12, password?.text ?? '');
    secrets.push(identity.keyPem);
    return { role, label: `${cert.label} (${identity.subject})`, identity };
  } catch (e) {
    throw new UserError(password ? pwOpt : certOpt, `${(e as Error).message} (${cert.label})`, password ? `Check that ${o[pwOpt]} holds the password of this .p12` : `Set ${pwOpt} to the name of the env var holding the .p12 password`);
  }
}

/** Validates options, config.xml and certificates before anything runs; every problem is a UserError. */
export function normalizeTizenOptions(o: PackageTizenOptions, workspaceRoot: string, env: NodeJS.ProcessEnv = process.env, paths: TvPathContext = {}): NormalizedTizenOptions {
  const base: PathBase = { workspaceRoot, ...paths };
  if (!o.appDir) throw new UserError('appDir', 'is required', 'Point it at the built web app folder that holds config.xml');
  const appDir = pathOption('appDir', o.appDir, base)!;
  if (!existsSync(appDir) || !statSync(appDir).isDirectory()) throw new UserError('appDir', `${appDir} is not a folder`, 'Build the app first, or set appDir to the folder that holds config.xml');
  const configPath = join(appDir, 'config.xml');
  if (!existsSync(configPath)) throw new UserError('appDir', `${configPath} does not exist`, 'A Tizen web app needs config.xml at its root (nx g @shipfleet/nx:tizen-app scaffolds one)');
  const { config, problems } = validateTizenConfig(readFileSync(configPath, 'utf8'));
  if (!config) {
    throw new UserError('appDir', `${configPath} has ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${problems.map((p) => `  - ${p.where} ${p.problem}. ${p.fix}`).join('\n')}`, 'Fix config.xml and run again');
  }
  const useTizenCli = !!(o.useTizenCli ?? PACKAGE_TIZEN_DEFAULTS.useTizenCli);
  if (useTizenCli && !o.tizenProfile) throw new UserError('tizenProfile', 'is required with useTizenCli', 'Name the security profile created in Tizen Studio\'s Certificate Manager');
  if (useTizenCli && !onPath('tizen', env)) throw new UserError('useTizenCli', 'the tizen CLI is not on PATH', 'Install Tizen Studio\'s CLI and add tizen-studio/tools/ide/bin to PATH, or drop useTizenCli to package in Node');
  const exclude = o.exclude ?? [];
  const files = listAppFiles(appDir, 'appDir', exclude);
  const secrets: string[] = [];
  // The default is the workspace's own folder: never looked for under the project.
  const devCertDir = pathOption('devCertDir', o.devCertDir, base) ?? pathOption('devCertDir', PACKAGE_TIZEN_DEFAULTS.devCertDir, { workspaceRoot })!;
  const dev = (role: Role): IdentitySource => ({ role, label: `development ${role} certificate ${join(devCertDir, `dev-${role}.p12`)} (self-signed; not accepted by the Samsung store)`, devPath: join(devCertDir, `dev-${role}.p12`) });
  const author = useTizenCli ? dev('author') : loadIdentity('author', o, base, env, secrets);
  const distributor = useTizenCli ? dev('distributor') : loadIdentity('distributor', o, base, env, secrets);
  if (o.release && !useTizenCli) {
    if (!author) throw new UserError('authorCert', 'a release needs your Samsung author certificate', 'Set authorCert or authorCertEnv (and authorPasswordEnv); development certificates are for the emulator and developer-mode TVs only');
    if (!distributor) throw new UserError('distributorCert', 'a release needs a distributor certificate', 'Set distributorCert or distributorCertEnv (and distributorPasswordEnv) to the distributor .p12 from Samsung');
  }
  // Named like Tizen Studio names it: after the widget's <name>, else the application name.
  const baseName = (config.name || config.appName).replace(/[^A-Za-z0-9._-]+/g, '_');
  const outputPath = requiredOption('outputPath', pathOption('outputPath', o.outputPath, base), 'Give the folder to write the .wgt to, e.g. "dist/shipfleet/tv"');
  const outFile = join(outputPath, `${baseName}.wgt`);
  return {
    appDir,
    outFile,
    config,
    fileCount: files.length,
    inputBytes: files.reduce((n, f) => n + f.size, 0),
    author: author ?? dev('author'),
    distributor: distributor ?? dev('distributor'),
    useTizenCli,
    tizenProfile: o.tizenProfile,
    exclude,
    secrets,
  };
}

/** Loads a development identity, making it on first use (mode 0600, no password: it guards nothing of value). */
function devIdentity(source: IdentitySource, log: (l: string) => void): SigningIdentity {
  const path = source.devPath!;
  if (!existsSync(path)) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, generateDevIdentity(`shipfleet development ${source.role}`, source.role), { mode: 0o600 });
    chmodSync(path, 0o600);
    log(`generated a development ${source.role} certificate at ${path} (self-signed: for the emulator and developer-mode TVs, not for the store)`);
  } else {
    log(`using the development ${source.role} certificate at ${path} (not for the store)`);
  }
  return loadP12(readFileSync(path), '');
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

export function buildTizenPlan(o: NormalizedTizenOptions): Plan {
  const name = basename(o.outFile);
  if (o.useTizenCli) {
    return {
      title: `package-tizen ${name} (Tizen CLI)`,
      outputs: { wgt: o.outFile },
      steps: [runStep(`Package ${name} with tizen package`, 'tizen', ['package', '-t', 'wgt', '-s', o.tizenProfile!, '-o', join(o.outFile, '..'), '--', o.appDir])],
    };
  }
  return {
    title: `package-tizen ${name}`,
    outputs: { wgt: o.outFile },
    steps: [
      taskStep(
        `Package and sign ${name}`,
        [
          `${o.config.appId} ${o.config.version}: ${o.fileCount} files (${mb(o.inputBytes)}) from ${o.appDir}${o.exclude.length ? ` (excluding ${o.exclude.join(', ')})` : ''}`,
          'SHA-256 and deflate each file once; author signature over every file, distributor signature over every file and author-signature.xml (RSA-SHA256, exclusive C14N)',
          `author: ${o.author.label}`,
          `distributor: ${o.distributor.label}`,
          `write ${o.outFile}`,
        ].join('\n     '),
        async (ctx) => {
          const author = o.author.identity ?? devIdentity(o.author, ctx.log);
          const distributor = o.distributor.identity ?? devIdentity(o.distributor, ctx.log);
          const files = listAppFiles(o.appDir, 'appDir', o.exclude);
          const result = await writeWgt(files, o.outFile, { author, distributor }, (done, total) => ctx.log(`hashed and compressed ${done}/${total} files`));
          ctx.log(`${result.path}: ${result.files} files, ${mb(result.inputBytes)} → ${mb(result.bytes)}`);
          ctx.setOutput('wgt', result.path);
        },
      ),
    ],
  };
}
