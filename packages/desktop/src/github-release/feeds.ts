import { createHash } from 'crypto';
import { createReadStream, existsSync } from 'fs';
import { basename, dirname, join } from 'path';
import { stringify } from 'yaml';
import type { Artefact } from './artefacts';

/**
 * The update feeds electron-updater reads from a GitHub release, as
 * electron-builder writes them (app-builder-lib's updateInfoBuilder):
 * `latest.yml` (Windows, NSIS), `latest-mac.yml` (the .zip Squirrel.Mac
 * installs, then the .dmg), `latest-linux.yml` and, per other architecture,
 * `latest-linux-arm64.yml` / `latest-linux-arm.yml` (AppImage, and the .deb,
 * .rpm and .pacman electron-updater 6 also installs).
 */
export type FeedName = 'latest.yml' | 'latest-mac.yml' | 'latest-linux.yml' | 'latest-linux-arm64.yml' | 'latest-linux-arm.yml';

export interface FeedFile {
  /** The asset's name on the release: electron-updater resolves it against the release's download URL. */
  url: string;
  /** SHA-512 of the file, base64 (what electron-updater checks the download against). */
  sha512: string;
  size: number;
}

/** electron-builder's UpdateInfo: `path` and `sha512` repeat the first file for electron-updater before 2.15. */
export interface UpdateInfo {
  version: string;
  files: FeedFile[];
  path: string;
  sha512: string;
  releaseDate: string;
}

export interface Feed {
  name: FeedName;
  info: UpdateInfo;
  /** The YAML uploaded. */
  content: string;
}

/** Which artefacts each feed lists, in the order it lists them. */
export interface FeedSelection {
  feeds: Array<{ name: FeedName; artefacts: Artefact[] }>;
  /** Why an expected feed is not written (shown in the plan and the log). */
  notes: string[];
}

const MAC_ZIP = /(^|[-_.])(mac|macos|darwin|osx|universal)([-_.]|$)/i;
const LINUX_PACKAGE = /\.(AppImage|deb|rpm|pacman)$/i;

/** electron-builder's order within a feed: a universal build, then by its Arch enum (ia32, x64, armv7l, arm64); x64 when the name says no arch. */
function archRank(name: string): number {
  if (/(^|[-_.])universal([-_.]|$)/i.test(name)) return -1;
  if (/(^|[-_.])(ia32|i386)([-_.]|$)/i.test(name)) return 0;
  if (/(^|[-_.])(armv7l|armhf)([-_.]|$)/i.test(name)) return 2;
  if (/(^|[-_.])(arm64|aarch64)([-_.]|$)/i.test(name)) return 3;
  return 1;
}

const byArch = (list: Artefact[]) => [...list].sort((a, b) => archRank(a.name) - archRank(b.name));

const FEED_ORDER: FeedName[] = ['latest.yml', 'latest-mac.yml', 'latest-linux.yml', 'latest-linux-arm64.yml', 'latest-linux-arm.yml'];

function linuxFeed(name: string): FeedName {
  if (/(^|[-_.])(arm64|aarch64)([-_.]|$)/i.test(name)) return 'latest-linux-arm64.yml';
  if (/(^|[-_.])(armv7l|armhf)([-_.]|$)/i.test(name)) return 'latest-linux-arm.yml';
  return 'latest-linux.yml';
}

/**
 * Whether the files are electron-builder output: it writes a `.blockmap` next
 * to each NSIS installer, DMG and mac zip, and `builder-effective-config.yaml`
 * into its output folder. A plain .exe, .apk, .wgt or .ipk has neither.
 */
export function looksLikeElectronBuilderOutput(artefacts: Artefact[]): boolean {
  const names = new Set(artefacts.map((a) => a.name));
  return artefacts.some(
    (a) =>
      a.name.endsWith('.blockmap') ||
      names.has(`${a.name}.blockmap`) ||
      existsSync(`${a.path}.blockmap`) ||
      // electron-builder 26 writes builder-debug.yml beside every build, the effective config only when it was given a file.
      ['builder-effective-config.yaml', 'builder-debug.yml'].some((f) => existsSync(join(dirname(a.path), f))),
  );
}

/**
 * Sorts artefacts into feeds the way electron-updater finds its file in each:
 * NsisUpdater takes the first .exe of latest.yml, MacUpdater the .zip of its
 * architecture in latest-mac.yml, the Linux updaters the file of their package
 * type in latest-linux*.yml.
 */
export function selectFeedFiles(artefacts: Artefact[]): FeedSelection {
  const notes: string[] = [];
  const feeds: FeedSelection['feeds'] = [];
  const files = artefacts.filter((a) => !a.name.endsWith('.blockmap'));

  let exes = files.filter((a) => /\.exe$/i.test(a.name));
  if (exes.length > 1) {
    // electron-builder names the NSIS installer "<App> Setup <version>.exe"; a portable build has no "Setup".
    const setups = exes.filter((a) => /setup/i.test(a.name));
    if (setups.length) {
      for (const other of exes.filter((a) => !setups.includes(a))) notes.push(`latest.yml leaves out ${other.name} (not an NSIS "Setup" installer)`);
      exes = setups;
    }
  }
  if (exes.length) feeds.push({ name: 'latest.yml', artefacts: byArch(exes) });

  const zips = files.filter((a) => /\.zip$/i.test(a.name) && MAC_ZIP.test(a.name.replace(/\.zip$/i, '')));
  const dmgs = files.filter((a) => /\.dmg$/i.test(a.name));
  // The zips first (MacUpdater installs a zip; `path`/`sha512` at the top name the first file).
  if (zips.length) feeds.push({ name: 'latest-mac.yml', artefacts: [...byArch(zips), ...byArch(dmgs)] });
  else if (dmgs.length) notes.push(`no latest-mac.yml: electron-updater updates a Mac app from its .zip, and no mac .zip is among the files (add the "zip" mac target next to "dmg")`);

  const linux = new Map<FeedName, Artefact[]>();
  for (const a of files.filter((f) => LINUX_PACKAGE.test(f.name))) {
    const feed = linuxFeed(a.name);
    linux.set(feed, [...(linux.get(feed) ?? []), a]);
  }
  for (const [name, list] of linux) {
    // The AppImage first, as electron-builder builds it first.
    feeds.push({ name, artefacts: [...list].sort((x, y) => Number(!/\.AppImage$/i.test(x.name)) - Number(!/\.AppImage$/i.test(y.name))) });
  }
  feeds.sort((a, b) => FEED_ORDER.indexOf(a.name) - FEED_ORDER.indexOf(b.name));
  return { feeds, notes };
}

/** The asset (a `*` glob of electron-builder's default artifact name) a target uploads, for targets without a feed. */
const TARGET_ASSETS: Record<string, string> = {
  dmg: '*.dmg', pkg: '*.pkg', mas: '*.pkg', 'mac:zip': '*-mac.zip',
  msi: '*.msi', appx: '*.appx', 'win:zip': '*-win.zip', '7z': '*.7z',
  'tar.gz': '*.tar.gz', 'tar.xz': '*.tar.xz', snap: '*.snap', flatpak: '*.flatpak',
};

/**
 * What a job of a split deploy uploads that the other jobs can wait for, from the electron-builder
 * targets it builds for one OS: its feed, as selectFeedFiles picks feeds (an .exe → latest.yml, a mac
 * zip → latest-mac.yml, an AppImage, deb, rpm or pacman → latest-linux*.yml), else its first
 * target's asset. Empty when the targets upload nothing (a `dir` build).
 */
export function releaseMarkersForTargets(platform: 'mac' | 'win' | 'linux', targets: readonly string[]): string[] {
  const names = targets.map((t) => t.toLowerCase());
  const has = (...feedTargets: string[]) => names.some((t) => feedTargets.includes(t));
  if (platform === 'win' && has('nsis', 'nsis-web', 'portable')) return ['latest.yml'];
  if (platform === 'mac' && has('zip')) return ['latest-mac.yml'];
  if (platform === 'linux' && has('appimage', 'deb', 'rpm', 'pacman')) return ['latest-linux*.yml'];
  const asset = names.map((t) => TARGET_ASSETS[`${platform}:${t}`] ?? TARGET_ASSETS[t]).find(Boolean);
  return asset ? [asset] : [];
}

/** SHA-512 (base64) and size of a file, streamed. */
export async function hashFile(path: string, signal?: AbortSignal): Promise<{ sha512: string; size: number }> {
  const hash = createHash('sha512');
  let size = 0;
  for await (const chunk of createReadStream(path, { signal })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha512: hash.digest('base64'), size };
}

/**
 * One feed's YAML. Every string is quoted, as js-yaml (which electron-updater
 * parses with) would otherwise read an unquoted releaseDate as a Date.
 */
export function writeFeed(name: FeedName, version: string, files: FeedFile[], releaseDate: Date): Feed {
  if (!files.length) throw new Error(`${name} needs at least one file`);
  const info: UpdateInfo = { version, files, path: files[0].url, sha512: files[0].sha512, releaseDate: releaseDate.toISOString() };
  const content = stringify(info, { defaultStringType: 'QUOTE_SINGLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
  return { name, info, content };
}

/** The asset names a feed lists, for messages. */
export const feedSummary = (feed: Feed) => `${feed.name}: ${feed.info.files.map((f) => basename(f.url)).join(', ')}`;
