import { thrownUserError, UserError } from '../errors';
import {
  booleanOption,
  deprecatedOption,
  durationOption,
  envNameOption,
  integerOption,
  isPlainObject,
  numberOption,
  oneOfOption,
  parseDuration,
  patternOption,
  plainObjectOption,
  positiveIntegerOption,
  requiredOption,
  stringListOption,
} from './index';

const userError = thrownUserError;

describe('every validator passes an absent option through as undefined', () => {
  it.each([
    ['plainObjectOption', (v: unknown) => plainObjectOption('o', v, { example: '{}' })],
    ['booleanOption', (v: unknown) => booleanOption('o', v)],
    ['oneOfOption', (v: unknown) => oneOfOption('o', v, ['a'])],
    ['patternOption', (v: unknown) => patternOption('o', v, { pattern: /x/, what: 'x', example: 'x' })],
    ['stringListOption', (v: unknown) => stringListOption('o', v, { example: 'x' })],
    ['envNameOption', (v: unknown) => envNameOption('o', v)],
    ['numberOption', (v: unknown) => numberOption('o', v)],
    ['integerOption', (v: unknown) => integerOption('o', v)],
    ['positiveIntegerOption', (v: unknown) => positiveIntegerOption('o', v)],
    ['durationOption', (v: unknown) => durationOption('o', v)],
  ])('%s', (_, validate) => {
    expect(validate(undefined)).toBeUndefined();
    expect(validate(null)).toBeUndefined();
  });
});

describe('plain objects', () => {
  it('isPlainObject takes maps only', () => {
    expect(isPlainObject({ a: 1 })).toBe(true);
    expect([null, [], 'x', 3].map(isPlainObject)).toEqual([false, false, false, false]);
  });

  it('plainObjectOption returns the object, or names the option with an example', () => {
    expect(plainObjectOption('meta', { a: 'b' }, { example: '{"commit": "abc"}' })).toEqual({ a: 'b' });
    const err = userError(() => plainObjectOption('meta', ['commit'], { example: '{"commit": "abc"}', what: 'a map of string values' }));
    expect(err.option).toBe('meta');
    expect(err.message).toBe('Option "meta": must be a map of string values. Example: "meta": {"commit": "abc"}');
  });
});

describe('booleans, one-of, patterns, lists', () => {
  it('booleanOption takes true and false only', () => {
    expect(booleanOption('wait', false)).toBe(false);
    const err = userError(() => booleanOption('wait', 'true'));
    expect(err.option).toBe('wait');
    expect(err.message).toMatch(/must be true or false, got "true"/);
  });

  it('oneOfOption lists what is allowed', () => {
    expect(oneOfOption('action', 'promote', ['deploy', 'promote'] as const)).toBe('promote');
    const err = userError(() => oneOfOption('action', 'ship', ['deploy', 'promote', 'rollback']));
    expect(err.message).toBe('Option "action": "ship" is not one of deploy, promote, rollback. Use one of deploy, promote, rollback');
  });

  it('patternOption shows an example in the fix, and takes dotted option names', () => {
    const rules = { pattern: /^prj_\w+$/, what: 'a project id', example: 'prj_abc' };
    expect(patternOption('vercel.projectId', 'prj_web', rules)).toBe('prj_web');
    const err = userError(() => patternOption('vercel.projectId', 'my project', rules));
    expect(err.option).toBe('vercel.projectId');
    expect(err.message).toBe('Option "vercel.projectId": "my project" is not a project id. Example: "vercel.projectId": "prj_abc"');
    expect(userError(() => patternOption('vercel.projectId', 42, rules)).message).toMatch(/42 is not a project id/);
  });

  it('stringListOption checks the list and each item, and returns a copy', () => {
    const input = ['a.example.com'];
    const out = stringListOption('alias', input, { example: 'app.example.com', pattern: /\./, what: 'a domain name', items: 'domains' });
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(userError(() => stringListOption('alias', 'a.example.com', { example: 'app.example.com', items: 'domains' })).message).toBe('Option "alias": must be a list of domains. Example: "alias": ["app.example.com"]');
    expect(userError(() => stringListOption('alias', ['localhost'], { example: 'app.example.com', pattern: /\./, what: 'a domain name' })).message).toMatch(/"localhost" is not a domain name/);
    expect(userError(() => stringListOption('alias', [''], { example: 'x' })).message).toMatch(/"" is not a non-empty string/);
  });

  it('requiredOption refuses an absent value', () => {
    expect(requiredOption('lane', 'beta', 'Give the lane')).toBe('beta');
    expect(userError(() => requiredOption('lane', undefined, 'Give the lane')).message).toBe('Option "lane": is required. Give the lane');
  });
});

describe('environment variable names', () => {
  it('accepts names, and asks for the NAME when given something else', () => {
    expect(envNameOption('tokenEnv', 'VERCEL_TOKEN')).toBe('VERCEL_TOKEN');
    const err = userError(() => envNameOption('tokenEnv', 'VERCEL-TOKEN', { what: 'the Vercel token' }));
    expect(err.option).toBe('tokenEnv');
    expect(err.message).toMatch(/"VERCEL-TOKEN" is not an environment variable name\. Give the NAME of the variable that holds the Vercel token \(letters, digits, _\), never the secret itself/);
    for (const bad of ['1ABC', 'A B', '', 7]) expect(() => envNameOption('tokenEnv', bad)).toThrow(UserError);
  });
});

describe('numbers', () => {
  it('positiveIntegerOption: whole numbers from 1 (to max)', () => {
    expect(positiveIntegerOption('concurrency', 8, { max: 64 })).toBe(8);
    for (const bad of [0, 2.5, '8', 65, NaN]) {
      const err = userError(() => positiveIntegerOption('concurrency', bad, { max: 64 }));
      expect(err.option).toBe('concurrency');
      expect(err.message).toMatch(/is not a whole number from 1 to 64/);
    }
  });

  it('numberOption: ranges, exclusive minimum, unit', () => {
    expect(numberOption('timeoutSeconds', 0.5, { min: 0, exclusiveMin: true, unit: 'seconds' })).toBe(0.5);
    expect(userError(() => numberOption('timeoutSeconds', 0, { min: 0, exclusiveMin: true, unit: 'seconds' })).message).toMatch(/0 is not a positive number of seconds/);
    expect(userError(() => numberOption('confidence', 1.5, { min: 0, max: 1 })).message).toMatch(/1\.5 is not a number from 0 to 1/);
    expect(userError(() => integerOption('retries', -1, { min: 0 })).message).toMatch(/-1 is not a whole number of at least 0/);
    expect(userError(() => numberOption('weight', Infinity)).message).toMatch(/is not a number/);
  });
});

describe('durations', () => {
  it('reads ms, s, m, h, compounds and numbers of seconds', () => {
    expect(['500ms', '30s', '2m', '1h', '1m30s', 45, '45', 1.5].map(parseDuration)).toEqual([500, 30_000, 120_000, 3_600_000, 90_000, 45_000, 45_000, 1500]);
    expect(['soon', '5 minutes', '-1s', -3, '1d', ''].map(parseDuration)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('durationOption returns milliseconds within min and max, with examples in errors', () => {
    expect(durationOption('interval', '1m30s')).toBe(90_000);
    const bad = userError(() => durationOption('analysis.interval', 'soon', { example: '1m' }));
    expect(bad.option).toBe('analysis.interval');
    expect(bad.message).toBe('Option "analysis.interval": "soon" is not a duration. Write it like "1m", "500ms", "2m" or "1m30s" (units ms, s, m, h), or give a number of seconds');
    expect(userError(() => durationOption('interval', '100ms', { min: 1000 })).message).toMatch(/"100ms" is shorter than 1s\. Give at least "1s"/);
    expect(userError(() => durationOption('interval', '2h', { max: 3_600_000 })).message).toMatch(/"2h" is longer than 1h/);
  });
});

describe('deprecatedOption', () => {
  it('moves the old name to the new one, with a warning', () => {
    const warnings: string[] = [];
    const out = deprecatedOption({ outputDir: 'dist', other: 1 } as { outputDir?: string; outputPath?: string; other: number }, 'outputDir', 'outputPath', (m) => warnings.push(m));
    expect(out).toEqual({ outputPath: 'dist', other: 1 });
    expect(warnings).toEqual(['Option "outputDir" is deprecated: write "outputPath" instead — the old name will be removed']);
  });

  it('leaves options without the old name alone, accepts both with the same value, refuses different values', () => {
    const warn = jest.fn();
    const opts = { outputPath: 'dist' } as Record<string, unknown>;
    expect(deprecatedOption(opts, 'outputDir', 'outputPath', warn)).toBe(opts);
    expect(warn).not.toHaveBeenCalled();
    expect(deprecatedOption({ outputDir: 'dist', outputPath: 'dist' } as Record<string, unknown>, 'outputDir', 'outputPath', warn)).toEqual({ outputPath: 'dist' });
    const err = userError(() => deprecatedOption({ outputDir: 'a', outputPath: 'b' } as Record<string, unknown>, 'outputDir', 'outputPath', warn));
    expect(err.option).toBe('outputDir');
    expect(err.message).toMatch(/is the old name of "outputPath", and both are given with different values\. Keep only "outputPath"/);
  });
});
