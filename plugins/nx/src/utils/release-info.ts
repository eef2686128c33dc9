import { ExecutorContext } from '@nx/devkit';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { runCaptured } from '@shipfleet/core';
import { projectRoot } from './project-paths';

/** The project's package.json version, the version a deploy records and labels by default. */
export function projectVersion(context: ExecutorContext): string | undefined {
  const pkg = join(context.root, projectRoot(context), 'package.json');
  return existsSync(pkg) ? JSON.parse(readFileSync(pkg, 'utf8')).version : undefined;
}

const heads = new Map<string, Promise<string | undefined>>();

/**
 * The commit checked out in the workspace (undefined outside git or before the
 * first commit). Asked once per process: `deploy` and the targets it runs share it.
 */
export function headCommit(workspaceRoot: string): Promise<string | undefined> {
  let head = heads.get(workspaceRoot);
  if (!head) {
    head = runCaptured('git', ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: workspaceRoot }).then(
      (r) => (r.exitCode === 0 ? r.stdout.trim() : undefined),
      () => undefined,
    );
    heads.set(workspaceRoot, head);
  }
  return head;
}
