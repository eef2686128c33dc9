// Where an Electron app's deploy runs: whole on one runner, or split in one part per runner.
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { electron } from './desktop';
import { inferTargets } from '../inference/infer-targets';

const PACKAGE = JSON.stringify({ name: 'desk', version: '1.0.0', devDependencies: { electron: '45.3.4', 'electron-builder': '26.17.0' } });

function infer(config: Record<string, unknown>) {
  const ws = mkdtempSync(join(tmpdir(), 'shipfleet-electron-'));
  mkdirSync(join(ws, 'apps/desk'), { recursive: true });
  writeFileSync(join(ws, 'apps/desk/package.json'), PACKAGE);
  writeFileSync(join(ws, 'apps/desk/electron-builder.json'), JSON.stringify({ appId: 'com.acme.desk', ...config }));
  return inferTargets([electron], ws, 'apps/desk', {}, 'default');
}

describe('electron deploys by runner', () => {
  it('Linux and Windows targets built on Linux: one runner, the whole chain, no parts', () => {
    const t = infer({ win: { target: ['nsis'] }, linux: { target: ['AppImage'] } });
    expect(t.deploy.options).toEqual({ targets: ['package-electron', 'sign-windows', 'publish-github-release'] });
    // The certificate from the variables the generated CI workflow passes.
    expect(t['sign-windows'].options).toEqual({ files: ['dist/{projectRoot}/*.exe'], signingCertEnv: 'WIN_CSC_P12_BASE64', signingPasswordEnv: 'WIN_CSC_PASSWORD' });
    expect(t.deploy.metadata).toMatchObject({ runner: 'linux' });
    expect((t.deploy.metadata as { runners?: unknown }).runners).toBeUndefined();
  });

  it('mac, Windows and Linux: a macOS part packages mac, a Linux part packages Linux and Windows and signs; both publish to one release', () => {
    const t = infer({ mac: { target: ['dmg', 'zip'] }, win: { target: ['nsis'] }, linux: { target: ['AppImage', 'deb'] } });
    expect(t['package-electron'].metadata).toMatchObject({ runner: 'macos' });
    expect(t.deploy.metadata).toMatchObject({ runner: 'macos', runners: ['macos', 'linux'] });
    const waitFor = ['latest-mac.yml', 'latest.yml', 'latest-linux*.yml'];
    expect(t.deploy.options.parts).toEqual({
      macos: { targets: ['package-electron', 'publish-github-release'], options: { 'package-electron': { platforms: ['mac'] }, 'publish-github-release': { waitFor } } },
      linux: { targets: ['package-electron', 'sign-windows', 'publish-github-release'], options: { 'package-electron': { platforms: ['win', 'linux'] }, 'publish-github-release': { waitFor } } },
    });
  });

  it('an msi needs Windows tools: a Windows part packages it, signed by electron-builder there (no sign-windows)', () => {
    const t = infer({ mac: { target: ['dmg'] }, win: { target: ['msi'] }, linux: { target: ['tar.gz'] } });
    expect(t['sign-windows']).toBeUndefined();
    expect(t.deploy.metadata).toMatchObject({ runners: ['macos', 'windows', 'linux'] });
    // No target here leads to a feed (a dmg without a zip, an msi, a tar.gz): the jobs wait for each other's installers.
    const waitFor = ['*.dmg', '*.msi', '*.tar.gz'];
    expect(t.deploy.options.parts.windows).toEqual({ targets: ['package-electron', 'publish-github-release'], options: { 'package-electron': { platforms: ['win'] }, 'publish-github-release': { waitFor } } });
    expect(t.deploy.options.parts.macos.options['publish-github-release']).toEqual({ waitFor });
  });
});

describe('electron projects configured in package.json', () => {
  it('a package.json with an electron dependency and a `build` marks the project; other package.json files do not', () => {
    const { projectRootsOf } = jest.requireActual('./markers') as typeof import('./markers');
    const files: Record<string, string> = {
      'apps/desk/package.json': JSON.stringify({ name: 'desk', devDependencies: { electron: '45.3.4' }, build: { appId: 'com.acme.desk', linux: { target: ['AppImage'] } } }),
      'libs/ui/package.json': JSON.stringify({ name: 'ui', dependencies: { react: '19.0.0' } }),
      'apps/site/package.json': JSON.stringify({ name: 'site', devDependencies: { electron: '45.3.4' }, scripts: { build: 'vite build' } }),
    };
    const read = (f: string) => files[f];
    expect(projectRootsOf('apps/desk/package.json', [electron], read)).toEqual(['apps/desk']);
    expect(projectRootsOf('libs/ui/package.json', [electron], read)).toEqual([]);
    expect(projectRootsOf('apps/site/package.json', [electron], read)).toEqual([]);
  });

  it('infers the same targets from the `build` key as from electron-builder.json', () => {
    const ws = mkdtempSync(join(tmpdir(), 'shipfleet-electron-'));
    mkdirSync(join(ws, 'apps/desk'), { recursive: true });
    writeFileSync(join(ws, 'apps/desk/package.json'), JSON.stringify({ name: 'desk', version: '1.0.0', devDependencies: { electron: '45.3.4' }, build: { appId: 'com.acme.desk', mac: { target: ['zip'] }, linux: { target: ['AppImage'] } } }));
    const t = inferTargets([electron], ws, 'apps/desk', {}, 'default');
    expect(Object.keys(t).sort()).toEqual(['deploy', 'package-electron', 'publish-github-release']);
    expect(t.deploy.metadata).toMatchObject({ runners: ['macos', 'linux'] });
  });
});
