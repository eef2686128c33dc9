// The client against small stand-in endpoints on 127.0.0.1, for what a real registry does not show
// on demand: a blob GET redirected to storage on another host, a chunk that fails mid-upload,
// Bearer challenges, credential helpers; and the layer writer's reproducibility.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { createServer as createHttpsServer } from 'https';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { HttpError, UserError } from '@shipfleet/core';
import { makeTestPki } from '../../../tools/oci-registry/pki';
import { credentialsFromDockerConfig, readDockerConfig } from './docker-config';
import { sha256Digest } from './digest';
import { buildLayer } from './layer';
import { parseImageReference } from './reference';
import { bufferBlobSource, RegistryClient } from './registry-client';
import { parseChallenges } from './www-authenticate';

const PASSWORD = 'registry-password-123';
const TOKEN = 'issued-bearer-token-0123456789';

interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }
/** On 127.0.0.1 (or `host`), over https with `tls`. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer, seen: Seen[]) => void, tls?: { cert: Buffer; key: Buffer }, host = '127.0.0.1') {
  const seen: Seen[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body, seen);
    });
  };
  const server: Server = tls ? createHttpsServer(tls, listener) : createServer(listener);
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  const port = (server.address() as AddressInfo).port;
  return { host: `${host}:${port}`, seen, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

describe('RegistryClient', () => {
  it('follows the Bearer flow with the scopes asked for, and drops Authorization on a blob redirect to another host', async () => {
    const blob = Buffer.from('layer bytes');
    const digest = sha256Digest(blob);
    const storage = await serve((_req, res) => res.end(blob));
    closers.push(storage.close);
    const registry = await serve((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/token') {
        if (req.headers.authorization !== `Basic ${Buffer.from(`ci:${PASSWORD}`).toString('base64')}`) return void res.writeHead(401).end();
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: TOKEN, expires_in: 300 }));
      }
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        return void res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="test-registry"` }).end();
      }
      if (url.pathname === `/v2/acme/api/blobs/${digest}`) return void res.writeHead(307, { location: `http://${storage.host}/bucket/blob?X-Amz-Signature=abc` }).end();
      res.writeHead(200).end('{}');
    });
    closers.push(registry.close);
    const secrets: string[] = [];
    const client = new RegistryClient({ registry: registry.host, credentials: { username: 'ci', password: PASSWORD, source: 'test' }, scopes: ['repository:acme/api:pull'], addSecret: (s) => secrets.push(s) });
    expect(await client.getBlob('acme/api', digest, blob.length)).toEqual(blob);
    const tokenCall = registry.seen.find((s) => s.url.startsWith('/token'))!;
    expect(new URL(tokenCall.url, 'http://x').searchParams.getAll('scope')).toEqual(['repository:acme/api:pull']);
    expect(new URL(tokenCall.url, 'http://x').searchParams.get('service')).toBe('test-registry');
    expect(secrets).toEqual([TOKEN]);
    expect(storage.seen).toHaveLength(1);
    expect(storage.seen[0].headers.authorization).toBeUndefined();
  });

  it('resumes a chunked upload from the registry\'s Range after a failed PATCH', async () => {
    const data = Buffer.alloc(10_000, 7);
    let received = Buffer.alloc(0);
    let failed = false;
    const registry = await serve((req, res, body) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/v2/') return void res.writeHead(200).end('{}');
      if (req.method === 'POST') return void res.writeHead(202, { location: '/v2/acme/api/blobs/uploads/u1?_state=s' }).end();
      if (req.method === 'PATCH') {
        const [start] = (req.headers['content-range'] as string).split('-').map(Number);
        if (start !== received.length) return void res.writeHead(416).end();
        if (start === 4096 && !failed) {
          failed = true;
          received = Buffer.concat([received, body.subarray(0, 1000)]);
          return void res.writeHead(500).end();
        }
        received = Buffer.concat([received, body]);
        return void res.writeHead(202, { location: '/v2/acme/api/blobs/uploads/u1?_state=s2', range: `0-${received.length - 1}` }).end();
      }
      if (req.method === 'GET') return void res.writeHead(204, { range: `0-${received.length - 1}`, location: '/v2/acme/api/blobs/uploads/u1?_state=s3' }).end();
      if (req.method === 'PUT') return void res.writeHead(201, { 'docker-content-digest': url.searchParams.get('digest')! }).end();
    });
    closers.push(registry.close);
    const lines: string[] = [];
    const client = new RegistryClient({ registry: registry.host, chunkSize: 4096, log: (l) => lines.push(l) });
    await client.uploadBlob('acme/api', bufferBlobSource(data));
    expect(received).toEqual(data);
    const ranges = registry.seen.filter((s) => s.method === 'PATCH').map((s) => s.headers['content-range']);
    expect(ranges).toEqual(['0-4095', '4096-8191', '5096-9191', '9192-9999']);
    expect(lines.join('\n')).toMatch(/resuming the upload of sha256:[a-f0-9]+ at byte 5096/);
    const put = registry.seen.find((s) => s.method === 'PUT')!;
    expect(new URL(put.url, 'http://x').searchParams.get('digest')).toBe(sha256Digest(data));
    expect(new URL(put.url, 'http://x').searchParams.get('_state')).toBe('s2');
  });

  it('refuses a digest the registry reports differently', async () => {
    const registry = await serve((req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200).end();
      if (req.method === 'POST') return void res.writeHead(202, { location: '/up/1' }).end();
      res.writeHead(201, { 'docker-content-digest': `sha256:${'0'.repeat(64)}` }).end();
    });
    closers.push(registry.close);
    await expect(new RegistryClient({ registry: registry.host }).uploadBlob('a/b', bufferBlobSource(Buffer.from('x')))).rejects.toThrow(/content changed on the way/);
  });
});

describe('a registry behind a private CA', () => {
  const pki = makeTestPki(mkdtempSync(join(tmpdir(), 'shipfleet-registry-pki-')));
  const tls = { cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) };
  const blobSize = String(20 * 2 ** 20);

  /** A token service on `tokenHost`, and a registry on 127.0.0.1 that sends clients to it; HEAD of any blob: 200 with a 20 MiB Content-Length. */
  async function stand(tokenHost: string) {
    const tokens = await serve((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: TOKEN, expires_in: 300 })), tls, tokenHost);
    closers.push(tokens.close);
    const registry = await serve((req, res) => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401, { 'www-authenticate': `Bearer realm="https://${tokens.host}/token",service="test-registry"` }).end();
      if (req.method === 'HEAD') return void res.writeHead(200, { 'content-length': blobSize, 'docker-content-digest': req.url!.split('/').pop()! }).end();
      res.writeHead(200).end('{}');
    }, tls);
    closers.push(registry.close);
    return { tokens, registry };
  }
  const digest = sha256Digest(Buffer.from('a large layer'));

  it('trusts the CA for the registry and a token service on its host; a HEAD on a blob over 10 MiB is not "too large"', async () => {
    const { tokens, registry } = await stand('127.0.0.1');
    const client = new RegistryClient({ registry: registry.host, ca: pki.caPem, scopes: ['repository:acme/api:pull'] });
    expect(await client.hasBlob('acme/api', digest)).toBe(true);
    expect(tokens.seen).toHaveLength(1);
  });

  it('a token service on another host is checked against the public CAs only', async () => {
    const { tokens, registry } = await stand('localhost');
    const client = new RegistryClient({ registry: registry.host, ca: pki.caPem, retry: { attempts: 1 } });
    const err = await client.hasBlob('acme/api', digest).then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ kind: 'tls', url: `https://${tokens.host}/token` });
    expect(tokens.seen).toHaveLength(0);
  });

  it('without the CA: a UserError naming caFile', async () => {
    const { registry } = await stand('127.0.0.1');
    const err = await new RegistryClient({ registry: registry.host, retry: { attempts: 1 } }).hasBlob('acme/api', digest).then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.option).toBe('caFile');
    expect(err.message).toMatch(/TLS certificate is signed by a CA that is not trusted here/);
    expect(err.message).toContain(`/etc/docker/certs.d/${registry.host}/ca.crt`);
  });
});

describe('credentials', () => {
  it('reads auths (base64 user:password) and credential helpers through docker-credential-<name> get', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipfleet-dockercfg-'));
    const store = join(dir, 'store.json');
    writeFileSync(store, JSON.stringify({ 'ghcr.io': { Username: 'bot', Secret: 'helper-secret-123' }, 'https://index.docker.io/v1/': { Username: '<token>', Secret: 'identity-token-123' } }));
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify({ auths: { 'registry.example.com': { auth: Buffer.from('me:pa:ss-word').toString('base64') } }, credHelpers: { 'ghcr.io': 'shipfleet-test' }, credsStore: 'shipfleet-test' }));
    chmodSync(path, 0o600);
    const saved = { ...process.env };
    Object.assign(process.env, { PATH: `${resolve(__dirname, '../../../tools/stand-ins/bin')}:${saved.PATH}`, SHIPFLEET_CREDHELPER_STORE: store, SHIPFLEET_STANDIN_LOG: join(dir, 'calls.jsonl') });
    try {
      const config = readDockerConfig(path)!;
      expect(await credentialsFromDockerConfig(config, 'registry.example.com')).toMatchObject({ username: 'me', password: 'pa:ss-word' });
      expect(await credentialsFromDockerConfig(config, 'ghcr.io')).toEqual({ username: 'bot', password: 'helper-secret-123', source: 'docker-credential-shipfleet-test' });
      expect(await credentialsFromDockerConfig(config, 'docker.io')).toMatchObject({ identityToken: 'identity-token-123' });
      expect(await credentialsFromDockerConfig(config, 'quay.io')).toBeUndefined();
      const calls = readFileSync(join(dir, 'calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).argv);
      expect(calls).toEqual([['get'], ['get'], ['get']]);
    } finally {
      process.env = saved;
    }
  });
});

describe('parsing', () => {
  it('reads WWW-Authenticate challenges and image references', () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/node:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/node:pull' } },
    ]);
    expect(parseChallenges('Basic realm="Registry Realm", Bearer realm="x"').map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(parseImageReference('node:20-slim')).toEqual({ registry: 'docker.io', repository: 'library/node', tag: '20-slim', digest: undefined });
    expect(parseImageReference('127.0.0.1:5000/acme/api')).toMatchObject({ registry: '127.0.0.1:5000', repository: 'acme/api', tag: 'latest' });
    expect(parseImageReference(`ghcr.io/acme/api@sha256:${'a'.repeat(64)}`)).toMatchObject({ registry: 'ghcr.io', tag: undefined, digest: `sha256:${'a'.repeat(64)}` });
    expect(() => parseImageReference('ghcr.io/Acme/api')).toThrow(/repository path component/);
  });
});

describe('layers', () => {
  it('the same files give the same digest, whatever their mtime, owner or listing order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipfleet-layer-'));
    writeFileSync(join(dir, 'a.js'), 'a');
    writeFileSync(join(dir, 'b.js'), 'bb');
    const entries = [{ path: 'app', type: 'directory' as const }, { path: 'app/b.js', type: 'file' as const, source: join(dir, 'b.js'), size: 2 }, { path: 'app/a.js', type: 'file' as const, source: join(dir, 'a.js'), size: 1 }];
    const one = await buildLayer(entries, join(dir, 'blobs1'));
    require('fs').utimesSync(join(dir, 'a.js'), new Date(), new Date(2001, 1, 1));
    const two = await buildLayer([...entries].reverse(), join(dir, 'blobs2'));
    expect(two.digest).toBe(one.digest);
    expect(two.diffId).toBe(one.diffId);
    const bytes = readFileSync(one.path);
    expect(sha256Digest(bytes)).toBe(one.digest);
    // gzip header: no mtime (bytes 4-7 zero), no FNAME flag.
    expect(bytes.readUInt32LE(4)).toBe(0);
    expect(bytes[3] & 0x08).toBe(0);
    const later = await buildLayer(entries, join(dir, 'blobs3'), { mtime: 1700000000 });
    expect(later.digest).not.toBe(one.digest);
  });
});
