import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { UserError } from '@shipfleet/core';
import { makeCertChain, makeTvApp, unzipInto, xmlsecVerify } from '../../../tools/tv-fixtures';
import { APP_FILE_NAME_RULE, checkWgt, compareReferenceUris, DigestAlgorithm, listAppFiles, loadP12, pathFromReferenceUri, referenceUri, WgtSigners, writeWgt } from './index';

const author = makeCertChain('Author', 'author-pass');
const distributor = makeCertChain('Distributor', 'dist-pass');
const signers: WgtSigners = {
  author: loadP12(readFileSync(author.p12), author.password),
  distributor: loadP12(readFileSync(distributor.p12), distributor.password),
};
const made: string[] = [];
const tmp = (p: string) => {
  const dir = mkdtempSync(join(tmpdir(), `shipfleet-sigfmt-${p}-`));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of [...made, author.dir, distributor.dir]) rmSync(dir, { recursive: true, force: true });
});

const unzip = (wgt: string): string => unzipInto(wgt, tmp('unzipped'));

async function pack(app: string, digest?: DigestAlgorithm): Promise<string> {
  const out = join(tmp('out'), 'app.wgt');
  await writeWgt(listAppFiles(app), out, signers, { digest });
  return out;
}

const uris = (xml: string) => [...xml.matchAll(/<Reference URI="([^"]*)">/g)].map((m) => m[1]);

describe('reference URIs', () => {
  it('are the whole relative path through encodeURIComponent, as Samsung\'s signers write them', () => {
    expect(referenceUri('css/style.css')).toBe('css%2Fstyle.css');
    expect(referenceUri('images/tizen_32.png')).toBe('images%2Ftizen_32.png');
    expect(referenceUri("a!'()*-_.~b")).toBe("a!'()*-_.~b");
    expect(referenceUri('my style #1?&.css')).toBe('my%20style%20%231%3F%26.css');
    expect(referenceUri('vidéo/日本.js')).toBe('vid%C3%A9o%2F%E6%97%A5%E6%9C%AC.js');
  });

  it('decode back to the path; malformed percent-encoding names no path', () => {
    for (const p of ['css/style.css', 'vidéo/日本 🎬.js', "!'()*%", 'a+b=c']) expect(pathFromReferenceUri(referenceUri(p))).toBe(p);
    expect(pathFromReferenceUri('a%2')).toBeUndefined();
    expect(pathFromReferenceUri('%C3')).toBeUndefined();
  });

  it('are ordered as Tizen Studio orders them: by encoded URI, byte by byte', () => {
    const paths = ['index.html', 'images/ATN.png', 'NOTICE', 'author-signature.xml', 'icon.png', 'images/Asian_TV_Logo.svg', 'AUTHORS', 'config.xml', 'LICENSE.Flora'];
    expect(paths.map(referenceUri).sort(compareReferenceUris)).toEqual([
      'AUTHORS',
      'LICENSE.Flora',
      'NOTICE',
      'author-signature.xml',
      'config.xml',
      'icon.png',
      'images%2FATN.png',
      'images%2FAsian_TV_Logo.svg',
      'index.html',
    ]);
  });

  it('the packager writes them so: author-signature.xml sorted among the files of the distributor signature', async () => {
    const app = makeTvApp(tmp('app'));
    writeFileSync(join(app, 'AUTHORS'), 'me\n');
    writeFileSync(join(app, 'css/a-b.css'), '');
    const dir = unzip(await pack(app));
    const authorUris = uris(readFileSync(join(dir, 'author-signature.xml'), 'utf8'));
    const distUris = uris(readFileSync(join(dir, 'signature1.xml'), 'utf8'));
    const files = ['AUTHORS', 'appinfo.json', 'assets%2Fdata%2Flevels.json', 'config.xml', 'css%2Fa-b.css', 'css%2Fmy%20style.css', 'icon.png', 'index.html', 'js%2Fmain.js'];
    expect(authorUris).toEqual([...files, '#prop']);
    expect(distUris).toEqual(['AUTHORS', 'appinfo.json', 'assets%2Fdata%2Flevels.json', 'author-signature.xml', ...files.slice(3), '#prop']);
  });
});

describe('digest algorithm', () => {
  const app = makeTvApp(tmp('app'));

  it.each([
    ['sha512', 'http://www.w3.org/2001/04/xmlenc#sha512', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512'],
    ['sha256', 'http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'],
  ] as const)('%s: every DigestMethod, the #prop digest and the SignatureMethod follow it; xmlsec1 verifies both signatures against their roots', async (digest, digestUri, signatureUri) => {
    const wgt = await pack(app, digest);
    const dir = unzip(wgt);
    for (const [file, root] of [['author-signature.xml', author.rootPem], ['signature1.xml', distributor.rootPem]]) {
      const xml = readFileSync(join(dir, file), 'utf8');
      const methods = [...xml.matchAll(/<DigestMethod Algorithm="([^"]*)">/g)].map((m) => m[1]);
      expect(methods.length).toBe(uris(xml).length);
      expect(new Set(methods)).toEqual(new Set([digestUri]));
      expect(xml).toContain(`<SignatureMethod Algorithm="${signatureUri}"></SignatureMethod>`);
      const result = xmlsecVerify(dir, file, root);
      expect(result.output).toMatch(/^OK/m);
      expect(result.ok).toBe(true);
    }
    expect(await checkWgt(wgt)).toEqual({ ok: true, problems: [], files: 9, digests: [digest] });
  });

  it('SHA-512 is the default; digest values are wrapped at 76 characters as Tizen Studio wraps them', async () => {
    const xml = readFileSync(join(unzip(await pack(app)), 'author-signature.xml'), 'utf8');
    expect(xml).toContain('xmlenc#sha512');
    const values = [...xml.matchAll(/<DigestValue>([^<]*)<\/DigestValue>/g)].map((m) => m[1]);
    for (const v of values) expect(v).toMatch(/^[A-Za-z0-9+/]{76}\n[A-Za-z0-9+/]{10}==$/);
  });

  it('the #prop objects digest to the same SHA-512 values as in every Tizen Studio package (they depend only on the role)', async () => {
    const dir = unzip(await pack(app));
    const propDigest = (file: string) => /<Reference URI="#prop">[\s\S]*?<DigestValue>([^<]*)</.exec(readFileSync(join(dir, file), 'utf8'))![1].replace(/\n/g, '');
    expect(propDigest('author-signature.xml')).toBe('aXbSAVgmAz0GsBUeZ1UmNDRrxkWhDUVGb45dZcNRq429wX3X+x6kaXT3NdNDTSNVTU+ypkysPMGvQY10fG1EWQ==');
    expect(propDigest('signature1.xml')).toBe('/r5npk2VVA46QFJnejgONBEh4BWtjrtu9x/IFeLksjWyGmB/cMWKSJWQl7aU3YRQRZ3AesG8gF7qGyvKX9Snig==');
  });
});

describe('file names', () => {
  /** Every character the rule calls fine: all of printable ASCII but '/' (a separator), all of the BMP past the refused controls, samples beyond it. */
  function acceptedNames(): string[] {
    const chars: string[] = [];
    for (let c = 0x20; c <= 0x7e; c++) if (c !== 0x2f && c !== 0x5c) chars.push(String.fromCharCode(c));
    for (let c = 0xa0; c <= 0xffff; c++) if (c < 0xd800 || c > 0xdfff) chars.push(String.fromCharCode(c));
    chars.push('🎬', '𝄞', '\u{10FFFD}');
    // Names of at most 60 characters (≤ 240 bytes), none starting with '.', which would be a hidden file.
    const names: string[] = [];
    for (let i = 0; i < chars.length; i += 60) names.push(`n${chars.slice(i, i + 60).join('')}`);
    return names;
  }

  it(`accept ${APP_FILE_NAME_RULE}: packed with UTF-8 flagged names, percent-encoded UTF-8 URIs, verified by xmlsec1 and the check`, async () => {
    const app = makeTvApp(tmp('app'));
    const names = acceptedNames();
    mkdirSync(join(app, 'ünïcode dir'));
    for (const name of names) writeFileSync(join(app, 'ünïcode dir', name), name);
    const listed = listAppFiles(app).map((f) => f.path);
    for (const name of names) expect(listed).toContain(`ünïcode dir/${name}`);
    const wgt = await pack(app);
    expect(await checkWgt(wgt)).toMatchObject({ ok: true, problems: [] });
    const dir = unzip(wgt);
    expect(readFileSync(join(dir, 'ünïcode dir', names[1]), 'utf8')).toBe(names[1]);
    const xml = readFileSync(join(dir, 'author-signature.xml'), 'utf8');
    expect(xml).toContain(`<Reference URI="${referenceUri(`ünïcode dir/${names[5]}`)}">`);
    expect(uris(xml).every((u) => /^[A-Za-z0-9%!'()*._~#-]+$/.test(u))).toBe(true);
    expect(xmlsecVerify(dir, 'author-signature.xml', author.rootPem).ok).toBe(true);
    expect(xmlsecVerify(dir, 'signature1.xml', distributor.rootPem).ok).toBe(true);
    // General purpose flag bit 11 (UTF-8) on non-ASCII names, in local headers; ASCII names keep flags 0.
    const zip = readFileSync(wgt);
    const flagsOf = (name: string) => zip.readUInt16LE(zip.indexOf(Buffer.from(name)) - 30 + 6);
    expect(flagsOf(`ünïcode dir/${names[10]}`)).toBe(0x800);
    expect(flagsOf('config.xml')).toBe(0);
  });

  it.each([
    ['a\u0001b.js', 'the control character U+0001'],
    ['tab\t.js', 'the control character U+0009'],
    ['a\u001fb.js', 'the control character U+001F'],
    ['del\u007f.js', 'the control character U+007F'],
    ['next\u0085line.js', 'the control character U+0085'],
    ['c1\u009f.js', 'the control character U+009F'],
    ['back\\slash.js', 'a backslash'],
  ])('refuse %j (%s), naming exactly the characters that are accepted', (name, what) => {
    const app = makeTvApp(tmp('app'));
    writeFileSync(join(app, 'js', name), '');
    let error: unknown;
    try {
      listAppFiles(app);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(`${JSON.stringify(`js/${name}`).slice(1, -1)} has a name holding ${what}`);
    expect((error as UserError).message).toContain(`Rename it: names may hold ${APP_FILE_NAME_RULE}`);
  });

  it('refuse a name that is not UTF-8', () => {
    const app = makeTvApp(tmp('app'));
    writeFileSync(Buffer.concat([Buffer.from(join(app, 'js/latin1-')), Buffer.from([0xe9]), Buffer.from('.js')]), '');
    expect(() => listAppFiles(app)).toThrow(/js\/latin1-\uFFFD\.js has a name that is not valid UTF-8/);
  });
});
