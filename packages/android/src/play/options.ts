import { extname, join, resolve } from 'path';
import {
  booleanOption,
  durationOption,
  envNameOption,
  integerOption,
  isAbsent,
  isPlainObject,
  numberOption,
  oneOfOption,
  parseDuration,
  pathOption,
  patternOption,
  requiredOption,
  showValue,
  stringListOption,
  urlOption,
  UserError,
} from '@shipfleet/core';
import { GOOGLE_TOKEN_URL } from './auth';
import { DEFAULT_API_URL, ReleaseStatus } from './client';
import { DEFAULT_SERVICE_ACCOUNT_KEY_ENV, PlayCredentials, resolvePlayCredentials } from './credentials';
import { LocalizedText, releaseNotesOption } from './release-notes';
import { CHUNK_GRANULARITY, DEFAULT_CHUNK_SIZE } from './resumable-upload';
import { TrackName, trackOption } from './tracks';

export type PlayAction = 'upload' | 'promote' | 'rollout' | 'halt' | 'resume' | 'complete';

/** Options of a Play publish as a user writes them. */
export interface PlayOptions {
  /** The app's applicationId (com.acme.app). */
  packageName?: string;
  /** upload (default), promote, rollout, halt, resume or complete. */
  action?: PlayAction;
  /** internal (default), alpha, beta, production, a custom closed-testing track, or wear:/automotive:/tv: + one of these. */
  track?: string;
  /** promote: the track the release is copied from. */
  fromTrack?: string;
  /** upload and promote: completed (default), inProgress (with userFraction), draft or halted. */
  status?: ReleaseStatus;
  /** Fraction of users (above 0, below 1) for a staged rollout. */
  userFraction?: number;
  /** promote: the release with exactly these version codes (default: the newest on fromTrack). */
  versionCodes?: number[];
  /** The release's name (default "<versionName> (<versionCode>)", else Play's own). */
  releaseName?: string;
  /** Release notes by language, {"en-US": "…"}: win over the fastlane files. */
  releaseNotes?: Record<string, string>;
  /** fastlane supply's metadata folder (default <projectRoot>/fastlane/metadata/android). */
  metadataDir?: string;
  /** In-app update priority, 0 to 5. */
  inAppUpdatePriority?: number;
  /** The first commit's flag: auto (default) and false commit for review, true with changesNotSentForReview; when Play answers that the app needs the other way, the commit is made once more that way. */
  changesNotSentForReview?: 'auto' | boolean;
  /** Env var holding the service-account key JSON or an external_account JSON, raw or base64 (default PLAY_SERVICE_ACCOUNT_JSON). */
  serviceAccountKeyEnv?: string;
  /** A file holding the service-account key JSON or an external_account JSON. */
  credentialsFile?: string;
  /** API base URL (default https://androidpublisher.googleapis.com). */
  apiUrl?: string;
  /** Where a service account's JWT grant is sent (default https://oauth2.googleapis.com/token). */
  tokenUrl?: string;
  /** Resumable upload chunk: bytes, or "8MiB", a multiple of 256 KiB (default 8 MiB). */
  chunkSize?: number | string;
  /** Longest wait for one API call or upload chunk (default 2m). */
  timeout?: string | number;
  /** upload: an .aab or .apk to publish (instead of one built in the same run). */
  artifact?: string;
  /** upload: the R8/ProGuard mapping.txt of the artefact. */
  mapping?: string;
  /** upload: native-debug-symbols.zip of the artefact. */
  nativeSymbols?: string;
}

export const DEFAULT_TIMEOUT = '2m';
export const PLAY_DEFAULTS = {
  action: 'upload',
  track: 'internal',
  changesNotSentForReview: 'auto',
  serviceAccountKeyEnv: DEFAULT_SERVICE_ACCOUNT_KEY_ENV,
  apiUrl: DEFAULT_API_URL,
  tokenUrl: GOOGLE_TOKEN_URL,
  chunkSize: DEFAULT_CHUNK_SIZE,
  timeout: DEFAULT_TIMEOUT,
} as const;

export interface NormalizedPlayOptions {
  packageName: string;
  action: PlayAction;
  track: TrackName;
  fromTrack?: TrackName;
  /** upload and promote. */
  status?: ReleaseStatus;
  userFraction?: number;
  versionCodes?: number[];
  releaseName?: string;
  releaseNotes?: LocalizedText[];
  metadataDir: string;
  inAppUpdatePriority?: number;
  changesNotSentForReview: 'auto' | boolean;
  /** Without a trailing slash. */
  apiUrl: string;
  tokenUrl: string;
  chunkSize: number;
  timeoutMs: number;
  /** upload from a given file rather than a build. */
  artifact?: string;
  mapping?: string;
  nativeSymbols?: string;
}

export interface ResolvedPlayOptions {
  options: NormalizedPlayOptions;
  credentials: PlayCredentials;
  /** Values to mask in every output of the run. */
  secrets: string[];
}

export interface PlayOptionContext {
  projectRoot: string;
  workspaceRoot: string;
  env?: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
  /** A dry run: the build's missing wrapper or version code is warned about, not refused. */
  dryRun?: boolean;
}

const ACTIONS: PlayAction[] = ['upload', 'promote', 'rollout', 'halt', 'resume', 'complete'];
const STATUSES: ReleaseStatus[] = ['completed', 'inProgress', 'draft', 'halted'];
// Java package names as Play takes them: at least two segments, each starting with a letter.
const PACKAGE_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;
const UPLOAD_ONLY = ['artifact', 'mapping', 'nativeSymbols'] as const;
const RELEASE_FIELDS = ['status', 'releaseName', 'releaseNotes', 'inAppUpdatePriority'] as const;
const MAX_CHUNK = 1024 * 1024 * 1024;

/** Bytes of a chunk size: a number, or "512KiB", "8MiB", "1GiB". */
export function chunkSizeOption(option: string, value: unknown): number | undefined {
  if (isAbsent(value)) return undefined;
  let bytes: number | undefined;
  if (typeof value === 'number') bytes = value;
  else if (typeof value === 'string') {
    const m = /^\s*(\d+)\s*(B|KiB|MiB|GiB)?\s*$/.exec(value);
    if (m) bytes = Number(m[1]) * { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[m[2] ?? 'B']!;
  }
  if (bytes === undefined || !Number.isInteger(bytes) || bytes < CHUNK_GRANULARITY || bytes > MAX_CHUNK || bytes % CHUNK_GRANULARITY !== 0) {
    throw new UserError(option, `${showValue(value)} is not a chunk size Google's resumable uploads take`, 'Give a multiple of 256 KiB from 256 KiB to 1 GiB, as bytes or like "8MiB" or "512KiB" (default 8MiB)');
  }
  return bytes;
}

function fraction(option: string, value: unknown): number | undefined {
  return numberOption(option, value, { min: 0, exclusiveMin: true, max: 1, fix: 'Give a fraction of users above 0 and below 1, e.g. 0.05 for 5 %; to release to everyone use "status": "completed" (or "action": "complete")' });
}

function refuseFor(action: PlayAction, raw: Record<string, unknown>, names: readonly string[], fix: string): void {
  for (const name of names) if (!isAbsent(raw[name])) throw new UserError(name, `does not apply to action ${action}`, fix);
}

/**
 * Validates the options of a Play publish and reads the credentials they
 * name; each problem is a UserError naming the option. Missing credentials
 * are not an error here (a dry run shows the plan without them): they are
 * reported through `warn`, and the run fails on them.
 */
export function resolvePlayOptions(given: Partial<PlayOptions>, ctx: PlayOptionContext): ResolvedPlayOptions {
  if (!isPlainObject(given)) throw new UserError('options', 'must be an object', 'Pass the options as a map, e.g. {"packageName": "com.acme.app"}');
  const raw = given as Record<string, unknown>;
  const env = ctx.env ?? process.env;
  const warn = ctx.warn ?? (() => undefined);
  const paths = { workspaceRoot: ctx.workspaceRoot, projectRoot: ctx.projectRoot, warn };

  const packageName = requiredOption(
    'packageName',
    patternOption('packageName', raw.packageName, { pattern: PACKAGE_NAME, what: 'an Android application id', example: 'com.acme.app', fix: 'Give the applicationId of the app as Play Console shows it, e.g. "com.acme.app"' }),
    'Give the applicationId of the app, e.g. "packageName": "com.acme.app"',
  );
  const action = oneOfOption('action', raw.action, ACTIONS) ?? 'upload';
  const track = trackOption('track', raw.track) ?? trackOption('track', 'internal')!;
  const fromTrack = trackOption('fromTrack', raw.fromTrack);
  let status = oneOfOption('status', raw.status, STATUSES);
  const userFraction = fraction('userFraction', raw.userFraction);
  const versionCodes = stringListOption('versionCodes', Array.isArray(raw.versionCodes) ? raw.versionCodes.map((v) => (typeof v === 'number' ? String(v) : v)) : raw.versionCodes, {
    items: 'version codes',
    example: '42',
    pattern: /^[1-9]\d{0,9}$/,
    what: 'a version code (a whole number from 1)',
  })?.map(Number);
  const releaseName = patternOption('releaseName', raw.releaseName, { pattern: /^\S[^\n]{0,49}$/, what: 'a release name of at most 50 characters on one line', example: '1.4.0 (42)' });
  const releaseNotes = releaseNotesOption('releaseNotes', raw.releaseNotes);
  const inAppUpdatePriority = integerOption('inAppUpdatePriority', raw.inAppUpdatePriority, { min: 0, max: 5 });
  const review = raw.changesNotSentForReview === 'auto' ? 'auto' : booleanOption('changesNotSentForReview', raw.changesNotSentForReview, { fix: 'Use "auto" (the default), true (commit with changesNotSentForReview) or false' }) ?? 'auto';

  const apiUrl = (urlOption('apiUrl', raw.apiUrl, { example: `${DEFAULT_API_URL} (the default) or http://127.0.0.1:4010`, allowQuery: false }) ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const tokenUrl = urlOption('tokenUrl', raw.tokenUrl, { example: `${GOOGLE_TOKEN_URL} (the default)`, allowQuery: false }) ?? GOOGLE_TOKEN_URL;
  const chunkSize = chunkSizeOption('chunkSize', raw.chunkSize) ?? DEFAULT_CHUNK_SIZE;
  const timeoutMs = durationOption('timeout', raw.timeout, { min: 1000, example: '5m' }) ?? parseDuration(DEFAULT_TIMEOUT)!;
  const metadataDir = pathOption('metadataDir', raw.metadataDir, paths) ?? join(resolve(ctx.workspaceRoot, ctx.projectRoot), 'fastlane', 'metadata', 'android');

  // What each action takes.
  if (action === 'upload' || action === 'promote') {
    if (userFraction !== undefined && status === undefined) status = 'inProgress';
    status ??= 'completed';
    if (status === 'inProgress' && userFraction === undefined) throw new UserError('userFraction', 'is required with "status": "inProgress"', 'Give the fraction of users for the staged rollout, e.g. "userFraction": 0.05');
    if ((status === 'completed' || status === 'draft') && userFraction !== undefined) throw new UserError('userFraction', `does not apply to a ${status} release`, 'Leave it out, or use "status": "inProgress" for a staged rollout');
  } else {
    refuseFor(action, raw, RELEASE_FIELDS, `It applies to upload and promote; ${action} changes the release already on the track`);
    if (action === 'rollout' && userFraction === undefined) throw new UserError('userFraction', 'is required for action rollout', 'Give the new fraction of users, e.g. "userFraction": 0.5; use "action": "complete" for everyone');
    if ((action === 'halt' || action === 'complete') && userFraction !== undefined) throw new UserError('userFraction', `does not apply to action ${action}`, 'Leave it out');
  }
  if (action === 'promote') {
    if (!fromTrack) throw new UserError('fromTrack', 'is required for action promote', 'Give the track the release is copied from, e.g. "fromTrack": "internal"');
    if (fromTrack.name === track.name) throw new UserError('fromTrack', `is the same track as track (${track.name})`, 'Promote to another track, e.g. "fromTrack": "internal", "track": "production"');
  } else {
    refuseFor(action, raw, ['fromTrack', 'versionCodes'], 'It applies to action promote');
  }
  if (action !== 'upload') refuseFor(action, raw, UPLOAD_ONLY, 'It applies to action upload');

  const artifact = action === 'upload' ? pathOption('artifact', raw.artifact, { ...paths, mustExist: 'file', fix: 'Give the path of the .aab or .apk to publish (relative to the workspace root), or leave it out to build one' }) : undefined;
  if (artifact !== undefined && !['.aab', '.apk'].includes(extname(artifact).toLowerCase())) {
    throw new UserError('artifact', `${artifact} is neither an .aab nor an .apk`, 'Give the Android App Bundle (.aab) or APK to publish');
  }
  const mapping = pathOption('mapping', raw.mapping, { ...paths, mustExist: 'file', fix: 'Give the mapping.txt R8 wrote for this build (build/outputs/mapping/<variant>/mapping.txt)' });
  const nativeSymbols = pathOption('nativeSymbols', raw.nativeSymbols, { ...paths, mustExist: 'file', fix: 'Give the native-debug-symbols.zip of this build' });
  if (nativeSymbols !== undefined && extname(nativeSymbols).toLowerCase() !== '.zip') throw new UserError('nativeSymbols', `${nativeSymbols} is not a .zip`, 'Give the native-debug-symbols.zip the build wrote');

  const serviceAccountKeyEnv = envNameOption('serviceAccountKeyEnv', raw.serviceAccountKeyEnv, { what: 'the Play service-account key JSON' });
  const credentialsFile = pathOption('credentialsFile', raw.credentialsFile, { ...paths, mustExist: 'file', fix: 'Give the path of the service-account key or external_account JSON file' });
  if (credentialsFile !== undefined && serviceAccountKeyEnv !== undefined) {
    throw new UserError('credentialsFile', 'and serviceAccountKeyEnv are both given', 'Give one source of credentials');
  }
  const credentials = resolvePlayCredentials({ serviceAccountKeyEnv, credentialsFile, env });
  if (credentials.kind === 'missing') {
    warn(`No Google Play credentials: ${credentials.envName} is not set (${credentials.tryMetadataServer ? 'nor GOOGLE_APPLICATION_CREDENTIALS; a real run tries the metadata server of a Google Cloud machine, and fails elsewhere' : 'a real run fails'}). Set it to the service-account key JSON, or its base64`);
  }
  if (credentials.kind === 'external-account' && raw.tokenUrl !== undefined) {
    warn('Option "tokenUrl" applies to service-account keys; the external_account configuration names its own token_url, which is used');
  }

  const options: NormalizedPlayOptions = {
    packageName, action, track, fromTrack, status, userFraction, versionCodes, releaseName, releaseNotes, metadataDir, inAppUpdatePriority,
    changesNotSentForReview: review, apiUrl, tokenUrl, chunkSize, timeoutMs, artifact, mapping, nativeSymbols,
  };
  return { options, credentials, secrets: credentials.secrets };
}
