import { isPlainObject } from '@shipfleet/core';
import { configAt, ElectronBuilderConfig, fsReader, ProjectReader, readElectronBuilderConfig } from './config-file';
import { DEFAULT_TARGETS, ELECTRON_PLATFORMS, ElectronPlatform, targetNames, targetsFromConfig, WINDOWS_ONLY_TARGETS } from './targets';

/** The CI runner OS a set of electron-builder targets needs. */
export type ElectronRunner = 'macos' | 'windows' | 'linux';

export interface ElectronRunnerJob {
  /** The OSes to package on that runner (package-electron's `platforms`). */
  platforms: ElectronPlatform[];
  /** Target names per OS, from the config (electron-builder's defaults when it lists none). */
  targets: Partial<Record<ElectronPlatform, string[]>>;
  /** Why this runner, for the matrix's explanation. */
  reason: string;
}

/** Config keys that mean a project packages for that OS. */
const SECTIONS: Record<ElectronPlatform, string[]> = {
  mac: ['mac', 'mas', 'masDev', 'dmg', 'pkg'],
  win: ['win', 'nsis', 'nsisWeb', 'portable', 'msi', 'msiWrapped', 'appx', 'squirrelWindows'],
  linux: ['linux', 'appImage', 'deb', 'rpm', 'snap', 'flatpak', 'pacman', 'apk', 'freebsd', 'p5p'],
};

/** The OSes a config packages for: those with a section; all three when it has none (electron-builder's defaults apply). */
export function configuredPlatforms(config: Record<string, unknown> | undefined): ElectronPlatform[] {
  const found = ELECTRON_PLATFORMS.filter((p) => SECTIONS[p].some((key) => config?.[key] !== undefined && config[key] !== null));
  return found.length ? found : [...ELECTRON_PLATFORMS];
}

/** The target names a config lists for an OS, or electron-builder's defaults. */
export function configuredTargets(config: Record<string, unknown> | undefined, platform: ElectronPlatform, source = 'electron-builder config'): string[] {
  const specs = targetsFromConfig(platform, configAt(config, platform, 'target'), source);
  return specs?.length ? targetNames(specs) : [...DEFAULT_TARGETS[platform]];
}

/**
 * Why Windows packaging needs a Windows runner, or undefined when Linux does (electron-builder
 * builds nsis, portable and archives on Linux and signs a .pfx there with osslsigncode).
 */
export function windowsRunnerReason(config: Record<string, unknown> | undefined, targets: readonly string[]): string | undefined {
  const windowsOnly = targets.filter((t) => WINDOWS_ONLY_TARGETS.includes(t));
  if (windowsOnly.length) return `${windowsOnly.join(', ')} ${windowsOnly.length > 1 ? 'are' : 'is'} built with Windows tools`;
  const win = configAt(config, 'win');
  if (isPlainObject(configAt(config, 'win', 'azureSignOptions'))) return 'Azure Trusted Signing (win.azureSignOptions) runs on Windows';
  const storeKeys = ['certificateSubjectName', 'certificateSha1'];
  const signtool = configAt(config, 'win', 'signtoolOptions');
  const store = storeKeys.find((k) => (isPlainObject(signtool) && (signtool as Record<string, unknown>)[k]) || (isPlainObject(win) && (win as Record<string, unknown>)[k]));
  if (store) return `signing with a certificate from the Windows store (${store}) needs signtool on Windows`;
  return undefined;
}

/** The runners a project's electron-builder config needs, each with the OSes and targets packaged there. */
export function electronTargetsByRunnerFromConfig(config: Record<string, unknown> | undefined): Partial<Record<ElectronRunner, ElectronRunnerJob>> {
  const jobs: Partial<Record<ElectronRunner, ElectronRunnerJob>> = {};
  const add = (runner: ElectronRunner, platform: ElectronPlatform, targets: string[], reason: string) => {
    const job = (jobs[runner] ??= { platforms: [], targets: {}, reason: '' });
    job.platforms.push(platform);
    job.targets[platform] = targets;
    job.reason = job.reason ? `${job.reason}; ${reason}` : reason;
  };
  for (const platform of configuredPlatforms(config)) {
    const targets = configuredTargets(config, platform);
    if (platform === 'mac') add('macos', platform, targets, 'macOS apps are built, signed and put in a dmg on macOS');
    else if (platform === 'linux') add('linux', platform, targets, 'Linux packages are built on Linux');
    else {
      const why = windowsRunnerReason(config, targets);
      add(why ? 'windows' : 'linux', platform, targets, why ?? 'Windows targets without Windows-only tools or signing are built on Linux');
    }
  }
  return jobs;
}

/** Whether a project folder is an Electron app packaged with electron-builder: package.json depends on electron and a config exists. */
export function detectElectronProject(read: ProjectReader): ElectronBuilderConfig | undefined {
  const text = read('package.json');
  if (text === undefined) return undefined;
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text);
  } catch {
    return undefined;
  }
  const deps = ['dependencies', 'devDependencies'].map((k) => pkg?.[k]).filter(isPlainObject) as Record<string, unknown>[];
  if (!deps.some((d) => 'electron' in d)) return undefined;
  try {
    return readElectronBuilderConfig(read);
  } catch {
    // A broken config is the executor's to report, with the option named; the project is still an Electron app.
    return { source: 'unreadable' };
  }
}

/**
 * For `shipfleet matrix`: the runners an Electron project needs (mac → macos; win → windows or
 * linux depending on its targets and signing method; linux → linux), or {} when the folder is not
 * an Electron app with an electron-builder config.
 */
export function electronTargetsByRunner(projectDir: string): Partial<Record<ElectronRunner, ElectronRunnerJob>> {
  const found = detectElectronProject(fsReader(projectDir));
  if (!found) return {};
  return electronTargetsByRunnerFromConfig(found.config);
}

/** The runner OS of this machine, as the matrix names it. */
export function hostRunner(platform: NodeJS.Platform = process.platform): ElectronRunner {
  return platform === 'darwin' ? 'macos' : platform === 'win32' ? 'windows' : 'linux';
}
