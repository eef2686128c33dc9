import { startPreviewServer } from '../__fixtures__/blue-green-fake';
import { HttpClient } from '../http';
import { checkUrl, describeHttpCheck, HttpCheck, runHttpCheck } from './http-check';

let server: Awaited<ReturnType<typeof startPreviewServer>>;
beforeAll(async () => { server = await startPreviewServer(); });
afterAll(() => server.close());

const check = (over: Partial<HttpCheck> = {}): HttpCheck => ({ path: '/healthz', expectStatus: [200, 299], maxLatencyMs: 1000, attempts: 3, spacingMs: 1500, timeoutMs: 2000, ...over });

/** A sleep that records the waits and returns at once. */
function fakeSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe('runHttpCheck', () => {
  it('passes when every attempt passes, spacing them by the injected sleep, and reports each in words', async () => {
    const { waits, sleep } = fakeSleep();
    const lines: string[] = [];
    const result = await runHttpCheck(`${server.url}/healthy`, check({ body: { contains: 'ok' } }), { sleep, log: (l) => lines.push(l) });
    expect(result.passed).toBe(true);
    expect(waits).toEqual([1500, 1500]);
    expect(result.attempts.map((a) => [a.status, a.bodyMatched, a.passed])).toEqual([[200, true, true], [200, true, true], [200, true, true]]);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^attempt 1\/3: 200 in \d+ ms, body contains "ok": passed$/);
    expect(result.summary).toBe(`GET ${server.url}/healthy/healthz: all 3 attempts passed`);
  });

  it('fails on a 500 at the first attempt, with one request only (no retry inside an attempt), naming status and range', async () => {
    const before = server.requests.get('broken') ?? 0;
    const { waits, sleep } = fakeSleep();
    const result = await runHttpCheck(`${server.url}/broken`, check(), { sleep });
    expect(result.passed).toBe(false);
    expect(server.requests.get('broken')! - before).toBe(1);
    expect(waits).toEqual([]);
    expect(result.attempts).toHaveLength(1);
    expect(result.summary).toBe(`GET ${server.url}/broken/healthz: attempt 1 of 3 failed: status 500 is outside 200–299; expected status 200–299 within 1s`);
  });

  it('fails an answer slower than maxLatency, with the measured and the limit', async () => {
    const result = await runHttpCheck(`${server.url}/slow`, check({ maxLatencyMs: 100, attempts: 1 }), { sleep: fakeSleep().sleep });
    expect(result.passed).toBe(false);
    expect(result.attempts[0].status).toBe(200);
    expect(result.attempts[0].ms).toBeGreaterThanOrEqual(290);
    expect(result.summary).toMatch(/attempt 1 of 1 failed: \d{3,} ms is over the 100ms latency limit; expected status 200–299 within 100ms$/);
  });

  it('fails a request without a complete answer within the timeout', async () => {
    const result = await runHttpCheck(`${server.url}/slow`, check({ maxLatencyMs: 100, timeoutMs: 150, attempts: 2 }), { sleep: fakeSleep().sleep });
    expect(result.passed).toBe(false);
    expect(result.attempts[0].status).toBeUndefined();
    expect(result.summary).toContain('attempt 1 of 2 failed: no complete answer within the 150ms timeout');
  });

  it('checks the body by substring and by regular expression, quoting the start of a body that does not match', async () => {
    const { sleep } = fakeSleep();
    const wrong = await runHttpCheck(`${server.url}/wrong`, check({ body: { contains: 'ok' }, attempts: 1 }), { sleep });
    expect(wrong.passed).toBe(false);
    expect(wrong.attempts[0].bodyMatched).toBe(false);
    expect(wrong.summary).toContain('the body does not satisfy "body contains "ok"" (it starts: "{\\"status\\": \\"degraded\\"}")');
    expect((await runHttpCheck(`${server.url}/wrong`, check({ body: { regex: /"status":\s*"degraded"/ }, attempts: 1 }), { sleep })).passed).toBe(true);
    const regexMiss = await runHttpCheck(`${server.url}/wrong`, check({ body: { regex: /^ok$/ }, attempts: 1 }), { sleep });
    expect(regexMiss.summary).toContain('body matches /^ok$/');
    expect(regexMiss.passed).toBe(false);
  });

  it('stops at the first failing attempt and says which passed before it', async () => {
    server.requests.delete('flaky');
    const result = await runHttpCheck(`${server.url}/flaky`, check({ attempts: 4 }), { sleep: fakeSleep().sleep });
    expect(result.passed).toBe(false);
    expect(server.requests.get('flaky')).toBe(2);
    expect(result.summary).toContain('attempt 2 of 4 failed: status 500 is outside 200–299 (attempt 1 passed)');
  });

  it('fails a refused connection as no answer', async () => {
    const closed = await startPreviewServer();
    await closed.close();
    const result = await runHttpCheck(closed.url, check({ attempts: 1 }), { sleep: fakeSleep().sleep });
    expect(result.passed).toBe(false);
    expect(result.summary).toMatch(/attempt 1 of 1 failed: no answer: network error \(ECONNREFUSED\)/);
  });

  it('rejects with an AbortError when the signal aborts between attempts', async () => {
    const abort = new AbortController();
    const sleep = async () => abort.abort();
    await expect(runHttpCheck(`${server.url}/healthy`, check(), { sleep, signal: abort.signal })).rejects.toThrow('the check was stopped');
  });

  it('sends the requests through the given client, with its headers', async () => {
    const client = new HttpClient({ headers: { authorization: 'Bearer id-token-for-the-check' } });
    const result = await runHttpCheck(`${server.url}/echo`, check({ attempts: 1, body: { contains: 'Bearer id-token-for-the-check' } }), { client, sleep: fakeSleep().sleep });
    expect(result.passed).toBe(true);
  });
});

describe('checkUrl and describeHttpCheck', () => {
  it("keeps the base URL's path and joins with one slash", () => {
    expect(checkUrl('https://h.example.com/preview/', '/healthz?full=1')).toBe('https://h.example.com/preview/healthz?full=1');
    expect(checkUrl('https://h.example.com', '/')).toBe('https://h.example.com/');
  });

  it('says what is sent and what passes, without the query', () => {
    expect(describeHttpCheck('https://green---api.a.run.app', check({ path: '/healthz?key=abc', body: { regex: /UP/ } }))).toBe(
      'GET https://green---api.a.run.app/healthz ×3, 1.5s apart (timeout 2s each): status 200–299, answered within 1s, body matches /UP/; every request must pass',
    );
  });
});
