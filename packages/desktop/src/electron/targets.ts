import { isPlainObject, UserError } from '@shipfleet/core';

/** electron-builder's names for the operating systems it packages for. */
export type ElectronPlatform = 'mac' | 'win' | 'linux';
export type ElectronArch = 'x64' | 'arm64' | 'universal' | 'ia32' | 'armv7l';

export const ELECTRON_PLATFORMS: readonly ElectronPlatform[] = ['mac', 'win', 'linux'];

const ARCHIVES = ['zip', '7z', 'tar.gz', 'tar.xz', 'tar.bz2', 'tar.lz', 'dir'];

/** The targets electron-builder 26 knows per OS (a name outside these is refused before electron-builder starts). */
export const KNOWN_TARGETS: Record<ElectronPlatform, readonly string[]> = {
  mac: ['dmg', 'pkg', 'mas', 'mas-dev', ...ARCHIVES],
  win: ['nsis', 'nsis-web', 'portable', 'msi', 'msiwrapped', 'appx', 'squirrel', ...ARCHIVES],
  linux: ['AppImage', 'deb', 'rpm', 'snap', 'flatpak', 'pacman', 'apk', 'freebsd', 'p5p', ...ARCHIVES],
};

/** electron-builder's own defaults when neither the options nor the config list targets. */
export const DEFAULT_TARGETS: Record<ElectronPlatform, readonly string[]> = { mac: ['dmg', 'zip'], win: ['nsis'], linux: ['AppImage'] };

export const KNOWN_ARCHS: Record<ElectronPlatform, readonly ElectronArch[]> = {
  mac: ['x64', 'arm64', 'universal'],
  win: ['x64', 'arm64', 'ia32'],
  linux: ['x64', 'arm64', 'armv7l'],
};

/** Windows targets whose tools electron-builder runs only on Windows (or through wine/mono, which CI runners lack). */
export const WINDOWS_ONLY_TARGETS: readonly string[] = ['msi', 'msiwrapped', 'appx', 'squirrel'];

export const PLATFORM_NAMES: Record<ElectronPlatform, string> = { mac: 'macOS', win: 'Windows', linux: 'Linux' };

/** One target of one OS, with the archs it is built for (empty: decided by the arch options or the machine). */
export interface TargetSpec {
  target: string;
  archs: ElectronArch[];
}

/** The electron-builder platform this machine builds by default. */
export function hostPlatform(platform: NodeJS.Platform = process.platform): ElectronPlatform {
  return platform === 'darwin' ? 'mac' : platform === 'win32' ? 'win' : 'linux';
}

/** The machine's arch as electron-builder names it (it builds for it when no arch is given). */
export function hostArch(arch: string = process.arch): ElectronArch {
  return arch === 'arm64' ? 'arm64' : arch === 'ia32' ? 'ia32' : arch === 'arm' ? 'armv7l' : 'x64';
}

function matchTarget(platform: ElectronPlatform, name: string): string | undefined {
  return KNOWN_TARGETS[platform].find((t) => t.toLowerCase() === name.toLowerCase());
}

/** A target name as electron-builder spells it, or a UserError naming `option`. */
export function checkTarget(option: string, platform: ElectronPlatform, name: unknown): string {
  const found = typeof name === 'string' ? matchTarget(platform, name.trim()) : undefined;
  if (!found) {
    throw new UserError(option, `${JSON.stringify(name)} is not an electron-builder ${PLATFORM_NAMES[platform]} target`, `Use one of: ${KNOWN_TARGETS[platform].join(', ')}`);
  }
  return found;
}

export function checkArch(option: string, platform: ElectronPlatform, arch: unknown): ElectronArch {
  if (typeof arch !== 'string' || !(KNOWN_ARCHS[platform] as readonly string[]).includes(arch)) {
    const hint = arch === 'universal' ? ' (universal builds exist for macOS only)' : '';
    throw new UserError(option, `${JSON.stringify(arch)} is not a ${PLATFORM_NAMES[platform]} arch${hint}`, `Use ${KNOWN_ARCHS[platform].join(', ')}`);
  }
  return arch as ElectronArch;
}

/**
 * The targets of one OS as an electron-builder config writes them (`mac.target`): a name, an
 * object {target, arch}, or a list of either. Undefined when the config names none.
 */
export function targetsFromConfig(platform: ElectronPlatform, value: unknown, where: string): TargetSpec[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value) ? value : [value];
  const option = `${where} ${platform}.target`;
  return items.map((item) => {
    if (typeof item === 'string') return { target: checkTarget(option, platform, item), archs: [] };
    if (!isPlainObject(item)) throw new UserError(option, `${JSON.stringify(item)} is neither a target name nor {"target", "arch"}`, 'Write e.g. "dmg" or {"target": "dmg", "arch": ["x64", "arm64"]}');
    const entry = item as Record<string, unknown>;
    const arch = entry.arch === undefined || entry.arch === null ? [] : Array.isArray(entry.arch) ? entry.arch : [entry.arch];
    return { target: checkTarget(option, platform, entry.target), archs: arch.map((a) => checkArch(option, platform, a)) };
  });
}

/** The target names of a list, each once, in order. */
export function targetNames(specs: readonly TargetSpec[]): string[] {
  return [...new Set(specs.map((s) => s.target))];
}
