import { createHash } from 'crypto';
import { createReadStream, statSync } from 'fs';
import { basename, extname } from 'path';
import { formatBytes } from '@shipfleet/core';
import { PlayApiError, PlayApk, PlayBundle, PlayClient, PlayRelease, PlayTrack, ReleaseStatus } from './client';
import { LocalizedText, readFastlaneNotes } from './release-notes';
import { describeRelease, ReleaseChange, withRelease } from './releases';
import { uploadFile } from './resumable-upload';
import { STANDARD_TRACKS, TrackName } from './tracks';

type Log = (line: string) => void;

const STANDARD: readonly string[] = STANDARD_TRACKS;

/** What an upload publishes: known when the plan runs (a build fills it in). */
export interface PlayArtifact {
  /** The .aab or .apk. */
  path: string;
  /** R8/ProGuard mapping.txt. */
  mapping?: string;
  /** native-debug-symbols.zip. */
  nativeSymbols?: string;
  /** When known before the upload (from the build): picks the changelog and names the release. */
  versionCode?: number;
  versionName?: string;
}

/** The edit a run works on, shared by its steps. */
export interface EditState {
  editId?: string;
  committed: boolean;
  /** Edits opened in this run (more than one when Play discarded the first). */
  opened: string[];
  versionCode?: number;
  uploadSkipped?: boolean;
  release?: PlayRelease;
  changesNotSentForReview?: boolean;
}

export const newEditState = (): EditState => ({ committed: false, opened: [] });

// ── what Play's answers mean ─────────────────────────────────────────────

const VERSION_CODE_USED = /version ?code\b.*(already (been )?used|has been used)|already (been )?used.*version ?code/i;
const NEEDS_FLAG = /Changes cannot be sent for review automatically\. Please set the query parameter changesNotSentForReview to true/i;
const MUST_NOT_SET = /changesNotSentForReview must not be set/i;

export const isVersionCodeUsed = (err: unknown): boolean => err instanceof PlayApiError && VERSION_CODE_USED.test(err.playMessage);

/** Play no longer has the edit (deleted, expired, or discarded after a refused commit). */
export function isEditGone(err: unknown): boolean {
  if (!(err instanceof PlayApiError)) return false;
  if (err.reason === 'editDeleted' || err.reason === 'editNotFound' || err.reason === 'editExpired') return true;
  return /\bedit\b/i.test(err.playMessage) && /(deleted|expired|not found|does not exist|no longer)/i.test(err.playMessage);
}

/** A message to which a sentence is appended: without its own final period. */
const clause = (message: string) => message.replace(/\.+\s*$/, '');

/** Which of Play's two review answers a failed commit is, when it is exactly one of them. */
export function reviewRefusal(err: unknown): 'needs-flag' | 'must-not-set' | undefined {
  if (!(err instanceof PlayApiError)) return undefined;
  const needs = NEEDS_FLAG.test(err.playMessage);
  const mustNot = MUST_NOT_SET.test(err.playMessage) && !needs;
  return needs ? 'needs-flag' : mustNot ? 'must-not-set' : undefined;
}

/** What the service account needs for a kind of call, as Play Console names the permission. */
function permissionFor(kind: 'read' | 'release', track: TrackName | undefined): string {
  if (kind === 'read') return 'access to this app (invite the service account in Play Console → Users and permissions, with at least "View app information")';
  return track?.production
    ? 'the "Release to production, exclude devices, and use Play App Signing" permission for this app'
    : 'the "Release apps to testing tracks" permission for this app';
}

/** A failed call said in the user's terms: which call, Play's answer, and what to do. */
export function explainFailure(err: unknown, packageName: string, kind: 'read' | 'release', track?: TrackName, editId?: string): Error {
  if (!(err instanceof PlayApiError)) return err instanceof Error ? err : new Error(String(err));
  const e: PlayApiError = err;
  if (e.status === 401) return new Error(`${clause(e.message)}. Play did not accept the access token: check the credentials (a deleted key, or a workload identity pool that does not grant this service account)`);
  if (e.status === 403 && !isVersionCodeUsed(e)) return new Error(`${clause(e.message)}. The service account lacks ${permissionFor(kind, track)} of ${packageName}; grant it in Play Console → Users and permissions → App permissions`);
  if (isEditGone(e)) return new Error(`${clause(e.message)}. Play no longer has ${editId ? `edit ${editId}` : 'the edit'} (deleted or expired: another edit of ${packageName} was committed meanwhile, or it stayed open too long); nothing was committed — run again`);
  return e;
}

// ── the steps' work ──────────────────────────────────────────────────────

export async function openEdit(client: PlayClient, state: EditState, log: Log): Promise<string> {
  const edit = await client.insertEdit().catch((err) => Promise.reject(explainFailure(err, client.packageName, 'read')));
  state.editId = edit.id;
  state.committed = false;
  state.opened.push(edit.id);
  const expiry = edit.expiryTimeSeconds ? ` (Play keeps it until ${new Date(Number(edit.expiryTimeSeconds) * 1000).toISOString()})` : '';
  log(`opened edit ${edit.id} of ${client.packageName}${expiry}`);
  return edit.id;
}

/** Deletes the edit unless it was committed; one Play no longer has is fine. */
export async function discardEdit(client: PlayClient, state: EditState, log: Log): Promise<void> {
  if (!state.editId || state.committed) return;
  const id = state.editId;
  const existed = await client.deleteEdit(id);
  log(existed ? `deleted edit ${id}: nothing of it was committed` : `edit ${id} was already gone: nothing of it was committed`);
  state.editId = undefined;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const artifactKind = (path: string): 'bundle' | 'apk' => (extname(path).toLowerCase() === '.apk' ? 'apk' : 'bundle');

const shaOf = (a: PlayBundle | PlayApk) => ('binary' in a ? a.binary?.sha256 : (a as PlayBundle).sha256)?.toLowerCase();

async function uploaded(client: PlayClient, editId: string, kind: 'bundle' | 'apk'): Promise<(PlayBundle | PlayApk)[]> {
  return kind === 'bundle' ? client.listBundles(editId) : client.listApks(editId);
}

export interface UploadSettings {
  chunkSize: number;
  track: TrackName;
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Uploads the artefact into the edit, unless Play already has this very file
 * (same SHA-256: a run again after a success), and records its version code.
 * Play's "version code already used" for another file is a clear error.
 */
export async function uploadArtifact(client: PlayClient, state: EditState, artifact: PlayArtifact, s: UploadSettings, log: Log): Promise<number> {
  const editId = state.editId!;
  const kind = artifactKind(artifact.path);
  const call = kind === 'bundle' ? 'edits.bundles.upload' : 'edits.apks.upload';
  const size = statSync(artifact.path).size;
  const sha256 = await sha256File(artifact.path);
  const fail = (err: unknown) => explainFailure(err, client.packageName, 'release', s.track, editId);
  const reuse = async (): Promise<number | undefined> => {
    const same = (await uploaded(client, editId, kind).catch((err) => Promise.reject(fail(err)))).find((a) => shaOf(a) === sha256);
    if (!same) return undefined;
    state.uploadSkipped = true;
    state.versionCode = Number(same.versionCode);
    log(`this ${kind} is already in Play (same SHA-256 ${sha256.slice(0, 16)}…, version code ${same.versionCode}): not uploaded again`);
    return state.versionCode;
  };
  const known = await reuse();
  if (known !== undefined) return known;

  log(`uploading ${basename(artifact.path)} (${formatBytes(size)}, SHA-256 ${sha256.slice(0, 16)}…)`);
  try {
    const answer = await uploadFile<PlayBundle | PlayApk>(client, { call, url: client.editUrl(editId, kind === 'bundle' ? '/bundles' : '/apks', true), file: artifact.path, size, chunkSize: s.chunkSize, log, progressIntervalMs: s.progressIntervalMs, signal: s.signal });
    state.versionCode = Number(answer.versionCode);
    const remote = shaOf(answer);
    if (remote && remote !== sha256) throw new PlayApiError(call, undefined, `Play recorded SHA-256 ${remote}, but the file has ${sha256}: the upload was corrupted`);
    log(`uploaded: version code ${state.versionCode}`);
    return state.versionCode;
  } catch (err) {
    if (!isVersionCodeUsed(err)) throw fail(err);
    const again = await reuse();
    if (again !== undefined) return again;
    throw new Error(`${clause((err as PlayApiError).message)}. Play already has another ${kind} with this version code${artifact.versionCode ? ` (${artifact.versionCode})` : ''}, and it is not this file (no ${kind} of the app has SHA-256 ${sha256}): bump versionCode and build again`);
  }
}

/** mapping.txt as proguard and native-debug-symbols.zip as nativeCode, for the uploaded version code. */
export async function uploadDeobfuscationFiles(client: PlayClient, state: EditState, artifact: PlayArtifact, track: TrackName, log: Log): Promise<void> {
  const files: [string | undefined, 'proguard' | 'nativeCode'][] = [[artifact.mapping, 'proguard'], [artifact.nativeSymbols, 'nativeCode']];
  for (const [file, type] of files) {
    if (!file) continue;
    const size = statSync(file).size;
    await client.uploadDeobfuscationFile(state.editId!, state.versionCode!, type, file, size).catch((err) => Promise.reject(explainFailure(err, client.packageName, 'release', track, state.editId)));
    log(`${type}: ${basename(file)} (${formatBytes(size)}) for version code ${state.versionCode}`);
  }
}

export interface ReleaseSettings {
  track: TrackName;
  status: ReleaseStatus;
  userFraction?: number;
  releaseName?: string;
  releaseNotes?: LocalizedText[];
  metadataDir: string;
  inAppUpdatePriority?: number;
}

/** The release of an upload: the version code, its name, its notes (option, else fastlane's changelog for the version code). */
export function uploadRelease(r: ReleaseSettings, versionCode: number, versionName: string | undefined, log: Log): PlayRelease {
  let notes = r.releaseNotes;
  if (!notes) {
    const read = readFastlaneNotes(r.metadataDir, versionCode);
    if (read.notes.length) {
      notes = read.notes;
      log(`release notes from ${read.files.join(', ')}`);
    }
  }
  const name = r.releaseName ?? (versionName ? `${versionName} (${versionCode})` : undefined);
  return {
    ...(name ? { name } : {}),
    versionCodes: [String(versionCode)],
    status: r.status,
    ...(r.userFraction !== undefined ? { userFraction: r.userFraction } : {}),
    ...(notes?.length ? { releaseNotes: notes } : {}),
    ...(r.inAppUpdatePriority !== undefined ? { inAppUpdatePriority: r.inAppUpdatePriority } : {}),
  };
}

/** The track as the edit has it; a track the app does not have is a clear error. */
export async function readTrack(client: PlayClient, state: EditState, track: TrackName): Promise<PlayTrack> {
  try {
    const found = await client.getTrack(state.editId!, track.name);
    return { track: found?.track ?? track.name, releases: found?.releases ?? [] };
  } catch (err) {
    if (err instanceof PlayApiError && err.status === 404 && /track/i.test(err.playMessage)) {
      const why = track.formFactor ? `a ${track.formFactor}: track exists once the app targets that form factor in Play Console` : STANDARD.includes(track.base) ? 'check packageName' : 'a custom closed-testing track must first be created in Play Console';
      throw new Error(`${clause(err.message)}. ${client.packageName} has no track ${track.name} (${why})`);
    }
    throw explainFailure(err, client.packageName, 'read', track, state.editId);
  }
}

export async function writeTrack(client: PlayClient, state: EditState, track: TrackName, updated: PlayTrack, release: PlayRelease, log: Log): Promise<void> {
  await client.updateTrack(state.editId!, updated).catch((err) => Promise.reject(explainFailure(err, client.packageName, 'release', track, state.editId)));
  state.release = release;
  log(`track ${track.name}: ${(updated.releases ?? []).map(describeRelease).join('; ')}`);
}

/** Adds the upload's release to the track. */
export async function setUploadRelease(client: PlayClient, state: EditState, r: ReleaseSettings, versionName: string | undefined, log: Log): Promise<PlayRelease> {
  const release = uploadRelease(r, state.versionCode!, versionName, log);
  const current = await readTrack(client, state, r.track);
  await writeTrack(client, state, r.track, withRelease(current, release), release, log);
  return release;
}

/** Applies a change computed from the track as it is (rollout, halt, resume, complete). */
export async function changeTrack(client: PlayClient, state: EditState, track: TrackName, change: (t: PlayTrack) => ReleaseChange, log: Log): Promise<ReleaseChange> {
  const current = await readTrack(client, state, track);
  const result = change(current);
  if (result.before) log(`was: ${describeRelease(result.before)}`);
  await writeTrack(client, state, track, result.track, result.after, log);
  return result;
}

export async function validateEdit(client: PlayClient, state: EditState, track: TrackName, log: Log): Promise<void> {
  await client.validateEdit(state.editId!).catch((err) => Promise.reject(explainFailure(err, client.packageName, 'release', track, state.editId)));
  log(`edit ${state.editId} is valid`);
}

export interface CommitSettings {
  track: TrackName;
  changesNotSentForReview: 'auto' | boolean;
}

/**
 * Commits the edit: without changesNotSentForReview ('auto', false) or with
 * it (true). When Play answers exactly one of its two review messages, the
 * commit is made once more with the flag the other way, as Play asks; when
 * Play discarded the edit on refusing it, `redo` rebuilds the whole edit on a
 * fresh one first. Any other error, or a second refusal, fails.
 */
export async function commitEdit(client: PlayClient, state: EditState, c: CommitSettings, redo: () => Promise<void>, log: Log): Promise<void> {
  const fail = (err: unknown) => explainFailure(err, client.packageName, 'release', c.track, state.editId);
  const commit = async (flag: boolean) => {
    await client.commitEdit(state.editId!, flag);
    state.committed = true;
    state.changesNotSentForReview = flag;
    log(`committed edit ${state.editId}${flag ? ' with changesNotSentForReview: the changes wait in Play Console until they are sent for review there' : ''}`);
  };
  const first = c.changesNotSentForReview === true;
  let firstError: PlayApiError;
  try {
    return await commit(first);
  } catch (err) {
    if (!reviewRefusal(err)) throw fail(err);
    firstError = err as PlayApiError;
  }
  const flag = !first;
  log(`Play refused the commit: "${firstError.playMessage}"; committing again ${flag ? 'with changesNotSentForReview=true' : 'without changesNotSentForReview'}${c.changesNotSentForReview === 'auto' ? '' : ` (the option said ${c.changesNotSentForReview}; Play decides how this app's changes reach review)`}`);
  const twice = (err: unknown): Error => {
    if (reviewRefusal(err)) {
      return new Error(`Play refused the commit ${first ? 'with' : 'without'} changesNotSentForReview ("${firstError.playMessage}") and then ${flag ? 'with' : 'without'} it too ("${(err as PlayApiError).playMessage}"); nothing was committed. Check the app's publishing overview in Play Console (managed publishing, changes in review) and run again`);
    }
    return fail(err);
  };
  try {
    return await commit(flag);
  } catch (err) {
    if (!isEditGone(err)) throw twice(err);
  }
  log(`Play discarded edit ${state.editId} when it refused it; doing the whole edit again on a fresh one`);
  state.editId = undefined;
  await redo();
  try {
    await commit(flag);
  } catch (err) {
    throw twice(err);
  }
}

/**
 * One edit that changes a track's release and is committed (review answers
 * handled as commitEdit does); deleted when anything fails. For callers that
 * are not plans, such as a canary's traffic action.
 */
export async function changeTrackInOneEdit(client: PlayClient, track: TrackName, change: (t: PlayTrack) => ReleaseChange, review: 'auto' | boolean, log: Log): Promise<ReleaseChange> {
  const state = newEditState();
  let done: ReleaseChange | undefined;
  const work = async () => {
    await openEdit(client, state, log);
    done = await changeTrack(client, state, track, change, log);
    await validateEdit(client, state, track, log);
  };
  try {
    await work();
    await commitEdit(client, state, { track, changesNotSentForReview: review }, work, log);
    return done!;
  } finally {
    if (!state.committed) await discardEdit(client, state, log).catch((err) => log(`could not delete edit ${state.editId}: ${(err as Error).message}`));
  }
}
