import { definePlatform } from './platform';

/** Kubernetes services: a kustomization in the project root, or a k8s/ or deploy/ folder of YAML manifests. */
export const kubernetes = definePlatform<{ manifests: string }>({
  id: 'kubernetes',
  markers: ['kustomization.yaml', 'kustomization.yml', 'k8s/*.yaml', 'k8s/*.yml', 'deploy/*.yaml', 'deploy/*.yml'],
  detect(folder) {
    const manifests = folder.entries.includes('kustomization.yaml') || folder.entries.includes('kustomization.yml') ? '.' : ['k8s', 'deploy'].find((d) => folder.hasYaml(d));
    return manifests ? { manifests } : undefined;
  },
  targets: ({ manifests }) => [
    { executor: 'k8s-deploy', description: 'Server-side apply, wait for the rollout, undo on failure', runner: 'linux', options: { manifests: [manifests === '.' ? '{projectRoot}' : `{projectRoot}/${manifests}`] }, deploys: true },
  ],
  ciSecrets: [],
  example: { 'k8s/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\n' },
});

/** A progressive rollout judged by metrics: canary.json holds its options; it runs after the platform's own deploy. */
export const canary = definePlatform<true>({
  id: 'canary',
  markers: ['canary.json'],
  detect: (folder) => (folder.entries.includes('canary.json') ? true : undefined),
  targets: () => [{ executor: 'canary-monitor', description: "Watch the rollout's metrics and promote or roll back", runner: 'linux', options: { config: '{projectRoot}/canary.json' }, deploys: true }],
  ciSecrets: [],
  example: { 'canary.json': '{}' },
});
