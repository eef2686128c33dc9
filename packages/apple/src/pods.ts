import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

export interface PodsState {
  /** Folder holding the Podfile. */
  dir: string;
  needed: boolean;
  reason: string;
}

/**
 * CocoaPods' own "is the sandbox in sync" check: Pods/Manifest.lock is the
 * copy of Podfile.lock that the last `pod install` wrote; when it is missing
 * or differs, the Pods folder does not match the lockfile.
 */
export function podsState(dir: string): PodsState | undefined {
  if (!existsSync(join(dir, 'Podfile'))) return undefined;
  const lock = join(dir, 'Podfile.lock');
  const manifest = join(dir, 'Pods', 'Manifest.lock');
  if (!existsSync(lock)) return { dir, needed: true, reason: 'Podfile.lock is missing' };
  if (!existsSync(manifest)) return { dir, needed: true, reason: 'Pods/Manifest.lock is missing' };
  if (!readFileSync(lock).equals(readFileSync(manifest))) return { dir, needed: true, reason: 'Pods/Manifest.lock differs from Podfile.lock' };
  return { dir, needed: false, reason: 'Pods/Manifest.lock matches Podfile.lock' };
}
