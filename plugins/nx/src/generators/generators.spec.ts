import { logger, readProjectConfiguration } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { parse } from 'yaml';
import { validateAppInfo, validateTizenConfig } from '@shipfleet/tv';
import { parseFastfileLanes } from '@shipfleet/fastlane';
import { ciSecrets } from '../platforms';
import { shellQuote } from '../utils/generator-utils';
import ciGenerator from './ci/generator';
import fastlaneGenerator from './fastlane/generator';
import iosAppGenerator from './ios-app/generator';
import k8sServiceGenerator from './k8s-service/generator';
import macosAppGenerator from './macos-app/generator';
import tizenAppGenerator from './tizen-app/generator';
import webAppGenerator from './web-app/generator';
import webosAppGenerator from './webos-app/generator';
import { treeSnapshot } from './__fixtures__/tree-snapshot';

const skip = { skipFormat: true };

function plistOk(content: string): boolean {
  const f = join(mkdtempSync(join(tmpdir(), 'plist-')), 'Info.plist');
  writeFileSync(f, content);
  return spawnSync('plistutil', ['-i', f, '-o', `${f}.bin`, '-f', 'bin']).status === 0;
}

describe('platform generators', () => {
  it('tizen-app: a config.xml package-tizen accepts, a build, and an inferred package-tizen', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await tizenAppGenerator(tree, { name: 'tv-app', ...skip });
    const { config, problems } = validateTizenConfig(tree.read('apps/tv-app/config.xml', 'utf-8')!);
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ appName: 'TvApp', version: '1.0.0' });
    expect(config!.packageId).toMatch(/^[0-9a-zA-Z]{10}$/);
    expect(readProjectConfiguration(tree, 'tv-app').targets!.build.outputs).toEqual(['{workspaceRoot}/dist/apps/tv-app']);
    expect(tree.exists('apps/tv-app/src/index.html')).toBe(true);
  });

  it('webos-app: an appinfo.json the webOS rules accept', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await webosAppGenerator(tree, { name: 'lg-app', ...skip });
    const dir = mkdtempSync(join(tmpdir(), 'webos-'));
    for (const f of ['src/index.html', 'src/icon.png']) writeFileSync(join(dir, f.replace('src/', '')), tree.read(`apps/lg-app/${f}`)!);
    expect(validateAppInfo(tree.read('apps/lg-app/appinfo.json', 'utf-8')!, dir).problems).toEqual([]);
  });

  it('web-app: vercel.json and a vercel-deploy pointed at the build output', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await webAppGenerator(tree, { name: 'site', vercelProject: 'prj_site', ...skip });
    expect(JSON.parse(tree.read('apps/site/vercel.json', 'utf-8')!)).toMatchObject({ cleanUrls: true });
    expect(readProjectConfiguration(tree, 'site').targets!['vercel-deploy'].options).toEqual({ projectId: 'prj_site', appDir: 'dist/apps/site' });
  });

  it('k8s-service: parseable manifests (Deployment, Service, Kustomization) with the image and version', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await k8sServiceGenerator(tree, { name: 'api', image: 'localhost:5000/acme/api', appVersion: '0.3.0', ...skip });
    const kinds = ['deployment', 'service', 'kustomization'].flatMap((f) => [parse(tree.read(`services/api/k8s/${f}.yaml`, 'utf-8')!).kind]);
    expect(kinds).toEqual(['Deployment', 'Service', 'Kustomization']);
    const deployment = parse(tree.read('services/api/k8s/deployment.yaml', 'utf-8')!);
    expect(deployment.spec.template.spec.containers[0].image).toBe('localhost:5000/acme/api:0.3.0');
    expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
    // container-image pushes the image; k8s-deploy takes the pushed digest (the manifests name the version until then).
    expect(readProjectConfiguration(tree, 'api').targets!['container-image'].options).toEqual({ image: 'localhost:5000/acme/api' });
    expect(readProjectConfiguration(tree, 'api').targets!['k8s-deploy'].options.images).toBeUndefined();
  });

  it.each([['ios'], ['tvos'], ['watchos'], ['visionos']])('ios-app (%s): Xcode project with the right SDK, a valid Info.plist, a shared scheme', async (platform) => {
    const tree = createTreeWithEmptyWorkspace();
    await iosAppGenerator(tree, { name: 'my-app', platform, bundleId: 'com.acme.myapp', appVersion: '2.1.0', ...skip });
    const pbx = tree.read('apps/my-app/MyApp.xcodeproj/project.pbxproj', 'utf-8')!;
    expect(pbx).toContain(`SDKROOT = ${{ ios: 'iphoneos', tvos: 'appletvos', watchos: 'watchos', visionos: 'xros' }[platform]};`);
    expect(pbx).toContain('PRODUCT_BUNDLE_IDENTIFIER = com.acme.myapp;');
    expect(plistOk(tree.read('apps/my-app/MyApp/Info.plist', 'utf-8')!)).toBe(true);
    expect(tree.exists('apps/my-app/MyApp.xcodeproj/xcshareddata/xcschemes/MyApp.xcscheme')).toBe(true);
    expect(JSON.parse(tree.read('apps/my-app/package.json', 'utf-8')!).version).toBe('2.1.0');
  });

  it('macos-app: SDKROOT macosx, entitlements plist, sign-macos pointed at the built app', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await macosAppGenerator(tree, { name: 'desk', ...skip });
    expect(tree.read('apps/desk/Desk.xcodeproj/project.pbxproj', 'utf-8')).toContain('SDKROOT = macosx;');
    expect(plistOk(tree.read('apps/desk/Desk/Desk.entitlements', 'utf-8')!)).toBe(true);
    expect(plistOk(tree.read('apps/desk/Desk/Info.plist', 'utf-8')!)).toBe(true);
    expect(readProjectConfiguration(tree, 'desk').targets!['sign-macos'].options.app).toBe('apps/desk/build/Desk.app');
  });

  it('fastlane: adds beta and release lanes for the project platform', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await iosAppGenerator(tree, { name: 'app', ...skip });
    await fastlaneGenerator(tree, { project: 'app', ...skip });
    expect(parseFastfileLanes(tree.read('apps/app/fastlane/Fastfile', 'utf-8')!).map((l) => `${l.platform} ${l.name}`)).toEqual(['ios beta', 'ios release']);
  });

  it("fastlane: a Fastfile and Appfile already there are the user's and stay, with a warning for the Fastfile", async () => {
    const tree = createTreeWithEmptyWorkspace();
    await iosAppGenerator(tree, { name: 'app', ...skip });
    tree.write('apps/app/fastlane/Fastfile', 'lane :mine do\nend\n');
    tree.write('apps/app/fastlane/Appfile', 'team_id("ABCDE12345")\n');
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      await fastlaneGenerator(tree, { project: 'app', ...skip });
      expect(warn).toHaveBeenCalledWith('apps/app/fastlane/Fastfile already exists and was left as it is.');
    } finally {
      warn.mockRestore();
    }
    expect(tree.read('apps/app/fastlane/Fastfile', 'utf-8')).toBe('lane :mine do\nend\n');
    expect(tree.read('apps/app/fastlane/Appfile', 'utf-8')).toBe('team_id("ABCDE12345")\n');
  });

  it('ci: a workflow with a job per environment, a runner matrix, approvals, concurrency, secrets as env', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await ciGenerator(tree, { environments: ['staging', 'production'], secrets: ['VERCEL_TOKEN'], ...skip });
    const text = tree.read('.github/workflows/shipfleet-deploy.yml', 'utf-8')!;
    const wf = parse(text);
    expect(Object.keys(wf.jobs)).toEqual(['matrix-staging', 'deploy-staging', 'matrix-production', 'deploy-production']);
    expect(wf.jobs['deploy-production']).toMatchObject({ environment: 'production', needs: ['matrix-production', 'deploy-staging'], 'runs-on': '${{ matrix.runner }}', concurrency: { group: 'shipfleet-production-${{ matrix.project }}-${{ matrix.part }}', 'cancel-in-progress': false }, defaults: { run: { shell: 'bash' } } });
    const deployStep = wf.jobs['deploy-staging'].steps.at(-1);
    expect(deployStep.run.split('\n').filter(Boolean).at(-1)).toBe('npx nx run "$PROJECT:deploy" --env=staging --ledger=git --ledgerRemote=origin ${PART:+"--part=$PART"}');
    expect(deployStep.env).toEqual({ PROJECT: '${{ matrix.project }}', PART: '${{ matrix.part }}', GITHUB_TOKEN: '${{ github.token }}', SERVER_URL: '${{ github.server_url }}', VERCEL_TOKEN: '${{ secrets.VERCEL_TOKEN }}' });
    expect(text).not.toMatch(/--\w*(token|password)\w*=/i);
  });

  it('ci: by default passes every platform secret a deploy reads, and no other', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await ciGenerator(tree, skip);
    const deployStep = parse(tree.read('.github/workflows/shipfleet-deploy.yml', 'utf-8')!).jobs['deploy-staging'].steps.at(-1);
    expect(Object.keys(deployStep.env)).toEqual(['PROJECT', 'PART', 'GITHUB_TOKEN', 'SERVER_URL', ...ciSecrets()]);
    expect(Object.keys(deployStep.env)).not.toContain('KUBECONFIG_DATA');
  });
});

describe('generators are idempotent and name bad options', () => {
  it('running each generator twice changes nothing the second time', async () => {
    const tree = createTreeWithEmptyWorkspace();
    const runAll = async () => {
      await tizenAppGenerator(tree, { name: 'tv', ...skip });
      await webosAppGenerator(tree, { name: 'lg', ...skip });
      await webAppGenerator(tree, { name: 'web', ...skip });
      await k8sServiceGenerator(tree, { name: 'api', ...skip });
      await iosAppGenerator(tree, { name: 'ios', ...skip });
      await macosAppGenerator(tree, { name: 'mac', ...skip });
      await fastlaneGenerator(tree, { project: 'ios', ...skip });
      await ciGenerator(tree, skip);
    };
    await runAll();
    const first = treeSnapshot(tree);
    await runAll();
    expect(treeSnapshot(tree)).toEqual(first);
  });

  it.each([
    [() => tizenAppGenerator(createTreeWithEmptyWorkspace(), { name: 'Bad Name' }), 'Option "name"'],
    [() => tizenAppGenerator(createTreeWithEmptyWorkspace(), { name: 'tv', packageId: 'short' }), 'Option "packageId": "short" is not 10 alphanumeric characters'],
    [() => tizenAppGenerator(createTreeWithEmptyWorkspace(), { name: 'tv', appVersion: '1.0' }), 'Option "appVersion": "1.0" is not a semantic version'],
    [() => tizenAppGenerator(createTreeWithEmptyWorkspace(), { name: 'tv', appVersion: '256.0.0' }), 'Option "appVersion": "256.0.0" is beyond Tizen\'s version range'],
    [() => tizenAppGenerator(createTreeWithEmptyWorkspace(), { name: 'tv', appName: 'Tv-App' }), 'Option "appName": "Tv-App" is not 1 to 52 letters or digits'],
    [() => webosAppGenerator(createTreeWithEmptyWorkspace(), { name: 'lg', appId: 'com.webos.lg' }), 'Option "appId": "com.webos.lg" uses a reserved prefix'],
    [() => iosAppGenerator(createTreeWithEmptyWorkspace(), { name: 'app', bundleId: 'nodots' }), 'Option "bundleId": "nodots" is not a reverse-DNS bundle identifier'],
    [() => iosAppGenerator(createTreeWithEmptyWorkspace(), { name: 'app', platform: 'android' }), 'Option "platform": "android" is not an Apple app platform'],
    [() => iosAppGenerator(createTreeWithEmptyWorkspace(), { name: 'app', teamId: 'abc' }), 'Option "teamId"'],
    [() => macosAppGenerator(createTreeWithEmptyWorkspace(), { name: 'app', teamId: 'abcde12345' }), 'Option "teamId": "abcde12345" is not an Apple team id'],
    [() => k8sServiceGenerator(createTreeWithEmptyWorkspace(), { name: 'api', port: 70000 }), 'Option "port": 70000 is not a TCP port'],
    [() => k8sServiceGenerator(createTreeWithEmptyWorkspace(), { name: 'api', image: 'Bad Image:tag' }), 'Option "image"'],
    [() => k8sServiceGenerator(createTreeWithEmptyWorkspace(), { name: 'api', namespace: 'Prod' }), 'Option "namespace"'],
    [() => webAppGenerator(createTreeWithEmptyWorkspace(), { name: 'web', directory: '../outside' }), 'Option "directory"'],
    [() => webAppGenerator(createTreeWithEmptyWorkspace(), { name: 'web', directory: 'apps/my app' }), 'Option "directory": "apps/my app" is not a plain folder path'],
    [() => tizenAppGenerator(createTreeWithEmptyWorkspace(), { name: 'tv', directory: 'apps/tv;touch x' }), 'Option "directory": "apps/tv;touch x" is not a plain folder path'],
    [() => webosAppGenerator(createTreeWithEmptyWorkspace(), { name: 'lg', directory: "apps/l'g" }), 'Option "directory"'],
    [() => webAppGenerator(createTreeWithEmptyWorkspace(), { name: 'web', directory: '-rf' }), 'Option "directory": "-rf" is not a plain folder path'],
    [() => webAppGenerator(createTreeWithEmptyWorkspace(), { name: 'web', directory: 'apps/--web' }), 'Option "directory"'],
    [() => k8sServiceGenerator(createTreeWithEmptyWorkspace(), { name: 'api', directory: '/srv/api' }), 'Option "directory": "/srv/api" is not a folder inside the workspace'],
    [() => iosAppGenerator(createTreeWithEmptyWorkspace(), { name: 'app', directory: 'apps/./app' }), 'Option "directory"'],
    [() => macosAppGenerator(createTreeWithEmptyWorkspace(), { name: 'app', directory: 'apps//app' }), 'Option "directory"'],
    [() => webAppGenerator(createTreeWithEmptyWorkspace(), { name: 'web', directory: 'apps/$(id)' }), 'Option "directory"'],
    [() => ciGenerator(createTreeWithEmptyWorkspace(), { secrets: ['PROJECT'] }), 'Option "secrets": "PROJECT" is a variable the deploy step sets itself'],
    [() => fastlaneGenerator(createTreeWithEmptyWorkspace(), { project: 'ghost' }), 'Option "project": no project named "ghost"'],
    [() => ciGenerator(createTreeWithEmptyWorkspace(), { environments: ['Prod!'] }), 'Option "environments": "Prod!" is not an environment name'],
  ])('%#: %s', async (run, message) => {
    await expect(run()).rejects.toThrow(message);
  });

  it('refuses a second project of the same name elsewhere', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await webAppGenerator(tree, { name: 'web', ...skip });
    await expect(webAppGenerator(tree, { name: 'web', directory: 'other/web', ...skip })).rejects.toThrow('Option "name": a project "web" already exists at apps/web');
  });
});

describe('generated build commands', () => {
  it('quote every path', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await tizenAppGenerator(tree, { name: 'tv', directory: 'apps/tv.v2_x', ...skip });
    expect(readProjectConfiguration(tree, 'tv').targets!.build.options.command).toBe(
      "rm -rf 'dist/apps/tv.v2_x' && mkdir -p 'dist/apps/tv.v2_x' && cp -R 'apps/tv.v2_x/src/.' 'apps/tv.v2_x/config.xml' 'dist/apps/tv.v2_x/'",
    );
  });

  it('copy the sources and the manifest into dist/<root> when run', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await webosAppGenerator(tree, { name: 'lg', directory: 'apps/tv-apps/lg', ...skip });
    const ws = mkdtempSync(join(tmpdir(), 'build-'));
    for (const c of tree.listChanges().filter((c) => c.path.startsWith('apps/') && c.content)) {
      mkdirSync(dirname(join(ws, c.path)), { recursive: true });
      writeFileSync(join(ws, c.path), c.content!);
    }
    const r = spawnSync('sh', ['-c', readProjectConfiguration(tree, 'lg').targets!.build.options.command], { cwd: ws, encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(readdirSync(join(ws, 'dist/apps/tv-apps/lg')).sort()).toEqual(['appinfo.json', 'icon.png', 'index.html']);
  });

  it.each([["it's"], ['a b;c'], ['$(touch x)`touch y`'], ["'"], ['-rf']])('shellQuote keeps %j one literal word', (word) => {
    const dir = mkdtempSync(join(tmpdir(), 'quote-'));
    const r = spawnSync('sh', ['-c', `printf '%s|' ${shellQuote(word)}`], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout).toBe(`${word}|`);
    expect(readdirSync(dir)).toEqual([]);
  });
});
