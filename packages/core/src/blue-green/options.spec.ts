import { thrownUserError } from '../errors';
import { blueGreenOptions, DEFAULT_BLUE_GREEN_CHECK } from './options';

describe('blueGreenOptions', () => {
  it('fills the defaults: GET / ×3, 2s apart, 200–299 within 2s, timeout 10s, keepPrevious 30s', () => {
    expect(blueGreenOptions(undefined)).toEqual({ check: DEFAULT_BLUE_GREEN_CHECK, keepPreviousMs: 30_000 });
    expect(DEFAULT_BLUE_GREEN_CHECK).toEqual({ path: '/', expectStatus: [200, 299], maxLatencyMs: 2000, attempts: 3, spacingMs: 2000, timeoutMs: 10_000 });
  });

  it('reads every check option, the body as text or regex, and keepPrevious', () => {
    const o = blueGreenOptions({ check: { path: '/healthz', expectStatus: [200, 204], maxLatency: '500ms', body: { regex: '^ok$' }, attempts: 5, spacing: '1s', timeout: '3s' }, keepPrevious: '1h' });
    expect(o.check).toEqual({ path: '/healthz', expectStatus: [200, 204], maxLatencyMs: 500, body: { regex: /^ok$/ }, attempts: 5, spacingMs: 1000, timeoutMs: 3000 });
    expect(o.keepPreviousMs).toBe(3_600_000);
    expect(blueGreenOptions({ check: { body: 'ok' } }).check.body).toEqual({ contains: 'ok' });
    expect(blueGreenOptions({ check: { body: { contains: 'UP' } } }).check.body).toEqual({ contains: 'UP' });
    expect(blueGreenOptions({ keepPrevious: 0 }).keepPreviousMs).toBe(0);
  });

  it('postSwitchCheck: true is the same check; an object overrides it field by field and may give a url', () => {
    const base = { check: { path: '/healthz', attempts: 2 } };
    expect(blueGreenOptions({ ...base, postSwitchCheck: true }).postSwitchCheck).toEqual(blueGreenOptions(base).check);
    expect(blueGreenOptions({ ...base, postSwitchCheck: false }).postSwitchCheck).toBeUndefined();
    const post = blueGreenOptions({ ...base, postSwitchCheck: { url: 'https://api.example.com', attempts: 6 } }).postSwitchCheck;
    expect(post).toMatchObject({ url: 'https://api.example.com/', path: '/healthz', attempts: 6 });
  });

  it.each([
    [{ check: { attempts: 0 } }, 'blueGreen.check.attempts', '0 is not a whole number'],
    [{ check: { attempts: 2.5 } }, 'blueGreen.check.attempts', '2.5 is not a whole number'],
    [{ check: { expectStatus: [299, 200] } }, 'blueGreen.check.expectStatus', 'is not a range of HTTP status codes'],
    [{ check: { expectStatus: 200 } }, 'blueGreen.check.expectStatus', '200 is not a range'],
    [{ check: { maxLatency: 'fast' } }, 'blueGreen.check.maxLatency', '"fast" is not a duration'],
    [{ check: { maxLatency: '20s' } }, 'blueGreen.check.maxLatency', 'the latency limit 20s is longer than the timeout 10s'],
    [{ check: { timeout: '1s' } }, 'blueGreen.check.timeout', 'the latency limit 2s is longer than the timeout 1s'],
    [{ check: { spacing: -1 } }, 'blueGreen.check.spacing', '-1 is not a duration'],
    [{ check: { path: 'healthz' } }, 'blueGreen.check.path', '"healthz" is not a URL path'],
    [{ check: { body: '' } }, 'blueGreen.check.body', 'is empty'],
    [{ check: { body: { regex: '(' } } }, 'blueGreen.check.body.regex', 'is not a valid regular expression'],
    [{ check: { body: { contains: 'a', regex: 'b' } } }, 'blueGreen.check.body', 'must hold either "contains" or "regex"'],
    [{ check: { expectedStatus: [200, 299] } }, 'blueGreen.check.expectedStatus', 'is not a blue-green option'],
    [{ check: 'yes' }, 'blueGreen.check', '"yes" is not an object'],
    [{ keepPrevious: '2d' }, 'blueGreen.keepPrevious', '"2d" is not a duration'],
    [{ keepPrevious: '25h' }, 'blueGreen.keepPrevious', 'is longer than 24h'],
    [{ keepPrevios: '1m' }, 'blueGreen.keepPrevios', 'is not a blue-green option'],
    [{ postSwitchCheck: { url: 'http://api.example.com' } }, 'blueGreen.postSwitchCheck.url', 'uses plain http'],
    [{ postSwitchCheck: { attempts: -2 } }, 'blueGreen.postSwitchCheck.attempts', '-2 is not a whole number'],
    [{ postSwitchCheck: 'live' }, 'blueGreen.postSwitchCheck', '"live" is not an object'],
  ])('%j: UserError naming %s', (raw, option, problem) => {
    const err = thrownUserError(() => blueGreenOptions(raw));
    expect(err.option).toBe(option);
    expect(err.problem).toContain(problem);
    expect(err.fix.length).toBeGreaterThan(0);
  });

  it('names the options under the prefix it is given', () => {
    expect(thrownUserError(() => blueGreenOptions({ check: { attempts: 0 } }, 'strategy.blueGreen')).option).toBe('strategy.blueGreen.check.attempts');
  });
});
