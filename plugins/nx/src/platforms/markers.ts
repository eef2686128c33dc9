import { dirname } from 'path';
import type { Platform } from './platform';

/** The createNodes glob: every platform's marker files, anywhere in the workspace. */
export function markerGlob(platforms: readonly Platform<any>[]): string {
  return `**/{${[...new Set(platforms.flatMap((p) => p.markers))].join(',')}}`;
}

const patterns = new Map<string, RegExp>();

/** A marker pattern as a regular expression on the end of a workspace-relative path. */
function markerPattern(marker: string): RegExp {
  let re = patterns.get(marker);
  if (!re) {
    const body = marker.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*');
    patterns.set(marker, (re = new RegExp(`(^|/)${body}$`)));
  }
  return re;
}

/** Splits a matched marker file into its project folder: the marker's own depth decides how many folders to go up. */
export function projectRootOf(file: string, platforms: readonly Platform<any>[]): string {
  return projectRootsOf(file, platforms)[0];
}

/**
 * Every folder a matched marker file could belong to, in marker order: infra/main.tf is a marker of
 * the folder above (infra/*.tf) and of infra itself (*.tf); the first that is a project wins.
 */
export function projectRootsOf(file: string, platforms: readonly Platform<any>[]): string[] {
  const roots: string[] = [];
  for (const marker of platforms.flatMap((p) => p.markers)) {
    if (!markerPattern(marker).test(file)) continue;
    let root = file;
    for (const _segment of marker.split('/')) root = dirname(root);
    if (!roots.includes(root)) roots.push(root);
  }
  return roots.length ? roots : [dirname(file)];
}
