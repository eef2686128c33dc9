import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gunzipSync } from 'zlib';
import { makeTvApp, WEBOS_APPINFO } from '../../../tools/tv-fixtures';
import { AppFile, generateDevIdentity, listAppFiles, loadP12, writeIpk, writeWgt } from './index';

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `shipfleet-app-files-${prefix}-`));
const SECRET = 'outside-secret-7f3a9c1e-never-packed';
const identity = loadP12(generateDevIdentity('Packager', 'author'), '');
const signers = { author: identity, distributor: identity };

/** An app listed, then one of its files replaced by `swap` before packaging. */
function listedThenSwapped(swap: (file: string) => void): { files: AppFile[]; out: string } {
  const dir = makeTvApp(tmp('app'));
  const files = listAppFiles(dir);
  swap(join(dir, 'js/main.js'));
  return { files, out: join(tmp('out'), 'app.pkg') };
}

function toSecretLink(file: string): void {
  const secret = join(tmp('outside'), 'credentials.txt');
  writeFileSync(secret, SECRET);
  rmSync(file);
  symlinkSync(secret, file);
}

/** Every byte left in the output folder, packages and leftovers alike, decompressed where gzip. */
function outputBytes(out: string): string {
  const dir = join(out, '..');
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const data = readFileSync(join(e.parentPath, e.name));
      return data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data).toString('latin1') : data.toString('latin1');
    })
    .join('');
}

describe('packaging the listed files', () => {
  it('lists each file with the identity it had (device and inode)', () => {
    const files = listAppFiles(makeTvApp(tmp('app')));
    for (const f of files) expect(f).toEqual({ path: f.path, absolute: f.absolute, size: f.size, dev: expect.any(Number), ino: expect.any(Number) });
  });

  it.each([
    ['.wgt', (files: AppFile[], out: string) => writeWgt(files, out, signers)],
    ['.ipk', (files: AppFile[], out: string) => writeIpk(JSON.parse(WEBOS_APPINFO), files, out)],
  ])('%s: a file swapped for a symbolic link after listing is refused, and what it points to is not packed', async (_kind, write) => {
    const { files, out } = listedThenSwapped(toSecretLink);
    await expect(write(files, out)).rejects.toThrow(/js\/main\.js .*symbolic link/);
    expect(existsSync(out)).toBe(false);
    expect(outputBytes(out)).not.toContain(SECRET);
  });

  it.each([
    ['.wgt', (files: AppFile[], out: string) => writeWgt(files, out, signers)],
    ['.ipk', (files: AppFile[], out: string) => writeIpk(JSON.parse(WEBOS_APPINFO), files, out)],
  ])('%s: a file replaced by another one after listing is refused', async (_kind, write) => {
    const { files, out } = listedThenSwapped((file) => {
      writeFileSync(`${file}.new`, 'document.title = "ready";\n');
      renameSync(`${file}.new`, file);
    });
    await expect(write(files, out)).rejects.toThrow(/js\/main\.js changed after the app folder was listed/);
    expect(existsSync(out)).toBe(false);
  });

  it('packages untouched listed files as before', async () => {
    const dir = makeTvApp(tmp('app'));
    const out = join(tmp('out'), 'app.wgt');
    const r = await writeWgt(listAppFiles(dir), out, signers);
    expect(r.files).toBe(listAppFiles(dir).length);
    expect(readFileSync(out).includes(Buffer.from('js/main.js'))).toBe(true);
  });
});
