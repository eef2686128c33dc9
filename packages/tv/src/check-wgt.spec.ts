import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { memoryLogger, runPlan, UserError } from '@shipfleet/core';
import { makeCertChain, makeTvApp } from '../../../tools/tv-fixtures';
import { buildVerifyWgtPlan, checkWgt, checkWidgetDir, checkWrittenWgtStep, listAppFiles, loadP12, WgtSigners, writeWgt } from './index';
import { crc32, ZipWriter } from './zip-writer';
import { ZipReader } from './zip-reader';

const author = makeCertChain('Author', 'author-pass');
const distributor = makeCertChain('Distributor', 'dist-pass');
const signers: WgtSigners = {
  author: loadP12(readFileSync(author.p12), author.password),
  distributor: loadP12(readFileSync(distributor.p12), distributor.password),
};
const made: string[] = [];
const tmp = (p: string) => {
  const dir = mkdtempSync(join(tmpdir(), `shipfleet-checkwgt-${p}-`));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of [...made, author.dir, distributor.dir]) rmSync(dir, { recursive: true, force: true });
});

let wgt: string;
beforeAll(async () => {
  wgt = join(tmp('out'), 'TvApp.wgt');
  await writeWgt(listAppFiles(makeTvApp(tmp('app'))), wgt, signers);
});

/** A copy of `wgt` with entries changed, left out or added (stored, as any ZIP tool may write them). */
async function rewrite(edit: (name: string, data: Buffer) => Buffer | undefined, add: Record<string, string> = {}): Promise<string> {
  const zip = await ZipReader.open(wgt);
  const out = join(tmp('copy'), 'TvApp.wgt');
  const writer = new ZipWriter(out);
  const put = (name: string, data: Buffer) => writer.add({ name, data, crc: crc32(data), size: data.length, stored: true });
  for (const entry of zip.entries) {
    const data = edit(entry.name, await zip.read(entry));
    if (data) await put(entry.name, data);
  }
  for (const [name, text] of Object.entries(add)) await put(name, Buffer.from(text));
  await writer.close();
  await zip.close();
  return out;
}

function flipByte(data: Buffer, at = Math.floor(data.length / 2)): Buffer {
  const copy = Buffer.from(data);
  copy[at] ^= 1;
  return copy;
}

describe('checkWgt', () => {
  it('accepts the package as written: every file referenced by both signatures, digests and signature values right', async () => {
    expect(await checkWgt(wgt)).toEqual({ ok: true, problems: [], files: 9, digests: ['sha512'] });
  });

  it('rejects one byte changed in a file', async () => {
    const bad = await rewrite((name, data) => (name === 'js/main.js' ? flipByte(data) : data));
    expect((await checkWgt(bad)).problems).toEqual(['author-signature.xml: the SHA-512 digest of js/main.js does not match', 'signature1.xml: the SHA-512 digest of js/main.js does not match']);
  });

  it('rejects an added file, and an added dotfile, which a TV refuses as unsigned', async () => {
    const added = await rewrite((_, d) => d, { 'js/injected.js': 'steal()' });
    expect((await checkWgt(added)).problems).toEqual(['author-signature.xml does not reference js/injected.js', 'signature1.xml does not reference js/injected.js']);
    const dotfile = await rewrite((_, d) => d, { '.env': 'TOKEN=1' });
    expect((await checkWgt(dotfile)).problems).toEqual(['author-signature.xml does not reference .env', 'signature1.xml does not reference .env']);
  });

  it('rejects a reference to a file the package lacks, and a missing signature file', async () => {
    const lacking = await rewrite((name, data) => (name === 'css/my style.css' ? undefined : data));
    expect((await checkWgt(lacking)).problems).toEqual(['author-signature.xml references css/my style.css, which is not in the package', 'signature1.xml references css/my style.css, which is not in the package']);
    const noDist = await rewrite((name, data) => (name === 'signature1.xml' ? undefined : data));
    expect((await checkWgt(noDist)).problems).toEqual(['signature1.xml is missing']);
    const noAuthor = await rewrite((name, data) => (name === 'author-signature.xml' ? undefined : data));
    expect((await checkWgt(noAuthor)).problems).toEqual(['author-signature.xml is missing', 'signature1.xml references author-signature.xml, which is not in the package']);
  });

  it('rejects a changed signature value, a changed author signature, and a changed #prop object', async () => {
    const value = await rewrite((name, data) => (name === 'signature1.xml' ? Buffer.from(data.toString().replace(/<SignatureValue>\n(.)/, (_, c) => `<SignatureValue>\n${c === 'A' ? 'B' : 'A'}`)) : data));
    expect((await checkWgt(value)).problems).toEqual(['signature1.xml: the signature value does not verify with the first certificate in KeyInfo']);
    const authorSig = await rewrite((name, data) => (name === 'author-signature.xml' ? Buffer.from(data.toString().replace('<KeyInfo>', '<KeyInfo>\n')) : data));
    expect((await checkWgt(authorSig)).problems).toEqual(['signature1.xml: the SHA-512 digest of author-signature.xml does not match']);
    const prop = await rewrite((name, data) => (name === 'author-signature.xml' ? Buffer.from(data.toString().replace('<dsp:Identifier></dsp:Identifier>', '<dsp:Identifier>x</dsp:Identifier>')) : data));
    expect((await checkWgt(prop)).problems).toEqual(['author-signature.xml: the digest of #prop does not match', 'signature1.xml: the SHA-512 digest of author-signature.xml does not match']);
  });

  it('rejects a distributor signature swapped in as the author signature', async () => {
    let dist: Buffer | undefined;
    await rewrite((name, data) => (name === 'signature1.xml' ? (dist = data) : data));
    const swapped = await rewrite((name, data) => (name === 'author-signature.xml' ? dist : data));
    expect((await checkWgt(swapped)).problems).toEqual([
      'author-signature.xml declares the distributor role; an author signature declares role-author',
      'author-signature.xml: the SHA-512 digest of author-signature.xml does not match',
      'signature1.xml: the SHA-512 digest of author-signature.xml does not match',
    ]);
  });

  it('reports damaged bytes and files that are not packages, without throwing', async () => {
    const raw = readFileSync(wgt);
    const damaged = join(tmp('raw'), 'TvApp.wgt');
    // The first entry's data starts after its 30-byte local header and name.
    writeFileSync(damaged, flipByte(raw, 30 + 'appinfo.json'.length + 5));
    expect((await checkWgt(damaged)).problems).toEqual([expect.stringMatching(/^(appinfo\.json: (CRC-32 does not match|the compressed data is damaged.*))$/)]);
    const notZip = join(tmp('raw'), 'x.wgt');
    writeFileSync(notZip, 'hello');
    expect(await checkWgt(notZip)).toEqual({ ok: false, problems: [`${notZip} cannot be read as a package: not a ZIP file (too short)`], files: 0, digests: [] });
    expect((await checkWgt(join(tmp('none'), 'missing.wgt'))).problems[0]).toMatch(/the file does not exist$/);
  });

  it('an SHA-256 package passes too', async () => {
    const out = join(tmp('out'), 'TvApp.wgt');
    await writeWgt(listAppFiles(makeTvApp(tmp('app'))), out, signers, { digest: 'sha256' });
    expect(await checkWgt(out)).toEqual({ ok: true, problems: [], files: 9, digests: ['sha256'] });
  });
});

describe('checkWidgetDir', () => {
  function unzip(file: string): string {
    const dir = tmp('unzipped');
    const r = spawnSync('unzip', ['-q', file, '-d', dir]);
    if (r.status !== 0) throw new Error(String(r.stderr));
    return dir;
  }

  it('accepts the unpacked package, and rejects a dotfile or a changed file in it', async () => {
    const dir = unzip(wgt);
    expect(await checkWidgetDir(dir)).toEqual({ ok: true, problems: [], files: 9, digests: ['sha512'] });
    writeFileSync(join(dir, 'js/.cache'), '1');
    writeFileSync(join(dir, 'index.html'), 'changed');
    expect((await checkWidgetDir(dir)).problems).toEqual([
      'author-signature.xml: the SHA-512 digest of index.html does not match',
      'author-signature.xml does not reference js/.cache',
      'signature1.xml: the SHA-512 digest of index.html does not match',
      'signature1.xml does not reference js/.cache',
    ]);
  });
});

describe('package-tizen steps', () => {
  it('the check after writing passes a good package and logs what it checked', async () => {
    const { logger, lines } = memoryLogger();
    const report = await runPlan({ title: 't', steps: [checkWrittenWgtStep(wgt)] }, { logger, handleSignals: false });
    expect(report.status).toBe('succeeded');
    expect(lines.join('\n')).toContain('TvApp.wgt: 9 files, every one signed by both signatures (sha512 digests)');
  });

  it('a package that fails the check fails the run and is removed', async () => {
    const bad = await rewrite((_, d) => d, { '.DS_Store': 'x' });
    const { logger, lines } = memoryLogger();
    const report = await runPlan({ title: 't', steps: [checkWrittenWgtStep(bad)] }, { logger, handleSignals: false });
    expect(report.status).toBe('failed');
    expect(lines.join('\n')).toContain('author-signature.xml does not reference .DS_Store');
    expect(lines.join('\n')).toContain('The package was removed: a TV would refuse to install it.');
    expect(existsSync(bad)).toBe(false);
  });

  it('--verify checks the given file and packages nothing; a bad file fails listing its problems, and stays', async () => {
    const root = tmp('ws');
    const good = buildVerifyWgtPlan(wgt, root);
    expect(good.steps.map((s) => s.title)).toEqual([`Check ${wgt}`]);
    const ok = await runPlan(good, { logger: memoryLogger().logger, handleSignals: false });
    expect(ok.status).toBe('succeeded');
    const bad = await rewrite((name, data) => (name === 'icon.png' ? flipByte(data) : data));
    const { logger, lines } = memoryLogger();
    const failed = await runPlan(buildVerifyWgtPlan(bad, root), { logger, handleSignals: false });
    expect(failed.status).toBe('failed');
    expect(lines.join('\n')).toContain('failed its check with 2 problems:\n  - author-signature.xml: the SHA-512 digest of icon.png does not match');
    expect(existsSync(bad)).toBe(true);
    expect(() => buildVerifyWgtPlan('nope.wgt', root)).toThrow(UserError);
    expect(() => buildVerifyWgtPlan('nope.wgt', root)).toThrow(/Option "verify": .*nope\.wgt does not exist/);
  });
});
