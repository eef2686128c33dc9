import { createRequire } from 'module';
import { join } from 'path';
import { UserError } from '@shipfleet/core';

/** The electron-builder release shipfleet is built and tested with. */
export const ELECTRON_BUILDER_VERSION = '26.17.0';
export const INSTALL_ELECTRON_BUILDER = `npm i -D -E electron-builder@${ELECTRON_BUILDER_VERSION}`;

/** What shipfleet uses of electron-builder's API (its own types stay in the user's workspace). */
export interface ElectronBuilderApi {
  /** electron-builder's `build()`: the paths of the artefacts it wrote. */
  build(options: Record<string, unknown>): Promise<string[]>;
  /** builder-util's logger, re-exported by electron-builder; it writes to `stream`. */
  log?: { stream?: NodeJS.WritableStream };
}

export interface LoadedElectronBuilder {
  api: ElectronBuilderApi;
  version: string;
  /** Where it was found, for the log. */
  path: string;
}

/**
 * electron-builder as installed in the user's workspace (resolved from the workspace root, like
 * a dependency of the app), or a UserError saying how to install it.
 */
export function loadElectronBuilder(workspaceRoot: string, warn: (message: string) => void = () => {}): LoadedElectronBuilder {
  const req = createRequire(join(workspaceRoot, 'package.json'));
  let path: string;
  try {
    path = req.resolve('electron-builder');
  } catch {
    throw new UserError('electron-builder', `electron-builder is not installed in the workspace (${workspaceRoot})`, `Install it in the workspace: ${INSTALL_ELECTRON_BUILDER}`);
  }
  const version = String((req('electron-builder/package.json') as { version?: unknown }).version ?? 'unknown');
  if (version.split('.')[0] !== ELECTRON_BUILDER_VERSION.split('.')[0]) {
    warn(`electron-builder ${version} is installed; shipfleet is built for ${ELECTRON_BUILDER_VERSION} (${INSTALL_ELECTRON_BUILDER})`);
  }
  const api = req(path) as ElectronBuilderApi;
  if (typeof api?.build !== 'function') throw new UserError('electron-builder', `${path} has no build() function`, `Reinstall it: ${INSTALL_ELECTRON_BUILDER}`);
  return { api, version, path };
}
