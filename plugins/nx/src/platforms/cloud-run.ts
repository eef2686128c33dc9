import { definePlatform } from './platform';

/** Google Cloud Run services: cloud-run.json holds the cloud-run-deploy options (project, region, service, strategy…). */
export const cloudRun = definePlatform<true>({
  id: 'cloud-run',
  markers: ['cloud-run.json'],
  detect: (folder) => (folder.entries.includes('cloud-run.json') ? true : undefined),
  targets: () => [
    {
      executor: 'cloud-run-deploy',
      description: 'Deploy a new Cloud Run revision behind a tag, then move traffic by the strategy',
      runner: 'linux',
      options: { config: '{projectRoot}/cloud-run.json' },
      deploys: true,
    },
  ],
  ciSecrets: ['GCP_CREDENTIALS'],
  example: { 'cloud-run.json': '{"project": "acme-prod", "region": "europe-west1", "service": "api"}' },
});
