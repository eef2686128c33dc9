import { Tree } from '@nx/devkit';

/** Every file of a generator's tree, as base64 by path: equal snapshots mean a run changed nothing. */
export function treeSnapshot(tree: Tree): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const c of tree.children(dir)) {
      const p = dir ? `${dir}/${c}` : c;
      if (tree.isFile(p)) out[p] = tree.read(p)!.toString('base64');
      else walk(p);
    }
  };
  walk('');
  return out;
}
