import { ExecutorContext } from '@nx/devkit';
import { existsSync } from 'fs';
import { join, resolve } from 'path';

export function projectRoot(context: ExecutorContext): string {
  return context.projectsConfigurations.projects[context.projectName!].root;
}

/** Replaces Nx's {workspaceRoot}, {projectRoot} and {projectName} tokens in an outputs entry. */
function interpolate(path: string, context: ExecutorContext): string {
  return path.replace('{workspaceRoot}/', '').replace('{workspaceRoot}', '').replace('{projectRoot}', projectRoot(context)).replace('{projectName}', context.projectName!);
}

/**
 * The built app folder of a project: the first `outputs` entry of its build
 * target, else dist/<projectRoot>, else the project root itself, whichever
 * holds `marker` (config.xml, appinfo.json). Relative to the workspace root.
 */
export function defaultAppDir(context: ExecutorContext, marker: string): string {
  const project = context.projectsConfigurations.projects[context.projectName!];
  const buildOutput = project.targets?.build?.outputs?.[0];
  const candidates = [buildOutput ? interpolate(buildOutput, context) : undefined, join('dist', project.root), project.root].filter((c): c is string => !!c);
  return candidates.find((c) => existsSync(join(context.root, c, marker))) ?? candidates[0];
}

/**
 * Globs left out of a TV package: what the user lists, else the workspace's
 * own files (project.json, tsconfig, specs…) when the app folder is the
 * project folder itself rather than a build output.
 */
export function packageExclude(context: ExecutorContext, appDir: string, given: string[] | undefined, projectFiles: string[]): string[] {
  if (given) return given;
  return resolve(context.root, appDir) === resolve(context.root, projectRoot(context)) ? projectFiles : [];
}

export function defaultOutputPath(context: ExecutorContext): string {
  return join('dist', 'shipfleet', context.projectName!);
}
