import { readNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { initGenerator } from './generator';

describe('init generator', () => {
  it('registers the plugin once, keeping existing plugins', async () => {
    const tree = createTreeWithEmptyWorkspace();
    const before = readNxJson(tree)!;
    before.plugins = ['@nx/js/typescript'];
    tree.write('nx.json', JSON.stringify(before));
    await initGenerator(tree, { skipFormat: true });
    await initGenerator(tree, { skipFormat: true });
    const plugins = readNxJson(tree)!.plugins!;
    expect(plugins).toEqual(['@nx/js/typescript', { plugin: '@shipfleet/nx', options: {} }]);
  });
});
