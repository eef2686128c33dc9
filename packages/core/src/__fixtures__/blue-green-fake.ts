// A fake blue-green platform for the specs: an adapter that records its calls, and a
// local HTTP server whose paths answer healthy, broken, slow or with the wrong body.
import { appendFileSync } from 'fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import type { BlueGreenAdapter, BlueGreenDescriptions, IdleDeployment } from '../blue-green/strategy';
import type { TaskContext } from '../plan';

export type FakeStage = 'deployIdle' | 'waitReady' | 'switchTo' | 'switchBack' | 'retire new' | 'retire old';

export interface FakePlatform {
  previewUrl: string;
  liveUrl?: string;
  /** The live version's name; undefined for a first deploy. */
  live?: string;
  /** Stages that throw this message. */
  fail?: Partial<Record<FakeStage, string>>;
  /** A stage that records "<stage> waiting", then waits until its signal aborts (an interrupt's target). */
  block?: FakeStage;
  /** Each call is also appended to this file (for a child process). */
  recordFile?: string;
}

export const FAKE_DESCRIPTIONS: BlueGreenDescriptions = {
  deployIdle: 'apply deployment api-green (image api:2.0.0), preview Service api-preview',
  waitReady: 'wait for deployment api-green to roll out',
  switchTo: 'point Service api at colour green',
  switchBack: 'point Service api at colour blue',
  retireNew: 'scale deployment api-green to 0',
  retireOld: 'scale deployment api-blue to 0',
};

export function fakeAdapter(platform: FakePlatform): { adapter: BlueGreenAdapter; calls: string[]; contexts: TaskContext[] } {
  const calls: string[] = [];
  const contexts: TaskContext[] = [];
  const record = (call: string) => {
    calls.push(call);
    if (platform.recordFile) appendFileSync(platform.recordFile, call + '\n');
  };
  const act = async (stage: FakeStage, ctx: TaskContext) => {
    record(stage);
    contexts.push(ctx);
    if (platform.block === stage) {
      record(`${stage} waiting`);
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      throw new Error(`${stage} stopped`);
    }
    const failure = platform.fail?.[stage];
    if (failure) throw new Error(failure);
  };
  const adapter: BlueGreenAdapter = {
    target: 'deployment api',
    describe: FAKE_DESCRIPTIONS,
    deployIdle: async (ctx) => {
      await act('deployIdle', ctx);
      const idle: IdleDeployment = { previewUrl: platform.previewUrl, describe: 'deployment api-green', ...(platform.live ? { live: platform.live } : {}) };
      return platform.liveUrl ? { ...idle, liveUrl: platform.liveUrl } : idle;
    },
    waitReady: (ctx) => act('waitReady', ctx),
    switchTo: (ctx) => act('switchTo', ctx),
    switchBack: (ctx) => act('switchBack', ctx),
    retire: (ctx, which) => act(`retire ${which}`, ctx),
  };
  return { adapter, calls, contexts };
}

/**
 * Answers GET <prefix>/… by its first path segment: `healthy` 200 "ok", `broken` 500, `slow` 200 "ok"
 * after 300 ms, `wrong` 200 with another body, `flaky` 200 the first time then 500, `echo` 200 with the
 * request's Authorization header. Counts the requests per segment.
 */
export async function startPreviewServer(): Promise<{ url: string; requests: Map<string, number>; close: () => Promise<void> }> {
  const requests = new Map<string, number>();
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const segment = (req.url ?? '/').split('/')[1].split('?')[0];
    const count = (requests.get(segment) ?? 0) + 1;
    requests.set(segment, count);
    const answer = (status: number, body: string) => res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    switch (segment) {
      case 'healthy': return answer(200, 'ok');
      case 'broken': return answer(500, 'internal error');
      case 'slow': return void setTimeout(() => answer(200, 'ok'), 300);
      case 'wrong': return answer(200, '{"status": "degraded"}');
      case 'flaky': return answer(count === 1 ? 200 : 500, count === 1 ? 'ok' : 'failing now');
      case 'echo': return answer(200, `you sent ${req.headers.authorization ?? 'nothing'}`);
      default: return answer(404, 'not found');
    }
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
