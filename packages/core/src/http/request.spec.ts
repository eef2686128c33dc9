import { createReadStream, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { createServer as createHttpsServer } from 'https';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { makeTestPki, TestPki } from '../../../../tools/oci-registry/pki';
import { HttpAbortedError, HttpClient, HttpError, httpJson, httpRequest, HttpRetryEvent, parseRetryAfter } from './index';

const TOKEN = 'tok_9f8e7d6c5b4a3f2e1d0c';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  time: number;
}

interface TestServer {
  url: string;
  seen: Seen[];
  /** TCP connections accepted. */
  connections: number;
  close(): Promise<void>;
}

/** A server on 127.0.0.1 (port 0) answering with `handler`, over https with `tls`; records every request it gets. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse, seen: Seen[]) => void, tls?: { cert: Buffer; key: Buffer }): Promise<TestServer> {
  const seen: Seen[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString(), time: Date.now() });
      handler(req, res, seen);
    });
  };
  const server: Server = tls ? createHttpsServer(tls, listener) : createServer(listener);
  let connections = 0;
  server.on('connection', () => { connections++; });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    get connections() { return connections; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const fast = { delayMs: 5, maxDelayMs: 2000 };
let servers: TestServer[] = [];
const start = async (handler: Parameters<typeof serve>[0], tls?: Parameters<typeof serve>[1]) => {
  const s = await serve(handler, tls);
  servers.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function failure(p: Promise<unknown>): Promise<HttpError> {
  const err = await p.then(() => undefined, (e) => e);
  if (!(err instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(err)}`);
  return err;
}

describe('httpRequest', () => {
  it('sends method, headers, query and JSON, and reads the answer', async () => {
    const s = await start((_req, res, seen) => json(res, 200, { got: JSON.parse(seen[seen.length - 1].body) }));
    const res = await httpRequest({ url: `${s.url}/v1/items`, method: 'post', query: { limit: 5, skip: undefined }, json: { a: 1 }, headers: { 'X-Trace': 't1' } });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ got: { a: 1 } });
    expect(res.attempts).toBe(1);
    expect(s.seen[0]).toMatchObject({ method: 'POST', url: '/v1/items?limit=5' });
    expect(s.seen[0].headers).toMatchObject({ 'content-type': 'application/json', 'x-trace': 't1' });
    expect(await httpJson({ url: `${s.url}/x`, json: { b: 2 }, method: 'PUT' })).toEqual({ got: { b: 2 } });
    expect(s.seen[1].headers.accept).toBe('application/json');
  });

  it('an answer that is not JSON is an invalid-json error', async () => {
    const s = await start((_req, res) => res.end('<html>oops</html>'));
    const err = await failure(httpJson({ url: s.url }));
    expect(err.kind).toBe('invalid-json');
    expect(err.bodyExcerpt).toBe('<html>oops</html>');
  });

  it('retries a 503 and then succeeds', async () => {
    const s = await start((_req, res, seen) => (seen.length < 3 ? json(res, 503, { error: 'busy' }) : json(res, 200, { ok: true })));
    const retries: HttpRetryEvent[] = [];
    const res = await httpRequest({ url: s.url, retry: fast, onRetry: (e) => retries.push(e) });
    expect(res.json()).toEqual({ ok: true });
    expect(res.attempts).toBe(3);
    expect(retries.map((r) => [r.attempt, r.attempts, r.response?.status])).toEqual([[1, 4, 503], [2, 4, 503]]);
  });

  it('honours Retry-After (seconds or an HTTP date), capped by maxDelayMs', async () => {
    const s = await start((_req, res, seen) => (seen.length === 1 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, {})));
    const retries: HttpRetryEvent[] = [];
    await httpRequest({ url: s.url, retry: fast, onRetry: (e) => retries.push(e) });
    expect(s.seen[1].time - s.seen[0].time).toBeGreaterThanOrEqual(990);
    expect(retries[0]).toMatchObject({ retryAfterMs: 1000, delayMs: 1000 });

    const capped = await start((_req, res, seen) => (seen.length === 1 ? json(res, 503, {}, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() }) : json(res, 200, {})));
    const t0 = Date.now();
    await httpRequest({ url: capped.url, retry: { delayMs: 5, maxDelayMs: 50 } });
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('does not retry a 400, and reports status, method, URL and an excerpt of the answer', async () => {
    const s = await start((_req, res) => json(res, 400, { error: { code: 'bad_request', message: 'files should be an array' } }));
    const err = await failure(httpRequest({ url: `${s.url}/v13/deployments?teamId=team_x`, method: 'POST', json: {}, retry: fast }));
    expect(err).toMatchObject({ kind: 'status', status: 400, method: 'POST', url: `${s.url}/v13/deployments`, retryable: false, attempts: 1 });
    expect(err.message).toBe(`POST ${s.url}/v13/deployments failed: 400 Bad Request: {"error":{"code":"bad_request","message":"files should be an array"}}`);
    expect(s.seen).toHaveLength(1);
  });

  it('gives up after the last attempt, or returns the answer with throwHttpErrors false', async () => {
    const s = await start((_req, res) => json(res, 500, { error: 'down' }));
    const err = await failure(httpRequest({ url: s.url, retry: { ...fast, attempts: 2 } }));
    expect(err.message).toMatch(/500 Internal Server Error: \{"error":"down"\} \(after 2 attempts\)$/);
    expect(err.retryable).toBe(true);
    const res = await httpRequest({ url: s.url, retry: { ...fast, attempts: 2 }, throwHttpErrors: false });
    expect([res.status, res.attempts]).toEqual([500, 2]);
    expect(s.seen).toHaveLength(4);
  });

  it('retries network errors: a dropped connection, then a refused one until it gives up', async () => {
    const s = await start((req, res, seen) => (seen.length === 1 ? req.socket.destroy() : json(res, 200, { ok: 1 })));
    expect((await httpRequest({ url: s.url, retry: fast })).attempts).toBe(2);

    const closed = await serve(() => undefined);
    await closed.close();
    const events: HttpRetryEvent[] = [];
    const err = await failure(httpRequest({ url: closed.url, retry: { ...fast, attempts: 3 }, onRetry: (e) => events.push(e) }));
    expect(err).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', retryable: true, attempts: 3 });
    expect(err.message).toBe(`GET ${closed.url}/ failed: network error (ECONNREFUSED) (after 3 attempts)`);
    expect(events.map((e) => e.error?.code)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('times out an attempt that gets no answer, and retries it', async () => {
    const s = await start((_req, res, seen) => { if (seen.length > 1) json(res, 200, {}); });
    expect((await httpRequest({ url: s.url, timeoutMs: 100, retry: fast })).attempts).toBe(2);

    const silent = await start(() => undefined);
    const t0 = Date.now();
    const err = await failure(httpRequest({ url: silent.url, timeoutMs: 100, retry: { attempts: 1 } }));
    expect(err).toMatchObject({ kind: 'timeout', retryable: true });
    expect(err.message).toMatch(/no complete answer within 0\.1s/);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('stops reading an answer past maxResponseBytes (declared or streamed), without retry', async () => {
    const s = await start((req, res) => {
      if (req.url === '/declared') return json(res, 200, 'x'.repeat(5000));
      res.writeHead(200);
      const chunk = Buffer.alloc(1024, 'y');
      let sent = 0;
      const pump = () => { while (sent < 10_000 && res.write(chunk)) sent++; if (sent < 10_000) res.once('drain', pump); else res.end(); };
      pump();
    });
    for (const path of ['/declared', '/streamed']) {
      const err = await failure(httpRequest({ url: s.url + path, maxResponseBytes: 4096, retry: fast }));
      expect(err).toMatchObject({ kind: 'too-large', retryable: false });
      expect(err.message).toMatch(/the answer is larger than 4096 bytes \(maxResponseBytes\)/);
    }
    expect(s.seen).toHaveLength(2);
  });

  it('aborts in flight and during the wait before a retry', async () => {
    const silent = await start(() => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expect(httpRequest({ url: silent.url, signal: ac.signal })).rejects.toBeInstanceOf(HttpAbortedError);

    const busy = await start((_req, res) => json(res, 503, {}));
    const ac2 = new AbortController();
    setTimeout(() => ac2.abort(), 100);
    const t0 = Date.now();
    const err = await httpRequest({ url: busy.url, signal: ac2.signal, retry: { delayMs: 10_000 } }).catch((e) => e);
    expect(err).toBeInstanceOf(HttpAbortedError);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(busy.seen).toHaveLength(1);
  });

  it('follows a cross-origin redirect without Authorization, Cookie, X-Api-Key or headers marked secret', async () => {
    const other = await start((_req, res) => json(res, 200, { landed: true }));
    const first = await start((_req, res) => { res.writeHead(302, { location: `${other.url}/landing` }); res.end(); });
    const res = await httpRequest({
      url: `${first.url}/start`,
      headers: { Authorization: `Bearer ${TOKEN}`, Cookie: `session=${TOKEN}`, 'X-Api-Key': TOKEN, 'X-Vault-Token': TOKEN, 'X-Plain': 'kept' },
      secretHeaders: ['X-Vault-Token'],
    });
    expect(res.json()).toEqual({ landed: true });
    expect(res.url).toBe(`${other.url}/landing`);
    expect(first.seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    const landed = other.seen[0].headers;
    expect([landed.authorization, landed.cookie, landed['x-api-key'], landed['x-vault-token']]).toEqual([undefined, undefined, undefined, undefined]);
    expect(landed['x-plain']).toBe('kept');
  });

  it('keeps Authorization on a same-origin redirect; a 303 turns a POST into a GET without body', async () => {
    const s = await start((req, res) => {
      if (req.url === '/old') { res.writeHead(307, { location: '/new' }); return res.end(); }
      if (req.url === '/submit') { res.writeHead(303, { location: '/result' }); return res.end(); }
      json(res, 200, { at: req.url, method: req.method });
    });
    await httpRequest({ url: `${s.url}/old`, method: 'PUT', json: { a: 1 }, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(s.seen.map((r) => [r.url, r.method, r.headers.authorization, r.body])).toEqual([
      ['/old', 'PUT', `Bearer ${TOKEN}`, '{"a":1}'],
      ['/new', 'PUT', `Bearer ${TOKEN}`, '{"a":1}'],
    ]);
    const res = await httpRequest({ url: `${s.url}/submit`, method: 'POST', json: { a: 1 } });
    expect(res.json()).toEqual({ at: '/result', method: 'GET' });
    expect(s.seen[3]).toMatchObject({ method: 'GET', body: '' });
    expect(s.seen[3].headers['content-type']).toBeUndefined();
  });

  it('refuses more than 5 redirects', async () => {
    const s = await start((req, res) => { res.writeHead(302, { location: `/r${Number(req.url!.slice(2) || 0) + 1}` }); res.end(); });
    const err = await failure(httpRequest({ url: `${s.url}/r0` }));
    expect(err).toMatchObject({ kind: 'redirect', retryable: false });
    expect(err.message).toMatch(/more than 5 redirects/);
    expect(s.seen).toHaveLength(6);
  });

  it('streams a body made afresh for each attempt; a body that cannot be read fails without retry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipfleet-http-'));
    writeFileSync(join(dir, 'f.bin'), 'file content');
    const s = await start((_req, res, seen) => (seen.length === 1 ? json(res, 502, {}) : json(res, 200, { size: seen[seen.length - 1].body.length })));
    let made = 0;
    const body = () => { made++; return { data: createReadStream(join(dir, 'f.bin')), length: 12 }; };
    const res = await httpRequest({ url: s.url, method: 'POST', body, retry: fast });
    expect(res.json()).toEqual({ size: 12 });
    expect(made).toBe(2);
    expect(s.seen[1].headers['content-length']).toBe('12');

    const err = await failure(httpRequest({ url: s.url, method: 'POST', body: () => ({ data: createReadStream(join(dir, 'missing')), length: 1 }), retry: fast }));
    expect(err).toMatchObject({ kind: 'body', retryable: false, attempts: 1 });
    expect(err.message).toMatch(/could not read the request body: ENOENT/);
  });
});

describe('answers without a body', () => {
  it('HEAD, 204 and 304 are not limited by their Content-Length; a GET still is', async () => {
    const big = String(20 * 2 ** 20);
    const s = await start((req, res) => {
      if (req.url === '/empty') return void res.writeHead(204).end();
      if (req.url === '/unchanged') return void res.writeHead(304, { 'content-length': big, etag: '"v1"' }).end();
      res.writeHead(200, { 'content-length': big, 'content-type': 'application/octet-stream' });
      if (req.method === 'HEAD') return void res.end();
      res.flushHeaders();
    });
    const head = await httpRequest({ url: `${s.url}/blob`, method: 'HEAD' });
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, big, 0]);
    expect((await httpRequest({ url: `${s.url}/empty`, method: 'DELETE', maxResponseBytes: 10 })).status).toBe(204);
    expect((await httpRequest({ url: `${s.url}/unchanged`, maxResponseBytes: 10, throwHttpErrors: false })).status).toBe(304);
    expect((await failure(httpRequest({ url: `${s.url}/blob`, retry: { attempts: 1 } }))).kind).toBe('too-large');
  });
});

describe('https with a ca (a private CA)', () => {
  let pki: TestPki;
  let tls: { cert: Buffer; key: Buffer };
  beforeAll(() => {
    pki = makeTestPki(mkdtempSync(join(tmpdir(), 'shipfleet-http-pki-')));
    tls = { cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) };
  });

  it('fails without ca with a certificate error, not retried and without secrets; succeeds with it', async () => {
    const s = await start((req, res) => json(res, 200, { path: req.url }), tls);
    const err = await failure(httpRequest({ url: `${s.url}/v2/?token=${TOKEN}`, headers: { authorization: `Bearer ${TOKEN}` }, retry: fast }));
    expect(err).toMatchObject({ kind: 'tls', retryable: false, attempts: 1 });
    expect(['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']).toContain(err.code);
    expect(err.message).toMatch(new RegExp(`^GET ${s.url}/v2/ failed: the server's TLS certificate is signed by a CA that is not trusted here \\(${err.code}: `));
    expect(err.message).not.toContain(TOKEN);
    expect(s.seen).toHaveLength(0);

    expect((await httpRequest({ url: `${s.url}/a`, ca: pki.caPem })).json()).toEqual({ path: '/a' });
    expect((await httpRequest({ url: `${s.url}/b`, ca: [readFileSync(pki.caFile)] })).json()).toEqual({ path: '/b' });
    // Its own CA is trusted besides the public ones, not instead: another private CA does not vouch for this server.
    const other = makeTestPki(mkdtempSync(join(tmpdir(), 'shipfleet-http-pki-')));
    expect(await failure(httpRequest({ url: s.url, ca: other.caPem, retry: fast }))).toMatchObject({ kind: 'tls' });
    expect(await failure(httpRequest({ url: s.url, ca: 'not a certificate' }))).toMatchObject({ kind: 'request', message: expect.stringMatching(/holds no PEM certificate/) });
  });

  it('an HttpClient keeps one agent: its requests share a kept-alive connection', async () => {
    const s = await start((req, res) => json(res, 200, { path: req.url }), tls);
    const client = new HttpClient({ baseUrl: s.url, ca: pki.caPem });
    expect(await client.json('GET', '/one')).toEqual({ path: '/one' });
    expect(await client.json('GET', '/two')).toEqual({ path: '/two' });
    expect(await client.json('POST', '/three', { json: { a: 1 } })).toEqual({ path: '/three' });
    expect(s.connections).toBe(1);
    client.close();
    expect(await client.json('GET', '/four')).toEqual({ path: '/four' });
    expect(s.connections).toBe(2);
    client.close();
    await expect(new HttpClient({ baseUrl: s.url }).json('GET', '/x', { retry: { attempts: 1 } })).rejects.toMatchObject({ kind: 'tls' });
  });

  it('drops secret headers on a redirect to another origin, keeps them on the same one', async () => {
    const other = await start((req, res) => json(res, 200, { at: req.url, auth: req.headers.authorization ?? null }), tls);
    const first = await start((req, res) => {
      if (req.url === '/same') { res.writeHead(307, { location: '/landing' }); return void res.end(); }
      if (req.url === '/away') { res.writeHead(302, { location: `${other.url}/landing` }); return void res.end(); }
      json(res, 200, { at: req.url, auth: req.headers.authorization ?? null });
    }, tls);
    const headers = { Authorization: `Bearer ${TOKEN}`, 'X-Vault-Token': TOKEN };
    const away = await httpRequest({ url: `${first.url}/away`, headers, secretHeaders: ['x-vault-token'], ca: pki.caPem });
    expect(away.json()).toEqual({ at: '/landing', auth: null });
    expect(away.url).toBe(`${other.url}/landing`);
    expect(other.seen[0].headers['x-vault-token']).toBeUndefined();
    expect(first.seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    const same = await httpRequest({ url: `${first.url}/same`, headers, ca: pki.caPem });
    expect(same.json()).toEqual({ at: '/landing', auth: `Bearer ${TOKEN}` });
  });

  it('keeps retries, timeouts, the size cap, streamed bodies and aborts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipfleet-http-'));
    writeFileSync(join(dir, 'f.bin'), 'file content');
    let flaky = 0;
    const s = await start((req, res, seen) => {
      if (req.url === '/flaky' && ++flaky === 1) return json(res, 503, {});
      if (req.url === '/silent') return;
      if (req.url === '/big') return json(res, 200, 'x'.repeat(5000));
      if (req.url === '/slow-body') { res.writeHead(200, { 'content-length': '100' }); return void res.write('partial'); }
      json(res, 200, { method: req.method, size: seen[seen.length - 1].body.length });
    }, tls);
    const ca = pki.caPem;
    expect((await httpRequest({ url: `${s.url}/flaky`, ca, retry: fast })).attempts).toBe(2);
    const upload = await httpRequest({ url: `${s.url}/upload`, method: 'PUT', ca, body: () => ({ data: createReadStream(join(dir, 'f.bin')), length: 12 }) });
    expect(upload.json()).toEqual({ method: 'PUT', size: 12 });
    expect(await failure(httpRequest({ url: `${s.url}/big`, ca, maxResponseBytes: 4096 }))).toMatchObject({ kind: 'too-large' });
    const timeout = await failure(httpRequest({ url: `${s.url}/silent`, ca, timeoutMs: 100, retry: { attempts: 1 } }));
    expect(timeout).toMatchObject({ kind: 'timeout' });
    // A timeout while the body is read fails the attempt; the partial body is never returned.
    expect(await failure(httpRequest({ url: `${s.url}/slow-body`, ca, timeoutMs: 200, retry: { attempts: 1 } }))).toMatchObject({ kind: 'timeout' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expect(httpRequest({ url: `${s.url}/silent`, ca, signal: ac.signal })).rejects.toBeInstanceOf(HttpAbortedError);
    const head = await httpRequest({ url: `${s.url}/blob`, method: 'HEAD', ca, maxResponseBytes: 1 });
    expect(head.status).toBe(200);
  });
});

describe('no secret in any error', () => {
  it('masks secret header values echoed in an answer, and never quotes a header value', async () => {
    const s = await start((req, res) => json(res, 401, { error: `token ${String(req.headers.authorization)} rejected; key ${String(req.headers['x-api-key'])}; basic ${String(req.headers['x-basic'])}` }));
    const basic = `Basic ${Buffer.from(`ci-bot:${TOKEN}`).toString('base64')}`;
    const err = await failure(httpRequest({ url: `${s.url}/?api_key=${TOKEN}`, headers: { Authorization: `Bearer ${TOKEN}`, 'X-Api-Key': `k-${TOKEN}`, 'X-Basic': basic }, secretHeaders: ['x-basic'] }));
    expect(err.status).toBe(401);
    expect(err.message).toContain('***');
    expect(err.message).not.toContain(TOKEN);
    expect(err.bodyExcerpt).not.toContain(TOKEN);

    const bad = await failure(httpRequest({ url: s.url, headers: { authorization: `Bearer ${TOKEN}\n` } }));
    expect(bad.kind).toBe('request');
    expect(bad.message).toMatch(/header "authorization" has a name or value that cannot be sent/);
    expect(bad.message).not.toContain(TOKEN);
  });

  it('moves credentials of the URL to a Basic header, never into a message', async () => {
    const s = await start((_req, res) => json(res, 500, {}));
    const withCreds = s.url.replace('http://', `http://ci-bot:${TOKEN}@`);
    const err = await failure(httpRequest({ url: `${withCreds}/x?sig=${TOKEN}`, retry: { attempts: 1 } }));
    expect(s.seen[0].headers.authorization).toBe(`Basic ${Buffer.from(`ci-bot:${TOKEN}`).toString('base64')}`);
    expect(err.message).toBe(`GET ${s.url}/x failed: 500 Internal Server Error: {}`);

    const closed = await serve(() => undefined);
    await closed.close();
    const net = await failure(httpRequest({ url: closed.url.replace('http://', `http://u:${TOKEN}@`) + `/?t=${TOKEN}`, retry: { attempts: 1 } }));
    expect(net.message).not.toContain(TOKEN);
  });
});

describe('HttpClient', () => {
  it('joins the base URL, merges default headers and retry, and lets a call override them', async () => {
    const s = await start((req, res, seen) => (req.url === '/flaky' && seen.length === 1 ? json(res, 503, {}) : json(res, 200, { auth: req.headers.authorization, ua: req.headers['user-agent'] })));
    const client = new HttpClient({ baseUrl: `${s.url}/`, headers: { Authorization: `Bearer ${TOKEN}`, 'User-Agent': 'shipfleet' }, retry: { attempts: 1, delayMs: 5 } });
    await expect(client.json('GET', '/flaky')).rejects.toMatchObject({ status: 503 });
    expect(await client.json('GET', '/flaky', { retry: { attempts: 2 }, headers: { 'user-agent': 'other' } })).toEqual({ auth: `Bearer ${TOKEN}`, ua: 'other' });
    expect(client.url('v1/x')).toBe(`${s.url}/v1/x`);
    expect(client.url('https://elsewhere.example.com/y')).toBe('https://elsewhere.example.com/y');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores what is neither', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1, 0, 0, 0))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
