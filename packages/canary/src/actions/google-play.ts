import {
  changeTrackInOneEdit,
  complete,
  createAccessTokenProvider,
  DEFAULT_API_URL,
  describeRelease,
  GOOGLE_TOKEN_URL,
  halt,
  parseTrack,
  PlayClient,
  PlayCredentials,
  PlayTrack,
  ReleaseChange,
  ReleaseStateError,
  rollout,
} from '@shipfleet/android';
import type { RetryPolicy } from '@shipfleet/core';
import { ActionContext, ActionKind, TrafficAction } from './action';

export interface GooglePlayActionSpec {
  type: 'google-play';
  /** The app's applicationId. */
  packageName: string;
  /** The track whose in-progress release is rolled out (default production). */
  track: string;
  /** Name of the env var holding the service-account key or external_account JSON. */
  serviceAccountKeyEnv?: string;
  apiUrl: string;
  tokenUrl: string;
}

const ROLLBACK_NOTE = 'Play cannot take an update back from users who already have it; halting stops further distribution';
const CALL_TIMEOUT_MS = 120_000;

/**
 * A staged rollout on Google Play as a canary's traffic: a weight is the
 * userFraction of the track's in-progress release, promote completes it,
 * rollback halts it. Each move is one edit (insert, tracks.update, validate,
 * commit), deleted if anything fails.
 */
export class GooglePlayAction implements TrafficAction {
  private current?: ActionContext;
  private readonly auth;
  /** The release this run completed: a weight of 100 completes it, and the promote that follows has nothing left to do. */
  private completed?: string;

  constructor(
    readonly spec: GooglePlayActionSpec,
    credentials: PlayCredentials,
    private readonly deps: { retry?: Partial<RetryPolicy> } = {},
  ) {
    // One token provider for the run; what it learns is masked through the context of the move under way.
    this.auth = createAccessTokenProvider(credentials, { tokenUrl: spec.tokenUrl, onSecret: (v) => this.current?.addSecret(v) });
  }

  describe(kind: ActionKind, weight: number): string {
    const edit = `one edit of ${this.spec.packageName} (edits.insert, edits.tracks.get/update, edits.validate, edits.commit) at ${this.spec.apiUrl}`;
    if (kind === 'promote' || (kind === 'setWeight' && weight >= 100)) return `${edit}: the in-progress release of track ${this.spec.track} becomes completed (every user)`;
    if (kind === 'rollback') return `${edit}: the in-progress release of track ${this.spec.track} becomes halted (${ROLLBACK_NOTE})`;
    return `${edit}: the in-progress release of track ${this.spec.track} gets userFraction ${weight / 100}`;
  }

  private async move(ctx: ActionContext, change: (t: PlayTrack) => ReleaseChange): Promise<ReleaseChange> {
    this.current = ctx;
    const track = parseTrack(this.spec.track)!;
    const client = new PlayClient({ apiUrl: this.spec.apiUrl, packageName: this.spec.packageName, auth: this.auth, retry: this.deps.retry, timeoutMs: CALL_TIMEOUT_MS, signal: ctx.signal, onRetry: ctx.log });
    return changeTrackInOneEdit(client, track, change, 'auto', ctx.log);
  }

  async setWeight(weight: number, ctx: ActionContext): Promise<void> {
    if (weight >= 100) return this.promote(ctx);
    await this.move(ctx, (t) => rollout(t, weight / 100));
    this.completed = undefined;
  }

  async promote(ctx: ActionContext): Promise<void> {
    if (this.completed) {
      ctx.log(`track ${this.spec.track}: ${this.completed} is already completed`);
      return;
    }
    const change = await this.move(ctx, complete);
    this.completed = describeRelease(change.after);
  }

  async rollback(ctx: ActionContext): Promise<void> {
    ctx.log(`rollback on Google Play halts the release: ${ROLLBACK_NOTE}`);
    try {
      await this.move(ctx, halt);
    } catch (err) {
      // Halted already (a rollback run again): nothing more to stop.
      if (err instanceof ReleaseStateError && /already halted/.test(err.message)) {
        ctx.log(err.message);
        return;
      }
      throw err;
    }
  }
}

export const GOOGLE_PLAY_DEFAULTS = { track: 'production', apiUrl: DEFAULT_API_URL, tokenUrl: GOOGLE_TOKEN_URL } as const;
