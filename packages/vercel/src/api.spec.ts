import { createHash, randomBytes } from 'crypto';
import { closeSync, lstatSync, openSync, writeSync } from 'fs';
import { createServer } from 'http';
import { AddressInfo } from 'net';
import { join } from 'path';
import { sha1OfFile, VercelApiError, VercelClient } from './index';
import { makeDir, newToken, sha1, startVercelApi, VercelApi } from './__fixtures__/helpers';

const identity = (path: string) => ({ dev: lstatSync(path).dev, ino: lstatSync(path).ino });

describe('VercelClient against the stand-in', () => {
  let api: VercelApi;
  let token: string;
  const client = (extra: Partial<ConstructorParameters<typeof VercelClient>[0]> = {}) =>
    new VercelClient({ apiUrl: api.url, token, retry: { delayMs: 5, maxDelayMs: 2000 }, ...extra });

  beforeEach(async () => {
    token = newToken();
    api = await startVercelApi({ token });
  });
  afterEach(() => api.close());

  it('sends the token as a Bearer header and teamId on every request', async () => {
    const c = client({ teamId: 'team_standin' });
    expect((await c.getTeam('team_standin')).slug).toBe('acme');
    expect((await c.getProject('team-web')).id).toBe('prj_team_web');
    expect(api.requests.map((r) => [r.method, r.path, r.query.teamId, r.status])).toEqual([
      ['GET', '/v2/teams/team_standin', 'team_standin', 200],
      ['GET', '/v9/projects/team-web', 'team_standin', 200],
    ]);
    expect(c.stats.requests).toBe(2);
  });

  it('a wrong token is a 401 that names method, path and status, is not retried, and does not quote the token', async () => {
    const wrong = newToken();
    const err = await client({ token: wrong }).getUser().catch((e) => e);
    expect(err).toBeInstanceOf(VercelApiError);
    expect(err.message).toBe('GET /v2/user failed: 401 unauthorized: The request is not authorized.');
    expect(err.status).toBe(401);
    expect(api.requests).toHaveLength(1);
    expect(err.message).not.toContain(wrong);
    expect(err.message).not.toContain(token);
  });

  it('honours Retry-After on 429 (the retry comes no sooner, although backoff alone would be ~5 ms)', async () => {
    api.setFaults({ rateLimitFirst: 2, retryAfter: 1 });
    const retries: string[] = [];
    const c = client({ onRetry: (l) => retries.push(l) });
    const data = Buffer.from('hello, rate limits');
    await c.uploadFile({ file: 'link', sha: sha1(data), size: data.length, path: '', dev: 0, ino: 0, symlinkTarget: data.toString() });
    const uploads = api.requests.filter((r) => r.path === '/v2/files');
    expect(uploads.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(uploads[1].time - uploads[0].time).toBeGreaterThanOrEqual(1000);
    expect(uploads[2].time - uploads[1].time).toBeGreaterThanOrEqual(1000);
    expect(retries[0]).toMatch(/^POST \/v2\/files: 429 rate_limited: Rate limit exceeded \(Retry-After 1s\); retrying in 1\.0s \(retry 1 of 5\)$/);
    expect(c.stats).toMatchObject({ requests: 3, retries: 2, uploadedFiles: 1, uploadedBytes: data.length });
    expect(api.files.get(sha1(data))?.toString()).toBe('hello, rate limits');
  });

  it('survives 500s within the retry limit, and gives up after it with the API\'s message', async () => {
    api.setFaults({ serverErrors: 3 });
    expect((await client().getUser()).user.id).toBe('user_standin');
    expect(api.requests.map((r) => r.status)).toEqual([500, 500, 500, 200]);

    api.requests.length = 0;
    api.setFaults({ serverErrors: 10 });
    const err = await client({ retry: { attempts: 3, delayMs: 1 } }).getProject('prj_web').catch((e) => e);
    expect(err.message).toBe('GET /v9/projects/prj_web failed: 500 internal_server_error: An unexpected internal error occurred (after 3 attempts)');
    expect(api.requests).toHaveLength(3);
  });

  it('survives dropped connections', async () => {
    api.setFaults({ dropConnections: 2 });
    const c = client();
    expect((await c.getProject('prj_web')).name).toBe('web');
    expect(api.requests.map((r) => r.status)).toEqual(['dropped', 'dropped', 200]);
    expect(c.stats.retries).toBe(2);
  });

  it('a 400 is not retried', async () => {
    api.setFaults({ errors: [{ match: 'POST /v13/deployments', status: 400, code: 'bad_request', message: 'Invalid request: `files` should be array' }] });
    const err = await client().createDeployment({ name: 'web', project: 'prj_web', files: [] }).catch((e) => e);
    expect(err.message).toBe('POST /v13/deployments failed: 400 bad_request: Invalid request: `files` should be array');
    expect(err.code).toBe('bad_request');
    expect(api.requests).toHaveLength(1);
  });

  it('retries a refused connection, then names the network error', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const retries: string[] = [];
    const c = new VercelClient({ apiUrl: `http://127.0.0.1:${port}`, token, retry: { attempts: 3, delayMs: 1 }, onRetry: (l) => retries.push(l) });
    const err = await c.getUser().catch((e) => e);
    expect(err.message).toBe('GET /v2/user failed: network error (ECONNREFUSED) after 3 attempts');
    expect(retries).toHaveLength(2);
    expect(c.stats.requests).toBe(3);
  });

  it('stops at once when its signal is aborted', async () => {
    const ac = new AbortController();
    api.setFaults({ serverErrors: 100 });
    const c = client({ signal: ac.signal, retry: { delayMs: 10_000, maxDelayMs: 10_000 } });
    const pending = c.getUser().catch((e) => e);
    setTimeout(() => ac.abort(), 50);
    const t0 = Date.now();
    const err = await pending;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err.name).toBe('AbortedError');
    expect(api.requests).toHaveLength(1);
  });

  it('streams a file upload from disk, and retries it on dropped connections and 500s like any call', async () => {
    const content = randomBytes(300_000);
    const dir = makeDir({ 'bundle.js': content });
    const path = join(dir, 'bundle.js');
    api.setFaults({ dropConnections: 1, serverErrors: 2, match: 'POST /v2/files' });
    const c = client();
    await c.uploadFile({ file: 'bundle.js', sha: sha1(content), size: content.length, path, ...identity(path) });
    expect(api.requests.map((r) => r.status)).toEqual(['dropped', 500, 500, 200]);
    expect(api.files.get(sha1(content))!.equals(content)).toBe(true);
    expect(api.requests[3].headers['content-length']).toBe(String(content.length));
    expect(c.stats).toMatchObject({ requests: 4, retries: 3, uploadedFiles: 1, uploadedBytes: content.length });
  });

  it('a file that cannot be read fails the upload without retry', async () => {
    const c = client();
    const err = await c.uploadFile({ file: 'file.js', sha: 'a'.repeat(40), size: 10, path: '/no/such/file.js', dev: 0, ino: 0 })
      .then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).toMatch(/^POST \/v2\/files failed: could not read the file to send: ENOENT/);
    expect(c.stats.retries).toBe(0);
  });
});

describe('streamed uploads', () => {
  it('read the file only as fast as the server takes it (memory stays far below the file size)', async () => {
    const size = 64 * 2 ** 20;
    const path = join(makeDir({}), 'large.bin');
    const fd = openSync(path, 'w');
    const block = randomBytes(2 ** 20);
    for (let i = 0; i < 64; i++) writeSync(fd, block);
    closeSync(fd);
    const { sha } = await sha1OfFile(path);

    // A server that reads slowly and keeps nothing but a running digest.
    const server = createServer((req, res) => {
      const hash = createHash('sha1');
      req.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        req.pause();
        setTimeout(() => req.resume(), 1);
      });
      req.on('end', () => res.end(JSON.stringify({ sha: hash.digest('hex') })));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const token = newToken();
    const c = new VercelClient({ apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token });
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().arrayBuffers - base); }, 5);
    try {
      const answer = await c.uploadFile({ file: 'large.bin', sha, size, path, ...identity(path) });
      expect(answer).toEqual({ sha });
    } finally {
      clearInterval(sampler);
      server.close();
    }
    expect(peak).toBeLessThan(size / 2);
  }, 30_000);
});

