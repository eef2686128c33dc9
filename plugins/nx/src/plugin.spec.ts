import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { createNodesV2 } from './plugin';
import { PLATFORMS } from './platforms';
import { projectRootOf } from './platforms/markers';

// The plugin cache lives in Nx's workspace data directory; keep it out of the repo.
jest.mock('nx/src/utils/cache-directory', () => ({ workspaceDataDirectory: require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'shipfleet-nx-data-')) }));
// The test folders are not Nx workspaces: give every project a fresh hash so nothing is served from cache.
jest.mock('nx/src/utils/workspace-context', () => ({ hashMultiGlobWithWorkspaceContext: async (_root: string, groups: string[][]) => groups.map(() => `${Math.random()}`) }));

const mobileFastfile = readFileSync(resolve(__dirname, '../../../packages/fastlane/src/__fixtures__/mobile-app/fastlane/Fastfile'), 'utf8');
const TIZEN = '<widget xmlns="http://www.w3.org/ns/widgets"><tizen:application id="Ab12Cd34Ef.Tv"/></widget>';

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'shipfleet-nodes-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), content);
  }
  return root;
}

async function infer(root: string, files: string[], options = {}, nxJsonConfiguration = {}) {
  const [, fn] = createNodesV2;
  const results = await fn(files, options, { workspaceRoot: root, nxJsonConfiguration } as never);
  return Object.fromEntries(results.flatMap(([, r]) => Object.entries(r.projects ?? {})).map(([k, v]) => [k, v.targets!]));
}

describe('marker files map to their project folder', () => {
  it.each([
    ['apps/app/fastlane/Fastfile', 'apps/app'],
    ['apps/app/App.xcodeproj/project.pbxproj', 'apps/app'],
    ['apps/tv/config.xml', 'apps/tv'],
    ['apps/web/.vercel/project.json', 'apps/web'],
    ['services/api/k8s/deployment.yaml', 'services/api'],
    ['services/api/kustomization.yaml', 'services/api'],
  ])('%s → %s', (file, root) => expect(projectRootOf(file, PLATFORMS)).toBe(root));
});

describe('createNodesV2', () => {
  it('infers each platform target and one deploy target chaining them', async () => {
    const root = workspace({
      'apps/tv/project.json': '{"name":"tv"}',
      'apps/tv/config.xml': TIZEN,
      'apps/tv/appinfo.json': '{}',
      'apps/web/project.json': '{"name":"web"}',
      'apps/web/vercel.json': '{}',
      'services/api/project.json': '{"name":"api"}',
      'services/api/k8s/deployment.yaml': 'kind: Deployment',
      'services/api/k8s/service.yaml': 'kind: Service',
      'services/api/canary.json': '{}',
      'apps/ios/project.json': '{"name":"ios"}',
      'apps/ios/App.xcodeproj/project.pbxproj': 'SDKROOT = appletvos;',
      'apps/ios/fastlane/Fastfile': mobileFastfile,
      'apps/mac/project.json': '{"name":"mac"}',
      'apps/mac/Mac.xcodeproj/project.pbxproj': 'SDKROOT = macosx;',
      'apps/cordova/project.json': '{"name":"cordova"}',
      'apps/cordova/config.xml': '<widget id="io.cordova.app"/>',
      'loose/vercel.json': '{}',
    });
    const t = await infer(root, ['apps/tv/config.xml', 'apps/tv/appinfo.json', 'apps/web/vercel.json', 'services/api/k8s/deployment.yaml', 'services/api/k8s/service.yaml', 'services/api/canary.json', 'apps/ios/App.xcodeproj/project.pbxproj', 'apps/ios/fastlane/Fastfile', 'apps/mac/Mac.xcodeproj/project.pbxproj', 'apps/cordova/config.xml', 'loose/vercel.json']);
    expect(Object.keys(t).sort()).toEqual(['apps/ios', 'apps/mac', 'apps/tv', 'apps/web', 'services/api']);
    expect(t['apps/tv'].deploy.options).toEqual({ targets: ['package-tizen', 'package-webos'] });
    expect(t['apps/web'].deploy.options).toEqual({ targets: ['vercel-deploy'] });
    expect(t['services/api'].deploy.options).toEqual({ targets: ['k8s-deploy', 'canary-monitor'] });
    expect(t['services/api']['k8s-deploy'].options).toEqual({ manifests: ['{projectRoot}/k8s'] });
    expect(t['apps/ios'].deploy.options).toEqual({ targets: ['deploy-ios'] });
    expect(t['apps/ios']['build-ios'].options).toEqual({ platform: 'tvos' });
    expect(t['apps/mac'].deploy.options).toEqual({ targets: ['sign-macos'] });
    expect(Object.keys(t['apps/ios'])).toEqual(expect.arrayContaining(['fastlane-lane', 'fastlane-ios-beta', 'fastlane-android-release']));
    // Side effects are never cached; runner metadata for the CI matrix.
    for (const [project, targets] of Object.entries(t)) {
      expect(targets.deploy).toMatchObject({ executor: '@shipfleet/nx:deploy', cache: false, dependsOn: ['^build', 'build', { dependencies: true, target: 'deploy', params: 'forward' }] });
      expect(targets.deploy.metadata).toMatchObject({ runner: project === 'apps/ios' || project === 'apps/mac' ? 'macos' : 'linux' });
    }
    expect(t['apps/tv']['package-tizen'].cache).toBe(false);
    expect(t['apps/tv']['package-webos'].cache).toBe(true);
    expect(t['apps/ios']['fastlane-android-beta'].metadata).toMatchObject({ runner: 'linux' });
  });

  it('takes target names from the plugin options in nx.json', async () => {
    const root = workspace({ 'tv/package.json': '{"name":"tv"}', 'tv/appinfo.json': '{}', 'tv/fastlane/Fastfile': 'lane :beta do\nend\n' });
    const t = await infer(root, ['tv/appinfo.json', 'tv/fastlane/Fastfile'], { targetNames: { deploy: 'ship', 'package-webos': 'ipk', 'fastlane-lane': 'lane' }, fastlaneLanePrefix: 'fl:' });
    expect(Object.keys(t['tv']).sort()).toEqual(['fl:beta', 'ipk', 'lane', 'ship']);
    expect(t['tv'].ship.options).toEqual({ targets: ['ipk'] });
  });

  it("uses the 'production' named input only when nx.json defines it", async () => {
    const root = workspace({ 'tv/project.json': '{}', 'tv/appinfo.json': '{}' });
    expect((await infer(root, ['tv/appinfo.json']))['tv'].deploy.inputs).toEqual(['default', '^default']);
    expect((await infer(root, ['tv/appinfo.json'], {}, { namedInputs: { production: ['default'] } }))['tv'].deploy.inputs).toEqual(['production', '^production']);
  });

  it('reports a broken project on its own and keeps the others', async () => {
    const root = workspace({ 'good/project.json': '{}', 'good/appinfo.json': '{}', 'bad/project.json': '{}', 'bad/fastlane/Fastfile': 'lane :x do\nend\n' });
    // A Fastfile that is a folder cannot be read: an error for that project only.
    const [, fn] = createNodesV2;
    const broken = join(root, 'bad');
    require('fs').rmSync(join(broken, 'fastlane/Fastfile'));
    mkdirSync(join(broken, 'fastlane/Fastfile'));
    await expect(fn(['good/appinfo.json', 'bad/fastlane/Fastfile'], {}, { workspaceRoot: root, nxJsonConfiguration: {} } as never)).rejects.toMatchObject({
      errors: [[ 'bad/fastlane/Fastfile', expect.objectContaining({ message: expect.stringContaining('shipfleet could not infer targets for bad') }) ]],
      partialResults: [[ 'good/appinfo.json', expect.objectContaining({ projects: expect.any(Object) }) ]],
    });
  });
});
