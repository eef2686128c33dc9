import { existsSync, readFileSync, statSync } from 'fs';
import { basename, delimiter, join } from 'path';
import { oneOfOption, pathOption, Plan, requiredOption, runStep, taskStep, UserError } from '@shipfleet/core';
import { listAppFiles } from './app-files';
import { IdentitySource, loadSigningIdentities, resolveSigningIdentities, TizenSigningOptions } from './signing-identities';
import { TizenConfig, validateTizenConfig } from './tizen-config';
import { writeWgt } from './wgt';
import { DIGEST_ALGORITHMS, DigestAlgorithm } from './signature';
import { checkWrittenWgtStep } from './check-wgt-plan';
import { checkInstallTools, installOnOption, tizenInstallStep } from './install-on';

export interface PackageTizenOptions extends TizenSigningOptions {
  /** Built web app folder holding config.xml. */
  appDir: string;
  /** Folder the .wgt is written to. */
  outputPath: string;
  /** Where development certificates are kept between runs (relative to the workspace root). */
  devCertDir?: string;
  /** Run Tizen's own `tizen package` instead (needs the Tizen CLI on PATH). */
  useTizenCli?: boolean;
  tizenProfile?: string;
  /** Globs (relative to appDir) left out of the package. */
  exclude?: string[];
  /** After packaging, install on these TVs (addresses or sdb serials) with sdb + tizen install. */
  installOn?: string | string[];
  /** Digest of the references and the signatures: sha512 (what current Tizen Studio writes) or sha256. */
  digest?: DigestAlgorithm;
  /** Check this .wgt and package nothing (buildVerifyWgtPlan; the other options are then not read). */
  verify?: string;
}

/** What package-tizen uses for an option left out; its schema.json states the same defaults. */
export const PACKAGE_TIZEN_DEFAULTS = {
  devCertDir: '.shipfleet/tizen',
  useTizenCli: false,
  digest: 'sha512',
} as const;

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
  /** Devices to install the package on after packaging (validated; empty for none). */
  installOn?: string[];
  digest: DigestAlgorithm;
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
  const installOn = installOnOption(o.installOn, 'tizen');
  if (installOn.length) checkInstallTools('tizen', env, o.dryRun ? { warn: paths.warn } : undefined);
  const files = listAppFiles(appDir, 'appDir', exclude);
  const secrets: string[] = [];
  // The default is the workspace's own folder: never looked for under the project.
  const devCertDir = pathOption('devCertDir', o.devCertDir, base) ?? pathOption('devCertDir', PACKAGE_TIZEN_DEFAULTS.devCertDir, { workspaceRoot })!;
  // With useTizenCli, `tizen package` signs with its own profile.
  const cliSigned = (role: 'author' | 'distributor'): IdentitySource => ({ role, label: `Tizen CLI profile "${o.tizenProfile}"` });
  const { author, distributor } = useTizenCli ? { author: cliSigned('author'), distributor: cliSigned('distributor') } : resolveSigningIdentities(o, base, env, devCertDir, secrets);
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
    author,
    distributor,
    useTizenCli,
    tizenProfile: o.tizenProfile,
    exclude,
    installOn,
    digest: oneOfOption('digest', o.digest, DIGEST_ALGORITHMS) ?? PACKAGE_TIZEN_DEFAULTS.digest,
    secrets,
  };
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

export function buildTizenPlan(o: NormalizedTizenOptions): Plan {
  const plan = buildPackagePlan(o);
  // A package written here is checked before anything uses it (`tizen package` output can be checked with --verify).
  if (!o.useTizenCli) plan.steps.push(checkWrittenWgtStep(o.outFile));
  if (o.installOn?.length) plan.steps.push(tizenInstallStep(o.outFile, o.installOn));
  return plan;
}

function buildPackagePlan(o: NormalizedTizenOptions): Plan {
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
          `${o.digest.toUpperCase()} and deflate each file once; author signature over every file, distributor signature over every file and author-signature.xml (RSA-${o.digest.toUpperCase()}, exclusive C14N)`,
          `author: ${o.author.label}`,
          `distributor: ${o.distributor.label}`,
          `write ${o.outFile}`,
        ].join('\n     '),
        async (ctx) => {
          const { author, distributor } = loadSigningIdentities(o, ctx.log);
          const files = listAppFiles(o.appDir, 'appDir', o.exclude);
          const result = await writeWgt(files, o.outFile, { author, distributor }, { digest: o.digest, onProgress: (done, total) => ctx.log(`hashed and compressed ${done}/${total} files`) });
          ctx.log(`${result.path}: ${result.files} files, ${mb(result.inputBytes)} → ${mb(result.bytes)}`);
          ctx.setOutput('wgt', result.path);
        },
      ),
    ],
  };
}
