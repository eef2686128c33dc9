import { existsSync } from 'fs';
import { basename, join, relative } from 'path';
import { Plan, taskStep, TaskContext, UserError } from '@shipfleet/core';
import { ElectronBuilderApi, loadElectronBuilder, LoadedElectronBuilder } from './builder-module';
import { explainDownloadError } from './download-errors';
import { routeBuilderLog, withProcessEnv } from './log-bridge';
import { NormalizedPackageElectronOptions, ResolvedPackageElectronOptions } from './options';
import { ElectronArch, ElectronPlatform, PLATFORM_NAMES } from './targets';

export interface PackageElectronPlanDeps {
  /** Default: electron-builder from the workspace root (loadElectronBuilder). */
  loadBuilder?: (warn: (message: string) => void) => LoadedElectronBuilder;
  /** Where electron-builder reads its variables (default process.env: it runs in this process). */
  env?: NodeJS.ProcessEnv;
}

/** Filled in while the plan runs. */
export interface PackageElectronResult {
  electronBuilderVersion?: string;
  /** What electron-builder wrote (installers, archives, update files). */
  artifacts: string[];
  /** The unpacked apps (the `dir` output of each OS/arch): for sign-macos, the .app inside the mac one. */
  unpacked: string[];
}

/** Folder electron-builder unpacks an OS/arch into, inside the output folder. */
export function unpackedDir(platform: ElectronPlatform, arch: ElectronArch): string {
  if (platform === 'mac') return arch === 'x64' ? 'mac' : `mac-${arch}`;
  const base = platform === 'win' ? 'win' : 'linux';
  return arch === 'x64' ? `${base}-unpacked` : `${base}-${arch}-unpacked`;
}

/**
 * The options handed to electron-builder's build(): one "<target>:<arch>" entry per target and
 * arch, publish "never" (publishing is publish-github-release's), and the config overrides merged
 * over the project's own configuration.
 */
export function electronBuilderOptions(o: NormalizedPackageElectronOptions): Record<string, unknown> {
  const config: Record<string, unknown> = { directories: { output: o.outputPath } };
  if (o.configFile) config.extends = o.configFile;
  if (o.version !== o.packageVersion) config.extraMetadata = { version: o.version };
  if (o.buildNumber) config.buildNumber = o.buildNumber;
  if (o.buildVersion) config.buildVersion = o.buildVersion;
  if (o.electronDist) config.electronDist = o.electronDist;
  if (o.electronVersion) config.electronVersion = o.electronVersion;
  if (o.electronMirror) config.electronDownload = { mirror: o.electronMirror.endsWith('/') ? o.electronMirror : `${o.electronMirror}/` };
  // Notarization is sign-macos's: electron-builder signs, sign-macos notarizes and staples.
  if (o.targets.mac) config.mac = { notarize: false };
  if (o.skipDependencyInstall) config.npmRebuild = false;
  const options: Record<string, unknown> = { projectDir: o.projectDir, publish: 'never', config };
  for (const platform of o.platforms) options[platform] = o.targets[platform]!.flatMap((t) => t.archs.map((a) => `${t.target}:${a}`));
  return options;
}

function describeTargets(o: NormalizedPackageElectronOptions): string {
  return o.platforms
    .map((p) => {
      const specs = o.targets[p]!;
      const sameArchs = specs.every((s) => s.archs.join() === specs[0].archs.join());
      const list = sameArchs ? `${specs.map((s) => s.target).join(', ')} (${specs[0].archs.join(', ')})` : specs.map((s) => `${s.target} (${s.archs.join(', ')})`).join(', ');
      return `${PLATFORM_NAMES[p]} ${list}`;
    })
    .join('; ');
}

function describe(resolved: ResolvedPackageElectronOptions): string {
  const o = resolved.options;
  const rel = (p: string) => relative(o.workspaceRoot, p) || '.';
  const env = [
    ...Object.entries(o.signingSources).map(([k, from]) => `${k} from ${resolved.signingEnv[k]?.startsWith('<') ? resolved.signingEnv[k] : from}`),
    ...Object.entries(o.toolEnv).map(([k, v]) => `${k}=${v}`),
  ];
  return [
    `electron-builder build() in this process (shipfleet calls its API; there is no command to spawn) for ${rel(o.projectDir)}${o.config ? ` with ${o.config.source}` : ' (no electron-builder config: its defaults)'}`,
    `targets: ${describeTargets(o)}`,
    `output: ${rel(o.outputPath)}; version ${o.version}${o.buildNumber ? `, build number ${o.buildNumber}` : ''}${o.buildVersion ? `, buildVersion ${o.buildVersion}` : ''}; publish: never${o.targets.mac ? '; mac.notarize: false (notarize with sign-macos)' : ''}`,
    ...(o.skipDependencyInstall ? ['dependencies: none to install or rebuild (no production dependencies, no node_modules in the project): npmRebuild false, so nothing is installed into the project folder'] : []),
    `Electron: ${o.electronDist ? `local ${rel(o.electronDist)}` : o.electronMirror ? `downloaded from ${o.electronMirror}` : 'downloaded (or from the cache)'}${o.electronVersion ? ` ${o.electronVersion}` : ''}`,
    env.length ? `environment: ${env.join(', ')}` : 'environment: no signing variables set by shipfleet (electron-builder reads CSC_* from the environment as it is)',
  ].join('\n');
}

/**
 * The plan of package-electron: load electron-builder from the workspace, then one in-process task
 * running its build() with the project's config, the targets and archs decided, signing variables
 * set only while it runs, and its log sent through the run's masking.
 */
export function buildPackageElectronPlan(resolved: ResolvedPackageElectronOptions, deps: PackageElectronPlanDeps = {}): { plan: Plan; result: PackageElectronResult; secrets: string[] } {
  const o = resolved.options;
  const result: PackageElectronResult = { artifacts: [], unpacked: [] };
  const load = deps.loadBuilder ?? ((warn) => loadElectronBuilder(o.workspaceRoot, warn));
  let api: ElectronBuilderApi | undefined;

  const run = async (ctx: TaskContext) => {
    const options = electronBuilderOptions(o);
    const restoreEnv = withProcessEnv({ ...o.toolEnv, ...resolved.signingEnv }, deps.env ?? process.env);
    const restoreLog = routeBuilderLog(api!, (line) => ctx.log(line));
    let artifacts: string[];
    try {
      artifacts = await api!.build(options);
    } catch (err) {
      const explained = explainDownloadError(err, { electronVersion: o.electronVersion });
      if (explained) throw explained;
      if (err instanceof UserError) throw err;
      throw new Error(`electron-builder failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      restoreLog();
      restoreEnv();
    }
    result.artifacts = artifacts;
    for (const file of artifacts) ctx.setOutput(basename(file), file);
    for (const platform of o.platforms) {
      for (const arch of new Set(o.targets[platform]!.flatMap((t) => t.archs))) {
        const dir = join(o.outputPath, unpackedDir(platform, arch));
        if (!existsSync(dir)) continue;
        result.unpacked.push(dir);
        const app = platform === 'mac' ? join(dir, `${o.productName}.app`) : undefined;
        if (app && existsSync(app)) ctx.setOutput(`macApp-${arch}`, app);
        else ctx.setOutput(`unpacked-${platform}-${arch}`, dir);
      }
    }
    ctx.log(`${artifacts.length} artefact${artifacts.length === 1 ? '' : 's'} in ${o.outputPath}`);
  };

  return {
    plan: {
      title: `Package ${o.productName} ${o.version} with electron-builder (${o.platforms.map((p) => PLATFORM_NAMES[p]).join(', ')})`,
      steps: [
        taskStep('Load electron-builder', `electron-builder from the workspace (${o.workspaceRoot}/node_modules); missing: npm i -D -E electron-builder@26.17.0`, (ctx) => {
          const loaded = load((m) => ctx.log(`warning: ${m}`));
          api = loaded.api;
          result.electronBuilderVersion = loaded.version;
          ctx.log(`electron-builder ${loaded.version} (${loaded.path})`);
          ctx.setOutput('electronBuilderVersion', loaded.version);
        }),
        taskStep(`Package ${describeTargets(o)}`, describe(resolved), run),
      ],
      outputs: { outputPath: o.outputPath },
    },
    result,
    secrets: resolved.secrets,
  };
}
