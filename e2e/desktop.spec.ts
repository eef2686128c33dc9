// Desktop through the real nx CLI: a generated Electron app, package-electron's plan,
// sign-windows signing a real Windows executable with Debian's osslsigncode (verified by it),
// and publish-github-release against the GitHub API stand-in (tools/github-api).
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { parse as parseYaml } from 'yaml';
import { startGithubApi } from '../tools/github-api/server';
import { SampleWorkspace } from '../tools/sample-workspace';
import { linkElectronBuilder, standInElectronTools } from '../tools/stand-ins/electron';
import { copyTestExe, makeTestSigner, TestSigner } from '../packages/desktop/src/windows-sign/__fixtures__/test-signer';

const PASSWORD = 'e2e-p12-Secret-pw-7719';
const TOKEN = 'github_pat_e2eRelease0123456789abcdef';

describe('desktop targets through the real nx CLI', () => {
  let ws: SampleWorkspace;
  let signer: TestSigner;
  const env = () => ({ WIN_CSC_P12_BASE64: signer.p12Base64, WIN_CSC_PASSWORD: PASSWORD });

  beforeAll(async () => {
    ws = new SampleWorkspace('desktop');
    expect(ws.nx(['g', '@shipfleet/nx:init']).code).toBe(0);
    expect(ws.nx(['g', '@shipfleet/nx:electron-app', 'desk']).code).toBe(0);
    mkdirSync(ws.path('keys'), { recursive: true });
    signer = await makeTestSigner(ws.path('keys'), PASSWORD);
  });

  it('infers package-electron and sign-windows for the generated app', () => {
    const show = ws.nx(['show', 'project', 'desk', '--json']);
    const project = JSON.parse(show.output.slice(show.output.indexOf('{')));
    expect(project.targets['package-electron']).toMatchObject({ executor: '@shipfleet/nx:package-electron', metadata: { runner: 'macos' } });
    expect(project.targets['sign-windows']).toMatchObject({ executor: '@shipfleet/nx:sign-windows', metadata: { runner: 'linux' } });
    expect(project.targets['publish-github-release']).toMatchObject({ executor: '@shipfleet/nx:publish-github-release', options: { tokenEnv: 'RELEASE_GITHUB_TOKEN' } });
    expect(project.targets.deploy.options.targets).toEqual(['package-electron', 'sign-windows', 'publish-github-release']);
  });

  it('a project configured by `build` in its package.json is an Electron app too; a plain package is not', () => {
    ws.write('apps/pkgdesk/package.json', JSON.stringify({ name: 'pkgdesk', version: '2.0.0', main: 'main.js', devDependencies: { electron: '45.3.4' }, build: { appId: 'com.acme.pkgdesk', linux: { target: ['AppImage'] } } }));
    ws.write('libs/plain/package.json', JSON.stringify({ name: 'plain', version: '1.0.0', scripts: { build: 'tsc' }, devDependencies: { electron: '45.3.4' } }));
    const show = (p: string) => {
      const r = ws.nx(['show', 'project', p, '--json']);
      return JSON.parse(r.output.slice(r.output.indexOf('{')));
    };
    expect(Object.keys(show('pkgdesk').targets)).toEqual(expect.arrayContaining(['package-electron', 'publish-github-release', 'deploy']));
    expect(show('pkgdesk').targets['package-electron'].metadata.runner).toBe('linux');
    // Not an Electron app (its "build" is a script): shipfleet makes nothing of it.
    const projects = ws.nx(['show', 'projects', '--json']);
    expect(JSON.parse(projects.output.slice(projects.output.indexOf('[')))).not.toContain('plain');
  });

  it('package-electron --dry-run shows the targets, the output folder and the signing variables by name', async () => {
    const r = await ws.nxAsync(['run', 'desk:package-electron', '--platforms=linux', '--dry-run'], env());
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/AppImage/);
    expect(r.output).toContain('Dry run: nothing was executed.');
    expect(r.output).not.toContain(PASSWORD);
  });

  it('sign-windows signs a real .exe with osslsigncode and verifies it; the password never shows', async () => {
    mkdirSync(ws.path('dist/apps/desk'), { recursive: true });
    const exe = copyTestExe(ws.path('dist/apps/desk/Desk-Setup-1.0.0.exe'));
    const r = await ws.nxAsync(['run', 'desk:sign-windows', '--signingCertEnv=WIN_CSC_P12_BASE64', '--signingPasswordEnv=WIN_CSC_PASSWORD', `--caFile=${signer.caPem}`, '--timestamp=false', '--output-style=static'], env());
    expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
    expect(r.output).not.toContain(PASSWORD);
    expect(r.output).not.toContain(signer.p12Base64.slice(0, 40));
    // Read back independently: osslsigncode finds a valid signature by the test CA.
    const verify = execFileSync('osslsigncode', ['verify', '-CAfile', signer.caPem, '-in', exe], { encoding: 'utf8' });
    expect(verify).toMatch(/Signature verification: ok/);
    expect(readFileSync(exe).length).toBeGreaterThan(0);
  });

  it('a bad option is named', async () => {
    const r = await ws.nxAsync(['run', 'desk:sign-windows', '--method=magic'], env());
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('method');
  });

  describe('publish-github-release', () => {
    // electron-builder's output as publish sees it: installers, a blockmap, and its own feed (replaced by ours).
    const built = () => {
      const dir = ws.path('dist/apps/desk');
      mkdirSync(dir, { recursive: true });
      const files: Record<string, Buffer> = {
        'Desk-Setup-1.0.0.exe': Buffer.from('MZ' + 'installer'.repeat(5000)),
        'Desk-Setup-1.0.0.exe.blockmap': Buffer.from('blockmap'),
        'Desk-1.0.0.AppImage': Buffer.from('\x7fELF' + 'appimage'.repeat(7000)),
        'latest.yml': Buffer.from('version: 0.0.1\n'),
      };
      for (const [name, data] of Object.entries(files)) writeFileSync(`${dir}/${name}`, data);
      return files;
    };
    const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('base64');

    it('uploads the installers, writes the feeds from them and publishes; a 5xx on an upload is retried; the token never shows', async () => {
      const files = built();
      const api = await startGithubApi({ tokens: [TOKEN], repos: ['acme/desk'], faults: { upload: [{ name: 'Desk-1.0.0.AppImage', status: 502, times: 1 }] } });
      try {
        const r = await ws.nxAsync(['run', 'desk:publish-github-release', `--apiUrl=${api.url}`, '--owner=acme', '--repo=desk', '--output-style=static'], { RELEASE_GITHUB_TOKEN: TOKEN });
        expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
        expect(r.output).not.toContain(TOKEN);
        const [release] = api.releases;
        expect(release).toMatchObject({ tag_name: 'v1.0.0', draft: false });
        const assets = Object.fromEntries(release.assets.map((a) => [a.name, a.data]));
        expect(Object.keys(assets).sort()).toEqual(['Desk-1.0.0.AppImage', 'Desk-Setup-1.0.0.exe', 'Desk-Setup-1.0.0.exe.blockmap', 'latest-linux.yml', 'latest.yml']);
        expect(assets['Desk-1.0.0.AppImage'].equals(files['Desk-1.0.0.AppImage'])).toBe(true);
        // The feed is ours, from what was uploaded, not electron-builder's stale one.
        const feed = parseYaml(assets['latest.yml'].toString('utf8'));
        expect(feed).toMatchObject({ version: '1.0.0', path: 'Desk-Setup-1.0.0.exe', sha512: sha512(files['Desk-Setup-1.0.0.exe']) });
        expect(feed.files).toEqual([{ url: 'Desk-Setup-1.0.0.exe', sha512: sha512(files['Desk-Setup-1.0.0.exe']), size: files['Desk-Setup-1.0.0.exe'].length }]);
        expect(parseYaml(assets['latest-linux.yml'].toString('utf8'))).toMatchObject({ path: 'Desk-1.0.0.AppImage', sha512: sha512(files['Desk-1.0.0.AppImage']) });
        const uploads = api.requests.filter((q) => q.host === 'uploads' && q.query.name === 'Desk-1.0.0.AppImage').map((q) => q.status);
        expect(uploads).toEqual([502, 201]);
        // Publishing is the last call: nothing was visible before every asset was up.
        const calls = api.requests.filter((q) => q.status < 300).map((q) => `${q.method} ${q.host}`);
        expect(calls[calls.length - 1]).toBe('PATCH api');
        expect(api.requests.every((q) => !JSON.stringify(q.query).includes(TOKEN))).toBe(true);
      } finally {
        await api.close();
      }
    });

    it('--dry-run shows the files and the feeds and calls nothing; a real run without the token names its variable', async () => {
      built();
      const api = await startGithubApi({ tokens: [TOKEN], repos: ['acme/desk'] });
      try {
        const dry = await ws.nxAsync(['run', 'desk:publish-github-release', `--apiUrl=${api.url}`, '--owner=acme', '--repo=desk', '--dry-run'], { RELEASE_GITHUB_TOKEN: TOKEN });
        expect(dry.code).toBe(0);
        expect(dry.output).toContain('Desk-Setup-1.0.0.exe');
        expect(dry.output).toMatch(/latest\.yml, latest-linux\.yml/);
        expect(dry.output).toContain('Dry run: nothing was executed.');
        expect(dry.output).not.toContain(TOKEN);
        expect(api.requests).toEqual([]);
        const missing = await ws.nxAsync(['run', 'desk:publish-github-release', `--apiUrl=${api.url}`, '--owner=acme', '--repo=desk'], { RELEASE_GITHUB_TOKEN: '' });
        expect(missing.code).not.toBe(0);
        expect(missing.output).toMatch(/Option "tokenEnv".*RELEASE_GITHUB_TOKEN/);
        expect(api.requests).toEqual([]);
      } finally {
        await api.close();
      }
    });

    it('bad options are named', async () => {
      for (const [flag, option] of [['--tag=has space', 'tag'], ['--owner=-acme', 'owner'], ['--apiUrl=not a url', 'apiUrl'], ['--feeds=sometimes', 'feeds']]) {
        const r = await ws.nxAsync(['run', 'desk:publish-github-release', flag, '--repo=desk', '--owner=acme'].filter((a, i, all) => all.findIndex((b) => b.split('=')[0] === a.split('=')[0]) === i), { RELEASE_GITHUB_TOKEN: TOKEN });
        expect({ flag, code: r.code === 0 ? 0 : 1 }).toEqual({ flag, code: 1 });
        expect({ flag, named: r.output.includes(option) }).toEqual({ flag, named: true });
        expect(r.output).not.toContain(TOKEN);
      }
    });

    it('deploy --dry-run chains package, sign and publish', async () => {
      const r = await ws.nxAsync(['run', 'desk:deploy', '--dry-run'], { ...env(), RELEASE_GITHUB_TOKEN: TOKEN });
      expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
      expect(r.output).toContain('package-electron → sign-windows → publish-github-release');
      for (const secret of [TOKEN, PASSWORD]) expect(r.output).not.toContain(secret);
    });
  });

  describe('package-electron for real, then published', () => {
    const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
    (linuxX64 ? it : it.skip)('electron-builder packages the generated app (dir, zip, tar.gz with a stand-in Electron), and the release holds what it built', async () => {
      // The workspace's electron-builder (this repository's), a stand-in Electron (no download here) and 7-Zip.
      linkElectronBuilder(ws.root);
      standInElectronTools(ws.root);
      rmSync(ws.path('dist/apps/desk'), { recursive: true, force: true });
      const build = await ws.nxAsync(['run', 'desk:package-electron', '--platforms=linux', '--linux=dir', '--linux=zip', '--linux=tar.gz', '--linuxArch=x64', '--electronDist=electron-dist', '--electronVersion=45.3.4', '--sevenZipPath=7za', '--output-style=static'], env());
      expect({ code: build.code, output: build.code ? build.output : '' }).toEqual({ code: 0, output: '' });
      const zip = ws.path('dist/apps/desk/desk-1.0.0.zip');
      expect(execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' })).toContain('resources/app.asar');
      expect(execFileSync('tar', ['tzf', ws.path('dist/apps/desk/desk-1.0.0.tar.gz')], { encoding: 'utf8' })).toContain('resources/app.asar');

      const api = await startGithubApi({ tokens: [TOKEN], repos: ['acme/desk'] });
      try {
        const r = await ws.nxAsync(['run', 'desk:publish-github-release', `--apiUrl=${api.url}`, '--owner=acme', '--repo=desk', '--output-style=static'], { RELEASE_GITHUB_TOKEN: TOKEN });
        expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
        expect(r.output).toContain('No update feeds');
        const [release] = api.releases;
        expect(release.draft).toBe(false);
        expect(release.assets.map((a) => a.name).sort()).toEqual(['desk-1.0.0.tar.gz', 'desk-1.0.0.zip']);
        expect(release.assets.find((a) => a.name === 'desk-1.0.0.zip')!.data.equals(readFileSync(zip))).toBe(true);
      } finally {
        await api.close();
      }
    });
  });

  describe('a deploy split by runner', () => {
    const commit = (msg: string) => {
      ws.git('add', '-A');
      ws.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', msg);
    };
    const ledger = () => JSON.parse(ws.read('.shipfleet/ledger')).records as Array<{ project: string; target: string; result: string }>;

    it('shipfleet matrix gives the generated app (mac, Windows and Linux targets) one row per runner', () => {
      commit('desk');
      ws.write('apps/desk/src/renderer.js', '// changed\n');
      commit('desk change');
      const r = ws.run(ws.path('node_modules/.bin/shipfleet'), ['matrix', '--base=HEAD~1', '--head=HEAD']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.output)).toEqual([
        { project: 'desk', runner: 'macos-latest', part: 'macos' },
        { project: 'desk', runner: 'ubuntu-latest', part: 'linux' },
      ]);
    });

    it('deploy --part=linux --dry-run runs the Linux part: Windows and Linux packaged, signed, published once the mac feed is there', async () => {
      const r = await ws.nxAsync(['run', 'desk:deploy', '--part=linux', '--dry-run', '--output-style=static'], { ...env(), RELEASE_GITHUB_TOKEN: TOKEN });
      expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
      expect(r.output).toContain('deploy desk (its linux part) to default: package-electron → sign-windows → publish-github-release (dry run)');
      expect(r.output).toMatch(/AppImage/);
      expect(r.output).not.toMatch(/\.dmg|universal/);
      expect(r.output).toContain('once the draft also holds latest-mac.yml, latest.yml, latest-linux*.yml');
      for (const secret of [TOKEN, PASSWORD]) expect(r.output).not.toContain(secret);
      const wrong = await ws.nxAsync(['run', 'desk:deploy', '--part=windows', '--dry-run'], env());
      expect(wrong.code).not.toBe(0);
      expect(wrong.output).toContain('Option "part": "windows" is not a part of desk\'s deploy. Give one of its runners: macos, linux');
    });

    it('each part is its own ledger line: one part live does not skip the other', async () => {
      // A split deploy whose parts are plain commands, so both really run here.
      ws.write('apps/split/project.json', JSON.stringify({
        name: 'split',
        targets: {
          build: { executor: 'nx:run-commands', options: { command: 'node -e "console.log(\'packaged \' + process.argv[1])" --', args: 'all' } },
          upload: { executor: 'nx:run-commands', options: { command: 'node -e "console.log(\'uploaded\')"' } },
          deploy: { executor: '@shipfleet/nx:deploy', options: { targets: ['build', 'upload'], parts: { macos: { targets: ['build', 'upload'], options: { build: { args: 'mac' } } }, linux: { targets: ['build', 'upload'], options: { build: { args: 'linux' } } } } } },
        },
      }));
      const linux = await ws.nxAsync(['run', 'split:deploy', '--part=linux', '--output-style=static']);
      expect({ code: linux.code, output: linux.code ? linux.output : '' }).toEqual({ code: 0, output: '' });
      expect(linux.output).toContain('packaged linux');
      const again = await ws.nxAsync(['run', 'split:deploy', '--part=linux', '--output-style=static', '--skip-nx-cache']);
      expect(again.output).toContain('⏭ split (linux) is already deployed to default with these inputs');
      const mac = await ws.nxAsync(['run', 'split:deploy', '--part=macos', '--output-style=static', '--skip-nx-cache']);
      expect({ code: mac.code, output: mac.code ? mac.output : '' }).toEqual({ code: 0, output: '' });
      expect(mac.output).toContain('packaged mac');
      expect(ledger().filter((x) => x.project === 'split').map((x) => [x.target, x.result])).toEqual([['deploy@linux', 'succeeded'], ['deploy@macos', 'succeeded']]);
    });
  });
});

