// The HTTP check of a blue-green deploy: a few spaced requests, each of which must pass.
import { displayUrl } from '../display-url';
import { HttpAbortedError, HttpClient, HttpError } from '../http';
import { formatDuration } from '../options/duration';
import { sleep as coreSleep } from '../sleep';

/** What the body of an answer must hold: a substring, or a match of a regular expression. */
export type BodyMatch = { contains: string } | { regex: RegExp };

export interface HttpCheck {
  /** Appended to the URL checked, query included: "/healthz". */
  path: string;
  /** Lowest and highest status that pass, inclusive. */
  expectStatus: [number, number];
  /** Longest time from sending the request to the complete answer that passes, ms. */
  maxLatencyMs: number;
  body?: BodyMatch;
  /** Requests sent, `spacingMs` apart; every one must pass (the check stops at the first that does not). */
  attempts: number;
  spacingMs: number;
  /** Per request: one without a complete answer in time fails. */
  timeoutMs: number;
}

/** One request of a check, as measured. */
export interface HttpCheckAttempt {
  attempt: number;
  /** Absent when no answer came (network error, timeout). */
  status?: number;
  /** To the complete answer, or to the error. */
  ms: number;
  /** Whether the body matched, when the check has a body rule and an answer came. */
  bodyMatched?: boolean;
  /** Why the attempt failed; empty when it passed. */
  problems: string[];
  passed: boolean;
  /** The attempt in words: `attempt 1/3: 200 in 12 ms, body contains "ok": passed`. */
  text: string;
}

export interface HttpCheckResult {
  passed: boolean;
  /** The URL checked, without credentials or query. */
  url: string;
  attempts: HttpCheckAttempt[];
  /** For an error: the failing attempt with the check's values, and the attempts that passed before it. */
  summary: string;
}

export interface HttpCheckRun {
  /** Requests go through it (e.g. one carrying an identity token); default a plain HttpClient. */
  client?: HttpClient;
  signal?: AbortSignal;
  /** Each attempt in words, as it completes. */
  log?: (line: string) => void;
  /** The wait between attempts (tests pass one that does not really wait). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const BODY_EXCERPT_CHARS = 80;

/** A duration as the user wrote it: formatDuration, but "1.5s" rather than rounded to "2s". */
export function durationText(ms: number): string {
  return ms >= 1000 && ms < 60_000 && ms % 1000 !== 0 ? `${ms / 1000}s` : formatDuration(ms);
}

/** `base` and `path` joined as one URL: the base's own path is kept ("https://h/preview" + "/healthz"). */
export function checkUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

export function describeBodyMatch(body: BodyMatch): string {
  return 'contains' in body ? `body contains ${JSON.stringify(body.contains)}` : `body matches ${String(body.regex)}`;
}

/** The check in words, for dry runs and messages: what is sent and what passes. */
export function describeHttpCheck(url: string, check: HttpCheck): string {
  const [lo, hi] = check.expectStatus;
  const body = check.body ? `, ${describeBodyMatch(check.body)}` : '';
  const spacing = check.attempts > 1 ? `, ${durationText(check.spacingMs)} apart` : '';
  const all = check.attempts > 1 ? '; every request must pass' : '';
  return `GET ${displayUrl(checkUrl(url, check.path))} ×${check.attempts}${spacing} (timeout ${durationText(check.timeoutMs)} each): status ${lo}–${hi}, answered within ${durationText(check.maxLatencyMs)}${body}${all}`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > BODY_EXCERPT_CHARS ? `${flat.slice(0, BODY_EXCERPT_CHARS)}…` : flat;
}

function bodyMatches(body: BodyMatch, text: string): boolean {
  return 'contains' in body ? text.includes(body.contains) : body.regex.test(text);
}

function judge(check: HttpCheck, attempt: number, status: number, ms: number, text: string): HttpCheckAttempt {
  const [lo, hi] = check.expectStatus;
  const problems: string[] = [];
  if (status < lo || status > hi) problems.push(`status ${status} is outside ${lo}–${hi}`);
  if (ms > check.maxLatencyMs) problems.push(`${Math.round(ms)} ms is over the ${durationText(check.maxLatencyMs)} latency limit`);
  let bodyMatched: boolean | undefined;
  if (check.body) {
    bodyMatched = bodyMatches(check.body, text);
    if (!bodyMatched) problems.push(`the body does not satisfy "${describeBodyMatch(check.body)}" (it starts: ${JSON.stringify(oneLine(text))})`);
  }
  const bodyWords = check.body ? `, ${bodyMatched ? describeBodyMatch(check.body) : 'body does not match'}` : '';
  const passed = problems.length === 0;
  const text_ = `attempt ${attempt}/${check.attempts}: ${status} in ${Math.round(ms)} ms${bodyWords}: ${passed ? 'passed' : `failed, ${problems.join('; ')}`}`;
  return { attempt, status, ms, bodyMatched, problems, passed, text: text_ };
}

function noAnswer(check: HttpCheck, attempt: number, ms: number, err: HttpError): HttpCheckAttempt {
  const problem = err.kind === 'timeout' ? `no complete answer within the ${durationText(check.timeoutMs)} timeout` : `no answer: ${err.detail}`;
  return { attempt, ms, problems: [problem], passed: false, text: `attempt ${attempt}/${check.attempts}: failed, ${problem}` };
}

function aborted(): Error {
  const err = new Error('the check was stopped');
  err.name = 'AbortError';
  return err;
}

/** One request, never retried: a failed request is what the check measures. */
async function attemptOnce(client: HttpClient, url: string, check: HttpCheck, attempt: number, signal?: AbortSignal): Promise<HttpCheckAttempt> {
  const started = performance.now();
  try {
    const answer = await client.request('GET', url, { timeoutMs: check.timeoutMs, signal, retry: { attempts: 1 }, throwHttpErrors: false });
    return judge(check, attempt, answer.status, performance.now() - started, answer.text());
  } catch (err) {
    if (err instanceof HttpAbortedError || signal?.aborted) throw aborted();
    if (!(err instanceof HttpError)) throw err;
    return noAnswer(check, attempt, performance.now() - started, err);
  }
}

/**
 * Runs the check against `baseUrl` + `check.path`: up to `check.attempts`
 * GET requests, `check.spacingMs` apart, stopping at the first that fails
 * (all must pass). Resolves with what each request showed; rejects only when
 * `signal` aborts (an AbortError).
 */
export async function runHttpCheck(baseUrl: string, check: HttpCheck, run: HttpCheckRun = {}): Promise<HttpCheckResult> {
  const client = run.client ?? new HttpClient();
  const wait = run.sleep ?? coreSleep;
  const url = checkUrl(baseUrl, check.path);
  const shown = displayUrl(url);
  const attempts: HttpCheckAttempt[] = [];
  for (let i = 1; i <= check.attempts; i++) {
    if (i > 1) await wait(check.spacingMs, run.signal);
    if (run.signal?.aborted) throw aborted();
    const result = await attemptOnce(client, url, check, i, run.signal);
    attempts.push(result);
    run.log?.(result.text);
    if (!result.passed) {
      const before = i === 1 ? '' : i === 2 ? ' (attempt 1 passed)' : ` (attempts 1–${i - 1} passed)`;
      const summary = `GET ${shown}: attempt ${i} of ${check.attempts} failed: ${result.problems.join('; ')}${before}; expected status ${check.expectStatus[0]}–${check.expectStatus[1]} within ${durationText(check.maxLatencyMs)}${check.body ? `, ${describeBodyMatch(check.body)}` : ''}`;
      return { passed: false, url: shown, attempts, summary };
    }
  }
  return { passed: true, url: shown, attempts, summary: `GET ${shown}: all ${check.attempts} attempts passed` };
}
