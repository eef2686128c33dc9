import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { extname, join } from 'path';
import { booleanOption, durationOption, isPlainObject, oneOfOption, Plan, runStep, Step, taskStep, UserError } from '@shipfleet/core';
import { ApiKeyInput, ApiKeyOptions, CertificateInput, CertificateOptions, normalizeApiKey, normalizeCertificate, normalizeProfiles, stringMap, TEAM_ID } from './credentials';
import { exportOptions, ExportOptionsInput, exportOptionsPlist } from './export-options';
import { signingSetupSteps, SigningSetup } from './keychain';
import { podsState, PodsState } from './pods';
import { ProvisioningProfile } from './profiles';
import { RunTimeValues } from './runtime-values';
import { optionPaths, OptionsContext, pathFrom, withCurrentNames } from './option-reading';
import { firstLine, homeDir, randomName, stringOption, tempBase } from './util';
import { resolveBuildNumber, resolveMarketingVersion, ResolvedValue } from './version';
import {
  APPLE_PLATFORMS,
  ApplePlatform,
  canonicalExportMethod,
  EXPORT_METHODS,
  ExportMethod,
  exportMethodName,
  findXcodeContainer,
  OLD_EXPORT_METHOD_NAMES,
  parseXcodebuildList,
  parseXcodeVersion,
  pickScheme,
  PLATFORM_INFO,
  podNames,
  sharedSchemes,
  XcodeContainer,
} from './xcode';

export interface BuildIosOptions extends CertificateOptions, ApiKeyOptions {
  /** ios (default), tvos, watchos or visionos. */
  platform?: ApplePlatform;
  /** .xcworkspace path (relative to the workspace root); default: found in the project. */
  workspace?: string;
  /** .xcodeproj path, when there is no workspace. */
  project?: string;
  /** Default: the only shared scheme, else `xcodebuild -list -json` at run time. */
  scheme?: string;
  /** Default Release. */
  configuration?: string;
  /** app-store-connect (default), release-testing, enterprise, debugging (or the pre-15.4 names). */
  exportMethod?: string;
  /** export (default): write the .ipa; upload: Xcode uploads it to App Store Connect. */
  exportDestination?: 'export' | 'upload';
  /** Default: manual when provisioning profiles are given, else automatic. */
  signingStyle?: 'automatic' | 'manual';
  /** Developer team ID; default: the team of the given profiles. */
  teamId?: string;
  /** Bundle identifier → profile name or UUID, added to those read from `profiles`. */
  provisioningProfiles?: Record<string, string>;
  /** Certificate name, SHA-1 or selector such as "Apple Distribution" (manual signing). */
  signingCertificate?: string;
  /** App Store exports: include symbols (default true). */
  uploadSymbols?: boolean;
  /** Default: the project's package.json version. */
  marketingVersion?: string;
  /** Default: GITHUB_RUN_NUMBER, CI_PIPELINE_IID or BUILD_NUMBER. */
  buildNumber?: string | number;
  /** .mobileprovision paths to install for the build. */
  profiles?: string[];
  /** Names of env vars each holding a base64 .mobileprovision. */
  profilesEnv?: string[];
  /** Folder for the archive, export, ExportOptions.plist and result bundle. Default {projectRoot}/build/shipfleet. */
  outputPath?: string;
  /** auto (default): `pod install` when Pods/Manifest.lock is missing or differs from Podfile.lock. */
  pods?: 'auto' | 'always' | 'never';
  /** Stop xcodebuild after this long (each of archive and export): a duration such as "45m", or seconds. */
  timeout?: string | number;
  /** @deprecated use timeout */
  timeoutSeconds?: number;
}

export interface NormalizedBuildIosOptions {
  projectRoot: string;
  platform: ApplePlatform;
  destination: string;
  container: XcodeContainer;
  /** Undefined: found with `xcodebuild -list -json` at run time. */
  scheme?: string;
  schemeSource: string;
  configuration: string;
  exportOptions: ExportOptionsInput;
  marketingVersion?: ResolvedValue;
  buildNumber?: ResolvedValue;
  outputPath: string;
  archivePath: string;
  exportPath: string;
  exportOptionsPath: string;
  derivedDataPath: string;
  resultBundlePath: string;
  pods?: PodsState & { command: string[] };
  certificate?: CertificateInput;
  profiles: ProvisioningProfile[];
  apiKey?: ApiKeyInput;
  timeoutMs?: number;
  tempBase: string;
  home: string;
  /** Secret values read from the environment and files: masked in every output. */
  secrets: string[];
}

/** What build-ios uses for an option left out; its schema.json states the same defaults. */
export const BUILD_IOS_DEFAULTS = {
  platform: 'ios',
  configuration: 'Release',
  exportMethod: 'app-store-connect',
  exportDestination: 'export',
  uploadSymbols: true,
  outputPath: '{projectRoot}/build/shipfleet',
  pods: 'auto',
} as const;

const PROFILE_KIND_FOR: Record<ExportMethod, ProvisioningProfile['kind']> = {
  'app-store-connect': 'app-store',
  'release-testing': 'ad-hoc',
  enterprise: 'enterprise',
  debugging: 'development',
};

function podCommand(state: PodsState, projectRoot: string): string[] {
  const gemfile = [join(state.dir, 'Gemfile'), join(projectRoot, 'Gemfile')].find((g) => existsSync(g));
  return gemfile && /cocoapods/.test(readFileSync(gemfile, 'utf8')) ? ['bundle', 'exec', 'pod', 'install'] : ['pod', 'install'];
}

/**
 * Validates build-ios options against the project on disk; every problem is a
 * UserError naming the option. Paths in options are relative to
 * `context.workspaceRoot`; the Xcode project is looked for in `projectRoot`.
 */
export function normalizeBuildIosOptions(options: Partial<BuildIosOptions>, projectRoot: string, env: NodeJS.ProcessEnv = process.env, context: OptionsContext = {}): NormalizedBuildIosOptions {
  if (!isPlainObject(options)) throw new UserError('options', 'must be an object', 'Pass the executor options as a map');
  const paths = optionPaths(projectRoot, context);
  const raw = withCurrentNames(options, paths.warn, BUILD_IOS_DEFAULTS);
  const platform = oneOfOption('platform', raw.platform, APPLE_PLATFORMS, { fix: `Use one of ${APPLE_PLATFORMS.join(', ')}; the destination follows (generic/platform=iOS, …)` }) ?? BUILD_IOS_DEFAULTS.platform;
  const container = findXcodeContainer(paths, raw);
  const configuration = stringOption(raw.configuration, 'configuration', 'Use the build configuration name, e.g. "Release"') ?? BUILD_IOS_DEFAULTS.configuration;

  const podsMode = oneOfOption('pods', raw.pods, ['auto', 'always', 'never'] as const, { fix: 'Use auto (pod install when Pods/Manifest.lock differs from Podfile.lock), always or never' }) ?? BUILD_IOS_DEFAULTS.pods;
  const state = podsState(container.dir);
  if (podsMode === 'always' && !state) throw new UserError('pods', `is "always" but there is no Podfile in ${container.dir}`, 'Use pods: auto, or add the Podfile next to the Xcode project');
  if (container.createdByPods && podsMode === 'never') throw new UserError('pods', `is "never" but ${container.path} does not exist yet`, 'Run pod install (pods: auto) or commit the workspace');
  let pods: NormalizedBuildIosOptions['pods'];
  if (state && podsMode !== 'never' && (state.needed || podsMode === 'always' || container.createdByPods)) {
    pods = { ...state, needed: true, reason: podsMode === 'always' && !state.needed ? 'pods: always' : container.createdByPods && !state.needed ? `${container.path} does not exist yet` : state.reason, command: podCommand(state, projectRoot) };
  }

  let scheme = stringOption(raw.scheme, 'scheme', 'Use the name of a shared scheme, as listed by `xcodebuild -list`');
  let schemeSource = 'option scheme';
  if (scheme === undefined) {
    const shared = sharedSchemes(container);
    if (shared.length > 1) {
      throw new UserError('scheme', `is not set and ${container.path} shares ${shared.length} schemes: ${shared.join(', ')}`, 'Set scheme to the one that builds the app');
    }
    if (shared.length === 1) {
      scheme = shared[0];
      schemeSource = 'the only shared scheme';
    } else {
      schemeSource = 'xcodebuild -list -json at run time';
    }
  } else {
    const shared = sharedSchemes(container);
    if (shared.length && !shared.includes(scheme) && !container.createdByPods) {
      throw new UserError('scheme', `"${scheme}" is not a shared scheme of ${container.path}`, `Shared schemes: ${shared.join(', ')} (xcodebuild only sees shared schemes on CI: tick Shared in Manage Schemes)`);
    }
  }

  const methodRaw = raw.exportMethod ?? BUILD_IOS_DEFAULTS.exportMethod;
  const method = typeof methodRaw === 'string' ? canonicalExportMethod(methodRaw) : undefined;
  if (!method) {
    throw new UserError('exportMethod', `"${String(methodRaw)}" is not an export method for ${PLATFORM_INFO[platform].label}`, `Use one of ${EXPORT_METHODS.join(', ')} (or the names before Xcode 15.4: ${EXPORT_METHODS.map((m) => OLD_EXPORT_METHOD_NAMES[m]).join(', ')})`);
  }
  const destination = oneOfOption('exportDestination', raw.exportDestination, ['export', 'upload'] as const) ?? BUILD_IOS_DEFAULTS.exportDestination;
  if (destination === 'upload' && method !== 'app-store-connect') throw new UserError('exportDestination', `"upload" works only with exportMethod app-store-connect, not ${method}`, 'Use exportDestination: export');
  const uploadSymbols = booleanOption('uploadSymbols', raw.uploadSymbols) ?? BUILD_IOS_DEFAULTS.uploadSymbols;
  const signingCertificate = stringOption(raw.signingCertificate, 'signingCertificate', 'Use a certificate name, SHA-1, or a selector such as "Apple Distribution"');

  const secrets: string[] = [];
  const certificate = normalizeCertificate(raw, paths, env, secrets);
  const apiKey = normalizeApiKey(raw, paths, env, secrets);
  const profiles = normalizeProfiles(raw, paths, env);

  const explicit = stringMap(raw.provisioningProfiles, 'provisioningProfiles', '{"com.example.app": "App Store profile name or UUID"}');
  const provisioningProfiles: Record<string, string> = {};
  for (const p of profiles) {
    if (p.bundleId && !p.bundleId.includes('*')) provisioningProfiles[p.bundleId] = p.uuid;
    if (p.kind !== PROFILE_KIND_FOR[method]) {
      throw new UserError('profiles', `profile "${p.name}" (${p.source}) is for ${p.kind} distribution but exportMethod is ${method}`, `Use a profile for ${PROFILE_KIND_FOR[method]} distribution, or set exportMethod to match the profile`);
    }
  }
  Object.assign(provisioningProfiles, explicit);

  const signingStyle = oneOfOption('signingStyle', raw.signingStyle, ['automatic', 'manual'] as const) ?? (profiles.length || Object.keys(explicit).length ? 'manual' : 'automatic');
  if (signingStyle === 'manual' && !Object.keys(provisioningProfiles).length) {
    throw new UserError('provisioningProfiles', 'manual signing needs a provisioning profile for each bundle identifier, and none is known', 'Give profiles (.mobileprovision files with an explicit bundle ID) or map bundle IDs to profile names in provisioningProfiles, or use signingStyle: automatic');
  }

  let teamId: string | undefined;
  if (raw.teamId != null) {
    if (typeof raw.teamId !== 'string' || !TEAM_ID.test(raw.teamId)) throw new UserError('teamId', `${JSON.stringify(raw.teamId)} is not a team ID`, 'A team ID is 10 upper-case letters and digits (developer.apple.com → Membership details)');
    teamId = raw.teamId;
  } else {
    const teams = [...new Set(profiles.map((p) => p.teamId).filter((t): t is string => !!t))];
    if (teams.length > 1) throw new UserError('teamId', `the profiles belong to ${teams.length} teams (${teams.join(', ')})`, 'Set teamId to the team that signs the app');
    teamId = teams[0];
  }

  const marketingVersion = resolveMarketingVersion(raw.marketingVersion, projectRoot);
  const buildNumber = resolveBuildNumber(raw.buildNumber, env);
  const timeoutMs = durationOption('timeout', raw.timeout, { min: 1000, example: '45m' });
  const outputPath = pathFrom(paths, 'outputPath', raw.outputPath ?? BUILD_IOS_DEFAULTS.outputPath, { fix: 'Give a folder relative to the workspace root, e.g. "dist/apps/ios"' })!;
  const name = scheme ?? container.name;
  return {
    projectRoot,
    platform,
    destination: PLATFORM_INFO[platform].destination,
    container,
    scheme,
    schemeSource,
    configuration,
    exportOptions: { method, teamId, signingStyle, provisioningProfiles, signingCertificate, destination, uploadSymbols },
    marketingVersion,
    buildNumber,
    outputPath,
    archivePath: join(outputPath, `${name}.xcarchive`),
    exportPath: join(outputPath, 'export'),
    exportOptionsPath: join(outputPath, 'ExportOptions.plist'),
    derivedDataPath: join(outputPath, 'DerivedData'),
    resultBundlePath: join(outputPath, `${name}.xcresult`),
    pods,
    certificate,
    profiles,
    apiKey,
    timeoutMs,
    tempBase: tempBase(env),
    home: homeDir(env),
    secrets,
  };
}

/** `-allowProvisioningUpdates` with the App Store Connect API key, for automatic (cloud) signing. */
export function xcodebuildAuthArgs(apiKey: { id: string; issuerId: string } | undefined, keyPath: string | undefined): string[] {
  if (!apiKey || !keyPath) return [];
  return ['-allowProvisioningUpdates', '-authenticationKeyPath', keyPath, '-authenticationKeyID', apiKey.id, '-authenticationKeyIssuerID', apiKey.issuerId];
}

/** Version and team as build settings on the command line; the project files are not edited. */
export function buildSettings(o: Pick<NormalizedBuildIosOptions, 'marketingVersion' | 'buildNumber' | 'exportOptions'>): string[] {
  const out: string[] = [];
  if (o.marketingVersion) out.push(`MARKETING_VERSION=${o.marketingVersion.value}`);
  if (o.buildNumber) out.push(`CURRENT_PROJECT_VERSION=${o.buildNumber.value}`);
  if (o.exportOptions.teamId) out.push(`DEVELOPMENT_TEAM=${o.exportOptions.teamId}`);
  return out;
}

export function archiveArgs(o: NormalizedBuildIosOptions, scheme: string, apiKeyPath?: string): string[] {
  return [
    o.container.kind === 'workspace' ? '-workspace' : '-project', o.container.path,
    '-scheme', scheme,
    '-configuration', o.configuration,
    '-destination', o.destination,
    '-archivePath', o.archivePath,
    '-derivedDataPath', o.derivedDataPath,
    '-resultBundlePath', o.resultBundlePath,
    ...xcodebuildAuthArgs(o.apiKey, apiKeyPath),
    ...buildSettings(o),
    'archive',
  ];
}

export function exportArgs(o: NormalizedBuildIosOptions, apiKeyPath?: string): string[] {
  return ['-exportArchive', '-archivePath', o.archivePath, '-exportPath', o.exportPath, '-exportOptionsPlist', o.exportOptionsPath, ...xcodebuildAuthArgs(o.apiKey, apiKeyPath)];
}

/** What a plan builder returns: the plan, the secret values to mask, and the values it learns while running. */
export interface ApplePlan {
  plan: Plan;
  secrets: string[];
  runtime: RunTimeValues;
  signing: SigningSetup;
}

/** Unbuffered output, so the runner prints xcodebuild's lines as they come. */
export const XCODEBUILD_ENV = { NSUnbufferedIO: 'YES' };
const EXPORTED = ['.ipa', '.pkg', '.app'];

/** xcodebuild's output is shown through xcbeautify when it is installed; the raw log is always kept. */
export const XCBEAUTIFY = { file: 'xcbeautify', args: ['--disable-logging'], ifOnPath: true };

/**
 * build-ios as a plan. xcodebuild's output goes through xcbeautify when
 * installed (the runner masks secrets before xcbeautify sees a line), and its
 * raw output is kept, masked, in <outputPath>/xcodebuild.log. The structured
 * log is kept in the result bundle (`-resultBundlePath`).
 */
export function buildIosPlan(o: NormalizedBuildIosOptions, deps: { workDir?: string } = {}): ApplePlan {
  const runtime = new RunTimeValues();
  const workDir = deps.workDir ?? join(o.tempBase, randomName('shipfleet-apple'));
  const signing = signingSetupSteps({ certificate: o.certificate, profiles: o.profiles, apiKey: o.apiKey, workDir, home: o.home });
  const scheme = o.scheme ?? runtime.placeholder('scheme', 'scheme from xcodebuild -list -json');
  const flag = o.container.kind === 'workspace' ? '-workspace' : '-project';
  const shown = JSON.stringify(exportOptions(o.exportOptions, { major: 99, minor: 0 }));
  const oldName = OLD_EXPORT_METHOD_NAMES[o.exportOptions.method];

  const steps: Step[] = [
    taskStep('Remove the outputs of an earlier build', `rm -rf ${o.archivePath} ${o.exportPath} ${o.resultBundlePath}`, () => {
      for (const p of [o.archivePath, o.exportPath, o.resultBundlePath]) rmSync(p, { recursive: true, force: true });
    }),
    taskStep(
      'Read the Xcode version and write ExportOptions.plist',
      `xcodebuild -version; write ${o.exportOptionsPath}: ${shown}` + (oldName !== o.exportOptions.method ? ` (method "${oldName}" before Xcode 15.4)` : ''),
      async (ctx) => {
        const r = await ctx.exec('xcodebuild', ['-version']);
        if (r.exitCode !== 0) throw new Error(`xcodebuild -version exited with code ${r.exitCode}: ${firstLine(r.stderr || r.stdout)} (is Xcode installed and selected with xcode-select?)`);
        const xcode = parseXcodeVersion(r.stdout);
        runtime.set('xcodeVersion', xcode.text);
        ctx.setOutput('xcodeVersion', xcode.text);
        mkdirSync(o.outputPath, { recursive: true });
        writeFileSync(o.exportOptionsPath, exportOptionsPlist(o.exportOptions, xcode));
        ctx.log(`${xcode.text}: export method "${exportMethodName(o.exportOptions.method, xcode)}", written to ${o.exportOptionsPath}`);
      },
    ),
  ];
  if (o.pods) {
    steps.push(runStep(`pod install (${o.pods.reason})`, o.pods.command[0], o.pods.command.slice(1), { cwd: o.pods.dir, env: { COCOAPODS_DISABLE_STATS: 'true', LANG: 'en_US.UTF-8', LC_ALL: 'en_US.UTF-8' } }));
  }
  if (!o.scheme) {
    steps.push(
      taskStep('Find the scheme', `xcodebuild -list -json ${flag} ${o.container.path}; the only app scheme, else the one named ${o.container.name}`, async (ctx) => {
        const r = await ctx.exec('xcodebuild', ['-list', '-json', flag, o.container.path], { cwd: o.container.dir });
        if (r.exitCode !== 0) throw new Error(`xcodebuild -list exited with code ${r.exitCode}: ${firstLine(r.stderr || r.stdout)}`);
        const lock = join(o.container.dir, 'Podfile.lock');
        const found = pickScheme(parseXcodebuildList(r.stdout).schemes, o.container.name, existsSync(lock) ? podNames(readFileSync(lock, 'utf8')) : []);
        runtime.set('scheme', found);
        ctx.setOutput('scheme', found);
        ctx.log(`scheme: ${found}`);
      }),
    );
  }
  steps.push(...signing.steps);
  const timeout = o.timeoutMs ? { timeoutMs: o.timeoutMs } : {};
  steps.push(
    runStep(`Archive (${PLATFORM_INFO[o.platform].label}, ${o.configuration})`, 'xcodebuild', archiveArgs(o, scheme, signing.apiKeyPath), { cwd: o.container.dir, env: XCODEBUILD_ENV, outputFilter: XCBEAUTIFY, rawLog: join(o.outputPath, 'xcodebuild-archive.log'), ...timeout }),
    runStep('Export the archive', 'xcodebuild', exportArgs(o, signing.apiKeyPath), { cwd: o.container.dir, env: XCODEBUILD_ENV, outputFilter: XCBEAUTIFY, rawLog: join(o.outputPath, 'xcodebuild-export.log'), ...timeout }),
    taskStep('Find the exported app', `the .ipa, .pkg or .app written into ${o.exportPath}`, (ctx) => {
      if (o.exportOptions.destination === 'upload') {
        ctx.log('destination "upload": Xcode uploaded the build to App Store Connect');
        return;
      }
      const files = existsSync(o.exportPath) ? readdirSync(o.exportPath) : [];
      const found = EXPORTED.map((ext) => files.find((f) => extname(f) === ext)).find(Boolean);
      if (!found) throw new Error(`xcodebuild -exportArchive wrote no .ipa, .pkg or .app into ${o.exportPath}`);
      const path = join(o.exportPath, found);
      runtime.set('artifact', path);
      ctx.setOutput(extname(found).slice(1), path);
      ctx.log(`exported ${path}`);
    }),
  );

  const plan: Plan = {
    title: `build-ios ${o.scheme ?? o.container.name} (${PLATFORM_INFO[o.platform].label}, ${o.exportOptions.method})`,
    steps,
    outputs: { archive: o.archivePath, exportPath: o.exportPath, exportOptions: o.exportOptionsPath, resultBundle: o.resultBundlePath, buildLog: join(o.outputPath, 'xcodebuild-archive.log') },
  };
  runtime.attach(plan);
  return { plan, secrets: [...o.secrets, ...signing.secrets], runtime, signing };
}
