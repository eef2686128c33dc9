import { definePlatform } from './platform';
import { kubernetes } from './kubernetes';

/**
 * Container images: a project with a Dockerfile (the k8s-service generator writes one). The image
 * is built and pushed as part of `deploy` where the project also deploys it (Kubernetes manifests):
 * before k8s-deploy, which sets matching containers to the pushed digest.
 */
export const container = definePlatform<{ deployed: boolean }>({
  id: 'container',
  markers: ['Dockerfile'],
  detect(folder) {
    if (!folder.entries.includes('Dockerfile')) return undefined;
    return { deployed: kubernetes.detect(folder) !== undefined };
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
