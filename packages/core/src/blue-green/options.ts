// The blue-green options as a user writes them (JSON), validated on the option kit.
import { UserError } from '../errors';
import { durationOption } from '../options/duration';
import { positiveIntegerOption } from '../options/number';
import { isPlainObject } from '../options/object';
import { urlOption } from '../options/url';
import { isAbsent, showValue } from '../options/value';
import { BodyMatch, durationText, HttpCheck } from './http-check';
import { BlueGreenOptions, PostSwitchCheck } from './strategy';

/** The check when none is given, and what a given check leaves out. */
export const DEFAULT_BLUE_GREEN_CHECK: Readonly<HttpCheck> = { path: '/', expectStatus: [200, 299], maxLatencyMs: 2000, attempts: 3, spacingMs: 2000, timeoutMs: 10_000 };
export const DEFAULT_KEEP_PREVIOUS = '30s';

const CHECK_KEYS = ['path', 'expectStatus', 'maxLatency', 'body', 'attempts', 'spacing', 'timeout'];
const TOP_KEYS = ['check', 'keepPrevious', 'postSwitchCheck'];
const EXAMPLE_CHECK = '{"path": "/healthz", "expectStatus": [200, 299], "maxLatency": "500ms", "body": "ok", "attempts": 3, "spacing": "2s", "timeout": "5s"}';
const MAX_KEEP_PREVIOUS_MS = 24 * 3_600_000;

function refuseUnknownKeys(option: string, value: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(value).find((k) => !known.includes(k));
  if (unknown !== undefined) throw new UserError(`${option}.${unknown}`, 'is not a blue-green option', `Use only ${known.join(', ')}`);
}

function objectAt(option: string, value: unknown, example: string): Record<string, unknown> | undefined {
  if (isAbsent(value)) return undefined;
  if (!isPlainObject(value)) throw new UserError(option, `${showValue(value)} is not an object`, `Example: "${option}": ${example}`);
  return value;
}

function pathOption(option: string, value: unknown, fallback: string): string {
  if (isAbsent(value)) return fallback;
  if (typeof value !== 'string' || !value.startsWith('/') || /\s/.test(value)) {
    throw new UserError(option, `${showValue(value)} is not a URL path`, 'Give a path starting with "/", without spaces, e.g. "/healthz"');
  }
  return value;
}

function statusRangeOption(option: string, value: unknown, fallback: [number, number]): [number, number] {
  if (isAbsent(value)) return fallback;
  const valid = Array.isArray(value) && value.length === 2 && value.every((s) => Number.isInteger(s) && s >= 100 && s <= 599) && value[0] <= value[1];
  if (!valid) throw new UserError(option, `${showValue(value)} is not a range of HTTP status codes`, 'Give [lowest, highest] between 100 and 599, e.g. [200, 299]');
  return [value[0], value[1]];
}

function bodyOption(option: string, value: unknown, fallback: BodyMatch | undefined): BodyMatch | undefined {
  if (isAbsent(value)) return fallback;
  const fix = 'Give the text the body must contain ("ok"), {"contains": "ok"}, or {"regex": "\\"status\\":\\\\s*\\"UP\\""}';
  if (typeof value === 'string') {
    if (!value) throw new UserError(option, 'is empty', fix);
    return { contains: value };
  }
  if (!isPlainObject(value)) throw new UserError(option, `${showValue(value)} is neither text nor an object`, fix);
  const keys = Object.keys(value);
  if (keys.length !== 1 || !['contains', 'regex'].includes(keys[0])) throw new UserError(option, `${showValue(value)} must hold either "contains" or "regex"`, fix);
  if ('contains' in value) {
    if (typeof value.contains !== 'string' || !value.contains) throw new UserError(`${option}.contains`, `${showValue(value.contains)} is not non-empty text`, fix);
    return { contains: value.contains };
  }
  if (typeof value.regex !== 'string' || !value.regex) throw new UserError(`${option}.regex`, `${showValue(value.regex)} is not a regular expression`, fix);
  try {
    return { regex: new RegExp(value.regex) };
  } catch (err) {
    throw new UserError(`${option}.regex`, `${showValue(value.regex)} is not a valid regular expression (${(err as Error).message})`, 'Write it in JavaScript syntax, with JSON escapes: "\\\\d+" for \\d+');
  }
}

function durationOr(option: string, value: unknown, fallback: number, rules: { min?: number; example: string }): number {
  return durationOption(option, value, rules) ?? fallback;
}

/** A check's options over `base` (the defaults, or the pre-switch check for the post-switch one). */
function checkOption(option: string, raw: Record<string, unknown>, base: Readonly<HttpCheck>): HttpCheck {
  const check: HttpCheck = {
    path: pathOption(`${option}.path`, raw.path, base.path),
    expectStatus: statusRangeOption(`${option}.expectStatus`, raw.expectStatus, base.expectStatus),
    maxLatencyMs: durationOr(`${option}.maxLatency`, raw.maxLatency, base.maxLatencyMs, { min: 1, example: '500ms' }),
    body: bodyOption(`${option}.body`, raw.body, base.body),
    attempts: positiveIntegerOption(`${option}.attempts`, raw.attempts, { max: 100 }) ?? base.attempts,
    spacingMs: durationOr(`${option}.spacing`, raw.spacing, base.spacingMs, { example: '2s' }),
    timeoutMs: durationOr(`${option}.timeout`, raw.timeout, base.timeoutMs, { min: 1, example: '10s' }),
  };
  if (check.maxLatencyMs > check.timeoutMs) {
    const which = isAbsent(raw.maxLatency) && !isAbsent(raw.timeout) ? 'timeout' : 'maxLatency';
    throw new UserError(`${option}.${which}`, `the latency limit ${durationText(check.maxLatencyMs)} is longer than the timeout ${durationText(check.timeoutMs)}, so it could never fail a request`, 'Give a maxLatency no longer than the timeout');
  }
  return check;
}

/**
 * The blue-green options under `option` (default "blueGreen"):
 * `{check?, keepPrevious?, postSwitchCheck?}`, each error a UserError naming
 * the exact option (`blueGreen.check.attempts`). `postSwitchCheck` is `true`
 * (the same check at the live URL) or an object over the `check`, with an
 * optional `url`.
 */
export function blueGreenOptions(raw: unknown, option = 'blueGreen'): BlueGreenOptions {
  const top = objectAt(option, raw, `{"check": ${EXAMPLE_CHECK}, "keepPrevious": "10m"}`) ?? {};
  refuseUnknownKeys(option, top, TOP_KEYS);
  const checkRaw = objectAt(`${option}.check`, top.check, EXAMPLE_CHECK) ?? {};
  refuseUnknownKeys(`${option}.check`, checkRaw, CHECK_KEYS);
  const check = checkOption(`${option}.check`, checkRaw, DEFAULT_BLUE_GREEN_CHECK);
  const keepPreviousMs = durationOption(`${option}.keepPrevious`, top.keepPrevious ?? DEFAULT_KEEP_PREVIOUS, { max: MAX_KEEP_PREVIOUS_MS, example: '10m' })!;

  let postSwitchCheck: PostSwitchCheck | undefined;
  const post = top.postSwitchCheck;
  if (post === true) postSwitchCheck = { ...check };
  else if (post !== false && !isAbsent(post)) {
    const postRaw = objectAt(`${option}.postSwitchCheck`, post, `true, or {"url": "https://api.example.com", "attempts": 5}`)!;
    refuseUnknownKeys(`${option}.postSwitchCheck`, postRaw, [...CHECK_KEYS, 'url']);
    const url = urlOption(`${option}.postSwitchCheck.url`, postRaw.url, { example: 'https://api.example.com' });
    postSwitchCheck = { ...checkOption(`${option}.postSwitchCheck`, postRaw, check), ...(url ? { url } : {}) };
  }
  return { check, keepPreviousMs, ...(postSwitchCheck ? { postSwitchCheck } : {}) };
}
