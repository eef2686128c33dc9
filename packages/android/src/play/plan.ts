import { existsSync, statSync } from 'fs';
import { basename } from 'path';
import { cleanupStep, formatBytes, Plan, RetryPolicy, Step, TaskContext, taskStep, UserError } from '@shipfleet/core';
import { AccessTokenProvider, createAccessTokenProvider } from './auth';
import { PlayClient } from './client';
import { describeCredentials, PlayCredentials } from './credentials';
import {
  artifactKind,
  changeTrack,
  commitEdit,
  discardEdit,
  EditState,
  newEditState,
  openEdit,
  PlayArtifact,
  readTrack,
  setUploadRelease,
  uploadArtifact,
  uploadDeobfuscationFiles,
  validateEdit,
  writeTrack,
} from './edit-flow';
import { NormalizedPlayOptions } from './options';
import { checkAllFastlaneNotes, readFastlaneNotes } from './release-notes';
import { complete, copyRelease, describeRelease, halt, ReleaseChange, releaseToPromote, resume, rollout, withRelease } from './releases';

export interface PlayPlanContext {
  /**
   * upload: the artefact, asked for when the upload runs (a build earlier in
   * the same plan fills it in). Default: the `artifact` option.
   */
  artifact?: () => PlayArtifact;
  /** How a dry run names the artefact when it comes from a build: "the bundle build-android writes". */
  artifactLabel?: string;
  /** What the build writes, when it is known before it runs (names the upload call in the plan). */
  artifactKind?: 'bundle' | 'apk';
  /** Whether a build may hand over a mapping.txt or native symbols (shows the deobfuscation step; default true). */
  buildMayHaveSymbols?: boolean;
  /** Retry tuning (tests). */
  retry?: Partial<RetryPolicy>;
  progressIntervalMs?: number;
}

/** Filled in while the plan runs. */
export interface PlayRunResult {
  action: NormalizedPlayOptions['action'];
  packageName: string;
  track: string;
  /** The edit committed (or the last one opened). */
  editId?: string;
  committed: boolean;
  versionCode?: number;
  /** The same file was already on Play: not uploaded again. */
  uploadSkipped?: boolean;
  /** The release as set on the track. */
  release?: string;
  changesNotSentForReview?: boolean;
  /** Edits opened (more than one when Play discarded the first on a review refusal). */
  editsOpened: number;
}

export interface PlayPlanResult {
  plan: Plan;
  /** The same steps, to append to another plan (a build's). */
  steps: Step[];
  result: PlayRunResult;
  /** Values to mask in every output of the run: pass them to runPlan's `secrets`. */
  secrets: string[];
}

const percent = (f: number) => `${Math.round(f * 1000) / 10} %`;

function actionTitle(o: NormalizedPlayOptions): string {
  switch (o.action) {
    case 'upload': return `Publish ${o.packageName} to Play track ${o.track.name} (${o.status}${o.userFraction !== undefined ? ` ${percent(o.userFraction)}` : ''})`;
    case 'promote': return `Promote ${o.packageName} on Play from ${o.fromTrack!.name} to ${o.track.name} (${o.status}${o.userFraction !== undefined ? ` ${percent(o.userFraction)}` : ''})`;
    case 'rollout': return `Roll out ${o.packageName} on Play track ${o.track.name} to ${percent(o.userFraction!)}`;
    case 'halt': return `Halt the staged rollout of ${o.packageName} on Play track ${o.track.name}`;
    case 'resume': return `Resume the halted rollout of ${o.packageName} on Play track ${o.track.name}`;
    case 'complete': return `Complete the staged rollout of ${o.packageName} on Play track ${o.track.name}`;
  }
}

/**
 * The plan of a Play publish: task steps for the edit flow as Play documents
 * it (edits.insert, uploads, edits.tracks.update, edits.validate,
 * edits.commit), each description naming the calls it makes, and a cleanup
 * that deletes the edit unless it was committed.
 */
export function buildPlayPlan(o: NormalizedPlayOptions, credentials: PlayCredentials, context: PlayPlanContext = {}): PlayPlanResult {
  const state: EditState = newEditState();
  const result: PlayRunResult = { action: o.action, packageName: o.packageName, track: o.track.name, committed: false, editsOpened: 0 };
  const app = `${o.apiUrl}/androidpublisher/v3/applications/${o.packageName}`;
  const uploads = `${o.apiUrl}/upload/androidpublisher/v3/applications/${o.packageName}`;
  const trackUrl = (name: string) => `${app}/edits/{editId}/tracks/${name}`;

  // One token provider for the run (the library caches and refreshes the token); what it learns is masked.
  let addSecret: (value: string) => void = () => undefined;
  let auth: AccessTokenProvider | undefined;
  const provider = () => (auth ??= createAccessTokenProvider(credentials, { tokenUrl: o.tokenUrl, onSecret: (v) => addSecret(v) }));

  const sync = () => {
    result.editId = state.editId ?? state.opened[state.opened.length - 1];
    result.committed = state.committed;
    result.versionCode = state.versionCode;
    result.uploadSkipped = state.uploadSkipped;
    result.release = state.release ? describeRelease(state.release) : undefined;
    result.changesNotSentForReview = state.changesNotSentForReview;
    result.editsOpened = state.opened.length;
  };
  const task = (title: string, description: string, run: (ctx: TaskContext, client: PlayClient) => Promise<void>): Step =>
    taskStep(title, description, async (ctx) => {
      addSecret = (v) => ctx.addSecret(v);
      const client = new PlayClient({ apiUrl: o.apiUrl, packageName: o.packageName, auth: provider(), retry: context.retry, timeoutMs: o.timeoutMs, signal: ctx.signal, onRetry: ctx.log });
      try {
        await run(ctx, client);
      } finally {
        sync();
      }
    });

  const artifact = (): PlayArtifact => {
    const given = context.artifact?.() ?? (o.artifact ? { path: o.artifact } : undefined);
    if (!given?.path) throw new Error('no artefact to upload: the build did not report one');
    if (!existsSync(given.path)) throw new Error(`the artefact ${given.path} does not exist`);
    return { ...given, mapping: o.mapping ?? given.mapping, nativeSymbols: o.nativeSymbols ?? given.nativeSymbols };
  };
  const artifactLabel = o.artifact ? `${o.artifact} (${formatBytes(statSync(o.artifact).size)})` : (context.artifactLabel ?? 'the artefact the build writes');
  const kind = o.artifact ? artifactKind(o.artifact) : context.artifactKind;
  const who = describeCredentials(credentials, o.tokenUrl);
  const steps: Step[] = [];

  if (o.action === 'upload' && !o.releaseNotes) {
    steps.push(
      taskStep(
        'Check the release notes against Play\'s 500-character limit',
        `fastlane supply's layout in ${o.metadataDir}: <language>/changelogs/<versionCode>.txt, else default.txt; each language's notes counted in characters (code points) as Play counts them, before anything is uploaded. No network`,
        (ctx) => {
          let versionCode: number | undefined;
          try {
            versionCode = context.artifact?.()?.versionCode;
          } catch {
            versionCode = undefined;
          }
          if (versionCode !== undefined) {
            const { files } = readFastlaneNotes(o.metadataDir, versionCode);
            ctx.log(files.length ? `release notes for version code ${versionCode}: ${files.join(', ')}` : `no release notes in ${o.metadataDir} for version code ${versionCode}`);
          } else {
            const files = checkAllFastlaneNotes(o.metadataDir);
            ctx.log(files.length ? `${files.length} changelog files checked in ${o.metadataDir}` : `no release notes in ${o.metadataDir}`);
          }
        },
      ),
    );
  }

  steps.push(
    task(
      'Get an access token for the Google Play Developer API',
      `google-auth-library, scope https://www.googleapis.com/auth/androidpublisher, as ${who}. Every token it returns is masked in all output`,
      async (ctx, client) => {
        await client.authorization();
        ctx.log(`authenticated as ${who}`);
      },
    ),
    task(
      'Open an edit (edits.insert)',
      `POST ${app}/edits. Nothing is visible on Play until the edit is committed; the cleanup below deletes it otherwise`,
      async (ctx, client) => {
        await openEdit(client, state, ctx.log);
        ctx.setOutput('playEditId', state.editId!);
      },
    ),
    cleanupStep('Delete the edit unless it was committed (edits.delete)', {
      kind: 'task',
      description: `DELETE ${app}/edits/{editId} when the run stopped before edits.commit succeeded; an edit Play no longer has counts as deleted`,
      run: async (ctx) => {
        addSecret = (v) => ctx.addSecret(v);
        if (!state.editId || state.committed) return;
        const client = new PlayClient({ apiUrl: o.apiUrl, packageName: o.packageName, auth: provider(), retry: context.retry, timeoutMs: o.timeoutMs, signal: ctx.signal, onRetry: ctx.log });
        await discardEdit(client, state, ctx.log);
      },
    }),
  );

  // The work inside one edit, as steps; also redone on a fresh edit when Play discards one.
  const editWork: { title: string; description: string; run: (ctx: TaskContext, client: PlayClient) => Promise<void> }[] = [];
  const uploadSettings = (ctx: TaskContext) => ({ chunkSize: o.chunkSize, track: o.track, progressIntervalMs: context.progressIntervalMs, signal: ctx.signal });

  if (o.action === 'upload') {
    const call = kind === 'apk' ? 'edits.apks.upload' : kind === 'bundle' ? 'edits.bundles.upload' : 'edits.bundles.upload or edits.apks.upload';
    const list = kind === 'apk' ? 'apks' : 'bundles';
    const resumable = `POST ${uploads}/edits/{editId}/${list}?uploadType=resumable and PUT chunks of ${formatBytes(o.chunkSize)} (Content-Range), progress every few seconds; after a failed chunk the session is asked how much it has (Content-Range: bytes */total) and the upload resumes there`;
    const media = `POST ${uploads}/edits/{editId}/${list}?uploadType=media`;
    const size = o.artifact ? statSync(o.artifact).size : undefined;
    const transfer = size === undefined ? `${resumable}; a file of one chunk or less goes in one ${media}` : size > o.chunkSize ? resumable : `${media} (the file fits in one chunk of ${formatBytes(o.chunkSize)})`;
    editWork.push({
      title: `Upload ${o.artifact ? basename(o.artifact) : `the built ${kind === 'apk' ? 'APK' : kind === 'bundle' ? 'bundle' : 'artefact'}`} (${call})`,
      description: `${artifactLabel}: its SHA-256, then GET ${app}/edits/{editId}/${list} — a ${kind ?? 'bundle or APK'} with the same SHA-256 is not uploaded again (a run after a success). Else ${transfer}. Play's "version code already used": the same file is reused, another file is an error (bump versionCode)`,
      run: async (ctx, client) => {
        await uploadArtifact(client, state, artifact(), uploadSettings(ctx), ctx.log);
        ctx.setOutput('playVersionCode', String(state.versionCode));
      },
    });
    if (o.mapping || o.nativeSymbols || (!o.artifact && context.buildMayHaveSymbols !== false)) {
      const what = [o.mapping ? `${o.mapping} as proguard` : !o.artifact ? 'the build\'s mapping.txt (when R8 wrote one) as proguard' : undefined, o.nativeSymbols ? `${o.nativeSymbols} as nativeCode` : !o.artifact ? 'its native-debug-symbols.zip (when there is one) as nativeCode' : undefined].filter(Boolean).join(', ');
      editWork.push({
        title: 'Upload deobfuscation files (edits.deobfuscationfiles.upload)',
        description: `POST ${uploads}/edits/{editId}/apks/{versionCode}/deobfuscationFiles/{proguard|nativeCode}?uploadType=media: ${what}`,
        run: async (ctx, client) => uploadDeobfuscationFiles(client, state, artifact(), o.track, ctx.log),
      });
    }
    const notes = o.releaseNotes ? `release notes from the option (${o.releaseNotes.map((n) => n.language).join(', ')})` : `release notes from ${o.metadataDir}/<language>/changelogs/<versionCode>.txt or default.txt`;
    editWork.push({
      title: `Set the release on track ${o.track.name} (edits.tracks.update)`,
      description: `GET ${trackUrl(o.track.name)}, then PUT it with a release {versionCodes: [the uploaded one], name: ${o.releaseName ? JSON.stringify(o.releaseName) : context.artifact ? '"<versionName> (<versionCode>)"' : 'Play\'s own (from the artefact\'s version name)'}, status: ${o.status}${o.userFraction !== undefined ? `, userFraction: ${o.userFraction}` : ''}${o.inAppUpdatePriority !== undefined ? `, inAppUpdatePriority: ${o.inAppUpdatePriority}` : ''}}, ${notes}; ${o.status === 'completed' ? 'it replaces the completed release and any staged rollout' : o.status === 'draft' ? 'it replaces the draft' : 'the completed release keeps serving the other users'}`,
      run: async (ctx, client) => {
        const a = context.artifact?.() ?? { versionName: undefined };
        await setUploadRelease(client, state, { track: o.track, status: o.status!, userFraction: o.userFraction, releaseName: o.releaseName, releaseNotes: o.releaseNotes, metadataDir: o.metadataDir, inAppUpdatePriority: o.inAppUpdatePriority }, a.versionName, ctx.log);
      },
    });
  } else if (o.action === 'promote') {
    const from = o.fromTrack!;
    editWork.push({
      title: `Copy the release from ${from.name} to ${o.track.name} (edits.tracks.update)`,
      description: `GET ${trackUrl(from.name)}: the release with ${o.versionCodes ? `version codes ${o.versionCodes.join(', ')}` : 'the highest version code (completed or in progress)'}; GET ${trackUrl(o.track.name)}, then PUT it with that release's version codes, name and notes${o.releaseNotes ? ' (notes from the option)' : ''}, status ${o.status}${o.userFraction !== undefined ? `, userFraction ${o.userFraction}` : ''}`,
      run: async (ctx, client) => {
        const source = releaseToPromote(await readTrack(client, state, from), o.versionCodes);
        ctx.log(`on ${from.name}: ${describeRelease(source)}`);
        const release = copyRelease(source, o.status!, o.userFraction);
        if (o.releaseName) release.name = o.releaseName;
        if (o.releaseNotes) release.releaseNotes = o.releaseNotes;
        if (o.inAppUpdatePriority !== undefined) release.inAppUpdatePriority = o.inAppUpdatePriority;
        await writeTrack(client, state, o.track, withRelease(await readTrack(client, state, o.track), release), release, ctx.log);
        state.versionCode = Math.max(...(release.versionCodes ?? []).map(Number));
      },
    });
  } else {
    const change: (t: Parameters<typeof rollout>[0]) => ReleaseChange =
      o.action === 'rollout' ? (t) => rollout(t, o.userFraction!)
      : o.action === 'halt' ? halt
      : o.action === 'resume' ? (t) => resume(t, o.userFraction)
      : complete;
    const what = {
      rollout: `the in-progress release gets userFraction ${o.userFraction}`,
      halt: 'the in-progress release becomes halted (users who have it keep it; no one else gets it)',
      resume: `the halted release goes back in progress${o.userFraction !== undefined ? ` at userFraction ${o.userFraction}` : ' at its fraction'}`,
      complete: 'the in-progress (or halted) release becomes completed, for every user, replacing the previous completed release',
    }[o.action];
    editWork.push({
      title: `${o.action[0].toUpperCase()}${o.action.slice(1)} the release on track ${o.track.name} (edits.tracks.update)`,
      description: `GET ${trackUrl(o.track.name)}; ${what}; PUT it back`,
      run: async (ctx, client) => {
        const done = await changeTrack(client, state, o.track, change, ctx.log);
        state.versionCode = Math.max(...(done.after.versionCodes ?? []).map(Number));
      },
    });
  }
  editWork.push({
    title: 'Validate the edit (edits.validate)',
    description: `POST ${app}/edits/{editId}:validate: Play checks the edit as a commit would, without committing`,
    run: (ctx, client) => validateEdit(client, state, o.track, ctx.log),
  });

  for (const w of editWork) steps.push(task(w.title, w.description, w.run));

  const review = `${o.changesNotSentForReview === true ? 'with changesNotSentForReview=true (the changes wait in Play Console to be sent for review there)' : 'without changesNotSentForReview'}; if Play answers that the changes cannot be sent for review automatically (or that the flag must not be set), once more the other way — on a fresh edit, all the steps above again, if Play discarded this one`;
  steps.push(
    task('Commit the edit (edits.commit)', `POST ${app}/edits/{editId}:commit ${review}. Only now does the change reach Play`, async (ctx, client) => {
      const redo = async () => {
        await openEdit(client, state, ctx.log);
        for (const w of editWork) {
          ctx.log(`again: ${w.title}`);
          await w.run(ctx, client);
        }
      };
      await commitEdit(client, state, { track: o.track, changesNotSentForReview: o.changesNotSentForReview }, redo, ctx.log);
      ctx.setOutput('playEditId', state.editId!);
      ctx.setOutput('playTrack', o.track.name);
      if (state.release) {
        ctx.setOutput('playRelease', describeRelease(state.release));
        ctx.setOutput('playReleaseStatus', String(state.release.status));
      }
      if (state.versionCode !== undefined) ctx.setOutput('playVersionCode', String(state.versionCode));
    }),
  );

  if (o.action === 'upload' && !o.artifact && !context.artifact) {
    throw new UserError('artifact', 'is required to upload when nothing is built in the same run', 'Give the .aab or .apk to publish');
  }
  return { plan: { title: actionTitle(o), steps }, steps, result, secrets: credentials.secrets };
}
