import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { thrownUserError } from '@shipfleet/core';
import { originRepository, resolveGithubReleaseOptions, GithubReleaseOptions } from './options';

const token = 'ghp_0123456789abcdefghij';
const env = { GITHUB_TOKEN: token, GITHUB_REPOSITORY: 'acme/desktop' };
const workspaceRoot = mkdtempSync(join(tmpdir(), 'shipfleet-gh-options-'));
const resolve = (o: Partial<GithubReleaseOptions>, extra: { env?: NodeJS.ProcessEnv; projectRoot?: string; dryRun?: boolean; warn?: (m: string) => void } = {}) =>
  resolveGithubReleaseOptions({ files: ['dist/*.exe'], version: '1.2.3', ...o }, { workspaceRoot, env: extra.env ?? env, projectRoot: extra.projectRoot, dryRun: extra.dryRun, warn: extra.warn });
const error = (o: Partial<GithubReleaseOptions>, extra?: Parameters<typeof resolve>[1]) => thrownUserError(() => resolve(o, extra));

describe('resolveGithubReleaseOptions', () => {
  it('applies the defaults', () => {
    const { options, token: t, secrets } = resolve({});
    expect(options).toEqual({
      files: [join(workspaceRoot, 'dist/*.exe')],
      version: '1.2.3',
      tag: 'v1.2.3',
      name: 'v1.2.3',
      body: undefined,
      owner: 'acme',
      repo: 'desktop',
      commitish: undefined,
      prerelease: false,
      publish: true,
      feeds: 'auto',
      tokenEnv: 'GITHUB_TOKEN',
      apiUrl: 'https://api.github.com',
      uploadTimeoutMs: 30 * 60_000,
      waitFor: [],
    });
    expect(t).toBe(token);
    expect(secrets).toEqual([token]);
  });

  it('reads the version from the project package.json, notes from a file, the commit and API URL from GitHub Actions', () => {
    writeFileSync(join(workspaceRoot, 'package.json'), JSON.stringify({ version: '2.0.0-beta.1' }));
    writeFileSync(join(workspaceRoot, 'NOTES.md'), '## Changes\n');
    const sha = 'a'.repeat(40);
    const { options } = resolveGithubReleaseOptions({ files: ['{projectRoot}/out/*'], notes: 'NOTES.md', prerelease: true }, { workspaceRoot, projectRoot: '.', env: { ...env, GITHUB_SHA: sha, GITHUB_API_URL: 'https://ghe.example.com/api/v3/' } });
    expect(options).toMatchObject({ version: '2.0.0-beta.1', tag: 'v2.0.0-beta.1', body: '## Changes\n', commitish: sha, apiUrl: 'https://ghe.example.com/api/v3', prerelease: true, files: [join(workspaceRoot, 'out/*')] });
  });

  it('explicit owner, repo, tag, name and token variable win', () => {
    const { options, token: t } = resolve({ owner: 'other', repo: 'app.js', tag: 'release-1.2.3', name: 'App 1.2.3', tokenEnv: 'GH_RELEASE_TOKEN', apiUrl: 'http://127.0.0.1:9000', feeds: false }, { env: { GH_RELEASE_TOKEN: 'ghp_abcdefghijklmnop' } });
    expect(options).toMatchObject({ owner: 'other', repo: 'app.js', tag: 'release-1.2.3', name: 'App 1.2.3', tokenEnv: 'GH_RELEASE_TOKEN', apiUrl: 'http://127.0.0.1:9000', feeds: false });
    expect(t).toBe('ghp_abcdefghijklmnop');
  });

  it.each<[string, Partial<GithubReleaseOptions>, NodeJS.ProcessEnv | undefined, RegExp]>([
    ['files', { files: [] }, undefined, /Option "files": is required/],
    ['files', { files: 'dist/*.exe' as unknown as string[] }, undefined, /Option "files": must be a list of paths or globs/],
    ['version', { version: 'v1.2.3' }, undefined, /Option "version": "v1.2.3" is not a semantic version.*without a leading v/],
    ['version', { version: undefined }, undefined, /Option "version": is required/],
    ['tag', { tag: 'bad tag' }, undefined, /Option "tag": "bad tag" is not a git tag name/],
    ['name', { name: '' }, undefined, /Option "name": "" is not a release title/],
    ['notes', { body: 'x', notes: 'NOTES.md' }, undefined, /Option "notes": and body are both given/],
    ['notes', { notes: 'missing.md' }, undefined, /Option "notes": .*missing\.md does not exist/],
    ['owner', {}, { GITHUB_TOKEN: token }, /Option "owner": is required \(GITHUB_REPOSITORY is not set and the workspace has no origin remote\)/],
    ['owner', { owner: '-acme' }, undefined, /Option "owner": "-acme" is not a GitHub user or organisation name/],
    ['repo', { repo: 'a/b' }, undefined, /Option "repo": "a\/b" is not a GitHub repository name/],
    ['feeds', { feeds: 'yes' as unknown as boolean }, undefined, /Option "feeds": "yes" is not "auto", true or false/],
    ['publish', { publish: 'false' as unknown as boolean }, undefined, /Option "publish": must be true or false/],
    ['tokenEnv', {}, { GITHUB_REPOSITORY: 'acme/desktop' }, /Option "tokenEnv": .*GITHUB_TOKEN/],
    ['tokenEnv', { tokenEnv: 'not a name' }, undefined, /Option "tokenEnv"/],
    ['tokenEnv', {}, { ...env, GITHUB_TOKEN: `${token}\n` }, /Option "tokenEnv": the value of GITHUB_TOKEN contains spaces, line breaks or non-ASCII characters/],
    ['apiUrl', { apiUrl: 'http://ghe.example.com/api/v3' }, undefined, /Option "apiUrl": .*plain http to ghe\.example\.com/],
    ['apiUrl', { apiUrl: 'https://user:pw@ghe.example.com/api/v3' }, undefined, /Option "apiUrl": must not contain a user name or password/],
    ['uploadTimeout', { uploadTimeout: '10ms' }, undefined, /Option "uploadTimeout": "10ms" is shorter than/],
  ])('%s: %j is refused', (option, given, e, message) => {
    const err = error(given, { env: e });
    expect(err.option).toBe(option);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(token);
  });

  it('a dry run goes on without the token, with a warning', () => {
    const warnings: string[] = [];
    const { token: t, secrets } = resolve({}, { env: { GITHUB_REPOSITORY: 'acme/desktop' }, dryRun: true, warn: (m) => warnings.push(m) });
    expect(t).toBe('');
    expect(secrets).toEqual([]);
    expect(warnings.join('\n')).toContain('Dry run without a token: environment variable GITHUB_TOKEN is not set');
  });

  describe('the repository from the origin remote', () => {
    const withRemote = (url: string | undefined) => {
      const root = mkdtempSync(join(tmpdir(), 'shipfleet-gh-remote-'));
      mkdirSync(join(root, '.git'));
      writeFileSync(join(root, '.git', 'config'), `[core]\n\tbare = false\n[remote "upstream"]\n\turl = https://github.com/other/fork.git\n${url ? `[remote "origin"]\n\turl = ${url}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n` : ''}[branch "main"]\n\tremote = origin\n`);
      return root;
    };
    it.each([
      ['https://github.com/acme/desk.git', ['acme', 'desk']],
      ['https://x-access-token@github.com/acme/desk', ['acme', 'desk']],
      ['git@github.com:acme/desk.app.git', ['acme', 'desk.app']],
      ['ssh://git@ghe.example.com/acme/desk.git', ['acme', 'desk']],
    ])('reads %s', (url, expected) => {
      expect(originRepository(withRemote(url))).toEqual(expected);
    });
    it('reads only origin, and nothing without a repository', () => {
      expect(originRepository(withRemote(undefined))).toBeUndefined();
      expect(originRepository(mkdtempSync(join(tmpdir(), 'shipfleet-gh-nogit-')))).toBeUndefined();
    });
    it('is the default outside Actions; GITHUB_REPOSITORY and the options win over it', () => {
      const root = withRemote('git@github.com:acme/desk.git');
      const at = (o: Partial<GithubReleaseOptions>, e: NodeJS.ProcessEnv) => resolveGithubReleaseOptions({ files: ['dist/*.exe'], version: '1.0.0', ...o }, { workspaceRoot: root, env: e }).options;
      expect(at({}, { GITHUB_TOKEN: token })).toMatchObject({ owner: 'acme', repo: 'desk' });
      expect(at({}, { GITHUB_TOKEN: token, GITHUB_REPOSITORY: 'ci/app' })).toMatchObject({ owner: 'ci', repo: 'app' });
      expect(at({ owner: 'me', repo: 'mine' }, { GITHUB_TOKEN: token })).toMatchObject({ owner: 'me', repo: 'mine' });
    });
    it('a dry run without one warns and shows placeholders', () => {
      const warnings: string[] = [];
      const { options } = resolveGithubReleaseOptions({ files: ['dist/*.exe'], version: '1.0.0' }, { workspaceRoot: withRemote(undefined), env: {}, dryRun: true, warn: (m) => warnings.push(m) });
      expect(options).toMatchObject({ owner: 'OWNER', repo: 'REPO' });
      expect(warnings.join('\n')).toMatch(/GITHUB_REPOSITORY is not set and the workspace has no origin remote; a real run stops here/);
    });
  });

  it('waitFor takes asset names and globs, and needs publishing', () => {
    expect(resolve({ waitFor: ['latest-mac.yml', 'latest-linux*.yml'] }).options.waitFor).toEqual(['latest-mac.yml', 'latest-linux*.yml']);
    expect(error({ waitFor: ['dist/latest.yml'] }).message).toMatch(/Option "waitFor": "dist\/latest.yml" is not an asset name/);
    expect(error({ waitFor: ['latest.yml'], publish: false }).message).toMatch(/Option "waitFor": is given but "publish" is false/);
  });
});
