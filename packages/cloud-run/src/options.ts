import {
  blueGreenOptions,
  BlueGreenOptions,
  durationOption,
  envNameOption,
  formatDuration,
  integerOption,
  isPlainObject,
  oneOfOption,
  parseDuration,
  patternOption,
  plainObjectOption,
  requiredOption,
  showValue,
  urlOption,
  UserError,
} from '@shipfleet/core';
import { GOOGLE_TOKEN_URL, PlayCredentials, resolvePlayCredentials } from '@shipfleet/android';
import { defaultTag, LABEL_KEY, LABEL_VALUE, labelValue, REVISION_NAME, revisionNameFor, SERVICE_ID, TAG } from './names';

export type CloudRunAction = 'deploy' | 'rollback';
export type CloudRunStrategy = 'all-at-once' | 'blue-green' | 'canary';
export type CloudRunIngress = 'all' | 'internal' | 'internal-and-cloud-load-balancing';

/** Options as a user writes them (an Nx target's options, or a script's). */
export interface CloudRunOptions {
  /** deploy (default): a new revision; rollback: all traffic back to the previous revision. */
  action?: CloudRunAction;
  /** The Google Cloud project id. */
  project?: string;
  /** The Cloud Run region, e.g. europe-west1. */
  region?: string;
  /** The Cloud Run service (created on the first deploy). */
  service?: string;
  /** deploy: the image, best pinned by digest (registry/repo@sha256:…). */
  image?: string;
  /** Plain environment variables of the container (visible in the revision: never secrets). */
  env?: Record<string, string>;
  /** Environment variable → Secret Manager reference ("projects/p/secrets/name:3", "name:latest"). */
  secrets?: Record<string, string>;
  /** CPU limit: "1", "2", "4", "500m". */
  cpu?: string | number;
  /** Memory limit: "512Mi", "2Gi". */
  memory?: string;
  /** Requests one instance serves at once (1–1000). */
  concurrency?: number;
  minInstances?: number;
  maxInstances?: number;
  /** The identity the revision runs as (an IAM service account e-mail). */
  serviceAccount?: string;
  ingress?: CloudRunIngress;
  /** Labels of the service and its revisions (nx-project, version and commit are added). */
  labels?: Record<string, string>;
  /** The port the container listens on (Cloud Run sets $PORT to it). */
  port?: number;
  /** Request timeout of the revision: a duration up to 60m (Cloud Run's default 5m). */
  requestTimeout?: string | number;
  /** all-at-once (default), canary (deploy behind a tag at 0 %; canary-monitor moves traffic) or blue-green. */
  strategy?: CloudRunStrategy;
  /** The new revision's tag, its own URL (default rev-<short commit>, else candidate). */
  tag?: string;
  /** The version deployed: part of the revision name and a label. */
  version?: string;
  /** The commit deployed: part of the revision name and a label. */
  commit?: string;
  /** deploy: the new revision's name (default <service>-<version>-<short commit>); rollback: the revision to go back to (default the previous one). */
  revision?: string;
  /** Name of the env var holding a service-account key JSON or an external_account configuration (raw or base64). Default: application default credentials. */
  credentialsEnv?: string;
  /** The Admin API's base URL (default https://run.googleapis.com). */
  apiUrl?: string;
  /** Where a service account's JWT grant goes (default https://oauth2.googleapis.com/token). */
  tokenUrl?: string;
  /** Longest wait for each change to be served (default 10m). */
  timeout?: string | number;
  /** strategy blue-green: the check of the tagged revision, keepPrevious, postSwitchCheck (core's blue-green options). */
  blueGreen?: unknown;
}

export interface SecretReference {
  /** "name" or "projects/p/secrets/name". */
  secret: string;
  /** "latest" or a version number. */
  version: string;
}

export interface NormalizedCloudRunOptions {
  action: CloudRunAction;
  project: string;
  region: string;
  service: string;
  image?: string;
  env: Record<string, string>;
  secrets: Record<string, SecretReference>;
  cpu?: string;
  memory?: string;
  concurrency?: number;
  minInstances?: number;
  maxInstances?: number;
  serviceAccount?: string;
  /** The API's enum: INGRESS_TRAFFIC_ALL… */
  ingress?: string;
  /** Given labels with nx-project, version and commit. */
  labels: Record<string, string>;
  port?: number;
  requestTimeoutMs?: number;
  strategy: CloudRunStrategy;
  tag: string;
  version?: string;
  commit?: string;
  /** deploy: the name asked for (undefined: Cloud Run names it); rollback: the target, when given. */
  revision?: string;
  /** deploy: whether the name was derived (a taken one then gets a "-2" suffix) rather than given. */
  revisionDerived: boolean;
  credentialsEnv?: string;
  /** Without a trailing slash. */
  apiUrl: string;
  tokenUrl: string;
  waitTimeoutMs: number;
  /** strategy blue-green only. */
  blueGreen?: BlueGreenOptions;
}

export interface ResolvedCloudRunOptions {
  options: NormalizedCloudRunOptions;
  credentials: PlayCredentials;
  /** Values to mask in every output of the run. */
  secrets: string[];
}

export interface CloudRunOptionContext {
  /** The Nx project deployed: the nx-project label. */
  projectName?: string;
  env?: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
  /** A dry run shows the plan without credentials (with a warning). */
  dryRun?: boolean;
}

export const DEFAULT_API_URL = 'https://run.googleapis.com';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
export const CLOUD_RUN_CREDENTIALS_WHAT = 'a Google service-account key JSON or an external_account (workload identity federation) configuration, as it is or base64';
export const CLOUD_RUN_DEFAULTS = { action: 'deploy', strategy: 'all-at-once', apiUrl: DEFAULT_API_URL, tokenUrl: GOOGLE_TOKEN_URL, timeout: '10m' } as const;

const INGRESS: Record<CloudRunIngress, string> = {
  all: 'INGRESS_TRAFFIC_ALL',
  internal: 'INGRESS_TRAFFIC_INTERNAL_ONLY',
  'internal-and-cloud-load-balancing': 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
};
const PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;
const IMAGE = /^[a-z0-9][a-z0-9._-]*(:[0-9]+)?(\/[a-z0-9._-]+)+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED_ENV = ['PORT', 'K_SERVICE', 'K_REVISION', 'K_CONFIGURATION'];
const SECRET_NAME = /(^|[_-])(TOKEN|PASSWORD|PASSWD|PASS|PWD|SECRET|KEY|APIKEY|CREDENTIALS?|AUTH|PRIVATE|CERT)([_-]|$)|(TOKEN|PASSWORD|SECRET|APIKEY)$/i;
const SECRET_REFERENCE = /^(projects\/(?:[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]+)\/secrets\/)?([A-Za-z0-9_-]{1,255}):(latest|[1-9][0-9]*)$/;
const CPU = /^([0-9]+(\.[0-9]+)?|[0-9]+m)$/;
const MEMORY = /^[0-9]+(Mi|Gi|M|G)$/;
const SERVICE_ACCOUNT = /^[a-z0-9][a-z0-9-]*@[a-z0-9][a-z0-9.-]*\.gserviceaccount\.com$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;
const COMMIT = /^[0-9a-f]{4,40}$/i;
const BUILT_IN_LABELS = ['nx-project', 'version', 'commit'];
const MAX_REQUEST_TIMEOUT_MS = 3_600_000;

function stringMap(option: string, value: unknown, example: string): Record<string, unknown> {
  return plainObjectOption(option, value, { example }) ?? {};
}

function envOption(value: unknown): Record<string, string> {
  const env = stringMap('env', value, '{"LOG_LEVEL": "info"}');
  for (const [name, v] of Object.entries(env)) {
    if (!ENV_NAME.test(name)) throw new UserError('env', `"${name}" is not an environment variable name`, 'Use letters, digits and _, not starting with a digit');
    if (RESERVED_ENV.includes(name)) throw new UserError('env', `"${name}" is set by Cloud Run itself`, name === 'PORT' ? 'Set the port with the "port" option' : 'Remove it');
    if (SECRET_NAME.test(name)) throw new UserError('env', `"${name}" looks like a secret, and plain variables are readable by anyone who can read the revision`, `Store it in Secret Manager and give a reference instead: "secrets": {"${name}": "${name.toLowerCase().replace(/_/g, '-')}:latest"}`);
    if (typeof v !== 'string') throw new UserError('env', `the value of "${name}" must be a string`, `Quote it: "${name}": "${String(v)}"`);
  }
  return env as Record<string, string>;
}

/** Secret Manager references only: anything else may be the secret itself, so it is never shown. */
function secretsOption(value: unknown, env: Record<string, string>): Record<string, SecretReference> {
  const raw = stringMap('secrets', value, '{"DB_PASSWORD": "db-password:latest"}');
  const out: Record<string, SecretReference> = {};
  for (const [name, ref] of Object.entries(raw)) {
    if (!ENV_NAME.test(name)) throw new UserError('secrets', `"${name}" is not an environment variable name`, 'Use letters, digits and _, not starting with a digit');
    if (RESERVED_ENV.includes(name)) throw new UserError('secrets', `"${name}" is set by Cloud Run itself`, 'Use another name');
    if (name in env) throw new UserError('secrets', `"${name}" is also in env`, 'Give each variable once: in env (plain) or in secrets (a Secret Manager reference)');
    const m = typeof ref === 'string' ? SECRET_REFERENCE.exec(ref) : null;
    if (!m) {
      throw new UserError(
        'secrets',
        `the value for "${name}" is not a Secret Manager reference (it is not shown: it may be the secret itself)`,
        `Give a reference, never a value: "${name}": "projects/<project>/secrets/<name>:<version>" or "<name>:latest"`,
      );
    }
    out[name] = { secret: `${m[1] ?? ''}${m[2]}`, version: m[3] };
  }
  return out;
}

function labelsOption(value: unknown, builtIn: Record<string, string>): Record<string, string> {
  const labels = stringMap('labels', value, '{"team": "web"}');
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_KEY.test(k)) throw new UserError('labels', `"${k}" is not a Cloud Run label key`, 'Use lowercase letters, digits, _ and -, starting with a letter, at most 63 characters');
    if (BUILT_IN_LABELS.includes(k)) throw new UserError('labels', `"${k}" is set by the deploy`, `Remove it: ${BUILT_IN_LABELS.join(', ')} are added from the project, version and commit`);
    if (typeof v !== 'string' || !LABEL_VALUE.test(v)) throw new UserError('labels', `the value of "${k}" is not a Cloud Run label value`, 'Use lowercase letters, digits, _ and -, at most 63 characters');
  }
  return { ...(labels as Record<string, string>), ...builtIn };
}

function cpuOption(value: unknown): string | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  const cpu = patternOption('cpu', text, { pattern: CPU, what: 'a CPU limit', example: '1', fix: 'Use a number of CPUs ("1", "2", "4", "8") or millicpus below one ("500m")' });
  if (cpu === undefined) return undefined;
  const cpus = cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
  if (!(cpus > 0) || cpus > 8) throw new UserError('cpu', `${showValue(value)} is outside what Cloud Run offers`, 'Use from "80m" to "8"');
  return cpu;
}

/**
 * Validates the options of a Cloud Run deploy or rollback and reads the credentials they name;
 * each problem is a UserError naming the option. Missing credentials stop a real run here; a dry
 * run shows its plan without them, with a warning.
 */
export function resolveCloudRunOptions(given: Partial<CloudRunOptions>, ctx: CloudRunOptionContext = {}): ResolvedCloudRunOptions {
  if (!isPlainObject(given)) throw new UserError('options', 'must be an object', 'Pass the options as a map, e.g. {"project": "acme-prod", "region": "europe-west1", "service": "web"}');
  const raw = given as Record<string, unknown>;
  const env = ctx.env ?? process.env;
  const warn = ctx.warn ?? (() => undefined);

  const action = oneOfOption('action', raw.action, ['deploy', 'rollback'] as const, { fix: 'Use deploy (default) or rollback' }) ?? 'deploy';
  const project = requiredOption('project', patternOption('project', raw.project, { pattern: PROJECT, what: 'a Google Cloud project id', example: 'acme-prod' }), 'Give the id of the Google Cloud project, e.g. "project": "acme-prod" (gcloud config get project)');
  const region = requiredOption('region', patternOption('region', raw.region, { pattern: REGION, what: 'a Cloud Run region', example: 'europe-west1' }), 'Give the region of the service, e.g. "region": "europe-west1"');
  const service = requiredOption(
    'service',
    patternOption('service', raw.service, { pattern: SERVICE_ID, what: 'a Cloud Run service name', example: 'web', fix: 'Use lowercase letters, digits and hyphens, starting with a letter, fewer than 50 characters' }),
    'Give the name of the Cloud Run service, e.g. "service": "web"',
  );
  const strategy = oneOfOption('strategy', raw.strategy, ['all-at-once', 'blue-green', 'canary'] as const, { fix: 'Use all-at-once (default), canary or blue-green' }) ?? 'all-at-once';
  const version = patternOption('version', raw.version, { pattern: VERSION, what: 'a version', example: '1.4.0' });
  const commit = patternOption('commit', raw.commit, { pattern: COMMIT, what: 'a commit hash', example: '3f2c1ab' });

  let image: string | undefined;
  if (action === 'deploy') {
    image = requiredOption('image', patternOption('image', raw.image, { pattern: IMAGE, what: 'a container image reference', example: 'europe-west1-docker.pkg.dev/acme-prod/web/web@sha256:…' }), 'Give the image to deploy, best by digest (the container-image target\'s output)');
    if (!image.includes('@sha256:')) warn(`image ${image} is not pinned by digest: the revision runs whatever the tag points to when Cloud Run pulls it. Deploy registry/repo@sha256:… (container-image's "image" output)`);
  }
  const plainEnv = envOption(raw.env);
  const secretRefs = secretsOption(raw.secrets, plainEnv);
  const builtIn: Record<string, string> = {};
  if (ctx.projectName) builtIn['nx-project'] = labelValue(ctx.projectName);
  if (version) builtIn.version = labelValue(version);
  if (commit) builtIn.commit = labelValue(commit);
  const labels = labelsOption(raw.labels, builtIn);

  const cpu = cpuOption(raw.cpu);
  const memory = patternOption('memory', raw.memory, { pattern: MEMORY, what: 'a memory limit', example: '512Mi', fix: 'Use Mi or Gi, e.g. "512Mi", "2Gi"' });
  const concurrency = integerOption('concurrency', raw.concurrency, { min: 1, max: 1000 });
  const minInstances = integerOption('minInstances', raw.minInstances, { min: 0, max: 1000 });
  const maxInstances = integerOption('maxInstances', raw.maxInstances, { min: 1, max: 1000 });
  if (minInstances !== undefined && maxInstances !== undefined && minInstances > maxInstances) throw new UserError('minInstances', `${minInstances} is more than maxInstances (${maxInstances})`, 'Lower minInstances or raise maxInstances');
  const serviceAccount = patternOption('serviceAccount', raw.serviceAccount, { pattern: SERVICE_ACCOUNT, what: 'a service account e-mail', example: 'web-runtime@acme-prod.iam.gserviceaccount.com' });
  const ingressName = oneOfOption('ingress', raw.ingress, Object.keys(INGRESS) as CloudRunIngress[], { fix: 'Use all, internal or internal-and-cloud-load-balancing' });
  const port = integerOption('port', raw.port, { min: 1, max: 65535 });
  const requestTimeoutMs = durationOption('requestTimeout', raw.requestTimeout, { min: 1000, max: MAX_REQUEST_TIMEOUT_MS, example: '5m' });
  if (requestTimeoutMs !== undefined && requestTimeoutMs % 1000) throw new UserError('requestTimeout', `${formatDuration(requestTimeoutMs)} is not a whole number of seconds`, 'Cloud Run takes request timeouts in whole seconds, e.g. "90s"');

  const tag = patternOption('tag', raw.tag, { pattern: TAG, what: 'a traffic tag', example: 'candidate', fix: 'Use lowercase letters, digits and hyphens, starting with a letter, at most 46 characters' }) ?? defaultTag(commit);
  const givenRevision = patternOption('revision', raw.revision, { pattern: REVISION_NAME, what: 'a Cloud Run revision name', example: `${service}-1-4-0-3f2c1ab` });
  if (givenRevision && !givenRevision.startsWith(`${service}-`)) throw new UserError('revision', `"${givenRevision}" does not start with "${service}-"`, `Cloud Run revision names start with the service's name and a hyphen, e.g. "${service}-1-4-0"`);
  const revision = givenRevision ?? (action === 'deploy' ? revisionNameFor(service, version, commit) : undefined);

  const credentialsEnv = envNameOption('credentialsEnv', raw.credentialsEnv, { what: CLOUD_RUN_CREDENTIALS_WHAT });
  const credentials = cloudRunCredentials(credentialsEnv, env);
  if (credentials.kind === 'missing') {
    const fix = `Set ${credentials.envName} to ${CLOUD_RUN_CREDENTIALS_WHAT} (the account needs roles/run.developer and roles/iam.serviceAccountUser)`;
    if (!credentials.tryMetadataServer && !ctx.dryRun) throw new UserError(credentialsEnv ? 'credentialsEnv' : 'GOOGLE_APPLICATION_CREDENTIALS', `environment variable ${credentials.envName} is not set`, fix);
    warn(`No Google credentials: ${credentials.envName} is not set (${credentials.tryMetadataServer ? 'a real run tries the metadata server of a Google Cloud machine, and fails elsewhere' : 'a real run stops here'}). ${fix}`);
  }
  const apiUrl = (urlOption('apiUrl', raw.apiUrl, { example: `${DEFAULT_API_URL} (the default) or http://127.0.0.1:4020`, allowQuery: false }) ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const tokenUrl = urlOption('tokenUrl', raw.tokenUrl, { example: `${GOOGLE_TOKEN_URL} (the default)`, allowQuery: false }) ?? GOOGLE_TOKEN_URL;
  const waitTimeoutMs = durationOption('timeout', raw.timeout, { min: 1000, example: '15m' }) ?? parseDuration(CLOUD_RUN_DEFAULTS.timeout)!;

  if (raw.blueGreen !== undefined && strategy !== 'blue-green') throw new UserError('blueGreen', `applies to strategy blue-green (the strategy here is ${strategy})`, 'Remove it, or set "strategy": "blue-green"');
  const blueGreen = strategy === 'blue-green' && action === 'deploy' ? blueGreenOptions(raw.blueGreen) : undefined;

  const options: NormalizedCloudRunOptions = {
    action, project, region, service, image, env: plainEnv, secrets: secretRefs, cpu, memory, concurrency, minInstances, maxInstances, serviceAccount,
    ingress: ingressName ? INGRESS[ingressName] : undefined, labels, port, requestTimeoutMs, strategy, tag, version, commit, revision,
    revisionDerived: action === 'deploy' && !givenRevision && !!revision, credentialsEnv, apiUrl, tokenUrl, waitTimeoutMs, blueGreen,
  };
  return { options, credentials, secrets: credentials.secrets };
}

/** The credentials the variable names, else application default credentials (GOOGLE_APPLICATION_CREDENTIALS, the metadata server). */
export function cloudRunCredentials(credentialsEnv: string | undefined, env: NodeJS.ProcessEnv, option = 'credentialsEnv'): PlayCredentials {
  return resolvePlayCredentials({ serviceAccountKeyEnv: credentialsEnv, env, keyEnvOption: option, defaultKeyEnv: null, what: CLOUD_RUN_CREDENTIALS_WHAT });
}
