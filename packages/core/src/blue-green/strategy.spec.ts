import { FAKE_DESCRIPTIONS, fakeAdapter, FakePlatform, startPreviewServer } from '../__fixtures__/blue-green-fake';
import { HttpClient } from '../http';
import { memoryLogger } from '../logger';
import { runPlan } from '../runner';
import { blueGreenOptions } from './options';
import { BlueGreenHooks, blueGreenSteps, IdleDeployment } from './strategy';

let server: Awaited<ReturnType<typeof startPreviewServer>>;
beforeAll(async () => { server = await startPreviewServer(); });
afterAll(() => server.close());

const options = (raw: Record<string, unknown> = {}) => blueGreenOptions({ check: { path: '/healthz', attempts: 2, spacing: '3s', maxLatency: '1s', timeout: '2s' }, keepPrevious: '10m', ...raw });

/** Runs the blue-green steps of a fake platform on the real runner, with waits recorded instead of waited. */
async function deploy(platform: Partial<FakePlatform> & { previewUrl: string }, raw: Record<string, unknown> = {}, hooks: BlueGreenHooks = {}, run: { secrets?: string[]; dryRun?: boolean } = {}) {
  const fake = fakeAdapter({ live: 'deployment api-blue', ...platform });
  const waits: number[] = [];
  const { logger, text } = memoryLogger();
  const steps = blueGreenSteps(fake.adapter, options(raw), { sleep: async (ms) => void waits.push(ms), ...hooks });
  const report = await runPlan({ title: 'blue-green api', steps }, { logger, handleSignals: false, stepSummaryFile: '/dev/null', ...run });
  return { ...fake, waits, text, report };
}

describe('blueGreenSteps', () => {
  it('passing check → switch → keeps the previous version for keepPrevious → retires it', async () => {
    const { calls, waits, report, text } = await deploy({ previewUrl: `${server.url}/healthy` });
    expect(report.status).toBe('succeeded');
    expect(calls).toEqual(['deployIdle', 'waitReady', 'switchTo', 'retire old']);
    // Spacing between the two check attempts, then keepPrevious.
    expect(waits).toEqual([3000, 600_000]);
    expect(report.outputs.previewUrl).toBe(`${server.url}/healthy`);
    expect(text()).toMatch(/attempt 1\/2: 200 in \d+ ms: passed/);
    expect(text()).toContain('Keeping deployment api-blue ready until');
    expect(text()).toContain('The deploy completed: traffic stays on deployment api-green');
    expect(text()).toContain('deployment api-green is live: nothing to retire');
  });

  it('retires the previous version at once with keepPrevious 0', async () => {
    const { calls, waits, report } = await deploy({ previewUrl: `${server.url}/healthy` }, { keepPrevious: 0 });
    expect(report.status).toBe('succeeded');
    expect(calls).toEqual(['deployIdle', 'waitReady', 'switchTo', 'retire old']);
    expect(waits).toEqual([3000]);
  });

  it.each([
    ['a 500', 'broken', {}, 'attempt 1 of 2 failed: status 500 is outside 200–299; expected status 200–299 within 1s'],
    ['a slow answer', 'slow', { check: { path: '/healthz', maxLatency: '100ms', attempts: 1 } }, 'ms is over the 100ms latency limit'],
    ['the wrong body', 'wrong', { check: { path: '/healthz', body: 'ok', attempts: 1 } }, 'the body does not satisfy "body contains "ok""'],
  ])('a failing check (%s) never switches: the new version is retired, the live one untouched, the error gives the values', async (_what, mode, raw, detail) => {
    const { calls, report, text } = await deploy({ previewUrl: `${server.url}/${mode}` }, raw);
    expect(report.status).toBe('failed');
    expect(calls).toEqual(['deployIdle', 'waitReady', 'retire new']);
    expect(report.error).toContain('The check of deployment api-green at its preview URL failed; traffic stays on deployment api-blue and the new version is retired');
    expect(report.error).toContain(`GET ${server.url}/${mode}/healthz`);
    expect(report.error).toContain(detail);
    expect(text()).toContain('Retiring deployment api-green: it never took traffic (The check of deployment api-green');
  });

  it('a failing post-switch check switches back, retires the new version and says why', async () => {
    const { calls, report, text, waits } = await deploy({ previewUrl: `${server.url}/healthy`, liveUrl: `${server.url}/broken` }, { postSwitchCheck: { attempts: 1 } });
    expect(report.status).toBe('failed');
    expect(calls).toEqual(['deployIdle', 'waitReady', 'switchTo', 'switchBack', 'retire new']);
    expect(waits).toEqual([3000]);
    expect(report.error).toContain('The check of deployment api-green at the live URL after the switch failed; traffic goes back to deployment api-blue');
    expect(report.error).toContain(`GET ${server.url}/broken/healthz: attempt 1 of 1 failed: status 500 is outside 200–299`);
    expect(text()).toContain('Switching traffic back to deployment api-blue because The check of deployment api-green at the live URL');
    expect(text()).toContain('Traffic is back on deployment api-blue');
  });

  it('a passing post-switch check at postSwitchCheck.url goes on to keepPrevious', async () => {
    const { calls, report } = await deploy({ previewUrl: `${server.url}/healthy` }, { postSwitchCheck: { url: `${server.url}/healthy`, attempts: 1 } });
    expect(report.status).toBe('succeeded');
    expect(calls).toEqual(['deployIdle', 'waitReady', 'switchTo', 'retire old']);
  });

  it('a post-switch check without any live URL fails before the switch', async () => {
    const { calls, report } = await deploy({ previewUrl: `${server.url}/healthy` }, { postSwitchCheck: true });
    expect(report.status).toBe('failed');
    expect(calls).toEqual(['deployIdle', 'retire new']);
    expect(report.error).toContain('deployment api has no live URL for the post-switch check: give blueGreen.postSwitchCheck.url');
  });

  it('a switch that fails part way is switched back', async () => {
    const { calls, report } = await deploy({ previewUrl: `${server.url}/healthy`, fail: { switchTo: 'Service api: the API server refused the patch' } });
    expect(report.status).toBe('failed');
    expect(calls).toEqual(['deployIdle', 'waitReady', 'switchTo', 'switchBack', 'retire new']);
    expect(report.error).toContain('Service api: the API server refused the patch');
  });

  it('a version that never gets ready is retired without a check or a switch', async () => {
    const checked = server.requests.get('healthy') ?? 0;
    const { calls, report, text } = await deploy({ previewUrl: `${server.url}/healthy`, fail: { waitReady: 'deployment api-green: ImagePullBackOff' } });
    expect(calls).toEqual(['deployIdle', 'waitReady', 'retire new']);
    expect(server.requests.get('healthy') ?? 0).toBe(checked);
    expect(report.error).toContain('ImagePullBackOff');
    expect(text()).toContain('Retiring deployment api-green: it never took traffic (deployment api-green: ImagePullBackOff)');
  });

  it('a deploy that fails part way still has the new version retired', async () => {
    const { calls, report } = await deploy({ previewUrl: `${server.url}/healthy`, fail: { deployIdle: 'quota exceeded' } });
    expect(report.status).toBe('failed');
    expect(calls).toEqual(['deployIdle', 'retire new']);
  });

  it('when switching back fails, the new version is left running (it may hold traffic) and both errors show', async () => {
    const { calls, report, text } = await deploy({ previewUrl: `${server.url}/healthy`, liveUrl: `${server.url}/broken`, fail: { switchBack: 'Service api not found' } }, { postSwitchCheck: { attempts: 1 } });
    expect(calls).toEqual(['deployIdle', 'waitReady', 'switchTo', 'switchBack']);
    expect(report.cleanups?.map((c) => c.status)).toEqual(['failed', 'succeeded']);
    expect(text()).toContain('cleanup failed: Service api not found');
    expect(text()).toContain('deployment api-green may still take traffic (switching back did not succeed): left running');
  });

  it('a failure to retire the previous version fails the run but does not switch back', async () => {
    const { calls, report } = await deploy({ previewUrl: `${server.url}/healthy`, fail: { 'retire old': 'scale refused' } });
    expect(report.status).toBe('failed');
    expect(calls).toEqual(['deployIdle', 'waitReady', 'switchTo', 'retire old']);
    expect(report.error).toContain('deployment api-green is live, but retiring deployment api-blue failed: scale refused');
  });

  it('on a first deploy there is nothing to keep, retire or switch back to', async () => {
    const ok = await deploy({ previewUrl: `${server.url}/healthy`, live: undefined });
    expect(ok.report.status).toBe('succeeded');
    expect(ok.calls).toEqual(['deployIdle', 'waitReady', 'switchTo']);
    expect(ok.waits).toEqual([3000]);
    const failed = await deploy({ previewUrl: `${server.url}/healthy`, liveUrl: `${server.url}/broken`, live: undefined }, { postSwitchCheck: { attempts: 1 } });
    expect(failed.calls).toEqual(['deployIdle', 'waitReady', 'switchTo']);
    expect(failed.report.error).toContain('after the switch failed; nothing was live before, so it keeps the traffic');
    expect(failed.text()).toContain('Nothing was live before deployment api-green: it keeps the traffic');
    const unchecked = await deploy({ previewUrl: `${server.url}/broken`, live: undefined });
    expect(unchecked.calls).toEqual(['deployIdle', 'waitReady', 'retire new']);
    expect(unchecked.report.error).toContain('at its preview URL failed; no traffic was switched and the new version is retired');
  });

  it('runs the analysis hook before the switch, and a failing analysis never switches', async () => {
    const seen: IdleDeployment[] = [];
    const passing = await deploy({ previewUrl: `${server.url}/healthy` }, {}, { analysis: { description: 'error rate of the preview under 1%', run: async (_ctx, idle) => void seen.push(idle) } });
    expect(passing.report.status).toBe('succeeded');
    expect(seen.map((i) => i.previewUrl)).toEqual([`${server.url}/healthy`]);
    const failing = await deploy({ previewUrl: `${server.url}/healthy` }, {}, { analysis: { description: 'error rate', run: async () => { throw new Error('error rate 4.2% over the 1% limit'); } } });
    expect(failing.calls).toEqual(['deployIdle', 'waitReady', 'retire new']);
    expect(failing.report.error).toContain('error rate 4.2% over the 1% limit');
  });

  it('a dry run prints every stage, the check and the cleanups, and calls nothing', async () => {
    const { calls, report, text } = await deploy(
      { previewUrl: `${server.url}/healthy` },
      { check: { path: '/healthz', body: { regex: '"status":"UP"' } }, postSwitchCheck: { url: 'https://api.example.com' } },
      { analysis: { description: 'canary-monitor: error rate of the preview', run: async () => undefined } },
      { dryRun: true },
    );
    expect(report.status).toBe('dry-run');
    expect(calls).toEqual([]);
    const plan = text();
    const titles = [
      '1. [cleanup (always runs at the end)] Retire the new version unless it took the traffic',
      '2. [task] Deploy the new version of deployment api beside the live one, without user traffic',
      '3. [task] Wait until the new version is ready',
      '4. [task] Check the new version at its preview URL, before any user sees it',
      '5. [task] Analyse the new version before the switch',
      '6. [cleanup (always runs at the end)] Switch traffic back to the previous version unless the deploy completed',
      '7. [task] Switch all traffic to the new version',
      '8. [task] Check the live URL after the switch',
      '9. [task] Keep the previous version ready for 10m',
      '10. [task] Retire the previous version',
    ];
    let at = 0;
    for (const title of titles) {
      at = plan.indexOf(title, at);
      expect(at).toBeGreaterThanOrEqual(0);
    }
    for (const description of Object.values(FAKE_DESCRIPTIONS)) expect(plan).toContain(description);
    expect(plan).toContain('GET <preview URL>/healthz ×3, 2s apart (timeout 10s each): status 200–299, answered within 2s, body matches /"status":"UP"/; every request must pass; a failure stops the deploy before the switch');
    expect(plan).toContain('GET https://api.example.com/healthz ×3');
    expect(plan).toContain('canary-monitor: error rate of the preview; a failure stops the deploy before the switch');
  });

  it("never shows a secret: neither the check client's token echoed in a body nor a token in the check's query", async () => {
    const token = 'id-token-S3cr3t-value';
    const queryKey = 'query-key-S3cr3t-value';
    const client = new HttpClient({ headers: { authorization: `Bearer ${token}` } });
    const { report, text } = await deploy(
      { previewUrl: `${server.url}/echo` },
      { check: { path: `/healthz?key=${queryKey}`, body: 'all good', attempts: 1 } },
      { client },
      { secrets: [token] },
    );
    expect(report.status).toBe('failed');
    expect(report.error).toContain('you sent Bearer ***');
    for (const out of [text(), JSON.stringify(report)]) {
      expect(out).not.toContain(token);
      expect(out).not.toContain(queryKey);
    }
  });
});
