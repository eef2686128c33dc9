// The options of a cloud-run action: the service, the canary revision, and the credentials by env var name.
import { PlayCredentials } from '@shipfleet/android';
import { CLOUD_RUN_CREDENTIALS_WHAT, CLOUD_RUN_DEFAULTS, cloudRunCredentials, REVISION_NAME, SERVICE_ID } from '@shipfleet/cloud-run';
import { durationOption, envNameOption, parseDuration, patternOption, requiredOption, UserError, urlOption } from '@shipfleet/core';
import { ActionParseContext, TrafficActionType } from './action-type';
import { CloudRunAction, CloudRunActionSpec } from './cloud-run';

const PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;

/** The credentials the spec names; a run cannot move traffic without them. */
function credentialsOf(spec: Pick<CloudRunActionSpec, 'credentialsEnv'>, env: NodeJS.ProcessEnv): PlayCredentials {
  const credentials = cloudRunCredentials(spec.credentialsEnv, env, 'action.credentialsEnv');
  if (credentials.kind === 'missing' && !credentials.tryMetadataServer) {
    throw new UserError(spec.credentialsEnv ? 'action.credentialsEnv' : 'action', `environment variable ${credentials.envName} is not set`, `Set it to ${CLOUD_RUN_CREDENTIALS_WHAT} (the account needs roles/run.developer)`);
  }
  return credentials;
}

function parseCloudRunAction(a: Record<string, unknown>, ctx: ActionParseContext): CloudRunActionSpec {
  const project = requiredOption('action.project', patternOption('action.project', a.project, { pattern: PROJECT, what: 'a Google Cloud project id', example: 'acme-prod' }), 'Give the id of the project the service runs in, e.g. "project": "acme-prod"');
  const region = requiredOption('action.region', patternOption('action.region', a.region, { pattern: REGION, what: 'a Cloud Run region', example: 'europe-west1' }), 'Give the region of the service, e.g. "region": "europe-west1"');
  const service = requiredOption('action.service', patternOption('action.service', a.service, { pattern: SERVICE_ID, what: 'a Cloud Run service name', example: 'web' }), 'Give the name of the Cloud Run service, e.g. "service": "web"');
  const revision = patternOption('action.revision', a.revision, { pattern: REVISION_NAME, what: 'a Cloud Run revision name', example: `${service}-1-4-0-3f2c1ab` });
  if (revision && !revision.startsWith(`${service}-`)) throw new UserError('action.revision', `"${revision}" is not a revision of service ${service}`, `Revision names start with "${service}-": give the one the deploy reported (its "revision" output)`);
  const credentialsEnv = envNameOption('action.credentialsEnv', a.credentialsEnv, { what: CLOUD_RUN_CREDENTIALS_WHAT });
  const spec: CloudRunActionSpec = {
    type: 'cloud-run',
    project,
    region,
    service,
    ...(revision ? { revision } : {}),
    ...(credentialsEnv ? { credentialsEnv } : {}),
    apiUrl: (urlOption('action.apiUrl', a.apiUrl, { example: CLOUD_RUN_DEFAULTS.apiUrl, allowQuery: false }) ?? CLOUD_RUN_DEFAULTS.apiUrl).replace(/\/+$/, ''),
    tokenUrl: urlOption('action.tokenUrl', a.tokenUrl, { example: CLOUD_RUN_DEFAULTS.tokenUrl, allowQuery: false }) ?? CLOUD_RUN_DEFAULTS.tokenUrl,
    waitTimeoutMs: durationOption('action.timeout', a.timeout, { min: 1000, example: '10m' }) ?? parseDuration(CLOUD_RUN_DEFAULTS.timeout)!,
  };
  // Read now so that missing or broken credentials stop the run before any traffic moves.
  credentialsOf(spec, ctx.env);
  return spec;
}

/** A Cloud Run revision's share of its service's traffic. */
export const cloudRunActionType: TrafficActionType<CloudRunActionSpec> = {
  type: 'cloud-run',
  example: '{"type": "cloud-run", "project": "acme-prod", "region": "europe-west1", "service": "web", "revision": "web-1-4-0-3f2c1ab", "credentialsEnv": "GOOGLE_CREDENTIALS"}',
  parse: parseCloudRunAction,
  create: (spec, run) => {
    const credentials = credentialsOf(spec, run.env);
    return { action: new CloudRunAction(spec, credentials), secrets: credentials.secrets };
  },
};
