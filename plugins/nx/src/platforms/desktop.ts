import { detectElectronProject, electronTargetsByRunnerFromConfig } from '@shipfleet/desktop';
import { definePlatform, PlatformTarget } from './platform';

/** What electron-builder writes that users install or electron-updater reads (its own latest*.yml are replaced by feeds written from the uploads). */
const RELEASE_FILES = 'exe,msi,dmg,zip,AppImage,deb,rpm,snap,tar.gz,blockmap';
/** A token with contents: write on the repository (a fine-grained personal access token, or a GitHub App's). */
export const RELEASE_TOKEN_ENV = 'RELEASE_GITHUB_TOKEN';

/**
 * Electron apps: package.json depends on electron and an electron-builder configuration exists.
 * package-electron runs on macOS when the config has mac targets; Windows installers are signed
 * with sign-windows (osslsigncode) on Linux.
 */
export const electron = definePlatform<{ mac: boolean; win: boolean }>({
  id: 'electron',
  markers: ['electron-builder.json', 'electron-builder.yml', 'electron-builder.yaml'],
  detect(folder) {
    const config = detectElectronProject((path) => folder.read(path));
    if (!config) return undefined;
    const jobs = electronTargetsByRunnerFromConfig(config as unknown as Record<string, unknown>);
    const platforms = Object.values(jobs).flatMap((j) => j?.platforms ?? []);
    return { mac: platforms.includes('mac'), win: platforms.includes('win') };
  },
  targets: ({ mac, win }) => {
    const targets: PlatformTarget[] = [
      { executor: 'package-electron', description: 'Package the Electron app with electron-builder (publish never)', runner: mac ? 'macos' : 'linux', outputs: ['{workspaceRoot}/dist/{projectRoot}'], deploys: true },
    ];
    if (win) targets.push({ executor: 'sign-windows', description: 'Authenticode-sign the Windows installers and verify them', runner: 'linux', options: { files: ['dist/{projectRoot}/*.exe'] }, deploys: true });
    targets.push({
      executor: 'publish-github-release',
      description: 'Upload the installers to a GitHub release with the electron-updater feeds, then publish it',
      runner: 'linux',
      // The CI job's own token is kept from deploy tools: releases use a repository secret of their own.
      options: { files: [`dist/{projectRoot}/*.{${RELEASE_FILES}}`], tokenEnv: RELEASE_TOKEN_ENV },
      deploys: true,
    });
    return targets;
  },
  ciSecrets: ['WIN_CSC_P12_BASE64', 'WIN_CSC_PASSWORD', RELEASE_TOKEN_ENV],
  example: {
    'package.json': '{"name": "desk", "version": "1.0.0", "main": "main.js", "devDependencies": {"electron": "45.3.4", "electron-builder": "26.17.0"}}',
    'electron-builder.json': '{"appId": "com.acme.desk", "win": {"target": ["nsis"]}, "linux": {"target": ["AppImage"]}}',
  },
});
