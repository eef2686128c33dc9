import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { createNodesV2 } from './plugin';

const seedFastfile = readFileSync(resolve(__dirname, '../../../packages/fastlane/src/__fixtures__/seed-003/fastlane/Fastfile'), 'utf8');

describe('createNodesV2 for fastlane', () => {
  it('adds a generic target and one per lane, platform-qualified only where names clash', async () => {
    const root = mkdtempSync(join(tmpdir(), 'shipfleet-nodes-'));
    mkdirSync(join(root, 'apps/app/fastlane'), { recursive: true });
    writeFileSync(join(root, 'apps/app/project.json'), '{"name":"app"}');
    writeFileSync(join(root, 'apps/app/fastlane/Fastfile'), seedFastfile + '\nlane :screenshots do\nend\n');
    mkdirSync(join(root, 'loose/fastlane'), { recursive: true });
    writeFileSync(join(root, 'loose/fastlane/Fastfile'), 'lane :x do\nend\n');
    const [glob, fn] = createNodesV2;
    expect(glob).toBe('**/{fastlane/Fastfile,config.xml,appinfo.json}');
    const results = await fn(['apps/app/fastlane/Fastfile', 'loose/fastlane/Fastfile'], {}, { workspaceRoot: root, nxJsonConfiguration: {} } as never);
    const app = results.find(([f]) => f.startsWith('apps'))![1].projects!['apps/app'];
    expect(Object.keys(app.targets!).sort()).toEqual(['fastlane-android-beta', 'fastlane-android-release', 'fastlane-ios-beta', 'fastlane-ios-release', 'fastlane-lane', 'fastlane-screenshots']);
    expect(app.targets!['fastlane-ios-beta']).toMatchObject({ executor: '@shipfleet/nx:fastlane-lane', options: { lane: 'beta', platform: 'ios' }, cache: false });
    expect(app.targets!['fastlane-android-beta'].metadata).toMatchObject({ runner: 'linux' });
    // A folder that is not a project is left alone.
    expect(results.find(([f]) => f.startsWith('loose'))![1]).toEqual({});
  });

  it('takes target names from the plugin options in nx.json', async () => {
    const root = mkdtempSync(join(tmpdir(), 'shipfleet-nodes-'));
    mkdirSync(join(root, 'app/fastlane'), { recursive: true });
    writeFileSync(join(root, 'app/package.json'), '{"name":"app"}');
    writeFileSync(join(root, 'app/fastlane/Fastfile'), 'lane :beta do\nend\n');
    const [, fn] = createNodesV2;
    const [[, result]] = await fn(['app/fastlane/Fastfile'], { fastlaneTargetName: 'lane', fastlaneLanePrefix: 'fl:' }, { workspaceRoot: root, nxJsonConfiguration: {} } as never);
    expect(Object.keys(result.projects!['app'].targets!)).toEqual(['lane', 'fl:beta']);
  });
});

describe('createNodesV2 for TV apps', () => {
  it('adds package-tizen for a Tizen config.xml, package-webos for appinfo.json, and leaves Cordova config.xml alone', async () => {
    const root = mkdtempSync(join(tmpdir(), 'shipfleet-nodes-'));
    for (const [file, content] of Object.entries({
      'apps/tv/project.json': '{"name":"tv"}',
      'apps/tv/config.xml': '<widget xmlns="http://www.w3.org/ns/widgets"><tizen:application id="Ab12Cd34Ef.Tv"/></widget>',
      'apps/tv/appinfo.json': '{"id":"com.example.tv"}',
      'apps/cordova/project.json': '{"name":"cordova"}',
      'apps/cordova/config.xml': '<widget xmlns="http://www.w3.org/ns/widgets" id="io.cordova.app"></widget>',
    })) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      writeFileSync(join(root, file), content);
    }
    const [, fn] = createNodesV2;
    const results = await fn(['apps/tv/config.xml', 'apps/tv/appinfo.json', 'apps/cordova/config.xml'], {}, { workspaceRoot: root, nxJsonConfiguration: {} } as never);
    const byFile = Object.fromEntries(results);
    expect(byFile['apps/tv/config.xml'].projects!['apps/tv'].targets!['package-tizen']).toMatchObject({ executor: '@shipfleet/nx:package-tizen', cache: false, dependsOn: ['^build', 'build'], metadata: { runner: 'linux' } });
    expect(Object.keys(byFile['apps/tv/appinfo.json'].projects!['apps/tv'].targets!)).toEqual(['package-webos']);
    expect(byFile['apps/cordova/config.xml']).toEqual({});
  });
});

describe('inputs of inferred packaging targets', () => {
  it("use 'production' only when nx.json defines it, else 'default'", async () => {
    const root = mkdtempSync(join(tmpdir(), 'shipfleet-nodes-'));
    mkdirSync(join(root, 'tv'), { recursive: true });
    writeFileSync(join(root, 'tv/project.json'), '{"name":"tv"}');
    writeFileSync(join(root, 'tv/appinfo.json'), '{}');
    const [, fn] = createNodesV2;
    const inputs = async (nxJsonConfiguration: object) => (await fn(['tv/appinfo.json'], {}, { workspaceRoot: root, nxJsonConfiguration } as never))[0][1].projects!['tv'].targets!['package-webos'].inputs;
    expect(await inputs({})).toEqual(['default', '^default']);
    expect(await inputs({ namedInputs: { production: ['default'] } })).toEqual(['production', '^production']);
  });
});
