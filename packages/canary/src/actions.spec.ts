import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DEFAULT_HTTP_RETRY, memoryLogger, runPlan, taskStep, TaskContext } from '@shipfleet/core';
import { ActionContext } from './actions/action';
import { CommandAction, commandArgv } from './actions/command';
import { CANARY_WEIGHT_ANNOTATION, K8sPatch, KubernetesAction, kubernetesPatches, replicaSplit } from './actions/kubernetes';
import { WebhookAction } from './actions/webhook';
import { notifyWebhook } from './notify';

interface Received {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local HTTP server answering each request with the next status of `statuses` (the last one repeats). */
async function recorder(statuses: number[] = [200]): Promise<{ url: string; requests: Received[]; close: () => Promise<void> }> {
  const requests: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      const status = statuses[Math.min(requests.length - 1, statuses.length - 1)];
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status >= 400 ? `status ${status}` : 'ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

function fakeContext(): ActionContext & { lines: string[]; calls: { file: string; args: string[]; options?: unknown }[] } {
  const lines: string[] = [];
  const calls: { file: string; args: string[]; options?: unknown }[] = [];
  return {
    lines,
    calls,
    log: (l) => lines.push(l),
    addSecret: () => undefined,
    signal: new AbortController().signal,
    exec: async (file, args, options) => {
      calls.push({ file, args, options });
      return { exitCode: 0, stdout: 'weight set\n', stderr: '' };
    },
  };
}

describe('command action', () => {
  const spec = { type: 'command' as const, setWeight: ['kubectl', 'annotate', '--overwrite', 'ingress/web-canary', `${CANARY_WEIGHT_ANNOTATION}={{weight}}`], cwd: '/srv/web', env: { KUBECONFIG: '/k' }, timeoutMs: 60_000 };

  it('fills {{weight}} into the argv, and defaults promote to 100 and rollback to 0', async () => {
    const action = new CommandAction(spec);
    const ctx = fakeContext();
    await action.setWeight(25, ctx);
    await action.promote(ctx);
    await action.rollback(ctx);
    expect(ctx.calls.map((c) => c.args[3])).toEqual([`${CANARY_WEIGHT_ANNOTATION}=25`, `${CANARY_WEIGHT_ANNOTATION}=100`, `${CANARY_WEIGHT_ANNOTATION}=0`]);
    expect(ctx.calls[0]).toEqual({ file: 'kubectl', args: ['annotate', '--overwrite', 'ingress/web-canary', `${CANARY_WEIGHT_ANNOTATION}=25`], options: { cwd: '/srv/web', env: { KUBECONFIG: '/k' }, timeoutMs: 60_000 } });
    expect(ctx.lines).toContain(`$ kubectl annotate --overwrite ingress/web-canary ${CANARY_WEIGHT_ANNOTATION}=25`);
    expect(action.describe('setWeight', 5)).toBe(`$ kubectl annotate --overwrite ingress/web-canary ${CANARY_WEIGHT_ANNOTATION}=5 (in /srv/web)`);
  });

  it('runs its own promote and rollback commands when given', () => {
    const own = { ...spec, promote: ['./promote.sh'], rollback: ['./undo.sh', '--to={{weight}}'] };
    expect(commandArgv(own, 'promote', 100)).toEqual(['./promote.sh']);
    expect(commandArgv(own, 'rollback', 0)).toEqual(['./undo.sh', '--to=0']);
  });

  it('runs through the plan runner (argv, no shell) and fails on a non-zero exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipfleet-canary-cmd-'));
    const out = join(dir, 'argv.txt');
    const script = 'require("fs").appendFileSync(process.env.OUT, JSON.stringify(process.argv.slice(1)) + "\\n"); if (process.argv[1] === "50") { console.error("no such ingress"); process.exit(3); }';
    const action = new CommandAction({ type: 'command', setWeight: [process.execPath, '-e', script, '{{weight}}', '; rm -rf ~ {{weight}}'], env: { OUT: out }, timeoutMs: 10_000 });
    const { logger, lines } = memoryLogger();
    const step = (w: number) => taskStep(`set ${w}`, '', (ctx: TaskContext) => action.setWeight(w, ctx));
    const report = await runPlan({ title: 't', steps: [step(5), step(50)] }, { logger, handleSignals: false, printSummary: false, stepSummaryFile: '/dev/null' });
    expect(readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      ['5', '; rm -rf ~ 5'],
      ['50', '; rm -rf ~ 50'],
    ]);
    expect(report.status).toBe('failed');
    expect(report.error).toContain('exited with code 3: no such ingress');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('webhook action', () => {
  // The HTTP client's retry policy, with waits short enough for a test.
  const retry = { delayMs: 1, jitter: 0 };

  it('POSTs {action, weight, canary} as JSON with the bearer token', async () => {
    const hook = await recorder();
    try {
      const action = new WebhookAction({ type: 'webhook', url: hook.url, tokenEnv: 'T', timeoutMs: 5000 }, { canary: 'web', token: 'tok-secret' });
      const ctx = fakeContext();
      await action.setWeight(25, ctx);
      await action.promote(ctx);
      await action.rollback(ctx);
      expect(hook.requests.map((r) => JSON.parse(r.body))).toEqual([
        { action: 'setWeight', weight: 25, canary: 'web' },
        { action: 'promote', weight: 100, canary: 'web' },
        { action: 'rollback', weight: 0, canary: 'web' },
      ]);
      expect(hook.requests[0]).toMatchObject({ method: 'POST', url: '/hook', headers: { 'content-type': 'application/json', authorization: 'Bearer tok-secret' } });
      expect(action.describe('setWeight', 5)).toBe(`POST ${hook.url} {"action":"setWeight","weight":5,"canary":"web"} (Authorization: Bearer $T)`);
      expect(ctx.lines[0]).toBe(`POST ${hook.url} {"action":"setWeight","weight":25,"canary":"web"} → 200`);
    } finally {
      await hook.close();
    }
  });

  it('retries a 5xx answer with the retry policy and fails at once on a 4xx', async () => {
    const flaky = await recorder([503, 502, 200]);
    const refusing = await recorder([403]);
    try {
      const ctx = fakeContext();
      await new WebhookAction({ type: 'webhook', url: flaky.url, timeoutMs: 5000 }, { canary: 'web', retry }).setWeight(5, ctx);
      expect(flaky.requests).toHaveLength(3);
      expect(ctx.lines.filter((l) => l.includes('retrying'))).toEqual([
        `POST ${flaky.url}: HTTP 503; retrying in 1ms (attempt 2 of ${DEFAULT_HTTP_RETRY.attempts})`,
        `POST ${flaky.url}: HTTP 502; retrying in 2ms (attempt 3 of ${DEFAULT_HTTP_RETRY.attempts})`,
      ]);
      await expect(new WebhookAction({ type: 'webhook', url: refusing.url, timeoutMs: 5000 }, { canary: 'web', retry }).setWeight(5, ctx)).rejects.toThrow(
        `webhook refused setWeight 5%: POST ${refusing.url} failed: 403 Forbidden: status 403`,
      );
      expect(refusing.requests).toHaveLength(1);
    } finally {
      await flaky.close();
      await refusing.close();
    }
  });

  it('gives up after the attempts of the retry policy when nothing answers', async () => {
    const gone = await recorder();
    await gone.close();
    const action = new WebhookAction({ type: 'webhook', url: gone.url, timeoutMs: 2000 }, { canary: 'web', retry });
    await expect(action.rollback(fakeContext())).rejects.toThrow(new RegExp(`failed for rollback 0%: .*network error \\(ECONNREFUSED\\) \\(after ${DEFAULT_HTTP_RETRY.attempts} attempts\\)`));
  });

  it('shows neither the token nor the query of its URL in messages, even when the answer echoes them', async () => {
    const echo = createServer((req, res) => res.writeHead(401).end(`denied for ${req.headers.authorization} at ${req.url}`));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/hook?key=query-secret`;
      const action = new WebhookAction({ type: 'webhook', url, tokenEnv: 'T', timeoutMs: 5000 }, { canary: 'web', token: 'tok-secret-123', retry });
      const ctx = fakeContext();
      const err: Error = await action.setWeight(5, ctx).then(() => new Error('no error'), (e) => e);
      expect(err.message).toMatch(/refused setWeight 5%: .*401.*denied for/);
      for (const text of [err.message, action.describe('setWeight', 5), ...ctx.lines]) expect(text).not.toContain('tok-secret-123');
      expect(action.describe('setWeight', 5)).not.toContain('query-secret');
    } finally {
      await new Promise((r) => echo.close(r));
    }
  });
});

describe('kubernetes action', () => {
  it('patches the ingress-nginx canary-weight annotation', async () => {
    const patches: K8sPatch[] = [];
    const action = new KubernetesAction({ type: 'kubernetes', mode: 'ingress-nginx', ingress: 'web-canary', namespace: 'prod' }, async (p) => void patches.push(p));
    const ctx = fakeContext();
    await action.setWeight(25, ctx);
    await action.rollback(ctx);
    expect(patches).toEqual([
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'web-canary', namespace: 'prod', annotations: { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '25' } },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'web-canary', namespace: 'prod', annotations: { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '0' } },
      },
    ]);
    expect(ctx.lines).toEqual(['applied Ingress prod/web-canary: nginx.ingress.kubernetes.io/canary-weight=25', 'applied Ingress prod/web-canary: nginx.ingress.kubernetes.io/canary-weight=0']);
  });

  it('splits replicas by weight, growing before shrinking', async () => {
    const spec = { type: 'kubernetes' as const, mode: 'replicas' as const, canary: 'web-canary', stable: 'web', replicas: 10 };
    const patches: K8sPatch[] = [];
    const action = new KubernetesAction(spec, async (p) => void patches.push(p));
    await action.setWeight(25, fakeContext());
    const summary = () => patches.splice(0).map((p) => `${p.metadata.name}=${p.spec!.replicas}`);
    // 2.5 rounds to 3: the canary grows first.
    expect(summary()).toEqual(['web-canary=3', 'web=7']);
    await action.rollback(fakeContext());
    // Rolling back, the stable Deployment grows first.
    expect(summary()).toEqual(['web=10', 'web-canary=0']);
    await action.promote(fakeContext());
    expect(summary()).toEqual(['web-canary=10', 'web=0']);
    expect(patches).toEqual([]);
    expect(kubernetesPatches({ ...spec, namespace: 'prod' }, 'setWeight', 50)[0]).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web-canary', namespace: 'prod' }, spec: { replicas: 5 } });
  });

  it('keeps at least one replica of each side between 0 and 100 %, and says when the split differs from the weight', () => {
    expect(replicaSplit(4, 5)).toEqual({ canary: 1, stable: 3 });
    expect(replicaSplit(4, 95)).toEqual({ canary: 3, stable: 1 });
    expect(replicaSplit(4, 0)).toEqual({ canary: 0, stable: 4 });
    expect(replicaSplit(4, 100)).toEqual({ canary: 4, stable: 0 });
    const action = new KubernetesAction({ type: 'kubernetes', mode: 'replicas', canary: 'c', stable: 's', replicas: 4 }, async () => undefined);
    expect(action.describe('setWeight', 5)).toBe('apply Deployment c: replicas=1, then Deployment s: replicas=3 (1 of 4 replicas: 25% rather than 5%)');
  });
});

describe('notification webhook', () => {
  it('posts Slack-compatible {text} and reports failures instead of throwing, without its secret URL', async () => {
    const hook = await recorder([200, 500]);
    const url = `${hook.url}/T000/B000/path-secret`;
    const retry = { delayMs: 1, jitter: 0 };
    try {
      expect(await notifyWebhook(url, 'Canary web promoted', { retry })).toBeUndefined();
      expect(JSON.parse(hook.requests[0].body)).toEqual({ text: 'Canary web promoted' });
      expect(await notifyWebhook(url, 'again', { retry })).toBe(`500 Internal Server Error: status 500 (after ${DEFAULT_HTTP_RETRY.attempts} attempts)`);
    } finally {
      await hook.close();
    }
    const gone = await recorder();
    await gone.close();
    const problem = await notifyWebhook(`${gone.url}/path-secret`, 'gone', { retry });
    expect(problem).toMatch(/ECONNREFUSED/);
    expect(problem).not.toContain('path-secret');
  });
});
