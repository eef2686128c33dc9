import { Tree } from '@nx/devkit';
import { addOrKeepProject, checkDirectory, checkName, copyBuildTarget, finish, GeneratorOptionError, pascal, writeFiles } from '../../utils/generator-utils';

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
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(vercelProject)) throw new GeneratorOptionError('vercelProject', `"${vercelProject}" is not a Vercel project id or name`, 'Use the id (prj_…) or the name shown in the Vercel dashboard');
  addOrKeepProject(tree, name, {
    root,
    projectType: 'application',
    sourceRoot: `${root}/src`,
    targets: { build: copyBuildTarget(root), 'vercel-deploy': { options: { projectId: vercelProject, outputPath: `dist/${root}` } } },
    tags: ['platform:web'],
  });
  writeFiles(tree, root, {
    'vercel.json': JSON.stringify({ $schema: 'https://openapi.vercel.sh/vercel.json', cleanUrls: true, trailingSlash: false }, null, 2) + '\n',
    'src/index.html': `<!doctype html>\n<html>\n<head><meta charset="utf-8"><title>${pascal(name)}</title></head>\n<body><h1>${pascal(name)}</h1><script type="module" src="main.js"></script></body>\n</html>\n`,
    'src/main.js': "document.querySelector('h1').dataset.ready = 'true';\n",
  });
  await finish(tree, o.skipFormat);
}

export default webAppGenerator;
