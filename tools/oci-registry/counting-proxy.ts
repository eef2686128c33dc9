// A TLS reverse proxy in front of the registry that counts the bytes of every request body, so a
// test can tell what a push uploaded (distribution's access log gives response sizes only). The
// Host header is passed on unchanged: the registry's Location URLs then point back at the proxy.
import { readFileSync } from 'fs';
import { Agent, request as httpsRequest, createServer, Server } from 'https';
import { AddressInfo } from 'net';

export interface ProxiedRequest {
  method: string;
  /** Path and query as sent. */
  path: string;
  status: number;
  /** Bytes of the request body. */
  bytes: number;
}

export interface CountingProxy {
  port: number;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

export async function startCountingProxy(o: { backendPort: number; certFile: string; keyFile: string; caPem: string }): Promise<CountingProxy> {
  const requests: ProxiedRequest[] = [];
  // Its own agent, trusting the test CA of the registry behind it.
  const agent = new Agent({ keepAlive: true, ca: o.caPem });
  const server: Server = createServer({ cert: readFileSync(o.certFile), key: readFileSync(o.keyFile) }, (req, res) => {
    const entry: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', status: 0, bytes: 0 };
    requests.push(entry);
    const upstream = httpsRequest({ host: '127.0.0.1', port: o.backendPort, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
      entry.status = answer.statusCode ?? 0;
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (err) => {
      entry.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
    });
    req.on('data', (chunk: Buffer) => { entry.bytes += chunk.length; });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => new Promise<void>((r) => { agent.destroy(); server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Bytes sent to blob upload endpoints (POST/PATCH/PUT under /blobs/uploads/) among `requests`. */
export function uploadedBlobBytes(requests: ProxiedRequest[]): number {
  return requests.filter((r) => /\/blobs\/uploads\//.test(r.path) && r.method !== 'GET' && r.method !== 'DELETE').reduce((n, r) => n + r.bytes, 0);
}
