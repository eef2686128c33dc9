import { Tree } from '@nx/devkit';
import { join } from 'path';
import { UserError } from '@shipfleet/core';
import { addOrKeepProject, checkDirectory, checkName, copyBuildTarget, finish, pascal, writeTemplates } from '../../utils/generator-utils';

export interface WebAppSchema {
  name: string;
  directory?: string;
  /** Vercel project id or name (prj_…); default: the project name. */
  vercelProject?: string;
  skipFormat?: boolean;
}

/** A static web app deployed to Vercel: vercel.json at the root, sources in src/, built into dist/<root>. */
export async function webAppGenerator(tree: Tree, o: WebAppSchema) {
  const name = checkName(o.name);
  const root = checkDirectory(o.directory, name, 'apps');
  const vercelProject = o.vercelProject ?? name;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(vercelProject)) throw new UserError('vercelProject', `"${vercelProject}" is not a Vercel project id or name`, 'Use the id (prj_…) or the name shown in the Vercel dashboard');
  addOrKeepProject(tree, name, {
    root,
    projectType: 'application',
    sourceRoot: `${root}/src`,
    targets: { build: copyBuildTarget(root), 'vercel-deploy': { options: { projectId: vercelProject, appDir: `dist/${root}` } } },
    tags: ['platform:web'],
  });
  writeTemplates(tree, join(__dirname, 'files'), root, { title: pascal(name) });
  await finish(tree, o.skipFormat);
}

export default webAppGenerator;
