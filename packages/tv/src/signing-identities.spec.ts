import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { formatPlan, memoryLogger, Redactor, runPlan, thrownUserError } from '@shipfleet/core';
import { makeCertChain, makeTvApp, tizenProfilesXml, unzipInto, xmlsecVerify } from '../../../tools/tv-fixtures';
import { buildTizenPlan, DEV_CERTIFICATES_NOTICE, loadSigningIdentities, loadP12, normalizeTizenOptions, PackageTizenOptions, parseTizenProfiles } from './index';

// Tizen Studio keeps a profile as profiles.xml + a .p12 holding only the leaf + the CA certificate beside it.
const author = makeCertChain('Author', 'author-pass-1!');
const distributor = makeCertChain('Distributor', 'dist-pass-2$');
const dirs: string[] = [author.dir, distributor.dir];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), `shipfleet-tv-certs-${p}-`));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const STORED_PASSWORD = 'stored-in-profile-Pw#77';
const passwords = { AUTHOR_PW: author.password, DIST_PW: distributor.password };
const pwOptions = { authorPasswordEnv: 'AUTHOR_PW', distributorPasswordEnv: 'DIST_PW' };
const pem = (file: string) => readFileSync(file, 'utf8').replace(/-----[^-]+-----|\s/g, '');

/** A Tizen Studio data folder under a fake home: ~/tizen-studio-data/profile/profiles.xml and the keystore. */
function tizenStudioHome(active = 'tv'): string {
  const home = tmp('home');
  const keystore = join(home, 'tizen-studio-data/keystore');
  mkdirSync(keystore, { recursive: true });
  mkdirSync(join(home, 'tizen-studio-data/profile'), { recursive: true });
  for (const [name, file] of Object.entries({ 'author.p12': author.leafOnlyP12, 'author-ca.cer': author.caCer, 'distributor.p12': distributor.leafOnlyP12, 'distributor-ca.cer': distributor.caCer })) copyFileSync(file, join(keystore, name));
  const k = (f: string) => join(keystore, f);
  const xml = tizenProfilesXml(
    [
      { name: 'tv', author: { key: k('author.p12'), ca: k('author-ca.cer'), password: STORED_PASSWORD }, distributor: { key: k('distributor.p12'), ca: k('distributor-ca.cer'), password: STORED_PASSWORD } },
      { name: 'no-ca', author: { key: k('author.p12') }, distributor: { key: k('distributor.p12'), ca: k('distributor-ca.cer') } },
    ],
    active,
  );
  writeFileSync(join(home, 'tizen-studio-data/profile/profiles.xml'), xml);
  return home;
}

const unzip = (wgt: string): string => unzipInto(wgt, tmp('unzipped'));

const keyInfo = (xml: string) => [...xml.matchAll(/<X509Certificate>\n([\s\S]*?)<\/X509Certificate>/g)].map((m) => m[1].replace(/\s/g, ''));

async function packageWith(o: Partial<PackageTizenOptions>, env: NodeJS.ProcessEnv) {
  const out = tmp('out');
  const normalized = normalizeTizenOptions({ appDir: makeTvApp(tmp('app')), outputPath: out, devCertDir: join(out, 'dev'), ...o }, '/', { PATH: process.env.PATH, ...env });
  const { logger, lines } = memoryLogger();
  const report = await runPlan(buildTizenPlan(normalized), { logger, secrets: normalized.secrets, handleSignals: false });
  return { normalized, report, lines, wgt: normalized.outFile };
}

function expectChainVerifies(wgt: string) {
  const dir = unzip(wgt);
  expect(xmlsecVerify(dir, 'author-signature.xml', author.rootPem)).toMatchObject({ ok: true });
  expect(xmlsecVerify(dir, 'signature1.xml', distributor.rootPem)).toMatchObject({ ok: true });
  // Leaf then CA, root left out: as the real signers write KeyInfo.
  expect(keyInfo(readFileSync(join(dir, 'author-signature.xml'), 'utf8'))).toEqual([pem(join(author.dir, 'leaf.pem')), pem(author.caPem)]);
  expect(keyInfo(readFileSync(join(dir, 'signature1.xml'), 'utf8'))).toEqual([pem(join(distributor.dir, 'leaf.pem')), pem(distributor.caPem)]);
}

describe('CA certificates kept beside a leaf-only .p12', () => {
  const leafOnly = { authorCert: author.leafOnlyP12, distributorCert: distributor.leafOnlyP12, ...pwOptions };

  it('without the CA, the run is refused naming the option and the missing issuer', () => {
    const e = thrownUserError(() => normalizeTizenOptions({ appDir: makeTvApp(tmp('app')), outputPath: tmp('o'), ...leafOnly }, '/', passwords));
    expect(e.option).toBe('authorCaCert');
    expect(e.message).toContain('the author certificate "Author Test Signer" was issued by CN = Author Test Intermediate CA, which is not in the .p12 and no authorCaCert was given');
    expect(e.message).toContain('tizen-developer-ca.cer');
    const d = thrownUserError(() => normalizeTizenOptions({ appDir: makeTvApp(tmp('app')), outputPath: tmp('o'), ...leafOnly, authorCaCert: author.caCer }, '/', passwords));
    expect(d.option).toBe('distributorCaCert');
    expect(d.message).toContain('issued by CN = Distributor Test Intermediate CA');
  });

  it('with the CA as a DER file and as PEM in an env var, the chain is leaf → CA and xmlsec1 verifies it against the root', async () => {
    const r = await packageWith({ ...leafOnly, authorCaCert: author.caCer, distributorCaCertEnv: 'DIST_CA' }, { ...passwords, DIST_CA: readFileSync(distributor.caPem, 'utf8') });
    expect(r.report.status).toBe('succeeded');
    expectChainVerifies(r.wgt);
    expect(r.normalized.author.label).toBe(`${author.leafOnlyP12} (Author Test Signer + 1 CA certificate)`);
    // KeyInfo is not signed: without the CA certificate in it, the same signature no longer verifies against the root.
    const dir = unzip(r.wgt);
    const file = join(dir, 'author-signature.xml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/(<\/X509Certificate>\n)<X509Certificate>\n[\s\S]*?<\/X509Certificate>\n/, '$1'));
    expect(keyInfo(readFileSync(file, 'utf8'))).toHaveLength(1);
    expect(xmlsecVerify(dir, 'author-signature.xml', author.rootPem).ok).toBe(false);
  });

  it('a CA in an env var as base64 DER is read too', () => {
    const o = normalizeTizenOptions({ appDir: makeTvApp(tmp('app')), outputPath: tmp('o'), ...leafOnly, authorCaCertEnv: 'AUTHOR_CA', distributorCaCert: distributor.caPem }, '/', { ...passwords, AUTHOR_CA: readFileSync(author.caCer).toString('base64') });
    expect(o.author.identity!.chain).toHaveLength(2);
  });

  it('a CA that did not issue the certificate is refused', () => {
    const e = thrownUserError(() => normalizeTizenOptions({ appDir: makeTvApp(tmp('app')), outputPath: tmp('o'), ...leafOnly, authorCaCert: author.caCer, distributorCaCert: author.caCer }, '/', passwords));
    expect(e.option).toBe('distributorCaCert');
    expect(e.message).toContain('is CN = Author Test Intermediate CA, which did not issue the distributor certificate "Distributor Test Signer"');
  });

  it('a CA file that is not a certificate, or a CA without its .p12, is refused', () => {
    const junk = join(tmp('junk'), 'ca.cer');
    writeFileSync(junk, 'not a certificate');
    const base = { appDir: makeTvApp(tmp('app')), outputPath: tmp('o') };
    expect(thrownUserError(() => normalizeTizenOptions({ ...base, ...leafOnly, authorCaCert: junk }, '/', passwords)).message).toMatch(/Option "authorCaCert": .*ca.cer is not an X.509 certificate/);
    expect(thrownUserError(() => normalizeTizenOptions({ ...base, authorCaCert: author.caCer, devCertificates: false }, '/', passwords)).message).toMatch(/Option "authorCaCert": is set but no author certificate is given/);
    expect(thrownUserError(() => normalizeTizenOptions({ ...base, ...leafOnly, authorCaCert: author.caCer, authorCaCertEnv: 'X' }, '/', passwords)).message).toMatch(/both authorCaCert and authorCaCertEnv/);
  });

  it('a .p12 holding the whole chain needs no CA option; its self-signed root is left out', () => {
    const identity = loadP12(readFileSync(author.p12), author.password);
    expect(identity.missingIssuer).toBeUndefined();
    expect(identity.chain.map((d) => d.toString('base64'))).toEqual([pem(join(author.dir, 'leaf.pem')), pem(author.caPem)]);
    // Giving the CA again changes nothing.
    expect(loadP12(readFileSync(author.p12), author.password, [readFileSync(author.caCer)]).chain).toEqual(identity.chain);
  });
});

describe("Tizen Studio's profiles.xml", () => {
  it('profilesXml + profile: the .p12 and CA paths come from the profile, passwords from env vars; xmlsec1 verifies', async () => {
    const home = tizenStudioHome();
    const profilesXml = join(home, 'tizen-studio-data/profile/profiles.xml');
    const r = await packageWith({ profilesXml, profile: 'tv', ...pwOptions }, passwords);
    expect(r.report.status).toBe('succeeded');
    expectChainVerifies(r.wgt);
    expect(r.normalized.author.label).toContain(`profile "tv" (${profilesXml}): `);
    expect(r.lines.join('\n')).toContain(`author: profile "tv" (${profilesXml})`);
  });

  it('a profile with no CA beside a leaf-only .p12 is refused, and authorCaCert completes it', () => {
    const home = tizenStudioHome();
    const profilesXml = join(home, 'tizen-studio-data/profile/profiles.xml');
    const base = { appDir: makeTvApp(tmp('app')), outputPath: tmp('o'), profilesXml, profile: 'no-ca', ...pwOptions };
    const e = thrownUserError(() => normalizeTizenOptions(base, '/', passwords));
    expect(e.option).toBe('authorCaCert');
    expect(e.message).toContain('which is not in the .p12, profile "no-ca" names no CA certificate for it (ca="") and no authorCaCert was given');
    expect(normalizeTizenOptions({ ...base, authorCaCert: author.caCer }, '/', passwords).author.identity!.chain).toHaveLength(2);
  });

  it('without any certificate option, uses the active profile of ~/tizen-studio-data/profile/profiles.xml and says so', async () => {
    const home = tizenStudioHome();
    const r = await packageWith(pwOptions, { ...passwords, HOME: home });
    expect(r.report.status).toBe('succeeded');
    expectChainVerifies(r.wgt);
    expect(r.normalized.author.label).toContain(`Tizen Studio's active profile "tv" (${join(home, 'tizen-studio-data/profile/profiles.xml')})`);
    const plan = formatPlan(buildTizenPlan(r.normalized), new Redactor(r.normalized.secrets));
    expect(plan).toContain("author: Tizen Studio's active profile \"tv\"");
  });

  it('relative paths in profiles.xml are read against its folder', () => {
    const dir = tmp('profile');
    copyFileSync(author.leafOnlyP12, join(dir, 'author.p12'));
    copyFileSync(author.caCer, join(dir, 'author-ca.cer'));
    copyFileSync(distributor.p12, join(dir, 'distributor.p12'));
    writeFileSync(join(dir, 'profiles.xml'), tizenProfilesXml([{ name: 'rel', author: { key: 'author.p12', ca: 'author-ca.cer' }, distributor: { key: 'distributor.p12' } }], 'rel'));
    const o = normalizeTizenOptions({ appDir: makeTvApp(tmp('app')), outputPath: tmp('o'), profilesXml: join(dir, 'profiles.xml'), ...pwOptions }, '/', passwords);
    expect(o.author.identity!.chain).toHaveLength(2);
    expect(o.author.label).toContain(join(dir, 'author.p12'));
  });

  it('the password profiles.xml stores is never used nor shown; a wrong one names authorPasswordEnv', async () => {
    const home = tizenStudioHome();
    const profilesXml = join(home, 'tizen-studio-data/profile/profiles.xml');
    const noPw = thrownUserError(() => normalizeTizenOptions({ appDir: makeTvApp(tmp('app')), outputPath: tmp('o'), profilesXml }, '/', {}));
    expect(noPw.option).toBe('authorPasswordEnv');
    expect(noPw.message).toContain('the password profiles.xml stores is encrypted and not read');
    expect(noPw.message).not.toContain(STORED_PASSWORD);
    const r = await packageWith({ profilesXml, ...pwOptions }, passwords);
    expect(r.normalized.secrets).toEqual(expect.arrayContaining([STORED_PASSWORD, author.password, distributor.password]));
    const everything = [formatPlan(buildTizenPlan(r.normalized), new Redactor(r.normalized.secrets)), ...r.lines, JSON.stringify(r.report)].join('\n');
    for (const secret of [STORED_PASSWORD, author.password, distributor.password, r.normalized.author.identity!.keyPem.split('\n')[1]]) expect(everything).not.toContain(secret);
  });

  it.each([
    [{ profile: 'nope' }, 'profile', /"nope" is not a profile of .*profiles.xml. Name one of its profiles: "tv", "no-ca"/],
    [{ authorCert: author.p12 }, 'profilesXml', /is set together with authorCert/],
    [{ devCertificates: true }, 'devCertificates', /is set together with profilesXml/],
  ])('%j → %s', (extra, option, message) => {
    const home = tizenStudioHome();
    const e = thrownUserError(() => normalizeTizenOptions({ appDir: makeTvApp(tmp('app')), outputPath: tmp('o'), profilesXml: join(home, 'tizen-studio-data/profile/profiles.xml'), ...pwOptions, ...extra }, '/', passwords));
    expect(e.option).toBe(option);
    expect(e.message).toMatch(message);
  });

  it('a profile file without an active profile, a missing .p12, or not a profiles.xml at all is refused', () => {
    const dir = tmp('bad');
    const base = { appDir: makeTvApp(tmp('app')), outputPath: tmp('o'), ...pwOptions };
    writeFileSync(join(dir, 'none-active.xml'), tizenProfilesXml([{ name: 'a', author: { key: author.p12 }, distributor: { key: distributor.p12 } }]));
    expect(thrownUserError(() => normalizeTizenOptions({ ...base, profilesXml: join(dir, 'none-active.xml') }, '/', passwords)).message).toMatch(/Option "profile": .* has no active profile. Name the profile to sign with; the file has: "a"/);
    writeFileSync(join(dir, 'missing.xml'), tizenProfilesXml([{ name: 'a', author: { key: '/nonexistent/author.p12' }, distributor: { key: distributor.p12 } }], 'a'));
    expect(thrownUserError(() => normalizeTizenOptions({ ...base, profilesXml: join(dir, 'missing.xml') }, '/', passwords)).message).toMatch(/Option "profilesXml": the author .p12 of profile "a", \/nonexistent\/author.p12, does not exist/);
    writeFileSync(join(dir, 'other.xml'), '<widget/>');
    expect(thrownUserError(() => normalizeTizenOptions({ ...base, profilesXml: join(dir, 'other.xml') }, '/', passwords)).message).toMatch(/has no <profiles> element/);
    writeFileSync(join(dir, 'author-only.xml'), tizenProfilesXml([{ name: 'a', author: { key: author.p12 } }], 'a'));
    expect(thrownUserError(() => normalizeTizenOptions({ ...base, profilesXml: join(dir, 'author-only.xml') }, '/', passwords)).message).toMatch(/Option "profile": profile "a" of .* has no distributor certificate/);
  });

  it('parses the three profile items, and tells when a second distributor is left out', () => {
    const parsed = parseTizenProfiles(
      '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<profiles active="samsung" version="3.1">\n<profile name="samsung">\n' +
        '<profileitem ca="/ca/author_ca.cer" distributor="0" key="/k/author.p12" password="/k/author.pwd" rootca=""/>\n' +
        '<profileitem ca="/ca/public2.crt" distributor="1" key="/k/distributor.p12" password="/k/distributor.pwd" rootca=""/>\n' +
        '<profileitem ca="" distributor="2" key="/k/partner.p12" password="" rootca=""/>\n</profile>\n</profiles>\n',
      '/home/u/tizen-studio-data/profile/profiles.xml',
    );
    expect(parsed).toEqual({
      path: '/home/u/tizen-studio-data/profile/profiles.xml',
      active: 'samsung',
      profiles: [{ name: 'samsung', author: { key: '/k/author.p12', ca: '/ca/author_ca.cer', storedPassword: '/k/author.pwd' }, distributor: { key: '/k/distributor.p12', ca: '/ca/public2.crt', storedPassword: '/k/distributor.pwd' }, secondDistributor: { key: '/k/partner.p12', ca: undefined, storedPassword: undefined } }],
    });
    const home = tizenStudioHome();
    const xmlPath = join(home, 'tizen-studio-data/profile/profiles.xml');
    writeFileSync(xmlPath, readFileSync(xmlPath, 'utf8').replace('distributor="2" key=""', `distributor="2" key="${distributor.p12}"`));
    const warnings: string[] = [];
    normalizeTizenOptions({ appDir: makeTvApp(tmp('app')), outputPath: tmp('o'), profilesXml: xmlPath, ...pwOptions }, '/', passwords, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual(['Profile "tv" has a second distributor certificate; shipfleet writes signature1.xml only and leaves it out']);
  });
});

describe('no certificates: an error, or development certificates when asked for', () => {
  it('with no certificate source at all, fails listing the ways to give certificates', () => {
    const e = thrownUserError(() => normalizeTizenOptions({ appDir: makeTvApp(tmp('app')), outputPath: tmp('o') }, '/', { HOME: tmp('empty-home') }));
    expect(e.option).toBe('authorCert');
    expect(e.message).toContain('no signing certificates are given, and no Tizen Studio profile was found');
    for (const way of ['profilesXml', 'authorCert or authorCertEnv', 'authorCaCert', '~/tizen-studio-data/profile/profiles.xml', 'devCertificates: true']) expect(e.message).toContain(way);
    expect(thrownUserError(() => normalizeTizenOptions({ appDir: makeTvApp(tmp('app')), outputPath: tmp('o'), profile: 'tv' }, '/', { HOME: tmp('empty-home') })).option).toBe('profile');
  });

  it('a dry run without any certificate shows them missing in the plan and warns; nothing is signed', () => {
    const warnings: string[] = [];
    const o = normalizeTizenOptions({ appDir: makeTvApp(tmp('app')), outputPath: tmp('o'), dryRun: true }, '/', { HOME: tmp('empty-home') }, { warn: (m) => warnings.push(m) });
    expect(o.author.label).toBe('<no author certificate given: a real run fails until one is>');
    expect(o.distributor.label).toBe('<no distributor certificate given: a real run fails until one is>');
    expect(warnings).toEqual([expect.stringContaining('No signing certificates are given and no Tizen Studio profile was found: a real run stops here')]);
    // The plan itself refuses to sign with nothing, should it ever be run.
    expect(thrownUserError(() => loadSigningIdentities(o, () => undefined)).option).toBe('authorCert');
  });

  it('an author certificate without a distributor certificate is refused, release or not', () => {
    const o = { appDir: makeTvApp(tmp('app')), outputPath: tmp('o'), authorCert: author.p12, authorPasswordEnv: 'AUTHOR_PW' };
    expect(thrownUserError(() => normalizeTizenOptions(o, '/', passwords)).message).toMatch(/Option "distributorCert": an author certificate is given but no distributor certificate/);
    expect(thrownUserError(() => normalizeTizenOptions({ ...o, release: true }, '/', passwords)).message).toMatch(/Option "distributorCert": a release needs a distributor certificate/);
  });

  it('devCertificates signs with a self-signed pair and says in one line what it is good for', async () => {
    const r = await packageWith({ devCertificates: true }, {});
    expect(r.report.status).toBe('succeeded');
    expect(r.lines.filter((l) => l.includes(DEV_CERTIFICATES_NOTICE))).toHaveLength(1);
    expect(DEV_CERTIFICATES_NOTICE).toBe('self-signed development certificates: checks the package structure only; no TV, emulator or store accepts them');
    // Self-signed: no Tizen root verifies it.
    expect(xmlsecVerify(unzip(r.wgt), 'author-signature.xml', author.rootPem).ok).toBe(false);
  });

  it('devCertificates is refused for a release and next to certificates', () => {
    const base = { appDir: makeTvApp(tmp('app')), outputPath: tmp('o'), devCertificates: true };
    expect(thrownUserError(() => normalizeTizenOptions({ ...base, release: true }, '/', {})).message).toMatch(/Option "devCertificates": a release cannot be signed with self-signed development certificates/);
    expect(thrownUserError(() => normalizeTizenOptions({ ...base, authorCert: author.p12 }, '/', {})).message).toMatch(/Option "devCertificates": is set together with authorCert/);
  });
});
