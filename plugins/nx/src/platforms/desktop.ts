import { detectElectronProject, ElectronPlatform, ElectronRunner, ElectronRunnerJob, electronTargetsByRunnerFromConfig, releaseMarkersForTargets } from '@shipfleet/desktop';
import { definePlatform, PlatformTarget, Runner } from './platform';

/** What electron-builder writes that users install or electron-updater reads (its own latest*.yml are replaced by feeds written from the uploads). */
const RELEASE_FILES = 'exe,msi,dmg,zip,AppImage,deb,rpm,snap,tar.gz,blockmap';
/** A token with contents: write on the repository (a fine-grained personal access token, or a GitHub App's). */
export const RELEASE_TOKEN_ENV = 'RELEASE_GITHUB_TOKEN';
/** The Windows code-signing .p12 (base64) and its password, as the generated CI workflow passes them. */
const WIN_CERT_ENV = 'WIN_CSC_P12_BASE64';
const WIN_CERT_PASSWORD_ENV = 'WIN_CSC_PASSWORD';

function hasElectronBuilderBuild(text: string): boolean {
  // Most package.json files are not Electron apps: a cheap look before parsing.
  if (!text.includes('"electron"') || !text.includes('"build"')) return false;
  try {
    const pkg = JSON.parse(text);
    const deps = { ...pkg?.dependencies, ...pkg?.devDependencies };
    return typeof pkg?.build === 'object' && pkg.build !== null && !Array.isArray(pkg.build) && 'electron' in deps;
  } catch {
    return false;
  }
}

/**
 * Electron apps: package.json depends on electron and an electron-builder configuration exists.
 * package-electron runs on macOS for mac targets, on Windows when Windows targets need its tools or
 * signing, else on Linux, where sign-windows (osslsigncode) signs the installers. A config for
 * several runners splits the deploy: one part per runner, one release.
 */
export const electron = definePlatform<Partial<Record<ElectronRunner, ElectronRunnerJob>>>({
  id: 'electron',
  markers: ['electron-builder.json', 'electron-builder.yml', 'electron-builder.yaml', 'package.json'],
  // electron-builder's config may also be the `build` of package.json: only such a package.json marks an Electron app.
  markerContent: { 'package.json': hasElectronBuilderBuild },
  detect(folder) {
    const found = detectElectronProject((path) => folder.read(path));
    return found ? electronTargetsByRunnerFromConfig(found.config) : undefined;
  },
  targets: (jobs) => {
    const runners = Object.keys(jobs) as Runner[];
    const split = runners.length > 1;
    const packagedOn = (platform: ElectronPlatform) => runners.find((r) => jobs[r]!.platforms.includes(platform));
    const runner: Runner = packagedOn('mac') ?? (runners.includes('windows') ? 'windows' : 'linux');
    const targets: PlatformTarget[] = [
      {
        executor: 'package-electron',
        description: 'Package the Electron app with electron-builder (publish never)',
        runner,
        // Split: each runner packages its OSes (mac on macOS, Windows on Windows only when its tools or signing need it).
        ...(split ? { runners: Object.fromEntries(runners.map((r) => [r, { platforms: jobs[r]!.platforms }])) } : {}),
        outputs: ['{workspaceRoot}/dist/{projectRoot}'],
        deploys: true,
      },
    ];
    // osslsigncode signs what Linux packaged; on a Windows runner electron-builder signs with the win signing config.
    if (packagedOn('win') === 'linux') targets.push({ executor: 'sign-windows', description: 'Authenticode-sign the Windows installers and verify them', runner: 'linux', options: { files: ['dist/{projectRoot}/*.exe'], signingCertEnv: WIN_CERT_ENV, signingPasswordEnv: WIN_CERT_PASSWORD_ENV }, deploys: true });
    // Split: every job uploads its files to the one draft and publishes only once the others' feeds (or installers) are there.
    const waitFor = runners.flatMap((r) => jobs[r]!.platforms.flatMap((p) => releaseMarkersForTargets(p, jobs[r]!.targets[p] ?? [])));
    targets.push({
      executor: 'publish-github-release',
      description: 'Upload the installers to a GitHub release with the electron-updater feeds, then publish it',
      runner: 'linux',
      // The CI job's own token is kept from deploy tools: releases use a repository secret of their own.
      options: { files: [`dist/{projectRoot}/*.{${RELEASE_FILES}}`], tokenEnv: RELEASE_TOKEN_ENV },
      ...(split ? { runners: Object.fromEntries(runners.map((r) => [r, waitFor.length ? { waitFor } : {}])) } : {}),
      deploys: true,
    });
    return targets;
  },
  ciSecrets: [WIN_CERT_ENV, WIN_CERT_PASSWORD_ENV, RELEASE_TOKEN_ENV],
  example: {
    'package.json': '{"name": "desk", "version": "1.0.0", "main": "main.js", "devDependencies": {"electron": "45.3.4", "electron-builder": "26.17.0"}}',
    'electron-builder.json': '{"appId": "com.acme.desk", "win": {"target": ["nsis"]}, "linux": {"target": ["AppImage"]}}',
  },
});
