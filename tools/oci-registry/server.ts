// A real OCI registry for tests and benchmarks: Debian's docker-registry (distribution 2.8) on
// 127.0.0.1, a free port, a temp storage dir, behind TLS with a throw-away CA, with htpasswd auth
// (bcrypt), token auth (a local token server) or none; a counting proxy in front of it. Needs
// `apt-get install -y --no-install-recommends docker-registry` (skopeo and umoci for read-backs).
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { request as httpsRequest } from 'https';
import { tmpdir } from 'os';
import { join } from 'path';
import { sleep } from '@shipfleet/core';
import { freePort } from '../prometheus/server';
import { CountingProxy, ProxiedRequest, startCountingProxy, uploadedBlobBytes } from './counting-proxy';
import { htpasswdFile } from './htpasswd';
import { makeTestPki, TestPki } from './pki';
import { startTokenServer, TokenServer } from './token-server';

export type RegistryAuth = 'none' | 'htpasswd' | 'token';

export interface RegistryOptions {
  auth?: RegistryAuth;
  /** user → password (default { shipfleet: <random> }). */
  users?: Record<string, string>;
}

export interface TestRegistry {
  /** host:port of the counting proxy: what clients under test push to. */
  host: string;
  /** host:port of the registry itself (read-backs with skopeo go here). */
  directHost: string;
  pki: TestPki;
  users: Record<string, string>;
  auth: RegistryAuth;
  storageDir: string;
  /** Every request the proxy passed on. */
  requests: ProxiedRequest[];
  /** Requests since `mark` (an index into requests). */
  since(mark: number): ProxiedRequest[];
  /** Blob bytes uploaded through the proxy since `mark`. */
  uploadedBytesSince(mark: number): number;
  tokenServer?: TokenServer;
  stop(): Promise<void>;
}

/** Why the registry cannot run here, or undefined when it can. */
export function registryMissing(tools: string[] = ['docker-registry', 'skopeo', 'umoci', 'openssl', 'perl']): string | undefined {
  for (const tool of tools) {
    const r = spawnSync(tool, [tool === 'openssl' ? 'version' : tool === 'perl' ? '-v' : '--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${tool} is not installed (apt-get install -y --no-install-recommends docker-registry skopeo umoci)`;
  }
  return undefined;
}

function config(o: { port: number; storageDir: string; pki: TestPki; auth: RegistryAuth; htpasswd: string; realm?: string }): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${o.storageDir}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${o.port}`,
    `  secret: ${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`,
    '  tls:',
    `    certificate: ${o.pki.certFile}`,
    `    key: ${o.pki.keyFile}`,
  ];
  if (o.auth === 'htpasswd') lines.push('auth:', '  htpasswd:', '    realm: shipfleet-test', `    path: ${o.htpasswd}`);
  if (o.auth === 'token') {
    lines.push('auth:', '  token:', `    realm: ${o.realm}`, '    service: shipfleet-test-registry', '    issuer: shipfleet-test-issuer', `    rootcertbundle: ${o.pki.tokenCertFile}`);
  }
  return lines.join('\n') + '\n';
}

function probe(port: number, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/v2/', ca, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function waitReady(port: number, ca: string, child: ChildProcess, log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`docker-registry exited (${child.exitCode ?? child.signalCode}): ${readFileSync(log, 'utf8').slice(-2000)}`);
    try {
      const status = await probe(port, ca);
      if (status === 200 || status === 401) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`docker-registry was not ready within ${timeoutMs} ms: ${readFileSync(log, 'utf8').slice(-2000)}`);
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const missing = registryMissing(['docker-registry', 'openssl', 'perl']);
  if (missing) throw new Error(missing);
  const auth = options.auth ?? 'htpasswd';
  const users = options.users ?? { shipfleet: `pw-${Math.random().toString(36).slice(2)}-${Date.now()}` };
  const dir = mkdtempSync(join(tmpdir(), 'shipfleet-registry-'));
  const pki = makeTestPki(dir);
  const storageDir = join(dir, 'storage');
  mkdirSync(storageDir);
  const htpasswd = join(dir, 'htpasswd');
  writeFileSync(htpasswd, htpasswdFile(users));
  const tokenServer = auth === 'token'
    ? await startTokenServer({ certFile: pki.certFile, keyFile: pki.keyFile, signingKeyFile: pki.tokenKeyFile, signingCertFile: pki.tokenCertFile, issuer: 'shipfleet-test-issuer', users })
    : undefined;

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const configFile = join(dir, 'config.yml');
    writeFileSync(configFile, config({ port, storageDir, pki, auth, htpasswd, realm: tokenServer?.realm }));
    const log = join(dir, `registry-${attempt}.log`);
    const out = openSync(log, 'w');
    const child = spawn('docker-registry', ['serve', configFile], { stdio: ['ignore', out, out] });
    closeSync(out);
    try {
      await waitReady(port, pki.caPem, child, log, 30_000);
    } catch (err) {
      child.kill('SIGKILL');
      if (attempt < 3 && /address already in use/.test(readFileSync(log, 'utf8'))) continue;
      await tokenServer?.close();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    let proxy: CountingProxy;
    try {
      proxy = await startCountingProxy({ backendPort: port, certFile: pki.certFile, keyFile: pki.keyFile, caPem: pki.caPem });
    } catch (err) {
      child.kill('SIGKILL');
      await tokenServer?.close();
      throw err;
    }
    const stop = async () => {
      await proxy.close();
      await tokenServer?.close();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(force);
      }
      rmSync(dir, { recursive: true, force: true });
    };
    return {
      host: `127.0.0.1:${proxy.port}`,
      directHost: `127.0.0.1:${port}`,
      pki,
      users,
      auth,
      storageDir,
      requests: proxy.requests,
      since: (mark) => proxy.requests.slice(mark),
      uploadedBytesSince: (mark) => uploadedBlobBytes(proxy.requests.slice(mark)),
      tokenServer,
      stop,
    };
  }
}
