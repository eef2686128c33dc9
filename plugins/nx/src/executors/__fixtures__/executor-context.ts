import type { ExecutorContext } from '@nx/devkit';

/** The part of Nx's ExecutorContext the executors read, for one project at apps/<project> of a workspace at `root`. */
export function executorContext(root: string, project: string, extra: { targetName?: string; targets?: Record<string, object> } = {}): ExecutorContext {
  return {
    root,
    cwd: root,
    isVerbose: false,
    projectName: project,
    ...(extra.targetName ? { targetName: extra.targetName } : {}),
    projectsConfigurations: { version: 2, projects: { [project]: { root: `apps/${project}`, ...(extra.targets ? { targets: extra.targets } : {}) } } },
  } as unknown as ExecutorContext;
}
