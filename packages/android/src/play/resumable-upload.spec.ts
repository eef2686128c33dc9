import { randomBytes } from 'crypto';
import { writeFileSync } from 'fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { join } from 'path';
import { formatBytes } from '@shipfleet/core';
import { tempDir } from './__fixtures__/artefacts';
import { CHUNK_GRANULARITY, newEditState, nextOffset, parseTrack, PlayClient, uploadDeobfuscationFiles, uploadFile } from './index';

const t = tempDir('shipfleet-play-resumable-');
afterAll(() => t.cleanup());

interface Seen { method: string; url: string; range?: string; bytes: number }

/**
 * A resumable upload endpoint as Google runs one: POST ?uploadType=resumable
 * opens a session (Location), PUTs with Content-Range add bytes (308 with
 * Range until complete, then 200 with the resource), `bytes *\/total` asks
 * for the state. `failChunk` answers the n-th data PUT with a 503 after
 * keeping half of it, as a server that crashed mid-request may.
 */
async function resumableServer(failChunks: number[] = []) {
  const seen: Seen[] = [];
  let received = Buffer.alloc(0);
  let dataPuts = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const range = req.headers['content-range'] as string | undefined;
      seen.push({ method: req.method!, url: req.url!, range, bytes: body.length });
      if (req.method === 'POST') {
        res.writeHead(200, { location: `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload/session?upload_id=s1` }).end();
        return;
      }
      const total = Number(/\/(\d+)$/.exec(range ?? '')?.[1]);
      const state = () => (received.length >= total ? res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ versionCode: 7, sha256: 'x', size: received.length })) : res.writeHead(308, received.length ? { range: `bytes=0-${received.length - 1}` } : {}).end());
      if (range?.startsWith('bytes */')) return state();
      dataPuts++;
      const start = Number(/bytes (\d+)-/.exec(range!)![1]);
      if (start !== received.length) {
        res.writeHead(400).end(JSON.stringify({ error: { code: 400, message: `expected offset ${received.length}, got ${start}` } }));
        return;
      }
      if (failChunks.includes(dataPuts)) {
        received = Buffer.concat([received, body.subarray(0, CHUNK_GRANULARITY / 2)]);
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 503, message: 'Backend Error' } }));
        return;
      }
      received = Buffer.concat([received, body]);
      state();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, received: () => received, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const client = (url: string) => new PlayClient({ apiUrl: url, packageName: 'com.acme.app', auth: { accessToken: async () => 'ya29.test-access-token' }, retry: { delayMs: 5, maxDelayMs: 20, attempts: 3 }, timeoutMs: 10_000 });

describe('resumable upload', () => {
  const file = join(t.dir, 'app.aab');
  const content = randomBytes(CHUNK_GRANULARITY * 3 + 1000);
  writeFileSync(file, content);

  it('sends chunks with Content-Range and reports progress up to 100 %', async () => {
    const s = await resumableServer();
    try {
      const lines: string[] = [];
      const answer = await uploadFile<{ versionCode: number }>(client(s.url), { call: 'edits.bundles.upload', url: `${s.url}/upload/x/bundles`, file, size: content.length, chunkSize: CHUNK_GRANULARITY, log: (l) => lines.push(l), progressIntervalMs: 0 });
      expect(answer.versionCode).toBe(7);
      expect(s.received().equals(content)).toBe(true);
      expect(s.seen.map((r) => r.range)).toEqual([undefined, `bytes 0-262143/${content.length}`, `bytes 262144-524287/${content.length}`, `bytes 524288-786431/${content.length}`, `bytes 786432-787431/${content.length}`]);
      expect(s.seen[0].url).toBe('/upload/x/bundles?uploadType=resumable');
      // Each chunk's progress (no interval here), then the final line with how long it took.
      expect(lines).toContain(`edits.bundles.upload: 256 KiB of ${formatBytes(content.length)} (33%)`);
      expect(lines).toContain(`edits.bundles.upload: 768 KiB of ${formatBytes(content.length)} (99%)`);
      expect(lines[lines.length - 1]).toMatch(/^edits\.bundles\.upload: 769 KiB of 769 KiB \(100%\) · \d+m?s$/);
    } finally {
      await s.close();
    }
  });

  it('after a failed chunk asks the session where it is and resumes there', async () => {
    const s = await resumableServer([2, 3]);
    try {
      const lines: string[] = [];
      await uploadFile(client(s.url), { call: 'edits.bundles.upload', url: `${s.url}/upload/x/bundles`, file, size: content.length, chunkSize: CHUNK_GRANULARITY, log: (l) => lines.push(l), progressIntervalMs: 0 });
      expect(s.received().equals(content)).toBe(true);
      expect(s.seen.filter((r) => r.range === `bytes */${content.length}`)).toHaveLength(2);
      expect(lines.join('\n')).toMatch(/the chunk at byte 262144 failed \(503 Backend Error\); asking the session how much it has/);
      expect(lines.join('\n')).toContain(`resuming at byte ${CHUNK_GRANULARITY + CHUNK_GRANULARITY / 2}`);
    } finally {
      await s.close();
    }
  });

  it('gives up after the policy\'s attempts in a row', async () => {
    const s = await resumableServer([1, 2, 3, 4]);
    try {
      await expect(uploadFile(client(s.url), { call: 'edits.bundles.upload', url: `${s.url}/upload/x/bundles`, file, size: content.length, chunkSize: CHUNK_GRANULARITY, log: () => undefined })).rejects.toThrow(/edits\.bundles\.upload failed: 503: the chunk at byte \d+ failed 3 times in a row; last: 503 Backend Error/);
    } finally {
      await s.close();
    }
  });

  it('reads the Range of a 308', () => {
    expect(nextOffset('bytes=0-262143')).toBe(262144);
    expect(nextOffset(undefined)).toBe(0);
  });
});

describe('deobfuscation files', () => {
  it('go to edits/{editId}/apks/{versionCode}/deobfuscationFiles/{proguard|nativeCode} as media uploads', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${req.headers['content-length']}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"deobfuscationFile":{"symbolType":"proguard"}}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      writeFileSync(join(t.dir, 'mapping.txt'), 'com.acme.App -> a:\n');
      writeFileSync(join(t.dir, 'native-debug-symbols.zip'), randomBytes(100));
      const lines: string[] = [];
      await uploadDeobfuscationFiles(client(url), { ...newEditState(), editId: 'e1', versionCode: 42 }, { path: 'app.aab', mapping: join(t.dir, 'mapping.txt'), nativeSymbols: join(t.dir, 'native-debug-symbols.zip') }, parseTrack('internal')!, (l) => lines.push(l));
      expect(seen).toEqual([
        'POST /upload/androidpublisher/v3/applications/com.acme.app/edits/e1/apks/42/deobfuscationFiles/proguard?uploadType=media 19',
        'POST /upload/androidpublisher/v3/applications/com.acme.app/edits/e1/apks/42/deobfuscationFiles/nativeCode?uploadType=media 100',
      ]);
      expect(lines).toEqual(['proguard: mapping.txt (19 B) for version code 42', 'nativeCode: native-debug-symbols.zip (100 B) for version code 42']);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
