import { backoffDelay, DEFAULT_HTTP_RETRY, retryAfterDelay } from './retry';
import { sleep } from './sleep';

describe('backoffDelay', () => {
  it('grows by factor from delayMs, capped by maxDelayMs', () => {
    const policy = { attempts: 6, delayMs: 100, maxDelayMs: 500 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(policy, n))).toEqual([100, 200, 400, 500]);
    expect(backoffDelay({ attempts: 3, delayMs: 100, factor: 3 }, 3)).toBe(900);
  });

  it('takes up to `jitter` of the delay off at random', () => {
    const policy = { attempts: 3, delayMs: 1000, jitter: 0.25 };
    expect(backoffDelay(policy, 1, () => 0)).toBe(1000);
    expect(backoffDelay(policy, 1, () => 0.999)).toBe(750);
    for (let i = 0; i < 20; i++) expect(backoffDelay(DEFAULT_HTTP_RETRY, 2)).toBeGreaterThanOrEqual(750);
  });

  it('caps a server\'s Retry-After by maxDelayMs, without jitter', () => {
    expect(retryAfterDelay({ attempts: 2, delayMs: 1, maxDelayMs: 5000, jitter: 1 }, 3000)).toBe(3000);
    expect(retryAfterDelay({ attempts: 2, delayMs: 1, maxDelayMs: 5000 }, 60_000)).toBe(5000);
  });
});

describe('sleep', () => {
  it('waits, and returns early when its signal aborts (or has)', async () => {
    let t0 = Date.now();
    await sleep(30);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    t0 = Date.now();
    await sleep(10_000, ac.signal);
    expect(Date.now() - t0).toBeLessThan(1000);
    t0 = Date.now();
    await sleep(10_000, ac.signal);
    expect(Date.now() - t0).toBeLessThan(100);
  });
});
