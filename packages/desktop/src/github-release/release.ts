import { createReadStream } from 'fs';
import { backoffDelay, DEFAULT_RETRY_STATUSES, formatBytes, HttpError, RetryPolicy, sleep, UserError } from '@shipfleet/core';
import { contentTypeFor } from './artefacts';
import { isOctokitError, Octokit, validationCodes } from './octokit';

/** The fields of a release this package reads (GitHub's release object has more). */
export interface GithubRelease {
  id: number;
  tag_name: string;
  name: string | null;
  body?: string | null;
  draft: boolean;
  prerelease: boolean;
  html_url: string;
  upload_url: string;
  target_commitish: string;
}

export interface GithubAsset {
  id: number;
  name: string;
  size: number;
  state: string;
}

export interface ReleaseTarget {
  owner: string;
  repo: string;
  tag: string;
  name: string;
  body?: string;
  prerelease: boolean;
  commitish?: string;
  tokenEnv: string;
}

export interface UploadSource {
  name: string;
  size: number;
  /** A file (streamed, reopened on each attempt) or bytes in memory (a feed). */
  path?: string;
  data?: Buffer;
}

export interface UploadOptions {
  retry: RetryPolicy;
  signal?: AbortSignal;
  log: (line: string) => void;
  /** Before each retry of an upload. */
  onRetry?: () => void;
  /** Bytes sent of this file so far in the current attempt (restarts at 0 on a retry). */
  onBytes?: (sent: number) => void;
}

const pick = (r: GithubRelease): GithubRelease => ({ id: r.id, tag_name: r.tag_name, name: r.name, body: r.body, draft: r.draft, prerelease: r.prerelease, html_url: r.html_url, upload_url: r.upload_url, target_commitish: r.target_commitish });

/** What a failed call means to the user, for the statuses a token or a repository explains. */
export function explainGithubError(err: unknown, t: Pick<ReleaseTarget, 'owner' | 'repo' | 'tokenEnv'>): unknown {
  if (!isOctokitError(err)) return err;
  const said = err.message.replace(/ - https:\/\/docs\.github\.com\S*$/, '');
  if (err.status === 401) return new UserError('tokenEnv', `GitHub refused the token in $${t.tokenEnv} (401 ${said})`, `Set ${t.tokenEnv} to a valid token (a classic token with "repo" scope, a fine-grained token with Contents: read and write, or in Actions secrets.GITHUB_TOKEN)`);
  if (err.status === 403) return new UserError('tokenEnv', `the token in $${t.tokenEnv} may not write releases of ${t.owner}/${t.repo} (403 ${said})`, 'Give the token Contents: write on the repository (in Actions: "permissions: contents: write" on the job)');
  if (err.status === 404) return new UserError('repo', `${t.owner}/${t.repo} was not found, or the token in $${t.tokenEnv} cannot see it (404)`, 'Check "owner" and "repo" (or GITHUB_REPOSITORY), and that the token has access to the repository');
  return err;
}

/** Whether an upload failure is worth another attempt: a retryable status, or no answer at all (octokit reports those as 500 with our HttpError as cause). */
function retryableUploadError(err: unknown): boolean {
  if (!isOctokitError(err)) return false;
  const cause = err.cause as HttpError | undefined;
  if (cause && typeof cause === 'object' && 'retryable' in cause) return !!cause.retryable;
  return DEFAULT_RETRY_STATUSES.includes(err.status);
}

/** The releases, assets and uploads of one repository, through octokit. */
export class GithubReleases {
  constructor(
    private readonly api: Octokit,
    /** An octokit whose requests have the upload timeout. */
    private readonly uploads: Octokit,
    private readonly t: ReleaseTarget,
  ) {}

  private get repoParams() {
    return { owner: this.t.owner, repo: this.t.repo };
  }

  /** Every release with the tag, newest first. Drafts are only in the list (GET …/releases/tags/{tag} does not see them). */
  async releasesWithTag(): Promise<GithubRelease[]> {
    const found: GithubRelease[] = [];
    for await (const page of this.api.paginate.iterator(this.api.rest.repos.listReleases, { ...this.repoParams, per_page: 100 })) {
      for (const r of page.data as GithubRelease[]) if (r.tag_name === this.t.tag) found.push(pick(r));
    }
    return found;
  }

  /**
   * The draft release for the tag: an existing draft (its title, notes and
   * pre-release flag brought up to date) or a new one. A published release
   * with the tag is refused: its files are what users already download.
   */
  async findOrCreateDraft(log: (line: string) => void): Promise<{ release: GithubRelease; created: boolean }> {
    const { t } = this;
    const existing = await this.releasesWithTag();
    const published = existing.find((r) => !r.draft);
    if (published) {
      throw new UserError('tag', `the release ${t.tag} of ${t.owner}/${t.repo} is already published (${published.html_url})`, 'Release a new version (a new tag); to replace its files, turn it back into a draft on GitHub first');
    }
    // The oldest draft is the one every job of a split deploy converges on (see settleOnOldestDraft).
    const [draft, ...others] = [...existing].sort((a, b) => a.id - b.id);
    if (draft) {
      if (others.length) log(`warning: ${others.length + 1} drafts have the tag ${t.tag}; using the oldest (id ${draft.id}), leaving ids ${others.map((r) => r.id).join(', ')}`);
      const changes: Record<string, unknown> = {};
      if ((draft.name ?? '') !== t.name) changes.name = t.name;
      if (t.body !== undefined && (draft.body ?? '') !== t.body) changes.body = t.body;
      if (draft.prerelease !== t.prerelease) changes.prerelease = t.prerelease;
      if (t.commitish && draft.target_commitish !== t.commitish) changes.target_commitish = t.commitish;
      if (!Object.keys(changes).length) return { release: draft, created: false };
      const { data } = await this.api.rest.repos.updateRelease({ ...this.repoParams, release_id: draft.id, ...changes });
      log(`updated the draft's ${Object.keys(changes).join(', ')}`);
      return { release: pick(data as GithubRelease), created: false };
    }
    try {
      const { data } = await this.api.rest.repos.createRelease({
        ...this.repoParams,
        tag_name: t.tag,
        name: t.name,
        ...(t.body !== undefined ? { body: t.body } : {}),
        ...(t.commitish ? { target_commitish: t.commitish } : {}),
        draft: true,
        prerelease: t.prerelease,
      });
      return { release: await this.settleOnOldestDraft(pick(data as GithubRelease), log), created: true };
    } catch (err) {
      // A create that failed without a clear refusal may still have happened: look before giving up (POSTs are not repeated).
      if (isOctokitError(err) && err.status >= 500) {
        const [made] = await this.releasesWithTag();
        if (made?.draft) return { release: made, created: true };
      }
      throw err;
    }
  }

  /**
   * Jobs of a split deploy (one per runner) may each create a draft for the
   * tag at the same moment. Each then looks again: the oldest draft wins, and
   * a job whose own new, still empty draft is not the oldest deletes it and
   * uploads to the oldest, so the jobs meet on one release.
   */
  private async settleOnOldestDraft(created: GithubRelease, log: (line: string) => void): Promise<GithubRelease> {
    const drafts = (await this.releasesWithTag()).filter((r) => r.draft).sort((a, b) => a.id - b.id);
    const oldest = drafts[0];
    if (!oldest || oldest.id === created.id) return created;
    await this.api.rest.repos.deleteRelease({ ...this.repoParams, release_id: created.id });
    log(`another job created a draft for ${this.t.tag} at the same time (id ${oldest.id}): using it, and deleted this job's empty draft ${created.id}`);
    return oldest;
  }

  async listAssets(releaseId: number): Promise<GithubAsset[]> {
    const assets: GithubAsset[] = [];
    for await (const page of this.api.paginate.iterator(this.api.rest.repos.listReleaseAssets, { ...this.repoParams, release_id: releaseId, per_page: 100 })) {
      for (const a of page.data as GithubAsset[]) assets.push({ id: a.id, name: a.name, size: a.size, state: a.state });
    }
    return assets;
  }

  async deleteAsset(asset: GithubAsset): Promise<void> {
    try {
      await this.api.rest.repos.deleteReleaseAsset({ ...this.repoParams, asset_id: asset.id });
    } catch (err) {
      // Gone already (a retried DELETE whose first attempt went through).
      if (!(isOctokitError(err) && err.status === 404)) throw err;
    }
  }

  /**
   * Uploads one asset to the release's upload_url. An asset of the same name
   * is deleted first (GitHub refuses a second one with 422 already_exists).
   * A 5xx or a dropped connection is retried with backoff, after deleting
   * what the failed attempt may have left (GitHub documents an empty asset
   * in state "starter" after a 502).
   */
  async upload(release: GithubRelease, file: UploadSource, existing: GithubAsset | undefined, o: UploadOptions): Promise<GithubAsset> {
    if (existing) {
      o.log(`replacing ${existing.name} (${existing.state}, ${formatBytes(existing.size)}): deleting the old asset first`);
      await this.deleteAsset(existing);
    }
    const attempts = Math.max(1, Math.floor(o.retry.attempts));
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.uploadOnce(release, file, o);
      } catch (err) {
        const alreadyExists = isOctokitError(err) && err.status === 422 && validationCodes(err).includes('already_exists');
        if ((!retryableUploadError(err) && !alreadyExists) || attempt >= attempts) throw err;
        const delay = backoffDelay(o.retry, attempt);
        o.onRetry?.();
        o.log(`upload of ${file.name} failed (${isOctokitError(err) ? `${err.status} ${err.message.split(' - ')[0]}` : String(err)}); attempt ${attempt + 1} of ${attempts} in ${(delay / 1000).toFixed(1)}s`);
        const left = (await this.listAssets(release.id)).find((a) => a.name === file.name);
        if (left) {
          o.log(`deleting ${left.name} (${left.state}) left by the failed attempt`);
          await this.deleteAsset(left);
        }
        await sleep(delay, o.signal);
      }
    }
  }

  private async uploadOnce(release: GithubRelease, file: UploadSource, o: UploadOptions): Promise<GithubAsset> {
    o.onBytes?.(0);
    // core's HttpBody factory: opened again on each attempt, counted as it is read.
    const data = () => {
      if (file.data) {
        o.onBytes?.(file.data.length);
        return { data: file.data, length: file.data.length };
      }
      let sent = 0;
      const stream = createReadStream(file.path!);
      stream.on('data', (chunk) => o.onBytes?.((sent += chunk.length)));
      return { data: stream, length: file.size };
    };
    const { data: asset } = await this.uploads.rest.repos.uploadReleaseAsset({
      ...this.repoParams,
      release_id: release.id,
      // The upload_url template the release answered (…/assets{?name,label}): uploads.github.com, or /api/uploads on GitHub Enterprise Server.
      url: release.upload_url,
      name: file.name,
      data: data as unknown as string,
      headers: { 'content-type': contentTypeFor(file.name), 'content-length': file.size },
    });
    const a = asset as GithubAsset;
    return { id: a.id, name: a.name, size: a.size, state: a.state };
  }

  async publish(release: GithubRelease): Promise<GithubRelease> {
    const { data } = await this.api.rest.repos.updateRelease({ ...this.repoParams, release_id: release.id, draft: false });
    return pick(data as GithubRelease);
  }
}
