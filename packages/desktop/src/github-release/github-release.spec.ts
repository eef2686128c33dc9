/** @jest-environment ./packages/desktop/src/github-release/__fixtures__/octokit-environment.js */
import { createHash, randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { electronBuilderOutput, harness, Harness, makeDir } from './__fixtures__/helpers';

// electron-updater's own reading of a feed: parseUpdateInfo (js-yaml), resolveFiles and findFile, as its providers call them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseUpdateInfo, resolveFiles, findFile } = require('electron-updater/out/providers/Provider');

const sha512 = (data: Buffer) => createHash('sha512').update(data).digest('base64');

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

const uploadsOf = (name: string) => h.api.requests.filter((r) => r.host === 'uploads' && r.query.name === name);

describe('publish-github-release', () => {
  it('creates a draft, uploads every file, writes the feeds electron-updater reads, and publishes last', async () => {
    const dir = electronBuilderOutput('1.4.0');
    const { report, built, lines, all } = await h.run({ files: [join(dir, '*')], version: '1.4.0', body: 'Faster start-up.' });
    expect(report.error).toBeUndefined();
    expect(report.status).toBe('succeeded');
    expect(built.feeds.write).toBe(true);

    // One release, created as a draft, published by the last request of the run.
    expect(h.api.releases).toHaveLength(1);
    const release = h.api.releases[0];
    expect(release).toMatchObject({ tag_name: 'v1.4.0', name: 'v1.4.0', body: 'Faster start-up.', draft: false, owner: 'acme', repo: 'desktop' });
    const create = h.api.requests.find((r) => r.method === 'POST' && r.path === '/repos/acme/desktop/releases')!;
    expect(create.status).toBe(201);
    const last = h.api.requests[h.api.requests.length - 1];
    expect(last).toMatchObject({ method: 'PATCH', path: `/repos/acme/desktop/releases/${release.id}`, status: 200 });
    const uploadIndexes = h.api.requests.map((r, i) => (r.host === 'uploads' ? i : -1)).filter((i) => i >= 0);
    expect(Math.max(...uploadIndexes)).toBeLessThan(h.api.requests.length - 1);
    expect(h.api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expect(h.api.tags.has('acme/desktop@v1.4.0')).toBe(true);
    // Every request authenticated, uploads on the uploads host at the path the upload_url named.
    expect(h.api.requests.every((r) => r.authScheme !== undefined)).toBe(true);
    for (const r of h.api.requests.filter((q) => q.host === 'uploads')) expect(r.path).toBe(`/repos/acme/desktop/releases/${release.id}/assets`);

    // Every file uploaded byte for byte, spaces in names turned into hyphens; bookkeeping and electron-builder's latest.yml not.
    const stored = new Map(release.assets.map((a) => [a.name, a]));
    const localNames: Record<string, string> = {
      'My-App-Setup-1.4.0.exe': 'My App Setup 1.4.0.exe',
      'My-App-Setup-1.4.0.exe.blockmap': 'My App Setup 1.4.0.exe.blockmap',
      'My-App-1.4.0-mac.zip': 'My App-1.4.0-mac.zip',
      'My-App-1.4.0-arm64-mac.zip': 'My App-1.4.0-arm64-mac.zip',
      'My-App-1.4.0.dmg': 'My App-1.4.0.dmg',
      'My-App-1.4.0.dmg.blockmap': 'My App-1.4.0.dmg.blockmap',
      'My-App-1.4.0.AppImage': 'My App-1.4.0.AppImage',
      'My-App-1.4.0-arm64.AppImage': 'My App-1.4.0-arm64.AppImage',
      'my-app_1.4.0_amd64.deb': 'my-app_1.4.0_amd64.deb',
    };
    const expected = Object.keys(localNames);
    for (const name of expected) {
      expect(stored.get(name)?.data.equals(readFileSync(join(dir, localNames[name])))).toBe(true);
      expect(stored.get(name)?.state).toBe('uploaded');
    }
    expect([...stored.keys()].sort()).toEqual([...expected, 'latest.yml', 'latest-mac.yml', 'latest-linux.yml', 'latest-linux-arm64.yml'].sort());
    expect(uploadsOf('builder-debug.yml')).toHaveLength(0);
    expect(uploadsOf('latest.yml')).toHaveLength(1);
    // Feeds after the files they describe.
    const firstFeed = h.api.requests.findIndex((r) => r.host === 'uploads' && /^latest/.test(r.query.name));
    const lastFile = Math.max(...h.api.requests.map((r, i) => (r.host === 'uploads' && !/^latest/.test(r.query.name) ? i : -1)));
    expect(firstFeed).toBeGreaterThan(lastFile);

    // The feeds, read by electron-updater's own parser, resolved as its GitHub provider resolves them.
    const base = new URL('https://github.com/acme/desktop/releases/download/v1.4.0/');
    const read = (feed: string) => {
      const info = parseUpdateInfo(stored.get(feed)!.data.toString('utf8'), feed, new URL(feed, base).href);
      const files = resolveFiles(info, base, (p: string) => p.replace(/ /g, '-'));
      return { info, files };
    };
    const check = (feed: string, names: string[]) => {
      const { info, files } = read(feed);
      expect(info.version).toBe('1.4.0');
      expect(typeof info.releaseDate).toBe('string');
      expect(new Date(info.releaseDate).toISOString()).toBe(info.releaseDate);
      expect(info.files.map((f: { url: string }) => f.url)).toEqual(names);
      for (const f of info.files) {
        const asset = stored.get(f.url)!;
        expect(f.sha512).toBe(sha512(asset.data));
        expect(f.size).toBe(asset.data.length);
      }
      expect(info.path).toBe(names[0]);
      expect(info.sha512).toBe(info.files[0].sha512);
      return { info, files };
    };
    const win = check('latest.yml', ['My-App-Setup-1.4.0.exe']);
    expect(findFile(win.files, 'exe').url.href).toBe(`${base.href}My-App-Setup-1.4.0.exe`);
    const mac = check('latest-mac.yml', ['My-App-1.4.0-mac.zip', 'My-App-1.4.0-arm64-mac.zip', 'My-App-1.4.0.dmg']);
    expect(findFile(mac.files, 'zip', ['pkg', 'dmg']).info.url).toMatch(/-mac\.zip$/);
    const linux = check('latest-linux.yml', ['My-App-1.4.0.AppImage', 'my-app_1.4.0_amd64.deb']);
    expect(findFile(linux.files, 'AppImage').info.url).toBe('My-App-1.4.0.AppImage');
    expect(findFile(linux.files, 'deb').info.url).toBe('my-app_1.4.0_amd64.deb');
    check('latest-linux-arm64.yml', ['My-App-1.4.0-arm64.AppImage']);

    expect(built.result).toMatchObject({ published: true, created: true, retries: 0, replaced: [] });
    expect(report.outputs).toMatchObject({ tag: 'v1.4.0', releaseId: String(release.id), feeds: 'latest.yml, latest-mac.yml, latest-linux.yml, latest-linux-arm64.yml' });
    // Progress of the upload: a final line with the total.
    expect(lines).toContainEqual(expect.stringMatching(/uploading 9 files: .* \(100%\) · 9\/9 files · /));
    expect(all).not.toContain(h.token);
  });

  it('replaces an asset of the same name on an existing draft: delete, then upload', async () => {
    const dir = makeDir({ 'app-2.0.0.apk': randomBytes(5000), 'notes.txt': 'hello' });
    const draft = h.api.seedRelease({ repo: 'acme/desktop', tag: 'v2.0.0', draft: true, assets: [{ name: 'app-2.0.0.apk', data: 'an older build' }, { name: 'other.bin', data: 'kept' }] });
    const oldId = draft.assets[0].id;
    const { report, built, all } = await h.run({ files: [join(dir, '*')], version: '2.0.0', publish: false });
    expect(report.error).toBeUndefined();
    expect(h.api.releases).toHaveLength(1);
    expect(h.api.requests.some((r) => r.method === 'POST' && r.path === '/repos/acme/desktop/releases')).toBe(false);

    const del = h.api.requests.findIndex((r) => r.method === 'DELETE' && r.path === `/repos/acme/desktop/releases/assets/${oldId}`);
    const up = h.api.requests.findIndex((r) => r.host === 'uploads' && r.query.name === 'app-2.0.0.apk');
    expect(del).toBeGreaterThanOrEqual(0);
    expect(up).toBeGreaterThan(del);
    const apk = draft.assets.find((a) => a.name === 'app-2.0.0.apk')!;
    expect(apk.data.equals(readFileSync(join(dir, 'app-2.0.0.apk')))).toBe(true);
    expect(draft.assets.map((a) => a.name).sort()).toEqual(['app-2.0.0.apk', 'notes.txt', 'other.bin']);
    expect(built.result.replaced).toEqual(['app-2.0.0.apk']);
    // Not electron-builder output: no feeds. publish: false: still a draft.
    expect(built.feeds).toEqual({ write: false, why: 'auto: the files are not electron-builder output' });
    expect(draft.draft).toBe(true);
    expect(h.api.requests.some((r) => r.method === 'PATCH')).toBe(false);
    expect(all).not.toContain(h.token);
  });

  it('retries an upload answered 502, deleting the empty asset the failure left, then publishes', async () => {
    const dir = makeDir({ 'tv-3.1.0.wgt': randomBytes(40_000), 'tv-3.1.0.ipk': randomBytes(30_000) });
    h.api.setFaults({ upload: [{ name: 'tv-3.1.0.wgt', status: 502, times: 1, leaveStarter: true }] });
    const { report, built, lines, all } = await h.run({ files: [join(dir, '*.wgt'), join(dir, '*.ipk')], version: '3.1.0' });
    expect(report.error).toBeUndefined();
    expect(uploadsOf('tv-3.1.0.wgt').map((r) => r.status)).toEqual([502, 201]);
    const release = h.api.releases[0];
    expect(release.draft).toBe(false);
    expect(release.assets.map((a) => [a.name, a.state]).sort()).toEqual([['tv-3.1.0.ipk', 'uploaded'], ['tv-3.1.0.wgt', 'uploaded']]);
    expect(release.assets.find((a) => a.name === 'tv-3.1.0.wgt')!.data.equals(readFileSync(join(dir, 'tv-3.1.0.wgt')))).toBe(true);
    expect(h.api.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
    expect(built.result.retries).toBe(1);
    expect(lines.join('\n')).toMatch(/upload of tv-3\.1\.0\.wgt failed \(502/);
    expect(lines.join('\n')).toContain('deleting tv-3.1.0.wgt (starter) left by the failed attempt');
    expect(all).not.toContain(h.token);
  });

  it('an upload that keeps failing leaves the draft unpublished', async () => {
    const dir = makeDir({ 'app-1.0.0.apk': randomBytes(2000) });
    h.api.setFaults({ upload: [{ status: 503, times: 10 }] });
    const { report, all } = await h.run({ files: [join(dir, '*.apk')], version: '1.0.0' });
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/GitHub answered 503/);
    expect(uploadsOf('app-1.0.0.apk')).toHaveLength(4);
    expect(h.api.releases[0].draft).toBe(true);
    expect(h.api.requests.some((r) => r.method === 'PATCH')).toBe(false);
    expect(all).not.toContain(h.token);
  });

  it('a refused token is an error naming tokenEnv, and the token is never printed', async () => {
    const dir = makeDir({ 'app-1.0.0.apk': 'x' });
    const wrong = `ghp_${randomBytes(18).toString('hex')}`;
    const { report, all } = await h.run({ files: [join(dir, '*.apk')], version: '1.0.0' }, { env: { GITHUB_TOKEN: wrong, GITHUB_REPOSITORY: 'acme/desktop' } });
    expect(report.status).toBe('failed');
    expect(report.error).toContain('Option "tokenEnv": GitHub refused the token in $GITHUB_TOKEN (401 Bad credentials)');
    expect(all).not.toContain(wrong);
    expect(h.api.releases).toHaveLength(0);
  });

  it('refuses to touch a release already published with the tag', async () => {
    const dir = makeDir({ 'app-1.0.0.apk': 'x' });
    h.api.seedRelease({ repo: 'acme/desktop', tag: 'v1.0.0', draft: false, assets: [{ name: 'app-1.0.0.apk', data: 'live' }] });
    const { report } = await h.run({ files: [join(dir, '*.apk')], version: '1.0.0' });
    expect(report.error).toMatch(/Option "tag": the release v1\.0\.0 of acme\/desktop is already published/);
    expect(h.api.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
    expect(h.api.releases[0].assets[0].data.toString()).toBe('live');
  });

  it('an unknown repository is an error naming repo', async () => {
    const dir = makeDir({ 'app-1.0.0.apk': 'x' });
    const { report } = await h.run({ files: [join(dir, '*.apk')], version: '1.0.0', owner: 'acme', repo: 'nope' });
    expect(report.error).toMatch(/Option "repo": acme\/nope was not found, or the token in \$GITHUB_TOKEN cannot see it \(404\)/);
  });

  it('feeds: true with no installer among the files is an option error', async () => {
    const dir = makeDir({ 'app-1.0.0.apk': 'x' });
    await expect(h.run({ files: [join(dir, '*.apk')], version: '1.0.0', feeds: true })).rejects.toThrow(/Option "feeds": is true but no file is one electron-updater installs/);
  });

  it('auto: electron-builder output of targets electron-updater cannot install (zip, tar.gz on Linux) is uploaded without feeds, with a note', async () => {
    const dir = makeDir({ 'desk-1.0.0.zip': randomBytes(2000), 'desk-1.0.0.tar.gz': randomBytes(2000), 'builder-effective-config.yaml': 'appId: x\n' });
    const { report, built, lines } = await h.run({ files: [join(dir, '*')], version: '1.0.0' });
    expect(report.error).toBeUndefined();
    expect(built.feeds).toEqual({ write: false, why: 'auto: electron-builder output, but no file electron-updater installs (.exe, a mac .zip, .AppImage, .deb, .rpm)' });
    expect(lines.join('\n')).toContain('No update feeds: electron-builder output, but no file electron-updater installs');
    expect(h.api.releases[0].assets.map((a) => a.name).sort()).toEqual(['desk-1.0.0.tar.gz', 'desk-1.0.0.zip']);
    expect(h.api.releases[0].draft).toBe(false);
  });

  it('auto: a Linux AppImage build (no .blockmap; builder-debug.yml beside it) gets latest-linux.yml', async () => {
    const dir = makeDir({ 'Desk-1.0.0.AppImage': randomBytes(5000), 'builder-debug.yml': 'x64: {}\n' });
    const { report, built } = await h.run({ files: [join(dir, '*.AppImage')], version: '1.0.0' });
    expect(report.error).toBeUndefined();
    expect(built.feeds.write).toBe(true);
    expect(h.api.releases[0].assets.map((a) => a.name).sort()).toEqual(['Desk-1.0.0.AppImage', 'latest-linux.yml']);
  });

  it('feeds: false uploads electron-builder output without feeds (its own latest.yml as it is)', async () => {
    const dir = electronBuilderOutput('1.4.0');
    const { report, built } = await h.run({ files: [join(dir, '*.{exe,yml}')], version: '1.4.0', feeds: false });
    expect(report.error).toBeUndefined();
    expect(built.feeds.write).toBe(false);
    expect(h.api.releases[0].assets.map((a) => a.name).sort()).toEqual(['My-App-Setup-1.4.0.exe', 'latest.yml']);
    expect(h.api.releases[0].assets.find((a) => a.name === 'latest.yml')!.data.toString()).toBe('version: 0.0.0\n');
  });

  it('a dry run without a token prints the plan and sends nothing', async () => {
    const dir = electronBuilderOutput('1.4.0');
    const { report, lines, all } = await h.run({ files: [join(dir, '*'), join(dir, 'missing/*.exe')], version: '1.4.0' }, { dryRun: true, env: { GITHUB_REPOSITORY: 'acme/desktop' } });
    expect(report.status).toBe('dry-run');
    expect(h.api.requests).toHaveLength(0);
    expect(lines.join('\n')).toContain('Dry run without a token: environment variable GITHUB_TOKEN is not set');
    expect(lines.join('\n')).toContain('matches no file yet');
    expect(all).toContain('Write and upload the update feeds: latest.yml, latest-mac.yml, latest-linux.yml, latest-linux-arm64.yml');
  });
});

describe('GitHub Enterprise Server', () => {
  it('talks to <host>/api/v3 and uploads to the /api/uploads URL the release answers', async () => {
    await h.close();
    h = await harness({ enterprise: true });
    expect(h.api.url).toMatch(/\/api\/v3$/);
    const dir = makeDir({ 'app-1.0.0.apk': randomBytes(1000) });
    const { report } = await h.run({ files: [join(dir, '*.apk')], version: '1.0.0' });
    expect(report.error).toBeUndefined();
    const uploads = h.api.requests.filter((r) => r.host === 'uploads');
    expect(uploads).toHaveLength(1);
    expect(uploads[0].path).toMatch(/^\/api\/uploads\/repos\/acme\/desktop\/releases\/\d+\/assets$/);
    expect(h.api.requests.filter((r) => r.host === 'api').every((r) => r.path.startsWith('/api/v3/'))).toBe(true);
    expect(h.api.releases[0].draft).toBe(false);
  });
});

describe('a deploy split per runner: one job per OS, one release', () => {
  const macOnly = () => makeDir({ 'Desk-1.0.0-mac.zip': randomBytes(50_000), 'Desk-1.0.0.dmg': randomBytes(60_000), 'Desk-1.0.0.dmg.blockmap': randomBytes(300) });
  const linuxAndWin = () => makeDir({ 'Desk-Setup-1.0.0.exe': randomBytes(70_000), 'Desk-Setup-1.0.0.exe.blockmap': randomBytes(300), 'Desk-1.0.0.AppImage': randomBytes(80_000) });
  const waitFor = ['latest-mac.yml', 'latest.yml', 'latest-linux*.yml'];

  it('jobs started together meet on one draft; the first to finish leaves it a draft, the last publishes with every feed', async () => {
    const [mac, linux] = await Promise.all([
      h.run({ files: [join(macOnly(), '*')], version: '1.0.0', waitFor }),
      h.run({ files: [join(linuxAndWin(), '*')], version: '1.0.0', waitFor }),
    ]);
    expect([mac.report.error, linux.report.error]).toEqual([undefined, undefined]);
    // However the creates interleaved, one release is left and it holds both jobs' files.
    expect(h.api.releases).toHaveLength(1);
    const release = h.api.releases[0];
    expect(release.draft).toBe(false);
    expect(release.assets.map((a) => a.name).sort()).toEqual(['Desk-1.0.0-mac.zip', 'Desk-1.0.0.AppImage', 'Desk-1.0.0.dmg', 'Desk-1.0.0.dmg.blockmap', 'Desk-Setup-1.0.0.exe', 'Desk-Setup-1.0.0.exe.blockmap', 'latest-linux.yml', 'latest-mac.yml', 'latest.yml']);
    expect([mac.built.result.published, linux.built.result.published].filter(Boolean).length).toBeGreaterThanOrEqual(1);
    for (const r of [mac, linux]) expect(r.all).not.toContain(h.token);
  });

  it('one after the other: the first leaves a draft naming what it waits for, the second publishes', async () => {
    const first = await h.run({ files: [join(macOnly(), '*')], version: '1.0.0', waitFor });
    expect(first.report.status).toBe('succeeded');
    expect(first.built.result.published).toBe(false);
    expect(h.api.releases[0].draft).toBe(true);
    expect(first.lines.join('\n')).toMatch(/left as a draft: waiting for latest\.yml, latest-linux\*\.yml from the other jobs/);
    expect(h.api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);

    const second = await h.run({ files: [join(linuxAndWin(), '*')], version: '1.0.0', waitFor });
    expect(second.report.status).toBe('succeeded');
    expect(second.built.result).toMatchObject({ published: true, created: false });
    expect(h.api.releases).toHaveLength(1);
    expect(h.api.releases[0].draft).toBe(false);
  });

  it('two drafts created at once: the newer is deleted and its job uploads to the older', async () => {
    // The race made certain: another job's create lands just before this job's.
    let other: { id: number } | undefined;
    h.api.onRequest((r) => {
      if (r.method === 'POST' && r.path === '/repos/acme/desktop/releases' && !other) other = h.api.seedRelease({ repo: 'acme/desktop', tag: 'v1.0.0', draft: true });
    });
    const { report, lines, built } = await h.run({ files: [join(linuxAndWin(), '*')], version: '1.0.0', waitFor });
    expect(report.error).toBeUndefined();
    expect(h.api.releases.map((r) => r.id)).toEqual([other!.id]);
    expect(h.api.releases[0].assets.map((a) => a.name)).toContain('Desk-Setup-1.0.0.exe');
    expect(built.result.releaseId).toBe(other!.id);
    expect(lines.join('\n')).toMatch(new RegExp(`another job created a draft for v1\\.0\\.0 at the same time \\(id ${other!.id}\\): using it, and deleted this job's empty draft \\d+`));
    expect(h.api.requests.filter((r) => r.method === 'DELETE' && /\/releases\/\d+$/.test(r.path))).toHaveLength(1);
  });
});
