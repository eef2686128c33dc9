// The options of a google-play action: the app, the track, and the credentials by env var name.
import { envNameOption, patternOption, requiredOption, UserError, urlOption } from '@shipfleet/core';
import { PlayCredentials, resolvePlayCredentials, trackOption } from '@shipfleet/android';
import { ActionParseContext, TrafficActionType } from './action-type';
import { GOOGLE_PLAY_DEFAULTS, GooglePlayAction, GooglePlayActionSpec } from './google-play';

const PACKAGE_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;

/** The credentials the spec names; a run cannot move a rollout without them. */
function credentialsOf(spec: Pick<GooglePlayActionSpec, 'serviceAccountKeyEnv'>, env: NodeJS.ProcessEnv): PlayCredentials {
  const credentials = resolvePlayCredentials({ serviceAccountKeyEnv: spec.serviceAccountKeyEnv, env });
  if (credentials.kind === 'missing' && !credentials.tryMetadataServer) {
    throw new UserError('action.serviceAccountKeyEnv', `environment variable ${credentials.envName} is not set`, `Set ${credentials.envName} to the Play service-account key JSON (or its base64), or to an external_account configuration`);
  }
  return credentials;
}

function parseGooglePlayAction(a: Record<string, unknown>, ctx: ActionParseContext): GooglePlayActionSpec {
  const packageName = requiredOption(
    'action.packageName',
    patternOption('action.packageName', a.packageName, { pattern: PACKAGE_NAME, what: 'an Android application id', example: 'com.acme.app' }),
    'Give the applicationId of the app, e.g. "packageName": "com.acme.app"',
  );
  const track = trackOption('action.track', a.track)?.name ?? GOOGLE_PLAY_DEFAULTS.track;
  const serviceAccountKeyEnv = envNameOption('action.serviceAccountKeyEnv', a.serviceAccountKeyEnv, { what: 'the Play service-account key JSON' });
  const spec: GooglePlayActionSpec = {
    type: 'google-play',
    packageName,
    track,
    ...(serviceAccountKeyEnv ? { serviceAccountKeyEnv } : {}),
    apiUrl: (urlOption('action.apiUrl', a.apiUrl, { example: GOOGLE_PLAY_DEFAULTS.apiUrl, allowQuery: false }) ?? GOOGLE_PLAY_DEFAULTS.apiUrl).replace(/\/+$/, ''),
    tokenUrl: urlOption('action.tokenUrl', a.tokenUrl, { example: GOOGLE_PLAY_DEFAULTS.tokenUrl, allowQuery: false }) ?? GOOGLE_PLAY_DEFAULTS.tokenUrl,
  };
  // Read now so that missing or broken credentials stop the run before any rollout moves.
  credentialsOf(spec, ctx.env);
  return spec;
}

/** A Play staged rollout: weight = userFraction of the track's in-progress release; promote completes it; rollback halts it. */
export const googlePlayActionType: TrafficActionType<GooglePlayActionSpec> = {
  type: 'google-play',
  example: '{"type": "google-play", "packageName": "com.acme.app", "track": "production", "serviceAccountKeyEnv": "PLAY_SERVICE_ACCOUNT_JSON"}',
  parse: parseGooglePlayAction,
  create: (spec, run) => {
    const credentials = credentialsOf(spec, run.env);
    return { action: new GooglePlayAction(spec, credentials), secrets: credentials.secrets };
  },
};
