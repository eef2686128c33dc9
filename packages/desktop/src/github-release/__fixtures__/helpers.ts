import { randomBytes } from 'crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { formatPlan, Logger, planToJson, Redactor, RunReport, runPlan } from '@shipfleet/core';
import { buildGithubReleasePlan, GithubReleaseOptions, GithubReleasePlanContext, GithubReleasePlanResult, OctokitModule, resolveGithubReleaseOptions } from '../index';
import { GithubApiOptions, GithubApiStandIn, startGithubApi } from '../../../../../tools/github-api/server';

/** A distinctive token, so any leak is unmistakable. */
export const newToken = () => `ghp_${randomBytes(18).toString('hex')}`;

/** Lent by octokit-environment.js: @octokit/rest loaded by Node's own ESM loader. */
export async function importOctokit(): Promise<OctokitModule> {
  const load = (globalThis as { __importOctokitRest?: () => Promise<OctokitModule> }).__importOctokitRest;
  if (!load) throw new Error('run this spec with the @jest-environment of __fixtures__/octokit-environment.js');
  return load();
}

/** A folder with these files (relative POSIX paths → content). */
export function makeDir(files: Record<string, string | Buffer>, root = mkdtempSync(join(tmpdir(), 'shipfleet-gh-release-'))): string {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return root;
}

/** What electron-builder leaves in its output folder for one version on three platforms (contents random, sizes realistic enough to stream in chunks). */
export function electronBuilderOutput(version = '1.4.0'): string {
  return makeDir({
    [`My App Setup ${version}.exe`]: randomBytes(300_000),
    [`My App Setup ${version}.exe.blockmap`]: randomBytes(900),
    [`My App-${version}-mac.zip`]: randomBytes(200_000),
    [`My App-${version}-arm64-mac.zip`]: randomBytes(190_000),
    [`My App-${version}.dmg`]: randomBytes(210_000),
    [`My App-${version}.dmg.blockmap`]: randomBytes(700),
    [`My App-${version}.AppImage`]: randomBytes(250_000),
    [`My App-${version}-arm64.AppImage`]: randomBytes(240_000),
    [`my-app_${version}_amd64.deb`]: randomBytes(120_000),
    // electron-builder's own bookkeeping and feed: never uploaded as they are.
    'builder-effective-config.yaml': 'directories:\n  output: dist\n',
    'builder-debug.yml': 'x64: {}\n',
    'latest.yml': 'version: 0.0.0\n',
    'win-unpacked/My App.exe': randomBytes(1000),
  });
}

export interface Harness {
  api: GithubApiStandIn;
  token: string;
  env: NodeJS.ProcessEnv;
  octokit: OctokitModule;
  run(options: Partial<GithubReleaseOptions>, extra?: { context?: Partial<GithubReleasePlanContext>; dryRun?: boolean; env?: NodeJS.ProcessEnv }): Promise<{ report: RunReport; built: GithubReleasePlanResult; lines: string[]; all: string }>;
  close(): Promise<void>;
}

export async function harness(apiOptions: Partial<GithubApiOptions> = {}): Promise<Harness> {
  const token = newToken();
  const api = await startGithubApi({ tokens: [token], repos: ['acme/desktop'], ...apiOptions });
  const env = { GITHUB_TOKEN: token, GITHUB_REPOSITORY: 'acme/desktop' };
  const octokit = await importOctokit();
  return {
    api,
    token,
    env,
    octokit,
    async run(options, extra = {}) {
      const lines: string[] = [];
      const push = (l: string) => lines.push(l);
      const logger: Logger = { info: push, warn: push, error: push };
      const runEnv = extra.env ?? env;
      const { options: o, token: t } = resolveGithubReleaseOptions({ apiUrl: api.url, ...options }, { workspaceRoot: tmpdir(), env: runEnv, warn: push, dryRun: extra.dryRun });
      const built = buildGithubReleasePlan(o, { token: t, octokit, retry: { delayMs: 5, maxDelayMs: 50, jitter: 0 }, warn: push, dryRun: extra.dryRun, progressIntervalMs: 0, ...(extra.context ?? {}) });
      // No `secrets` on purpose: the library must not print the token at all, masked or not.
      const report = await runPlan(built.plan, { logger, handleSignals: false, dryRun: extra.dryRun, stepSummaryFile: '' });
      const none = new Redactor([]);
      const all = [...lines, formatPlan(built.plan, none), JSON.stringify(planToJson(built.plan, none)), JSON.stringify(report), JSON.stringify(built.result)].join('\n');
      return { report, built, lines, all };
    },
    close: () => api.close(),
  };
}
