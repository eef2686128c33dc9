import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { detectDeploymentSource, hashFiles, listDeploymentFiles, LocalFile, VercelClient } from './index';
import { makeDir, newToken, sha1, startVercelApi, VercelApi } from './__fixtures__/helpers';

const SECRET = 'outside-secret-5b2d8e4f-never-uploaded';

/** A file outside the deployed folder, holding SECRET. */
function outsideSecret(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'shipfleet-vercel-outside-')), 'credentials.txt');
  writeFileSync(path, SECRET);
  return path;
}

function swapForLink(path: string): void {
  rmSync(path);
  symlinkSync(outsideSecret(), path);
}

function listed(): { dir: string; files: LocalFile[]; app: LocalFile } {
  const dir = makeDir({ 'index.html': '<!doctype html><h1>home</h1>', 'assets/app.js': 'console.log("app");\n' });
  const files = listDeploymentFiles(detectDeploymentSource(dir));
  return { dir, files, app: files.find((f) => f.file === 'assets/app.js')! };
}

describe('reading the listed files', () => {
  it('records the identity (device and inode) of each file listed', () => {
    for (const f of listed().files) expect(f).toMatchObject({ dev: expect.any(Number), ino: expect.any(Number) });
  });

  it('a file swapped for a symbolic link after listing is refused when hashed, naming the file', async () => {
    const { files, app } = listed();
    swapForLink(app.path);
    const err = await hashFiles(files).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/assets\/app\.js changed after it was listed \(it is now a symbolic link\)/);
    expect(err.message).not.toContain(SECRET);
  });

  it('a file replaced by another one after listing is refused when hashed', async () => {
    const { files, app } = listed();
    writeFileSync(`${app.path}.new`, 'console.log("other");\n');
    renameSync(`${app.path}.new`, app.path);
    await expect(hashFiles(files)).rejects.toThrow(/assets\/app\.js changed after it was listed \(another file took its place\)/);
  });

  it('hashes untouched files from the descriptor it opened', async () => {
    const { files } = listed();
    const hashed = await hashFiles(files);
    expect(hashed.find((f) => f.file === 'assets/app.js')).toMatchObject({ sha: sha1('console.log("app");\n'), size: 20 });
  });

  describe('uploads', () => {
    let api: VercelApi;
    let token: string;
    beforeEach(async () => {
      token = newToken();
      api = await startVercelApi({ token });
    });
    afterEach(() => api.close());

    it('a file swapped for a symbolic link after hashing is refused, and what it points to is never sent', async () => {
      const { files } = listed();
      const app = (await hashFiles(files)).find((f) => f.file === 'assets/app.js')!;
      swapForLink(app.path);
      const client = new VercelClient({ apiUrl: api.url, token, retry: { delayMs: 5 } });
      const err: Error = await client.uploadFile(app).then(() => new Error('uploaded'), (e: Error) => e);
      expect(err.message).toMatch(/^POST \/v2\/files failed: could not read the file to send: assets\/app\.js changed after it was listed \(it is now a symbolic link\)/);
      expect([...api.files.values()].some((b) => b.toString().includes(SECRET))).toBe(false);
      expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    });

    it('uploads an untouched file', async () => {
      const { files } = listed();
      const app = (await hashFiles(files)).find((f) => f.file === 'assets/app.js')!;
      await new VercelClient({ apiUrl: api.url, token }).uploadFile(app);
      expect(api.files.get(app.sha)?.toString()).toBe('console.log("app");\n');
    });
  });
});
