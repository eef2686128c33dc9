// The URLs a Cloud Run service answers on, as tiny HTTP servers on 127.0.0.1: one per ready
// revision (its tag URLs point there) and one per service, which spreads requests over the
// serving revisions by their traffic percent (smooth weighted round robin: exact over 100 requests).
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo, Socket } from 'net';
import { ImageBehaviour } from './images';

/** How long a `slow` revision takes to answer. */
export const SLOW_ANSWER_MS = 2000;

export interface RevisionEndpoint {
  revision: string;
  behaviour: ImageBehaviour;
}

interface Listening {
  url: string;
  close(): Promise<void>;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Listening> {
  const server: Server = createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** What a revision answers, by the behaviour its image names. */
function answer(target: RevisionEndpoint, req: IncomingMessage, res: ServerResponse): void {
  const send = (status: number) => {
    const body = JSON.stringify({ revision: target.revision, status, path: req.url ?? '/' });
    res.writeHead(status, { 'content-type': 'application/json', 'x-cloud-run-revision': target.revision, 'content-length': String(Buffer.byteLength(body)) }).end(body);
  };
  // Drain the request body, then answer.
  req.resume();
  req.on('end', () => {
    if (target.behaviour === 'error') return send(500);
    if (target.behaviour === 'slow') {
      const timer = setTimeout(() => send(200), SLOW_ANSWER_MS);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    send(200);
  });
}

export class Endpoints {
  private readonly revisions = new Map<string, Promise<Listening>>();
  private readonly services = new Map<string, Promise<Listening>>();
  private readonly routes = new Map<string, { targets: RevisionEndpoint[]; weights: number[]; current: number[] }>();

  /** The URL of a ready revision's own server (started on first use). */
  async revisionUrl(target: RevisionEndpoint): Promise<string> {
    let l = this.revisions.get(target.revision);
    if (!l) {
      l = listen((req, res) => answer(target, req, res));
      this.revisions.set(target.revision, l);
    }
    return (await l).url;
  }

  /** The service's URL (started on first use); its requests follow `route`. */
  async serviceUrl(service: string): Promise<string> {
    let l = this.services.get(service);
    if (!l) {
      l = listen((req, res) => {
        const target = this.pick(service);
        if (!target) {
          req.resume();
          res.writeHead(503, { 'content-type': 'text/plain' }).end('no revision is serving traffic');
          return;
        }
        answer(target, req, res);
      });
      this.services.set(service, l);
    }
    return (await l).url;
  }

  /** Where the service's requests go from now on: each ready revision with its percent. */
  route(service: string, split: Array<RevisionEndpoint & { percent: number }>): void {
    const serving = split.filter((s) => s.percent > 0);
    this.routes.set(service, { targets: serving, weights: serving.map((s) => s.percent), current: serving.map(() => 0) });
  }

  private pick(service: string): RevisionEndpoint | undefined {
    const r = this.routes.get(service);
    if (!r || !r.targets.length) return undefined;
    const total = r.weights.reduce((a, b) => a + b, 0);
    let best = 0;
    for (let i = 0; i < r.targets.length; i++) {
      r.current[i] += r.weights[i];
      if (r.current[i] > r.current[best]) best = i;
    }
    r.current[best] -= total;
    return r.targets[best];
  }

  async close(): Promise<void> {
    const all = [...this.revisions.values(), ...this.services.values()];
    this.revisions.clear();
    this.services.clear();
    await Promise.all(all.map(async (l) => (await l).close()));
  }
}
