import { definePlatform } from './platform';
import { kubernetes } from './kubernetes';

/**
 * Container images: a project with a Dockerfile (the k8s-service generator writes one). The image
 * is built and pushed as part of `deploy` where the project also deploys it (Kubernetes manifests,
 * cloud-run.json): before k8s-deploy / cloud-run-deploy, which take the pushed digest.
 */
export const container = definePlatform<{ deployed: boolean }>({
  id: 'container',
  markers: ['Dockerfile'],
  detect(folder) {
    if (!folder.entries.includes('Dockerfile')) return undefined;
    // Built as part of deploy where something deploys it: Kubernetes manifests or a Cloud Run service.
    return { deployed: kubernetes.detect(folder) !== undefined || folder.entries.includes('cloud-run.json') };
  },
  targets: ({ deployed }) => [
    {
      executor: 'container-image',
      description: 'Build the image and push it (only what the registry lacks); k8s-deploy takes its digest',
      runner: 'linux',
      outputs: ['{workspaceRoot}/dist/{projectRoot}/container-image.json'],
      deploys: deployed,
    },
  ],
  ciSecrets: [],
  example: { Dockerfile: 'FROM node:20-slim\nCOPY . /app\n' },
});
