import { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import androidAppGenerator from './android-app/generator';
import ciGenerator from './ci/generator';
import electronAppGenerator from './electron-app/generator';
import fastlaneGenerator from './fastlane/generator';
import iosAppGenerator from './ios-app/generator';
import k8sServiceGenerator from './k8s-service/generator';
import macosAppGenerator from './macos-app/generator';
import tizenAppGenerator from './tizen-app/generator';
import webAppGenerator from './web-app/generator';
import webosAppGenerator from './webos-app/generator';

const skip = { skipFormat: true };
const FIXTURES = join(__dirname, '__fixtures__', 'generated');
// SHIPFLEET_UPDATE_FIXTURES=1 rewrites the recorded output after an intended change.
const update = process.env.SHIPFLEET_UPDATE_FIXTURES === '1';

/** The files a generator created or changed, each under a "=== path" header; binary files as base64. */
async function generatedFiles(run: (tree: Tree) => Promise<void>): Promise<string> {
  const tree = createTreeWithEmptyWorkspace();
  const before = new Map(tree.listChanges().map((c) => [c.path, c.content?.toString('base64')]));
  await run(tree);
  return tree
    .listChanges()
    .filter((c) => c.type !== 'DELETE' && before.get(c.path) !== c.content!.toString('base64'))
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((c) => {
      const text = c.content!.toString('utf-8');
      if (text.includes('\uFFFD') || text.includes('\0')) return `=== ${c.path} (base64)\n${c.content!.toString('base64')}\n`;
      return `=== ${c.path}\n${text}${text.endsWith('\n') ? '' : '\n(no newline at end of file)\n'}`;
    })
    .join('');
}

const cases: [string, (tree: Tree) => Promise<void>][] = [
  ['android-app', (t) => androidAppGenerator(t, { name: 'droid', applicationId: 'com.acme.droid', appVersion: '1.4.0', ...skip })],
  ['android-app-tv', (t) => androidAppGenerator(t, { name: 'lounge', formFactor: 'tv', ...skip })],
  ['android-app-wear', (t) => androidAppGenerator(t, { name: 'wrist', formFactor: 'wear', applicationId: 'com.acme.wrist', ...skip })],
  ['android-app-automotive', (t) => androidAppGenerator(t, { name: 'dash', formFactor: 'automotive', applicationId: 'com.acme.dash', ...skip })],
  ['tizen-app', (t) => tizenAppGenerator(t, { name: 'tv-app', ...skip })],
  ['webos-app', (t) => webosAppGenerator(t, { name: 'lg-app', title: 'LG & <Co>', ...skip })],
  ['web-app', (t) => webAppGenerator(t, { name: 'site', vercelProject: 'prj_site', ...skip })],
  ['electron-app', (t) => electronAppGenerator(t, { name: 'desk', appId: 'com.acme.desk', appVersion: '0.4.0', ...skip })],
  ['k8s-service', (t) => k8sServiceGenerator(t, { name: 'api', image: 'ghcr.io/acme/api', appVersion: '0.3.0', namespace: 'shop', ...skip })],
  ['ios-app', (t) => iosAppGenerator(t, { name: 'my-app', bundleId: 'com.acme.myapp', teamId: 'ABCDE12345', appVersion: '2.1.0', ...skip })],
  ['ios-app-visionos', (t) => iosAppGenerator(t, { name: 'vision', platform: 'visionos', ...skip })],
  ['macos-app', (t) => macosAppGenerator(t, { name: 'desk', teamId: 'ABCDE12345', ...skip })],
  ['fastlane-ios', async (t) => {
    await iosAppGenerator(t, { name: 'app', ...skip });
    await fastlaneGenerator(t, { project: 'app', ...skip });
  }],
  ['fastlane-android', async (t) => {
    t.write('apps/droid/build.gradle', '');
    t.write('apps/droid/project.json', JSON.stringify({ name: 'droid', root: 'apps/droid' }));
    await fastlaneGenerator(t, { project: 'droid', ...skip });
  }],
  ['ci', (t) => ciGenerator(t, skip)],
  ['ci-one-environment', (t) => ciGenerator(t, { environments: ['prod'], branch: 'release/1.x', secrets: ['VERCEL_TOKEN', 'IOS_P12'], ...skip })],
];

describe('generated files', () => {
  it.each(cases)('%s writes exactly the recorded files', async (name, run) => {
    const actual = await generatedFiles(run);
    const fixture = join(FIXTURES, `${name}.txt`);
    if (update) {
      mkdirSync(FIXTURES, { recursive: true });
      writeFileSync(fixture, actual);
    }
    expect(existsSync(fixture)).toBe(true);
    expect(actual).toBe(readFileSync(fixture, 'utf-8'));
  });
});
