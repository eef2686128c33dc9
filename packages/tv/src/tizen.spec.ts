import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { memoryLogger, runPlan, UserError, formatPlan, Redactor } from '@shipfleet/core';
import { makeCertChain, makeTvApp, TIZEN_CONFIG, unzipInto, xmlsecVerify } from '../../../tools/tv-fixtures';
import { buildTizenPlan, checkWidgetDir, listAppFiles, normalizeTizenOptions, PackageTizenOptions, validateTizenConfig } from './index';

const author = makeCertChain('Author', 'author-pass-1!');
const distributor = makeCertChain('Distributor', 'dist-pass-2$');
const standIns = resolve(__dirname, '../../../tools/stand-ins/bin');

const tmp = (p: string) => mkdtempSync(join(tmpdir(), `shipfleet-tv-${p}-`));
const sha256 = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const env = { AUTHOR_PW: author.password, DIST_PW: distributor.password, PATH: process.env.PATH };

const unzip = (wgt: string): string => unzipInto(wgt, tmp('unzipped'));

async function packageApp(appDir: string, extra: Partial<PackageTizenOptions> = {}, extraEnv: Record<string, string> = {}) {
  const out = tmp('out');
  const options: PackageTizenOptions = {
    appDir,
    outputPath: out,
    devCertDir: join(out, 'dev-certs'),
    authorCert: author.p12,
    authorPasswordEnv: 'AUTHOR_PW',
    distributorCert: distributor.p12,
    distributorPasswordEnv: 'DIST_PW',
    ...extra,
  };
  const normalized = normalizeTizenOptions(options, '/', { ...env, ...extraEnv });
  const { logger, lines } = memoryLogger();
  const report = await runPlan(buildTizenPlan(normalized), { logger, secrets: normalized.secrets, handleSignals: false });
  return { normalized, report, lines, wgt: normalized.outFile };
}

describe('package-tizen: signatures checked by xmlsec1', () => {
  let wgt: string;
  let dir: string;
  beforeAll(async () => {
    const result = await packageApp(makeTvApp(tmp('app')));
    expect(result.report.status).toBe('succeeded');
    wgt = result.wgt;
    dir = unzip(wgt);
  });

  it('packs every file but hidden ones, with both signature files at the root', () => {
    const listed = spawnSync('unzip', ['-Z1', wgt], { encoding: 'utf8' }).stdout.trim().split('\n').sort();
    expect(listed).toEqual(['appinfo.json', 'assets/data/levels.json', 'author-signature.xml', 'config.xml', 'css/my style.css', 'icon.png', 'index.html', 'js/main.js', 'signature1.xml']);
  });

  it('author and distributor signatures verify against their roots, through the intermediate in KeyInfo', () => {
    expect(xmlsecVerify(dir, 'author-signature.xml', author.rootPem)).toMatchObject({ ok: true });
    const dist = xmlsecVerify(dir, 'signature1.xml', distributor.rootPem);
    expect(dist.ok).toBe(true);
    // 7 files + author-signature.xml + #prop
    expect(dist.output).toContain('SignedInfo References (ok/all): 9/9');
  });

  it('does not verify against a root it was not issued by', () => {
    expect(xmlsecVerify(dir, 'author-signature.xml', distributor.rootPem).ok).toBe(false);
  });

  it('follows the widget signature profile: roles, profile, c14n, RSA-SHA512, chain leaf first without root', () => {
    const xml = readFileSync(join(dir, 'author-signature.xml'), 'utf8');
    expect(xml).toContain('<Signature xmlns="http://www.w3.org/2000/09/xmldsig#" Id="AuthorSignature">');
    expect(xml).toContain('<dsp:Role URI="http://www.w3.org/ns/widgets-digsig#role-author">');
    expect(xml).toContain('<dsp:Profile URI="http://www.w3.org/ns/widgets-digsig#profile">');
    expect(xml).toContain('<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#">');
    expect(xml).toContain('<Reference URI="css%2Fmy%20style.css">');
    expect(xml).toContain('<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha512">');
    expect(xml).not.toContain('author-signature.xml');
    const certs = [...xml.matchAll(/<X509Certificate>\n([\s\S]*?)<\/X509Certificate>/g)].map((m) => m[1].replace(/\s/g, ''));
    const pemBody = (f: string) => readFileSync(join(author.dir, f), 'utf8').replace(/-----[^-]+-----|\s/g, '');
    expect(certs).toEqual([pemBody('leaf.pem'), pemBody('int.pem')]);
    const dist = readFileSync(join(dir, 'signature1.xml'), 'utf8');
    expect(dist).toContain('widgets-digsig#role-distributor');
    expect(dist).toContain('<Reference URI="author-signature.xml">');
  });

  it('the completeness check passes on the package as written', async () => {
    expect((await checkWidgetDir(dir)).problems).toEqual([]);
  });

  it('one changed byte in one file fails verification', async () => {
    const copy = unzip(wgt);
    const file = join(copy, 'js/main.js');
    const bytes = readFileSync(file);
    bytes[0] ^= 1;
    writeFileSync(file, bytes);
    const result = xmlsecVerify(copy, 'author-signature.xml', author.rootPem);
    expect(result.ok).toBe(false);
    expect((await checkWidgetDir(copy)).problems).toEqual(expect.arrayContaining(['author-signature.xml: the SHA-512 digest of js/main.js does not match']));
  });

  it('an added unsigned file passes xmlsec1 but fails the completeness check', async () => {
    const copy = unzip(wgt);
    writeFileSync(join(copy, 'js/injected.js'), 'steal()');
    expect(xmlsecVerify(copy, 'author-signature.xml', author.rootPem).ok).toBe(true);
    expect((await checkWidgetDir(copy)).problems).toEqual(['author-signature.xml does not reference js/injected.js', 'signature1.xml does not reference js/injected.js']);
  });

  it('a tampered signature file fails the distributor signature', () => {
    const copy = unzip(wgt);
    const file = join(copy, 'author-signature.xml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('role-author', 'role-author '));
    expect(xmlsecVerify(copy, 'signature1.xml', distributor.rootPem).ok).toBe(false);
  });

  it('the same input gives a byte-identical .wgt', async () => {
    const app = makeTvApp(tmp('app'));
    const a = await packageApp(app);
    const b = await packageApp(app);
    expect(sha256(a.wgt)).toBe(sha256(b.wgt));
    expect(sha256(a.wgt)).toBe(sha256(wgt));
  });
});

describe('package-tizen: development certificates', () => {
  it('with devCertificates, generates development ones once, says what they are good for, and reuses them', async () => {
    const app = makeTvApp(tmp('app'));
    const devCertDir = join(tmp('dev'), 'certs');
    const opts = { authorCert: undefined, authorPasswordEnv: undefined, distributorCert: undefined, distributorPasswordEnv: undefined, devCertDir, devCertificates: true };
    const first = await packageApp(app, opts);
    expect(first.report.status).toBe('succeeded');
    expect(first.lines.join('\n')).toContain('generated a development author certificate');
    expect(first.lines.filter((l) => l.includes('self-signed development certificates: checks the package structure only; no TV, emulator or store accepts them'))).toHaveLength(1);
    expect(statSync(join(devCertDir, 'dev-author.p12')).mode & 0o777).toBe(0o600);
    const second = await packageApp(app, opts);
    expect(second.lines.join('\n')).toContain('using the development author certificate');
    expect(sha256(first.wgt)).toBe(sha256(second.wgt));
    const dir = unzip(first.wgt);
    expect((await checkWidgetDir(dir)).problems).toEqual([]);
    const cert = join(dir, 'leaf.pem');
    const b64 = /<X509Certificate>\n([\s\S]*?)<\/X509Certificate>/.exec(readFileSync(join(dir, 'author-signature.xml'), 'utf8'))![1];
    writeFileSync(cert, `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`);
    expect(xmlsecVerify(dir, 'author-signature.xml', cert).ok).toBe(true);
  });

  it('a release refuses development certificates', () => {
    const app = makeTvApp(tmp('app'));
    expect(() => normalizeTizenOptions({ appDir: app, outputPath: tmp('o'), devCertDir: tmp('d'), release: true, authorCert: author.p12, authorPasswordEnv: 'AUTHOR_PW' }, '/', env)).toThrow(/Option "distributorCert": a release needs a distributor certificate/);
    expect(() => normalizeTizenOptions({ appDir: app, outputPath: tmp('o'), devCertDir: tmp('d'), release: true }, '/', env)).toThrow(/Option "authorCert": a release needs your Samsung author certificate/);
  });
});

describe('package-tizen: bad input gets a clear error naming the option', () => {
  const app = makeTvApp(tmp('app'));
  const base = { appDir: app, outputPath: tmp('o'), devCertDir: tmp('d') };
  function err(o: Partial<PackageTizenOptions>, e: NodeJS.ProcessEnv = env): UserError {
    try {
      normalizeTizenOptions({ ...base, ...o } as PackageTizenOptions, '/', e);
    } catch (x) {
      if (x instanceof UserError) return x;
      throw x;
    }
    throw new Error('no error');
  }

  it.each([
    [{ appDir: '' }, 'appDir', /is required/],
    [{ appDir: '/nonexistent/app' }, 'appDir', /is not a folder/],
    [{ appDir: tmpdir() }, 'appDir', /config.xml does not exist/],
    [{ authorCert: '/nope.p12' }, 'authorCert', /does not exist/],
    [{ authorCert: author.p12, authorPasswordEnv: 'WRONG_PW' }, 'authorPasswordEnv', /wrong password/],
    [{ authorCert: author.p12, authorPasswordEnv: 'UNSET_PW' }, 'authorPasswordEnv', /UNSET_PW is not set/],
    [{ authorCert: author.p12, authorCertEnv: 'X' }, 'authorCert', /both authorCert and authorCertEnv/],
    [{ authorCertEnv: 'UNSET_CERT' }, 'authorCertEnv', /UNSET_CERT is not set/],
    [{ authorCertEnv: 'NOT_B64' }, 'authorCertEnv', /is not base64/],
    [{ authorCertEnv: 'author.p12' }, 'authorCertEnv', /"author.p12" is not an environment variable name/],
    [{ authorCert: author.p12, authorPasswordEnv: 'EMPTY_PW' }, 'authorPasswordEnv', /EMPTY_PW is not set/],
    [{ authorCert: tmpdir() }, 'authorCert', /is not a file/],
    [{ outputPath: undefined, devCertificates: true }, 'outputPath', /is required/],
    [{ distributorPasswordEnv: 'DIST_PW' }, 'distributorPasswordEnv', /no distributor certificate is given/],
    [{ useTizenCli: true }, 'tizenProfile', /is required with useTizenCli/],
  ])('%j → %s', (o, option, message) => {
    const e = err(o as Partial<PackageTizenOptions>, { ...env, WRONG_PW: 'not-the-password', NOT_B64: '!!not base64!!', EMPTY_PW: '' });
    expect(e.option).toBe(option);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain(author.password);
  });

  it('the tizen CLI must be on PATH when asked for', () => {
    expect(err({ useTizenCli: true, tizenProfile: 'tv' }, { PATH: '/nonexistent' }).message).toMatch(/tizen CLI is not on PATH/);
  });

  it('a symlink, a control character in a name or a special file is refused', () => {
    const withLink = makeTvApp(tmp('app'));
    symlinkSync('/etc/passwd', join(withLink, 'js/passwd'));
    expect(() => listAppFiles(withLink)).toThrow(/js\/passwd is a symbolic link/);
    const withName = makeTvApp(tmp('app'));
    writeFileSync(join(withName, 'tab\t.js'), '');
    expect(() => listAppFiles(withName)).toThrow(/tab\\t.js has a name holding the control character U\+0009/);
  });

  it('reports every config.xml problem with what to fix', () => {
    const bad = TIZEN_CONFIG.replace('version="1.0.0"', 'version="1.0.0-beta"').replace('id="Ab12Cd34Ef.TvApp" package="Ab12Cd34Ef"', 'id="short.TvApp" package="short"').replace('privilege/internet', 'privilege/Not A Privilege');
    const { problems } = validateTizenConfig(bad);
    expect(problems.map((p) => p.where)).toEqual(['<widget version>', '<tizen:application id>', '<tizen:application package>', '<tizen:privilege name>']);
    const dir = makeTvApp(tmp('app'));
    writeFileSync(join(dir, 'config.xml'), bad);
    const e = err({ appDir: dir });
    expect(e.message).toContain('has 4 problems');
    expect(e.message).toContain("is not in Tizen's x.y.z form");
    expect(validateTizenConfig('<widget').problems[0].problem).toMatch(/not well-formed/);
    expect(validateTizenConfig(TIZEN_CONFIG.replace('Ab12Cd34Ef.TvApp', 'Zz12Cd34Ef.TvApp')).problems[0].problem).toMatch(/differs from the package part/);
  });
});

describe('package-tizen: secrets', () => {
  it('a base64 certificate from the env and its password never reach the plan or the log', async () => {
    const b64 = readFileSync(author.p12).toString('base64');
    const result = await packageApp(makeTvApp(tmp('app')), { authorCert: undefined, authorCertEnv: 'AUTHOR_P12' }, { AUTHOR_P12: b64 });
    expect(result.report.status).toBe('succeeded');
    const plan = formatPlan(buildTizenPlan(result.normalized), new Redactor(result.normalized.secrets));
    const everything = [plan, ...result.lines, JSON.stringify(result.report)].join('\n');
    for (const secret of [b64, author.password, distributor.password, result.normalized.author.identity!.keyPem.split('\n')[1]]) {
      expect(everything).not.toContain(secret);
    }
    expect(result.normalized.secrets).toEqual(expect.arrayContaining([b64, author.password, distributor.password]));
  });
});

describe('package-tizen: paths', () => {
  function workspace() {
    const root = tmp('ws');
    makeTvApp(join(root, 'dist/apps/tv'));
    mkdirSync(join(root, 'apps/tv/certs'), { recursive: true });
    copyFileSync(author.p12, join(root, 'apps/tv/certs/author.p12'));
    return root;
  }
  const certs = { authorPasswordEnv: 'AUTHOR_PW', distributorCert: distributor.p12, distributorPasswordEnv: 'DIST_PW' };

  it('reads paths against the workspace root, with {projectRoot} and {workspaceRoot} replaced', () => {
    const root = workspace();
    const warnings: string[] = [];
    const o = normalizeTizenOptions(
      { appDir: 'dist/apps/tv', outputPath: '{workspaceRoot}/out', devCertDir: 'keys', authorCert: '{projectRoot}/certs/author.p12', ...certs },
      root,
      env,
      { projectRoot: 'apps/tv', warn: (m) => warnings.push(m) },
    );
    expect(o.appDir).toBe(join(root, 'dist/apps/tv'));
    expect(o.outFile).toBe(join(root, 'out/TvApp.wgt'));
    expect(o.author.label).toBe(`${join(root, 'apps/tv/certs/author.p12')} (${o.author.identity!.subject} + 1 CA certificate)`);
    expect(warnings).toEqual([]);
  });

  it('keeps development certificates in devCertDir, by default .shipfleet/tizen of the workspace', () => {
    const root = workspace();
    mkdirSync(join(root, 'apps/tv/.shipfleet/tizen'), { recursive: true });
    const paths = { projectRoot: 'apps/tv' };
    expect(normalizeTizenOptions({ appDir: 'dist/apps/tv', outputPath: 'out', devCertificates: true }, root, env, paths).author.devPath).toBe(join(root, '.shipfleet/tizen/dev-author.p12'));
    expect(normalizeTizenOptions({ appDir: 'dist/apps/tv', outputPath: 'out', devCertDir: 'keys', devCertificates: true }, root, env, paths).distributor.devPath).toBe(join(root, 'keys/dev-distributor.p12'));
  });

  it('reads a certificate path written against the project root the old way, with a warning', () => {
    const root = workspace();
    const warnings: string[] = [];
    const o = normalizeTizenOptions({ appDir: 'dist/apps/tv', outputPath: 'out', authorCert: 'certs/author.p12', ...certs }, root, env, { projectRoot: 'apps/tv', warn: (m) => warnings.push(m) });
    expect(o.author.identity).toBeDefined();
    expect(warnings).toEqual(['Option "authorCert": "certs/author.p12" is resolved against the project root; write "apps/tv/certs/author.p12" (paths are relative to the workspace root) — the old reading will be removed']);
    expect(o.author.label).toContain(join(root, 'apps/tv/certs/author.p12'));
  });

  it('accepts a base64 certificate with line breaks, as `base64` writes it by default', () => {
    const wrapped = readFileSync(author.p12).toString('base64').replace(/.{76}/g, '$&\n');
    const o = normalizeTizenOptions({ appDir: makeTvApp(tmp('app')), outputPath: tmp('o'), authorCertEnv: 'AUTHOR_P12', ...certs }, '/', { ...env, AUTHOR_P12: wrapped });
    expect(o.author.label).toMatch(/^\$AUTHOR_P12 \(/);
    expect(o.secrets).toContain(wrapped);
  });
});

describe('package-tizen: delegating to the Tizen CLI', () => {
  it('runs `tizen package -t wgt -s <profile> -o <dir> -- <app>` as documented', async () => {
    const app = makeTvApp(tmp('app'));
    const log = join(tmp('log'), 'calls.jsonl');
    const saved = { ...process.env };
    process.env.PATH = `${standIns}:${saved.PATH}`;
    process.env.SHIPFLEET_STANDIN_LOG = log;
    try {
      const { normalized, report } = await packageApp(app, { useTizenCli: true, tizenProfile: 'tv-release' }, { PATH: process.env.PATH! });
      expect(report.status).toBe('succeeded');
      const call = JSON.parse(readFileSync(log, 'utf8').trim());
      expect(call.argv).toEqual(['package', '-t', 'wgt', '-s', 'tv-release', '-o', join(normalized.outFile, '..'), '--', app]);
      expect(existsSync(normalized.outFile)).toBe(true);
    } finally {
      process.env = saved;
    }
  });
});
