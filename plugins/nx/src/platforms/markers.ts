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
  return projectRootsOf(file, platforms)[0] ?? dirname(file);
}

/**
 * Every folder a matched marker file could belong to, in marker order: infra/main.tf is a marker of
 * the folder above (infra/*.tf) and of infra itself (*.tf); the first that is a project wins. None
 * when the file is a marker only by content (package.json) and its content does not qualify.
 */
export function projectRootsOf(file: string, platforms: readonly Platform<any>[], read?: (file: string) => string | undefined): string[] {
  const roots: string[] = [];
  let text: string | undefined | null = null;
  const content = () => (text === null ? (text = read?.(file)) : text);
  for (const [marker, test] of platforms.flatMap((p) => p.markers.map((m) => [m, p.markerContent?.[m]] as const))) {
    if (!markerPattern(marker).test(file)) continue;
    // A common file marks the platform only with the content it asks for.
    if (test) {
      const t = content();
      if (t === undefined || !test(t)) continue;
    }
    let root = file;
    for (const _segment of marker.split('/')) root = dirname(root);
    if (!roots.includes(root)) roots.push(root);
  }
  return roots;
}
