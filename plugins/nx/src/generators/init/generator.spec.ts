import { readNxJson } from '@nx/devkit';
import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
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

describe('init generator: .gitignore', () => {
  const run = async (before?: string) => {
    const tree = createTreeWithEmptyWorkspace();
    if (before === undefined) tree.delete('.gitignore');
    else tree.write('.gitignore', before);
    await initGenerator(tree, { skipFormat: true });
    const once = tree.read('.gitignore', 'utf-8');
    await initGenerator(tree, { skipFormat: true });
    expect(tree.read('.gitignore', 'utf-8')).toBe(once);
    return once;
  };

  it('ignores the development certificates and the local ledger, after the existing lines, once', async () => {
    expect(await run('node_modules\n/dist')).toBe('node_modules\n/dist\n\n# shipfleet: development certificates and the local deploy ledger\n.shipfleet/tizen/\n.shipfleet/ledger*\n');
  });

  it('creates .gitignore when there is none', async () => {
    expect(await run()).toBe('# shipfleet: development certificates and the local deploy ledger\n.shipfleet/tizen/\n.shipfleet/ledger*\n');
  });

  it('adds only what is missing, and nothing when the whole .shipfleet folder is ignored', async () => {
    expect(await run('.shipfleet/tizen/\n')).toBe('.shipfleet/tizen/\n\n# shipfleet: development certificates and the local deploy ledger\n.shipfleet/ledger*\n');
    expect(await run('node_modules\n.shipfleet/\n')).toBe('node_modules\n.shipfleet/\n');
  });

  it('the entries make git ignore the certificates and ledger files, and nothing else of .shipfleet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gitignore-'));
    writeFileSync(join(dir, '.gitignore'), (await run(''))!);
    const ignored = (path: string) => spawnSync('git', ['check-ignore', '--no-index', '-q', path], { cwd: dir }).status === 0;
    expect(spawnSync('git', ['init', '-q'], { cwd: dir }).status).toBe(0);
    expect(['.shipfleet/tizen/dev-author.p12', '.shipfleet/ledger', '.shipfleet/ledger.lock', '.shipfleet/ledger.12.34.tmp', '.shipfleet/notes.md'].map(ignored)).toEqual([true, true, true, true, false]);
  });
});
