import { statSync } from 'fs';
import { basename, extname } from 'path';
import { UserError } from '@shipfleet/core';
import { expandFilePattern } from '../file-globs';

/** A local file to upload as a release asset. */
export interface Artefact {
  path: string;
  /** The asset name asked for (GitHub may still rename it: its answer is what counts). */
  name: string;
  size: number;
}

/** electron-builder's bookkeeping, never release assets: its debug dump and effective config can hold paths and settings. */
const BUILDER_FILES = new Set(['builder-debug.yml', 'builder-effective-config.yaml']);
/** The feeds electron-builder writes itself; replaced by the ones written from what was uploaded when feeds are on. */
export const FEED_NAME = /^latest(-mac|-linux(-arm64|-arm)?)?\.yml$/;

/** Spaces become hyphens, as electron-builder names GitHub artefacts (GitHub itself would turn them into dots). */
export function assetNameFor(path: string): string {
  return basename(path).replace(/\s+/g, '-');
}

const CONTENT_TYPES: Record<string, string> = {
  '.exe': 'application/vnd.microsoft.portable-executable',
  '.msi': 'application/x-msi',
  '.dmg': 'application/x-apple-diskimage',
  '.zip': 'application/zip',
  '.appimage': 'application/vnd.appimage',
  '.deb': 'application/vnd.debian.binary-package',
  '.rpm': 'application/x-rpm',
  '.yml': 'text/yaml',
  '.yaml': 'text/yaml',
  '.apk': 'application/vnd.android.package-archive',
  '.aab': 'application/octet-stream',
  '.wgt': 'application/widget',
  '.ipk': 'application/octet-stream',
  '.tgz': 'application/gzip',
  '.gz': 'application/gzip',
  '.json': 'application/json',
  '.txt': 'text/plain',
};

export const contentTypeFor = (name: string) => CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';

export interface ListedArtefacts {
  artefacts: Artefact[];
  /** Files matched but left out, with why (for the log and the dry run). */
  skipped: Array<{ path: string; why: string }>;
  /** Patterns that matched no file. */
  unmatched: string[];
}

/**
 * The files the patterns name, once each, in pattern order. electron-builder's
 * own bookkeeping is left out, and so are its feed files when this run writes
 * the feeds. Two files that would get the same asset name are an error: the
 * second would replace the first on the release.
 */
export function listArtefacts(patterns: string[], options: { skipFeeds: boolean }): ListedArtefacts {
  const seen = new Set<string>();
  const byName = new Map<string, string>();
  const artefacts: Artefact[] = [];
  const skipped: ListedArtefacts['skipped'] = [];
  const unmatched: string[] = [];
  for (const pattern of patterns) {
    const matched = expandFilePattern(pattern);
    if (!matched.length) unmatched.push(pattern);
    for (const path of matched) {
      if (seen.has(path)) continue;
      seen.add(path);
      const file = basename(path);
      if (BUILDER_FILES.has(file)) {
        skipped.push({ path, why: "electron-builder's bookkeeping, not a release file" });
        continue;
      }
      if (options.skipFeeds && FEED_NAME.test(file)) {
        skipped.push({ path, why: 'replaced by the feed written from the uploaded files' });
        continue;
      }
      const name = assetNameFor(path);
      const other = byName.get(name.toLowerCase());
      if (other !== undefined) {
        throw new UserError('files', `${other} and ${path} would both be the release asset "${name}"`, 'Narrow the patterns so each asset name is uploaded once');
      }
      byName.set(name.toLowerCase(), path);
      artefacts.push({ path, name, size: statSync(path).size });
    }
  }
  return { artefacts, skipped, unmatched };
}
