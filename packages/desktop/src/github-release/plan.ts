import { DEFAULT_HTTP_RETRY, formatBytes, formatDuration, HttpClient, HttpError, mapTaskLog, Plan, Redactor, RetryPolicy, startProgress, Step, taskStep, TaskContext, UserError } from '@shipfleet/core';
import { globToRegExp } from '../file-globs';
import { Artefact, listArtefacts } from './artefacts';
import { Feed, FeedFile, feedSummary, hashFile, looksLikeElectronBuilderOutput, selectFeedFiles, writeFeed } from './feeds';
import { fetchOverHttp, isOctokitError, loadOctokit, Octokit, OctokitModule } from './octokit';
import { DEFAULT_GITHUB_API_URL, NormalizedGithubReleaseOptions } from './options';
import { explainGithubError, GithubAsset, GithubRelease, GithubReleases } from './release';

export interface GithubReleasePlanContext {
  /** The value of tokenEnv ('' in a dry run without it). Sent only in the Authorization header. */
  token: string;
  /** A dry run: files not built yet are a warning in the plan, not an error. */
  dryRun?: boolean;
  /** Told about files that match nothing in a dry run, and files left out. */
  warn?: (message: string) => void;
  /** Retry tuning of API calls and uploads (tests). */
  retry?: Partial<RetryPolicy>;
  /** @octokit/rest, when the caller has loaded it (default: loadOctokit()). */
  octokit?: OctokitModule;
  /** The release date written into the feeds (default: when the feeds are written). */
  now?: () => Date;
  /** Progress lines at most this often without a terminal (default 5 s). */
  progressIntervalMs?: number;
}

/** Filled in while the plan runs. */
export interface GithubReleaseResult {
  releaseId?: number;
  releaseUrl?: string;
  /** Whether this run created the draft (false: it reused one). */
  created?: boolean;
  published: boolean;
  /** Asset names uploaded, feeds last. */
  uploaded: string[];
  /** Assets of the same name deleted before their upload. */
  replaced: string[];
  /** Upload attempts retried. */
  retries: number;
  feeds: Feed[];
}

export interface GithubReleasePlanResult {
  plan: Plan;
  result: GithubReleaseResult;
  /** The files to upload (as matched when the plan was built). */
  artefacts: Artefact[];
  /** Whether feeds are written, and why. */
  feeds: { write: boolean; why: string };
  /** Values to mask in every output of the run: pass them to runPlan's `secrets`. */
  secrets: string[];
}

interface RunState {
  releases?: GithubReleases;
  release?: GithubRelease;
  hashes: Map<string, { sha512: string; size: number }>;
  /** Asset name as GitHub stored it, by the name asked for. */
  stored: Map<string, GithubAsset>;
}

/**
 * The plan of publish-github-release: a draft release for the tag, every
 * file uploaded to it (same-named assets replaced), the electron-updater
 * feeds written from what was uploaded and uploaded last, a check that the
 * release holds exactly what was uploaded, then publishing. Nothing is
 * visible to users (or to electron-updater, which ignores drafts) before
 * the last step.
 */
export function buildGithubReleasePlan(o: NormalizedGithubReleaseOptions, context: GithubReleasePlanContext): GithubReleasePlanResult {
  const { token } = context;
  const redactor = new Redactor(token ? [token] : []);
  const warn = context.warn ?? (() => {});
  const retry: RetryPolicy = { ...DEFAULT_HTTP_RETRY, ...context.retry };

  // Feeds on? An explicit choice wins; "auto" looks at the files (electron-builder's blockmaps or its output folder).
  const firstPass = listArtefacts(o.files, { skipFeeds: o.feeds !== false });
  const electron = looksLikeElectronBuilderOutput(firstPass.artefacts);
  let writeFeeds = o.feeds === true || (o.feeds === 'auto' && electron);
  let feedsWhy = o.feeds === true ? 'feeds: true' : o.feeds === false ? 'feeds: false' : electron ? 'auto: the files are electron-builder output (a .blockmap, builder-debug.yml or builder-effective-config.yaml beside them)' : 'auto: the files are not electron-builder output';
  const listed = writeFeeds === (o.feeds !== false) ? firstPass : listArtefacts(o.files, { skipFeeds: writeFeeds });
  const { artefacts, skipped, unmatched } = listed;

  if (unmatched.length && !context.dryRun) {
    throw new UserError('files', `${unmatched.map((p) => `"${p}"`).join(', ')} ${unmatched.length === 1 ? 'matches' : 'match'} no file`, 'Build the artefacts first (the target should depend on the packaging target), and check the paths: they are relative to the workspace root');
  }
  for (const p of unmatched) warn(`Option "files": "${p}" matches no file yet; a real run stops here unless the build has written it`);
  for (const s of skipped) warn(`${s.path} is left out: ${s.why}`);
  if (!artefacts.length && !context.dryRun) throw new UserError('files', 'match no file to upload', 'Point "files" at the built artefacts');

  const selection = selectFeedFiles(artefacts);
  if (writeFeeds && o.feeds === 'auto' && !selection.feeds.length && artefacts.length) {
    // electron-builder output of targets electron-updater cannot install from (dir, zip, tar.gz, msi…): nothing to feed.
    writeFeeds = false;
    feedsWhy = 'auto: electron-builder output, but no file electron-updater installs (.exe, a mac .zip, .AppImage, .deb, .rpm)';
    warn(`No update feeds: ${feedsWhy.slice('auto: '.length)}`);
  }
  if (writeFeeds && !selection.feeds.length && !context.dryRun) {
    throw new UserError('feeds', `is ${o.feeds === true ? 'true' : 'on'} but no file is one electron-updater installs (.exe, a mac .zip, .AppImage, .deb, .rpm)`, 'Add the installers to "files", or set "feeds": false');
  }
  if (writeFeeds) for (const n of selection.notes) warn(n);

  const result: GithubReleaseResult = { published: false, uploaded: [], replaced: [], retries: 0, feeds: [] };
  const state: RunState = { hashes: new Map(), stored: new Map() };
  const totalBytes = artefacts.reduce((n, a) => n + a.size, 0);
  const where = `${o.owner}/${o.repo}`;

  const octokitFor = async (signal: AbortSignal, log: (line: string) => void): Promise<{ api: Octokit; uploads: Octokit }> => {
    const { Octokit } = context.octokit ?? (await loadOctokit());
    const http = new HttpClient();
    const onRetry = (e: { method: string; url: string; attempt: number; attempts: number; delayMs: number; response?: { status: number } }) =>
      log(`${e.method} ${e.url}: ${e.response ? e.response.status : 'no answer'}; attempt ${e.attempt + 1} of ${e.attempts} in ${(e.delayMs / 1000).toFixed(1)}s`);
    const octokitLog = { debug: () => {}, info: () => {}, warn: (m: string) => log(`GitHub: ${m}`), error: (m: string) => log(`GitHub: ${m}`) };
    const make = (timeoutMs: number | undefined) =>
      new Octokit({ auth: token, baseUrl: o.apiUrl, userAgent: 'shipfleet-publish-github-release', log: octokitLog, request: { fetch: fetchOverHttp(http, { timeoutMs, retry, onRetry }), signal } });
    return { api: make(undefined), uploads: make(o.uploadTimeoutMs) };
  };

  const task = (title: string, description: string, run: (ctx: TaskContext) => Promise<void>): Step =>
    taskStep(title, description, async (ctx) => {
      try {
        await run({ ...ctx, log: mapTaskLog(ctx.log, (line) => redactor.redact(line)) });
      } catch (err) {
        const explained = explainGithubError(err, o);
        // Messages are built without the token; this is the last line of defence.
        if (isOctokitError(explained)) {
          // Octokit reports a request that got no answer as a 500 whose cause is core's HttpError.
          const cause = explained.cause;
          throw new Error(redactor.redact(cause instanceof HttpError ? cause.message : `GitHub answered ${explained.status}: ${explained.message}`));
        }
        if (explained instanceof Error) explained.message = redactor.redact(explained.message);
        throw explained;
      }
    });

  const steps: Step[] = [];
  steps.push(
    task(
      `Find or create the draft release ${o.tag} in ${where}`,
      `GET ${o.apiUrl}/repos/${where}/releases (every page; drafts are only listed there) for tag ${o.tag}: a published release with it stops the run; an existing draft is reused (title, notes, pre-release flag updated); otherwise POST …/releases {tag_name: ${o.tag}, name: ${JSON.stringify(o.name)}, draft: true, prerelease: ${o.prerelease}${o.commitish ? `, target_commitish: ${o.commitish}` : ''}}. Token from $${o.tokenEnv}, sent only as the Authorization header`,
      async (ctx) => {
        const { api, uploads } = await octokitFor(ctx.signal, ctx.log);
        state.releases = new GithubReleases(api, uploads, { owner: o.owner, repo: o.repo, tag: o.tag, name: o.name, body: o.body, prerelease: o.prerelease, commitish: o.commitish, tokenEnv: o.tokenEnv });
        const { release, created } = await state.releases.findOrCreateDraft(ctx.log);
        state.release = release;
        result.releaseId = release.id;
        result.releaseUrl = release.html_url;
        result.created = created;
        ctx.log(`${created ? 'created' : 'reusing'} draft ${release.id} for ${o.tag}: ${release.html_url}`);
        ctx.setOutput('releaseId', String(release.id));
      },
    ),
  );

  if (writeFeeds) {
    steps.push(
      task(`Hash ${artefacts.length} files for the update feeds (SHA-512, ${formatBytes(totalBytes)})`, 'each installer electron-updater reads is streamed through SHA-512 (base64, as electron-builder writes it) and measured', async (ctx) => {
        for (const f of selection.feeds) {
          for (const a of f.artefacts) if (!state.hashes.has(a.path)) state.hashes.set(a.path, await hashFile(a.path, ctx.signal));
        }
        ctx.log(`${state.hashes.size} ${state.hashes.size === 1 ? 'file' : 'files'} hashed`);
      }),
    );
  }

  const uploadAll = async (ctx: TaskContext, files: Array<{ name: string; size: number; path?: string; data?: Buffer }>, label: string) => {
    const release = state.release!;
    const releases = state.releases!;
    const before = new Map((await releases.listAssets(release.id)).map((a) => [a.name, a]));
    const total = files.reduce((n, f) => n + f.size, 0);
    const progress = startProgress(ctx.log, { label, total, unit: 'bytes', intervalMs: context.progressIntervalMs, signal: ctx.signal });
    let done = 0;
    try {
      for (const [i, f] of files.entries()) {
        const existing = before.get(f.name);
        const asset = await releases.upload(release, f, existing, {
          retry,
          signal: ctx.signal,
          log: ctx.log,
          onRetry: () => result.retries++,
          onBytes: (sent) => progress.update(done + sent, `${i + 1}/${files.length} files`),
        });
        done += f.size;
        progress.update(done, `${i + 1}/${files.length} files`);
        if (existing) result.replaced.push(f.name);
        if (asset.name !== f.name) ctx.log(`GitHub stored ${f.name} as ${asset.name}`);
        state.stored.set(f.name, asset);
        result.uploaded.push(asset.name);
      }
    } finally {
      progress.end();
    }
  };

  steps.push(
    task(
      `Upload ${artefacts.length} files (${formatBytes(totalBytes)}) to the draft`,
      `${artefacts.map((a) => a.name).join(', ') || '(none yet)'}; each POSTed to the upload_url the release answered (on github.com uploads.github.com, on GitHub Enterprise Server <host>/api/uploads), one at a time, streamed from disk; an asset of the same name is deleted first; a 5xx or a dropped connection is retried (${retry.attempts} attempts) after deleting what the failed attempt left; each upload may take up to ${formatDuration(o.uploadTimeoutMs)}`,
      async (ctx) => {
        await uploadAll(ctx, artefacts.map((a) => ({ name: a.name, size: a.size, path: a.path })), `uploading ${artefacts.length} files`);
      },
    ),
  );

  if (writeFeeds) {
    const feedList = selection.feeds.map((f) => `${f.name} (${f.artefacts.map((a) => a.name).join(', ')})`).join('; ');
    steps.push(
      task(`Write and upload the update feeds: ${selection.feeds.map((f) => f.name).join(', ')}`, `${feedList || '(none)'}: version ${o.version}, files [{url, sha512, size}], path, sha512, releaseDate, each url the asset's name as GitHub stored it`, async (ctx) => {
        const date = (context.now ?? (() => new Date()))();
        const feeds = selection.feeds.map((f) =>
          writeFeed(
            f.name,
            o.version,
            f.artefacts.map((a): FeedFile => ({ url: state.stored.get(a.name)?.name ?? a.name, sha512: state.hashes.get(a.path)!.sha512, size: state.hashes.get(a.path)!.size })),
            date,
          ),
        );
        for (const feed of feeds) ctx.log(feedSummary(feed));
        await uploadAll(ctx, feeds.map((f) => ({ name: f.name, size: Buffer.byteLength(f.content), data: Buffer.from(f.content) })), `uploading ${feeds.length} feeds`);
        result.feeds = feeds;
        ctx.setOutput('feeds', feeds.map((f) => f.name).join(', '));
      }),
    );
  }

  steps.push(
    task('Check the draft holds every file', `GET …/releases/:id/assets: each uploaded asset must be there in state "uploaded" with its size; ${o.publish ? 'nothing is published otherwise' : 'the draft is left as it is'}`, async (ctx) => {
      const assets = new Map((await state.releases!.listAssets(state.release!.id)).map((a) => [a.name, a]));
      const expected = [...state.stored.values()];
      const wrong = expected.filter((a) => assets.get(a.name)?.state !== 'uploaded' || assets.get(a.name)?.size !== a.size);
      if (wrong.length) throw new Error(`the draft does not hold ${wrong.map((a) => `${a.name} (${assets.get(a.name) ? `${assets.get(a.name)!.state}, ${assets.get(a.name)!.size} bytes` : 'missing'})`).join(', ')}; it is left unpublished`);
      const ours = new Set(expected.map((a) => a.name));
      const extra = [...assets.keys()].filter((n) => !ours.has(n));
      ctx.log(`${expected.length} assets uploaded and complete${extra.length ? `; also on the draft from before: ${extra.join(', ')}` : ''}`);
    }),
  );

  const waiting = o.waitFor.length ? `once the draft also holds ${o.waitFor.join(', ')} (uploaded by the other jobs of this deploy; until then it is left a draft for the last of them to publish), ` : '';
  steps.push(
    o.publish
      ? task(`Publish ${o.tag}${o.waitFor.length ? ' when every job has uploaded' : ''}`, `${waiting}PATCH …/releases/:id {draft: false}: the release${o.prerelease ? ' (a pre-release)' : ''} becomes visible, GitHub creates the tag if it does not exist${o.commitish ? ` (at ${o.commitish})` : " (at the default branch's head)"}, and electron-updater sees it`, async (ctx) => {
          if (o.waitFor.length) {
            const names = (await state.releases!.listAssets(state.release!.id)).filter((a) => a.state === 'uploaded').map((a) => a.name);
            const missing = o.waitFor.filter((w) => !names.some((n) => globToRegExp(w).test(n)));
            if (missing.length) {
              ctx.log(`left as a draft: waiting for ${missing.join(', ')} from the other jobs of this deploy; the last of them publishes ${o.tag}: ${state.release!.html_url}`);
              ctx.setOutput('releaseUrl', state.release!.html_url);
              return;
            }
          }
          const published = await state.releases!.publish(state.release!);
          result.published = true;
          result.releaseUrl = published.html_url;
          ctx.log(`published ${o.tag}: ${published.html_url}`);
          ctx.setOutput('releaseUrl', published.html_url);
        })
      : task('Leave the release as a draft', '"publish": false: a person publishes it on GitHub', async (ctx) => {
          ctx.log(`draft ${o.tag} left for review: ${state.release!.html_url}`);
          ctx.setOutput('releaseUrl', state.release!.html_url);
        }),
  );

  return {
    plan: { title: `GitHub release ${o.tag} of ${where}${o.apiUrl === DEFAULT_GITHUB_API_URL ? '' : ` (${new URL(o.apiUrl).host})`}`, steps, outputs: { tag: o.tag } },
    result,
    artefacts,
    feeds: { write: writeFeeds, why: feedsWhy },
    secrets: token ? [token] : [],
  };
}
