import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { makeCertChain, makeTvApp, TIZEN_CONFIG, tizenProfilesXml } from '../tools/tv-fixtures';
import { SampleWorkspace } from '../tools/sample-workspace';

const author = makeCertChain('Author', 'e2e-Author-Pw#1');
const distributor = makeCertChain('Distributor', 'e2e-Dist-Pw#2');
const distributorB64 = readFileSync(distributor.p12).toString('base64');
const secretEnv = { AUTHOR_PW: author.password, DIST_PW: distributor.password, DIST_P12: distributorB64 };
const secrets = [author.password, distributor.password, distributorB64];

function unzipAndVerify(wgt: string, rootPem: string, file: string) {
  const dir = mkdtempSync(join(tmpdir(), 'shipfleet-e2e-unzipped-'));
  spawnSync('unzip', ['-q', wgt, '-d', dir]);
  return spawnSync('xmlsec1', ['--verify', '--trusted-pem', rootPem, file], { cwd: dir, encoding: 'utf8' }).status === 0;
}

describe('TV packaging through the real nx CLI', () => {
  let ws: SampleWorkspace;
  const wgt = () => ws.path('dist/shipfleet/tv/TvApp.wgt');

  beforeAll(() => {
    ws = new SampleWorkspace('tv');
    ws.write('apps/tv/project.json', JSON.stringify({ name: 'tv' }));
    makeTvApp(ws.path('apps/tv'));
    expect(ws.nx(['g', '@shipfleet/nx:init']).code).toBe(0);
  });

  it('infers package-tizen and package-webos for a project with config.xml and appinfo.json', () => {
    const show = ws.nx(['show', 'project', 'tv', '--json']);
    const project = JSON.parse(show.output.slice(show.output.indexOf('{')));
    expect(project.targets['package-tizen']).toMatchObject({ executor: '@shipfleet/nx:package-tizen', cache: false, metadata: { runner: 'linux' } });
    expect(project.targets['package-webos']).toMatchObject({ executor: '@shipfleet/nx:package-webos' });
  });

  it('--dry-run shows the plan and writes nothing', () => {
    const r = ws.nx(['run', 'tv:package-tizen', '--devCertificates', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.output).toContain('[task] Package and sign TvApp.wgt');
    expect(r.output).toContain('Ab12Cd34Ef.TvApp 1.0.0: 7 files');
    expect(r.output).toContain('Dry run: nothing was executed.');
    expect(existsSync(wgt())).toBe(false);
    expect(existsSync(ws.path('.shipfleet/tizen/dev-author.p12'))).toBe(false);
  });

  it('--dry-run without any certificate shows the plan with them marked missing, and warns', () => {
    const r = ws.nx(['run', 'tv:package-tizen', '--dry-run'], { HOME: mkdtempSync(join(tmpdir(), 'shipfleet-e2e-home-')) });
    expect(r.code).toBe(0);
    expect(r.output).toContain('author: <no author certificate given: a real run fails until one is>');
    expect(r.output).toContain('a real run stops here');
    expect(r.output).toContain('Dry run: nothing was executed.');
  });

  it('without certificates, fails listing the ways to give them', () => {
    // A home without ~/tizen-studio-data: no Tizen Studio profile to fall back on.
    const r = ws.nx(['run', 'tv:package-tizen'], { HOME: mkdtempSync(join(tmpdir(), 'shipfleet-e2e-home-')) });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('Option "authorCert": no signing certificates are given, and no Tizen Studio profile was found');
    expect(r.output).toContain('devCertificates: true');
    expect(existsSync(wgt())).toBe(false);
  });

  it('with --devCertificates, signs with development certificates and says in one line what they are good for', () => {
    const r = ws.nx(['run', 'tv:package-tizen', '--devCertificates']);
    expect(r.code).toBe(0);
    expect(r.output).toContain('generated a development author certificate');
    expect(r.output).toContain('self-signed development certificates: checks the package structure only; no TV, emulator or store accepts them');
    expect(existsSync(wgt())).toBe(true);
    expect(r.output).toContain(`→ wgt: ${wgt()}`);
    // The app folder is the project folder here: Nx's own files stay out of the package.
    const listed = spawnSync('unzip', ['-Z1', wgt()], { encoding: 'utf8' }).stdout.trim().split('\n').sort();
    expect(listed).toEqual(['appinfo.json', 'assets/data/levels.json', 'author-signature.xml', 'config.xml', 'css/my style.css', 'icon.png', 'index.html', 'js/main.js', 'signature1.xml']);
  });

  it('with real certificates (a file and a base64 env var), both signatures verify with xmlsec1 and no secret is printed', () => {
    const r = ws.nx(
      ['run', 'tv:package-tizen', `--authorCert=${author.p12}`, '--authorPasswordEnv=AUTHOR_PW', '--distributorCertEnv=DIST_P12', '--distributorPasswordEnv=DIST_PW', '--release', '--plan-json=dist/tizen-plan.json'],
      secretEnv,
    );
    expect(r.code).toBe(0);
    expect(unzipAndVerify(wgt(), author.rootPem, 'author-signature.xml')).toBe(true);
    expect(unzipAndVerify(wgt(), distributor.rootPem, 'signature1.xml')).toBe(true);
    const everything = r.output + ws.read('dist/tizen-plan.json');
    for (const s of secrets) expect(everything).not.toContain(s);
  });

  it("with Tizen Studio's profiles.xml (leaf-only .p12 files, CA certificates beside them), both chains verify against their roots", () => {
    const profilesXml = join(mkdtempSync(join(tmpdir(), 'shipfleet-e2e-profile-')), 'profiles.xml');
    writeFileSync(profilesXml, tizenProfilesXml([{ name: 'tv', author: { key: author.leafOnlyP12, ca: author.caCer }, distributor: { key: distributor.leafOnlyP12, ca: distributor.caCer } }], 'tv'));
    const r = ws.nx(['run', 'tv:package-tizen', `--profilesXml=${profilesXml}`, '--authorPasswordEnv=AUTHOR_PW', '--distributorPasswordEnv=DIST_PW', '--release'], secretEnv);
    expect(r.code).toBe(0);
    expect(r.output).toContain(`profile "tv" (${profilesXml})`);
    expect(unzipAndVerify(wgt(), author.rootPem, 'author-signature.xml')).toBe(true);
    expect(unzipAndVerify(wgt(), distributor.rootPem, 'signature1.xml')).toBe(true);
    for (const s of secrets) expect(r.output).not.toContain(s);
  });

  it('--verify checks a package as a TV would: the one just written passes; a dotfile or a changed byte is caught', () => {
    const signed = [`--authorCert=${author.p12}`, '--authorPasswordEnv=AUTHOR_PW', '--distributorCertEnv=DIST_P12', '--distributorPasswordEnv=DIST_PW'];
    expect(ws.nx(['run', 'tv:package-tizen', ...signed, '--digest=sha256'], secretEnv).code).toBe(0);
    expect(unzipAndVerify(wgt(), author.rootPem, 'author-signature.xml')).toBe(true);
    const good = ws.nx(['run', 'tv:package-tizen', `--verify=${wgt()}`]);
    expect(good.code).toBe(0);
    // A dotfile slipped into the package: unsigned, so a TV refuses it.
    const tampered = join(mkdtempSync(join(tmpdir(), 'shipfleet-e2e-tampered-')), 'TvApp.wgt');
    writeFileSync(tampered, readFileSync(wgt()));
    const extra = mkdtempSync(join(tmpdir(), 'shipfleet-e2e-extra-'));
    writeFileSync(join(extra, '.injected.js'), 'alert(1)');
    spawnSync('zip', ['-q', tampered, '.injected.js'], { cwd: extra });
    const bad = ws.nx(['run', 'tv:package-tizen', `--verify=${tampered}`]);
    expect(bad.code).not.toBe(0);
    expect(bad.output).toContain('.injected.js');
  });

  it('--installOn installs the package on each TV through sdb and the Tizen CLI, and names the one that refused it', () => {
    const signed = [`--authorCert=${author.p12}`, '--authorPasswordEnv=AUTHOR_PW', '--distributorCertEnv=DIST_P12', '--distributorPasswordEnv=DIST_PW'];
    const state = join(mkdtempSync(join(tmpdir(), 'shipfleet-e2e-sdb-')), 'sdb.json');
    // A running emulator is attached to sdb; the TV at 192.168.1.20 is connected by the run.
    const env = { ...secretEnv, SHIPFLEET_SDB_STATE: state, SHIPFLEET_SDB_DEVICES: 'emulator-26101', SHIPFLEET_STANDIN_LOG: join(state, '..', 'calls.jsonl') };
    const ok = ws.nx(['run', 'tv:package-tizen', ...signed, '--installOn=192.168.1.20', '--installOn=emulator-26101'], env);
    expect({ code: ok.code, output: ok.code ? ok.output : '' }).toEqual({ code: 0, output: '' });
    expect(ok.output).toContain('sdb connect 192.168.1.20');
    expect(ok.output).toMatch(/tizen install -n \S*TvApp\.wgt -s 192\.168\.1\.20:26101/);
    const refused = ws.nx(['run', 'tv:package-tizen', ...signed, '--installOn=192.168.1.20', '--installOn=192.168.1.21'], { ...env, SHIPFLEET_TIZEN_INSTALL_FAIL: '192.168.1.21:26101=Author certificate not match' });
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('installed on 1 of 2 devices');
    expect(refused.output).toContain('192.168.1.21');
    expect(refused.output).toContain('Author certificate not match');
    for (const s of secrets) expect(ok.output + refused.output).not.toContain(s);
  });

  it('a wrong password fails with the option named and the password nowhere', () => {
    const r = ws.nx(['run', 'tv:package-tizen', `--authorCert=${author.p12}`, '--authorPasswordEnv=DIST_PW'], secretEnv);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('Option "authorPasswordEnv": cannot open the .p12: wrong password');
    for (const s of secrets) expect(r.output).not.toContain(s);
  });

  it('a release without a distributor certificate is refused', () => {
    const r = ws.nx(['run', 'tv:package-tizen', `--authorCert=${author.p12}`, '--authorPasswordEnv=AUTHOR_PW', '--release'], secretEnv);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('Option "distributorCert": a release needs a distributor certificate');
  });

  it('a broken config.xml is reported with every problem and its fix', () => {
    writeFileSync(ws.path('apps/tv/config.xml'), TIZEN_CONFIG.replace('version="1.0.0"', 'version="1.0.0.0"').replace('package="Ab12Cd34Ef"', 'package="Ab12"'));
    const r = ws.nx(['run', 'tv:package-tizen']);
    writeFileSync(ws.path('apps/tv/config.xml'), TIZEN_CONFIG);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('config.xml has 2 problems');
    expect(r.output).toContain('<widget version> "1.0.0.0" is not in Tizen\'s x.y.z form');
    expect(r.output).toContain('<tizen:application package> "Ab12" is not a 10-character alphanumeric package id');
  });

  it('nx run tv:package-webos writes <id>_<version>_all.ipk that ar and tar read back', () => {
    const r = ws.nx(['run', 'tv:package-webos']);
    expect(r.code).toBe(0);
    const ipk = ws.path('dist/shipfleet/tv/com.example.tvapp_1.0.0_all.ipk');
    expect(spawnSync('ar', ['t', ipk], { encoding: 'utf8' }).stdout.trim().split('\n')).toEqual(['debian-binary', 'control.tar.gz', 'data.tar.gz']);
    const data = spawnSync('sh', ['-c', `ar p "${ipk}" data.tar.gz | tar tz`], { encoding: 'utf8' }).stdout;
    expect(data).toContain('./usr/palm/applications/com.example.tvapp/index.html');
    expect(data).toContain('./usr/palm/packages/com.example.tvapp/packageinfo.json');
  });

  it('package-webos names the bad appinfo.json field', () => {
    const original = ws.read('apps/tv/appinfo.json');
    writeFileSync(ws.path('apps/tv/appinfo.json'), JSON.stringify({ ...JSON.parse(original), version: '1.0' }));
    const r = ws.nx(['run', 'tv:package-webos']);
    writeFileSync(ws.path('apps/tv/appinfo.json'), original);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('"version" "1.0" is not x.y.z');
  });
});

