// What packaging an Electron app needs besides electron-builder, without a download: a stand-in
// Electron distribution (electron-builder's `electronDist`: a folder with the `electron` binary, its
// LICENSE and version) and 7-Zip for zip/tar targets. Used by the tests and the demo.
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync, existsSync } from 'fs';
import { join, resolve } from 'path';

const REPO = resolve(__dirname, '../..');
export const STAND_IN_ELECTRON_VERSION = '45.3.4';

/** Writes `<folder>/electron-dist` and `<folder>/7za`; returns their absolute paths. */
export function standInElectronTools(folder: string): { electronDist: string; sevenZip: string } {
  const electronDist = join(folder, 'electron-dist');
  mkdirSync(electronDist, { recursive: true });
  writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "stand-in electron"\n');
  chmodSync(join(electronDist, 'electron'), 0o755);
  writeFileSync(join(electronDist, 'LICENSE'), 'MIT (stand-in)\n');
  writeFileSync(join(electronDist, 'version'), STAND_IN_ELECTRON_VERSION);
  const sevenZip = join(folder, '7za');
  copyFileSync(join(REPO, 'node_modules/7zip-bin/linux/x64/7za'), sevenZip);
  chmodSync(sevenZip, 0o755);
  return { electronDist, sevenZip };
}

/** Links this repository's electron-builder into a workspace, where `npm i -D electron-builder` puts it. */
export function linkElectronBuilder(workspaceRoot: string): void {
  const target = join(workspaceRoot, 'node_modules/electron-builder');
  if (!existsSync(target)) symlinkSync(join(REPO, 'node_modules/electron-builder'), target);
}
