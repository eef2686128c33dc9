import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { isAbsolute, join, relative, resolve } from 'path';
import { envNameOption, isAbsent, isPlainObject, pathOption, patternOption, secretFromEnv, stringListOption, UserError, urlOption } from '@shipfleet/core';
import { configAt, ElectronBuilderConfig, fsReader, readElectronBuilderConfig } from './config-file';
import { configuredPlatforms, electronTargetsByRunnerFromConfig, hostRunner } from './runners';
import { checkArch, checkTarget, DEFAULT_TARGETS, ElectronArch, ElectronPlatform, ELECTRON_PLATFORMS, hostArch, hostPlatform, PLATFORM_NAMES, TargetSpec, targetsFromConfig, WINDOWS_ONLY_TARGETS } from './targets';

/** Options as a user writes them. Paths are relative to the workspace root. */
export interface PackageElectronOptions {
  /** The Electron app's folder, holding its package.json (default: the project root). */
  projectDir?: string;
  /** An electron-builder config file (default: found as electron-builder finds it: package.json "build", electron-builder.yml|yaml|json|…). */
  config?: string;
  /** The OSes to package in this run (default: those the config needs this machine's runner for, see electronTargetsByRunner). */
  platforms?: ElectronPlatform[];
  /** Targets per OS (default: the config's <os>.target, else electron-builder's defaults: dmg+zip, nsis, AppImage). */
  mac?: string[];
  win?: string[];
  linux?: string[];
  /** Archs per OS, for every target of that OS (default: the arch the config gives a target, else this machine's). */
  macArch?: ElectronArch[];
  winArch?: ElectronArch[];
  linuxArch?: ElectronArch[];
  /** Where electron-builder writes (default: the config's directories.output, else dist/<projectRoot>). */
  outputPath?: string;
  /** The app version (default: package.json's version). */
  version?: string;
  /** The CI build number (default: $GITHUB_RUN_NUMBER); electron-builder makes buildVersion <version>.<buildNumber>. */
  buildNumber?: string;
  /** CFBundleVersion / Windows file version, when it must differ from <version>.<buildNumber>. */
  buildVersion?: string;
  /** A local Electron: an unpacked Electron folder, an electron-v<version>-<os>-<arch>.zip, or a folder of such zips. */
  electronDist?: string;
  /** The Electron version packaged (default: the installed electron package's). */
  electronVersion?: string;
  /** Where Electron is downloaded from (electron-builder's electronDownload.mirror; ELECTRON_MIRROR in the environment works too). */
  electronMirror?: string;
  /** A 7za executable (ELECTRON_BUILDER_7ZIP_PATH): zip, 7z and tar.* targets then need no download. */
  sevenZipPath?: string;
  /** A mirror of electron-builder's tool downloads (ELECTRON_BUILDER_BINARIES_MIRROR). */
  binariesMirror?: string;
  /** electron-builder's download cache (ELECTRON_BUILDER_CACHE), e.g. seeded for offline builds. */
  cacheDir?: string;
  /** macOS (and, without the win* options, Windows) signing certificate: a .p12 path (CSC_LINK). */
  signingCert?: string;
  /** Or the name of the variable holding the base64 .p12 (CSC_LINK). */
  signingCertEnv?: string;
  /** The name of the variable holding the .p12 password (CSC_KEY_PASSWORD). */
  signingPasswordEnv?: string;
  /** Windows signing certificate: a .pfx/.p12 path (WIN_CSC_LINK). */
  winSigningCert?: string;
  /** Or the name of the variable holding the base64 .pfx (WIN_CSC_LINK). */
  winSigningCertEnv?: string;
  /** The name of the variable holding the .pfx password (WIN_CSC_KEY_PASSWORD). */
  winSigningPasswordEnv?: string;
}

export interface NormalizedPackageElectronOptions {
  workspaceRoot: string;
  projectDir: string;
  /** The config electron-builder will read, when there is one. */
  config?: ElectronBuilderConfig;
  /** Absolute, when given with the `config` option (electron-builder is then pointed at it). */
  configFile?: string;
  platforms: ElectronPlatform[];
  /** Targets of each OS in `platforms`, each with its archs decided. */
  targets: Partial<Record<ElectronPlatform, TargetSpec[]>>;
  outputPath: string;
  version: string;
  /** package.json's version (electron-builder's default; a different `version` goes in extraMetadata). */
  packageVersion?: string;
  /** The name electron-builder gives the app (productName, else package.json name). */
  productName: string;
  /**
   * Whether electron-builder's dependency step (npm install or @electron/rebuild in the project folder) is
   * left out: the app has no production dependencies and no node_modules of its own, as in an Nx workspace
   * whose packages are installed at the root. Otherwise electron-builder would run `npm install` in the
   * project folder, writing node_modules and a package-lock.json into the sources.
   */
  skipDependencyInstall: boolean;
  buildNumber?: string;
  buildVersion?: string;
  electronDist?: string;
  electronVersion?: string;
  electronMirror?: string;
  /** Variables electron-builder reads for its tools (not secret). */
  toolEnv: Record<string, string>;
  /** Variable electron-builder reads → where its value comes from ("$NAME" or a path), for the plan. */
  signingSources: Record<string, string>;
  /** The config's mac.notarize was true: shipfleet turns it off (notarization is sign-macos's). */
  notarizeTurnedOff: boolean;
}

export interface ResolvedPackageElectronOptions {
  options: NormalizedPackageElectronOptions;
  /** Variables set for electron-builder while it runs: signing values in a real run; in a dry run the sources. */
  signingEnv: Record<string, string>;
  /** Values to mask in every output of the run: pass them to runPlan's `secrets`. */
  secrets: string[];
}

export interface PackageElectronContext {
  workspaceRoot: string;
  projectRoot: string;
  /** Default process.platform: which runner this is. */
  platform?: NodeJS.Platform;
  /** Default process.arch. */
  arch?: string;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const BUILD_NUMBER = /^[0-9A-Za-z][0-9A-Za-z.-]{0,63}$/;
const ZIP_OF_ELECTRON = /^electron-v.+-(darwin|mas|win32|linux)-(x64|arm64|ia32|armv7l)\.zip$/;

function readPackageJson(projectDir: string): Record<string, unknown> {
  const file = join(projectDir, 'package.json');
  if (!existsSync(file)) throw new UserError('projectDir', `${projectDir} has no package.json`, 'Point "projectDir" at the Electron app\'s folder (the one with its package.json)');
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    if (isPlainObject(doc)) return doc;
  } catch {
    // reported below
  }
  throw new UserError('projectDir', `${file} is not a JSON object`, 'Fix package.json');
}

function platformsOption(value: unknown): ElectronPlatform[] | undefined {
  const list = stringListOption('platforms', value, { example: 'linux', items: 'OS names', what: 'one of mac, win, linux' });
  if (!list) return undefined;
  for (const p of list) if (!(ELECTRON_PLATFORMS as readonly string[]).includes(p)) throw new UserError('platforms', `"${p}" is not an OS electron-builder packages for`, 'Use mac, win and/or linux');
  if (!list.length) throw new UserError('platforms', 'is empty', 'Name at least one of mac, win, linux, or leave it out');
  return [...new Set(list)] as ElectronPlatform[];
}

function archOption(option: string, platform: ElectronPlatform, value: unknown): ElectronArch[] | undefined {
  const list = stringListOption(option, value, { example: platform === 'mac' ? 'universal' : 'x64', items: 'archs' });
  if (!list) return undefined;
  if (!list.length) throw new UserError(option, 'is empty', `Name at least one arch (${platform === 'mac' ? 'x64, arm64, universal' : 'x64, arm64'}), or leave it out`);
  return [...new Set(list.map((a) => checkArch(option, platform, a)))];
}

/** The targets of one OS, each with its archs: the option's list, else the config's, else electron-builder's defaults. */
function platformTargets(platform: ElectronPlatform, raw: Record<string, unknown>, config: ElectronBuilderConfig | undefined, machineArch: ElectronArch): TargetSpec[] {
  const listed = stringListOption(platform, raw[platform], { example: DEFAULT_TARGETS[platform][0], items: 'target names' });
  if (listed && !listed.length) throw new UserError(platform, 'is empty', `Name at least one target (${DEFAULT_TARGETS[platform].join(', ')}), or leave "${platform}" out of "platforms"`);
  const specs: TargetSpec[] = listed
    ? listed.map((t) => ({ target: checkTarget(platform, platform, t), archs: [] }))
    : targetsFromConfig(platform, configAt(config?.config, platform, 'target'), config?.source ?? 'electron-builder config') ?? DEFAULT_TARGETS[platform].map((target) => ({ target, archs: [] }));
  const archs = archOption(`${platform}Arch`, platform, raw[`${platform}Arch`]);
  const fallback: ElectronArch = platform === 'mac' && machineArch !== 'arm64' ? 'x64' : platform === 'win' && machineArch === 'armv7l' ? 'x64' : machineArch;
  return specs.map((s) => ({ target: s.target, archs: archs ?? (s.archs.length ? s.archs : [fallback]) }));
}

/** The OSes this machine packages when `platforms` is left out. */
function defaultPlatforms(config: ElectronBuilderConfig | undefined, platform: NodeJS.Platform): ElectronPlatform[] {
  const runner = hostRunner(platform);
  const job = electronTargetsByRunnerFromConfig(config?.config)[runner];
  if (job) return job.platforms;
  const configured = configuredPlatforms(config?.config);
  throw new UserError(
    'platforms',
    `this project packages for ${configured.map((p) => PLATFORM_NAMES[p]).join(', ')}, none of which is built on a ${runner} machine`,
    `Run package-electron on the runner \`shipfleet matrix\` gives it, or set "platforms" (e.g. ["${configured[0]}"])`,
  );
}

function signingSource(option: string, pathValue: unknown, envValue: unknown, envOption: string, ctx: PackageElectronContext, variable: string): { kind: 'path'; path: string } | { kind: 'env'; name: string } | undefined {
  if (!isAbsent(pathValue) && !isAbsent(envValue)) throw new UserError(envOption, `both "${option}" and "${envOption}" are set`, `Give the certificate once: a file with "${option}" or a variable with "${envOption}" (${variable})`);
  const path = pathOption(option, pathValue, { workspaceRoot: ctx.workspaceRoot, projectRoot: ctx.projectRoot, mustExist: 'file' });
  if (path) return { kind: 'path', path };
  const name = envNameOption(envOption, envValue, { what: `the base64 certificate for ${variable}` });
  return name ? { kind: 'env', name } : undefined;
}

/**
 * Validates package-electron's options; each problem is a UserError naming the option. Signing
 * secrets are read from the variables the options name; in a dry run one that is not set is shown
 * as `<$NAME not set>` with a warning.
 */
export function resolvePackageElectronOptions(
  given: Partial<PackageElectronOptions>,
  ctx: PackageElectronContext,
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = () => {},
  dryRun = false,
): ResolvedPackageElectronOptions {
  if (!isPlainObject(given)) throw new UserError('options', 'must be an object', 'Pass the options as a map, e.g. {"linux": ["AppImage"]}');
  const raw = given as Record<string, unknown>;
  const workspaceRoot = resolve(ctx.workspaceRoot);
  const path = (option: string, v: unknown, mustExist?: 'file' | 'dir' | 'any') => pathOption(option, v, { workspaceRoot, projectRoot: ctx.projectRoot, mustExist, warn });
  const projectDir = path('projectDir', raw.projectDir ?? '{projectRoot}', 'dir')!;
  const pkg = readPackageJson(projectDir);

  const configFile = path('config', raw.config, 'file');
  const config = configFile ? readElectronBuilderConfig((p) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined), configFile) : readElectronBuilderConfig(fsReader(projectDir));

  const platform = ctx.platform ?? process.platform;
  const machineArch = hostArch(ctx.arch ?? process.arch);
  const platforms = platformsOption(raw.platforms) ?? defaultPlatforms(config, platform);
  for (const p of ELECTRON_PLATFORMS) {
    if (!platforms.includes(p) && (raw[p] !== undefined || raw[`${p}Arch`] !== undefined)) warn(`Options "${p}"/"${p}Arch" are ignored: ${p} is not in "platforms" (${platforms.join(', ')})`);
  }
  const targets: Partial<Record<ElectronPlatform, TargetSpec[]>> = {};
  for (const p of platforms) targets[p] = platformTargets(p, raw, config, machineArch);

  const host = hostPlatform(platform);
  if (targets.mac && host !== 'mac') {
    const problem = new UserError('platforms', `macOS targets (${targets.mac.map((t) => t.target).join(', ')}) are built only on macOS, and this is ${platform}`, 'Run the mac targets on a macOS runner (shipfleet matrix puts them there), or drop "mac" from "platforms"');
    if (!dryRun) throw problem;
    warn(`${problem.message} (a real run stops here)`);
  }
  const windowsOnly = (targets.win ?? []).filter((t) => WINDOWS_ONLY_TARGETS.includes(t.target)).map((t) => t.target);
  if (windowsOnly.length && host !== 'win') warn(`${windowsOnly.join(', ')} ${windowsOnly.length > 1 ? 'need' : 'needs'} Windows tools: on ${platform} electron-builder runs them through wine (and mono), which must be installed`);

  const configVersion = typeof pkg.version === 'string' ? pkg.version : undefined;
  const version = patternOption('version', raw.version, { pattern: SEMVER, what: 'a semantic version', example: '1.4.0' }) ?? configVersion;
  if (!version) throw new UserError('version', `${join(projectDir, 'package.json')} has no version`, 'Add "version" to package.json, or give the "version" option');
  if (!SEMVER.test(version)) throw new UserError('version', `package.json's version "${version}" is not a semantic version`, 'electron-builder needs x.y.z: fix package.json or give the "version" option');
  const buildNumberRaw = raw.buildNumber ?? (env.GITHUB_RUN_NUMBER || undefined);
  const buildNumber = patternOption('buildNumber', typeof buildNumberRaw === 'number' ? String(buildNumberRaw) : buildNumberRaw, { pattern: BUILD_NUMBER, what: 'a build number', example: '42' });
  const buildVersion = patternOption('buildVersion', raw.buildVersion, { pattern: BUILD_NUMBER, what: 'a build version', example: '1.4.0.42' });

  const electronDist = path('electronDist', raw.electronDist, 'any');
  const electronVersion = patternOption('electronVersion', raw.electronVersion, { pattern: SEMVER, what: 'an Electron version', example: '45.3.4' });
  const electronMirror = urlOption('electronMirror', raw.electronMirror, { example: 'https://npmmirror.com/mirrors/electron/' });
  const sevenZipPath = path('sevenZipPath', raw.sevenZipPath, 'file');
  const binariesMirror = urlOption('binariesMirror', raw.binariesMirror, { example: 'https://mirror.example.com/electron-builder-binaries/' });
  const cacheDir = path('cacheDir', raw.cacheDir);
  if (electronDist) checkElectronDist(electronDist, targets);

  const configOutput = configAt(config?.config, 'directories', 'output');
  const outputPath = path('outputPath', raw.outputPath) ?? (typeof configOutput === 'string' && !configOutput.includes('${') ? resolve(projectDir, configOutput) : join(workspaceRoot, 'dist', relative(workspaceRoot, resolve(workspaceRoot, ctx.projectRoot))));
  if (existsSync(outputPath) && !statSync(outputPath).isDirectory()) throw new UserError('outputPath', `${outputPath} is a file`, 'Give a folder');
  if (resolve(outputPath) === resolve(projectDir) || !relative(outputPath, projectDir).startsWith('..') && !isAbsolute(relative(outputPath, projectDir))) {
    throw new UserError('outputPath', `${outputPath} holds the app's own folder`, 'Give a folder for the packages only, e.g. dist/<project>');
  }

  const toolEnv: Record<string, string> = {};
  if (sevenZipPath) toolEnv.ELECTRON_BUILDER_7ZIP_PATH = sevenZipPath;
  if (binariesMirror) toolEnv.ELECTRON_BUILDER_BINARIES_MIRROR = binariesMirror.endsWith('/') ? binariesMirror : `${binariesMirror}/`;
  if (cacheDir) toolEnv.ELECTRON_BUILDER_CACHE = cacheDir;

  // Signing: CSC_* for macOS (and Windows when no WIN_CSC_* is given), WIN_CSC_* for Windows.
  const secrets: string[] = [];
  const signingEnv: Record<string, string> = {};
  const signingSources: Record<string, string> = {};
  const readSecret = (option: string, name: string, variable: string, decode: 'raw' | 'base64') => {
    signingSources[variable] = `$${name}`;
    if (!env[name]) {
      const problem = new UserError(option, `environment variable ${name} is not set`, `Set ${name} (${variable} for electron-builder) in the environment of this run, for example from your CI secret store`);
      if (!dryRun) throw problem;
      warn(`Dry run without a credential: ${problem.message} The plan shows <$${name} not set>; a real run stops here.`);
      signingEnv[variable] = `<$${name} not set>`;
      return;
    }
    const secret = secretFromEnv(option, name, { env, decode, what: decode === 'base64' ? 'the base64 of the .p12/.pfx certificate' : 'the certificate password' })!;
    secrets.push(...secret.mask);
    // electron-builder decodes a base64 CSC_LINK itself: it gets the variable's text as it is.
    signingEnv[variable] = dryRun ? `$${name}` : (env[name] as string);
  };
  const certs: [string, string, string, string, string][] = [
    ['signingCert', 'signingCertEnv', 'signingPasswordEnv', 'CSC_LINK', 'CSC_KEY_PASSWORD'],
    ['winSigningCert', 'winSigningCertEnv', 'winSigningPasswordEnv', 'WIN_CSC_LINK', 'WIN_CSC_KEY_PASSWORD'],
  ];
  for (const [certOption, envOption, passwordOption, linkVar, passwordVar] of certs) {
    const source = signingSource(certOption, raw[certOption], raw[envOption], envOption, ctx, linkVar);
    const passwordName = envNameOption(passwordOption, raw[passwordOption], { what: `the certificate password (${passwordVar})` });
    if (passwordName && !source) throw new UserError(passwordOption, 'a password is given without a certificate', `Give the certificate with "${certOption}" (a file) or "${envOption}" (a variable holding its base64)`);
    if (source?.kind === 'path') {
      signingEnv[linkVar] = source.path;
      signingSources[linkVar] = source.path;
    } else if (source) readSecret(envOption, source.name, linkVar, 'base64');
    if (passwordName) readSecret(passwordOption, passwordName, passwordVar, 'raw');
  }
  if (signingEnv.CSC_LINK && !targets.mac && !signingEnv.WIN_CSC_LINK && !targets.win) warn('"signingCert"/"signingCertEnv" is set but no mac or win target is packaged in this run: it is not used');
  if (signingEnv.WIN_CSC_LINK && !targets.win) warn('"winSigningCert"/"winSigningCertEnv" is set but no Windows target is packaged in this run: it is not used');

  const notarize = configAt(config?.config, 'mac', 'notarize');
  const notarizeTurnedOff = !!targets.mac && notarize !== undefined && notarize !== false && notarize !== null;
  if (notarizeTurnedOff) warn(`${config?.source}: mac.notarize is turned off for this build; notarize with the sign-macos target after package-electron`);

  const productName = typeof config?.config?.productName === 'string' ? config.config.productName : typeof pkg.productName === 'string' ? pkg.productName : String(pkg.name ?? 'app');
  const productionDependencies = isPlainObject(pkg.dependencies) ? Object.keys(pkg.dependencies).length : 0;
  const skipDependencyInstall = productionDependencies === 0 && !existsSync(join(projectDir, 'node_modules')) && configAt(config?.config, 'npmRebuild') === undefined;

  return {
    options: {
      workspaceRoot,
      projectDir,
      config,
      configFile,
      platforms,
      targets,
      outputPath,
      version,
      packageVersion: configVersion,
      productName,
      skipDependencyInstall,
      buildNumber,
      buildVersion,
      electronDist,
      electronVersion,
      electronMirror,
      toolEnv,
      signingSources,
      notarizeTurnedOff,
    },
    signingEnv,
    secrets,
  };
}

/**
 * An unpacked Electron folder serves one OS and arch: electron-builder copies it into every
 * target. A folder of electron-v…-<os>-<arch>.zip files (or one zip) serves what it holds.
 */
function checkElectronDist(dist: string, targets: Partial<Record<ElectronPlatform, TargetSpec[]>>): void {
  const pairs = new Set(Object.entries(targets).flatMap(([p, specs]) => specs!.flatMap((s) => s.archs.map((a) => `${p}-${a}`))));
  if (!statSync(dist).isDirectory()) {
    if (!dist.endsWith('.zip')) throw new UserError('electronDist', `${dist} is neither a folder nor a .zip`, 'Give an unpacked Electron folder, an electron-v<version>-<os>-<arch>.zip, or a folder of such zips');
  } else if (readdirSync(dist).some((f) => ZIP_OF_ELECTRON.test(f))) {
    return;
  }
  if (pairs.size > 1) {
    throw new UserError('electronDist', `${dist} is one Electron build, and this run packages ${pairs.size} OS/arch pairs (${[...pairs].join(', ')})`, 'Package one OS and arch per run with a local Electron, or point "electronDist" at a folder of electron-v<version>-<os>-<arch>.zip files');
  }
}
