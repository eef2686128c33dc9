import { definePlatform } from './platform';

/** Web apps deployed to Vercel: vercel.json or a linked .vercel/project.json. */
export const vercel = definePlatform<true>({
  id: 'vercel',
  markers: ['vercel.json', '.vercel/project.json'],
  detect: (folder) => (folder.entries.includes('vercel.json') || folder.read('.vercel/project.json') !== undefined ? true : undefined),
  targets: () => [{ executor: 'vercel-deploy', description: 'Deploy the build output through the Vercel API', runner: 'linux', deploys: true }],
  ciSecrets: ['VERCEL_TOKEN'],
  example: { 'vercel.json': '{}' },
});
