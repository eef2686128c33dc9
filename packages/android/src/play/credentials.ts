import { existsSync, readFileSync } from 'fs';
import { isMaskable, isPlainObject, Secret, secretFromEnv, secretFromFile, UserError, urlOption } from '@shipfleet/core';

/** The OAuth scope of the Google Play Developer API. */
export const ANDROID_PUBLISHER_SCOPE = 'https://www.googleapis.com/auth/androidpublisher';

export const DEFAULT_SERVICE_ACCOUNT_KEY_ENV = 'PLAY_SERVICE_ACCOUNT_JSON';

/**
 * Where the run's Google credentials come from, read when the options are:
 * - a service-account key (JWT grant to the token URL);
 * - an external_account configuration (workload identity federation, e.g.
 *   GitHub OIDC: its subject token is exchanged at its own token_url, STS);
 * - application default credentials (GOOGLE_APPLICATION_CREDENTIALS of
 *   another type, or the metadata server of a Google Cloud machine);
 * - none: a dry run still shows the plan; a real run fails clearly.
 */
export type PlayCredentials =
  | { kind: 'service-account'; source: string; clientEmail: string; privateKey: string; privateKeyId?: string; secrets: string[] }
  | { kind: 'external-account'; source: string; config: Record<string, unknown>; subjectTokenFile?: string; secrets: string[] }
  | { kind: 'application-default'; source: string; secrets: string[] }
  | { kind: 'missing'; source: string; envName: string; tryMetadataServer: boolean; secrets: string[] };

const WHAT = 'the Play service-account key JSON or an external_account (workload identity federation) configuration, as it is or base64';

/** Values worth masking: strings long enough to be masked reliably. */
const maskable = (values: unknown[]): string[] => values.filter((v): v is string => typeof v === 'string' && isMaskable(v));

function parseJson(option: string, secret: Secret, what = WHAT): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret.text);
  } catch {
    parsed = undefined;
  }
  // The content is never quoted: it is a secret.
  if (!isPlainObject(parsed)) throw new UserError(option, `${secret.source} does not hold JSON (nor the base64 of JSON)`, `Store ${what} in ${secret.source}`);
  return parsed;
}

/** A credential JSON (key file or external_account configuration) read from an env var or a file. */
function fromJson(option: string, secret: Secret, what = WHAT): PlayCredentials {
  const json = parseJson(option, secret, what);
  const base = [...secret.mask];
  if (json.type === 'service_account') {
    const { client_email: clientEmail, private_key: privateKey, private_key_id: privateKeyId } = json;
    if (typeof clientEmail !== 'string' || !clientEmail.includes('@')) throw new UserError(option, `the key in ${secret.source} has no client_email`, 'Use the JSON key file Google Cloud Console downloads for the service account, unchanged');
    if (typeof privateKey !== 'string' || !/-----BEGIN (RSA )?PRIVATE KEY-----/.test(privateKey)) throw new UserError(option, `the key in ${secret.source} has no PEM private_key`, 'Use the JSON key file Google Cloud Console downloads for the service account, unchanged');
    return {
      kind: 'service-account',
      source: secret.source,
      clientEmail,
      privateKey,
      privateKeyId: typeof privateKeyId === 'string' ? privateKeyId : undefined,
      secrets: [...base, ...maskable([privateKey, privateKeyId])],
    };
  }
  if (json.type === 'external_account') {
    for (const field of ['audience', 'subject_token_type', 'token_url']) {
      if (typeof json[field] !== 'string') throw new UserError(option, `the external_account configuration in ${secret.source} has no ${field}`, 'Use the configuration `gcloud iam workload-identity-pools create-cred-config` writes');
    }
    urlOption(option, json.token_url, { example: 'https://sts.googleapis.com/v1/token' });
    if (typeof json.service_account_impersonation_url === 'string') urlOption(option, json.service_account_impersonation_url, { example: 'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/NAME:generateAccessToken' });
    const source = json.credential_source;
    if (!isPlainObject(source) || (typeof source.file !== 'string' && typeof source.url !== 'string')) {
      throw new UserError(option, `the external_account configuration in ${secret.source} has no credential_source file or url`, 'Point credential_source at the file or URL that holds the OIDC token (e.g. GitHub\'s ID token written to a file)');
    }
    const headers = isPlainObject(source.headers) ? Object.values(source.headers) : [];
    return {
      kind: 'external-account',
      source: secret.source,
      config: json,
      subjectTokenFile: typeof source.file === 'string' ? source.file : undefined,
      secrets: [...base, ...maskable([...headers, json.client_secret])],
    };
  }
  throw new UserError(
    option,
    `${secret.source} holds credentials of type ${JSON.stringify(typeof json.type === 'string' ? json.type : null)}`,
    'Use a service-account key ("type": "service_account") or a workload identity federation configuration ("type": "external_account"); user credentials are not for CI',
  );
}

export interface CredentialRules {
  /** The option's value, or undefined for the default name. */
  serviceAccountKeyEnv?: string;
  /** Absolute path of a credential JSON file (checked with pathOption first). */
  credentialsFile?: string;
  env: NodeJS.ProcessEnv;
  /** The name messages give the variable option (default serviceAccountKeyEnv). */
  keyEnvOption?: string;
  /** The variable read when serviceAccountKeyEnv is left out (default PLAY_SERVICE_ACCOUNT_JSON); null: none, application default credentials straight away. */
  defaultKeyEnv?: string | null;
  /** What the variable holds, for messages (default: the Play key or external_account configuration). */
  what?: string;
}

/**
 * The credentials of a run: `credentialsFile`, else the variable named by
 * serviceAccountKeyEnv (default `defaultKeyEnv`, PLAY_SERVICE_ACCOUNT_JSON), else
 * GOOGLE_APPLICATION_CREDENTIALS, else the metadata server. A variable named
 * explicitly must be set when a real run starts; its absence is reported as
 * `missing` so that a dry run can still show the plan.
 */
export function resolvePlayCredentials(rules: CredentialRules): PlayCredentials {
  const { env } = rules;
  const what = rules.what ?? WHAT;
  if (rules.credentialsFile !== undefined) {
    return fromJson('credentialsFile', secretFromFile('credentialsFile', rules.credentialsFile, { decode: 'auto', what })!, what);
  }
  const option = rules.keyEnvOption ?? 'serviceAccountKeyEnv';
  const keyEnv = rules.serviceAccountKeyEnv ?? (rules.defaultKeyEnv === undefined ? DEFAULT_SERVICE_ACCOUNT_KEY_ENV : rules.defaultKeyEnv ?? undefined);
  if (keyEnv && env[keyEnv]) return fromJson(option, secretFromEnv(option, keyEnv, { env, decode: 'auto', what })!, what);
  const adc = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (rules.serviceAccountKeyEnv === undefined && adc) {
    if (!existsSync(adc)) throw new UserError('GOOGLE_APPLICATION_CREDENTIALS', `${adc} does not exist`, 'Point GOOGLE_APPLICATION_CREDENTIALS at a credential JSON file, or unset it');
    const secret = secretFromFile('GOOGLE_APPLICATION_CREDENTIALS', adc, { what })!;
    const json = parseJson('GOOGLE_APPLICATION_CREDENTIALS', secret, what);
    if (json.type === 'service_account' || json.type === 'external_account') return fromJson('GOOGLE_APPLICATION_CREDENTIALS', secret, what);
    // Other types (authorized_user from gcloud, impersonated_service_account…): the library reads the file itself.
    return { kind: 'application-default', source: `$GOOGLE_APPLICATION_CREDENTIALS (${adc})`, secrets: [...secret.mask, ...maskable(Object.values(json))] };
  }
  const envName = keyEnv ?? 'GOOGLE_APPLICATION_CREDENTIALS';
  return {
    kind: 'missing',
    source: `$${envName}`,
    envName,
    // Only the default name left unset may mean "use this Google Cloud machine's identity".
    tryMetadataServer: rules.serviceAccountKeyEnv === undefined && env.METADATA_SERVER_DETECTION !== 'none',
    secrets: [],
  };
}

/** Who the credentials act as, for plans and logs. */
export function describeCredentials(c: PlayCredentials, tokenUrl: string): string {
  switch (c.kind) {
    case 'service-account':
      return `service account ${c.clientEmail} (key from ${c.source}; JWT grant to ${tokenUrl})`;
    case 'external-account':
      return `workload identity federation (${c.source}; ${c.subjectTokenFile ? `subject token from ${c.subjectTokenFile}` : 'subject token from its credential_source url'}, exchanged at ${String(c.config.token_url)}${typeof c.config.service_account_impersonation_url === 'string' ? ', then impersonating a service account' : ''})`;
    case 'application-default':
      return `application default credentials from ${c.source}`;
    case 'missing':
      return `<${c.envName} not set>${c.tryMetadataServer ? ' (a real run tries the metadata server of a Google Cloud machine)' : ''}`;
  }
}

/** The subject token's file content, when the configuration names one (to mask it). */
export function readSubjectToken(c: PlayCredentials): string | undefined {
  if (c.kind !== 'external-account' || !c.subjectTokenFile || !existsSync(c.subjectTokenFile)) return undefined;
  try {
    return readFileSync(c.subjectTokenFile, 'utf8').trim();
  } catch {
    return undefined;
  }
}
