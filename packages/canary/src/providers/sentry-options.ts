// The options of Sentry metrics: each metric's measure, and the organization, project and
// releases they share (top-level `sentry`).
import { formatDuration, isPlainObject, oneOfOption, patternOption, requiredOption, secretFromEnv, showValue, UserError, urlOption } from '@shipfleet/core';
import { MetricSpec, SentryMeasure, SentrySource } from '../metrics';
import { positiveDuration, wholeNumberOr } from '../option-values';
import type { CanaryOptions, NormalizedCanaryOptions, SentrySettings } from '../types';
import { MetricProviderType, SourceContext } from './provider';
import { sentryForRun } from './sentry';

export const SENTRY_DEFAULTS = { url: 'https://sentry.io', tokenEnv: 'SENTRY_AUTH_TOKEN', timeout: '10s', minSessions: 50 } as const;

export const SENTRY_MEASURES: readonly SentryMeasure[] = ['crashFreeSessions', 'crashFreeUsers'];

const EXAMPLE = '{"organization": "acme", "project": "4505", "release": "com.acme.app@1.5.0+150", "baselineRelease": "com.acme.app@1.4.0+140"}';
const SLUG = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const PROJECT_ID = /^[1-9]\d{0,19}$/;
// Sentry refuses release names with line breaks, tabs or "/", ".", ".." and more than 200 characters.
const RELEASE = /^(?!\.{1,2}$)[^\s/][^\n\r\t/]{0,199}$/;
const ENVIRONMENT = /^[^\n\r\t/]{1,64}$/;

const DAY_MS = 86_400_000;
/** The finest resolution of Sentry's (metrics-based) sessions API; each interval must also divide one day. */
const FINEST_INTERVAL_MS = 10_000;
const MAX_POINTS = 1000;

function parseSentrySource(m: Record<string, unknown>, at: string, _ctx: SourceContext): SentrySource {
  const measure = requiredOption(`${at}.measure`, oneOfOption(`${at}.measure`, m.measure, SENTRY_MEASURES), `Say what to read: ${SENTRY_MEASURES.join(' or ')} (the crash-free rate of the release, 0–1)`);
  return { provider: 'sentry', measure };
}

/** Crash-free sessions or users of a release, from Sentry's release health. */
export const sentryProviderType: MetricProviderType<SentrySource> = {
  type: 'sentry',
  summary: "crash-free rates of a release from Sentry's sessions API",
  name: 'Sentry',
  checkedBeforeTraffic: true,
  keys: ['measure'],
  parseSource: parseSentrySource,
  // The baseline release is always known (a staged rollout replaces a release).
  readsBaseline: () => true,
  create: sentryForRun,
};

function releaseOption(option: string, value: unknown, role: string): string {
  const release = patternOption(option, value, {
    pattern: RELEASE,
    what: 'a Sentry release name',
    example: 'com.acme.app@1.5.0+150',
    fix: 'Give the release as the Sentry SDK reports it (package@version+build on mobile), without line breaks or "/"',
  });
  return requiredOption(option, release, `Give ${role} as the Sentry SDK reports it, e.g. "com.acme.app@1.5.0+150"`);
}

/** Whether Sentry's sessions API accepts an interval: a multiple of 10 s that divides one day. */
export function isSentryInterval(ms: number): boolean {
  return ms >= FINEST_INTERVAL_MS && ms % FINEST_INTERVAL_MS === 0 && ms <= DAY_MS && DAY_MS % ms === 0;
}

/**
 * The resolution the series are read at: the comparison's sample step, or the
 * whole window. Each value of a series covers one interval (comparison.lookback
 * is Prometheus's).
 */
function intervalOption(windowMs: number, sampling: NormalizedCanaryOptions['sampling']): number {
  const intervalMs = sampling?.stepMs ?? windowMs;
  const option = sampling ? 'comparison.step' : 'window';
  if (!isSentryInterval(intervalMs)) {
    throw new UserError(option, `${formatDuration(intervalMs)} is not an interval Sentry's sessions API accepts (a multiple of 10s that divides one day)`, `Use e.g. 30s, 1m, 5m, 15m or 1h${sampling ? '' : ' as the window, or turn on the comparison with such a step'}`);
  }
  if (windowMs % intervalMs !== 0) {
    throw new UserError('window', `${formatDuration(windowMs)} is not a whole number of ${formatDuration(intervalMs)} intervals, the resolution of Sentry's series`, `Use a window of ${formatDuration(Math.ceil(windowMs / intervalMs) * intervalMs)}`);
  }
  if (sampling && sampling.rangeMs % intervalMs !== 0) {
    throw new UserError('comparison.step', `the samples' range of ${formatDuration(sampling.rangeMs)} is not a whole number of ${formatDuration(intervalMs)} intervals`, 'Use a step that divides the window');
  }
  if (Math.max(windowMs, sampling?.rangeMs ?? 0) / intervalMs > MAX_POINTS) {
    throw new UserError(option, `${formatDuration(intervalMs)} gives ${Math.max(windowMs, sampling?.rangeMs ?? 0) / intervalMs} values per window; Sentry answers at most ${MAX_POINTS}`, 'Use a longer step or a shorter window');
  }
  return intervalMs;
}

/**
 * The `sentry` settings, read when a metric uses the sentry provider: the
 * auth token is checked now so that a missing one stops the run before
 * the rollout moves.
 */
export function sentrySettings(
  raw: CanaryOptions['sentry'] | undefined,
  metrics: MetricSpec[],
  timing: { windowMs: number; sampling?: NormalizedCanaryOptions['sampling'] },
  env: NodeJS.ProcessEnv,
): SentrySettings | undefined {
  if (!metrics.some((m) => m.source.provider === 'sentry')) return undefined;
  if (raw === undefined || raw === null) throw new UserError('sentry', 'is required for Sentry metrics', `Give the organization, project and releases, e.g. ${EXAMPLE}`);
  if (!isPlainObject(raw)) throw new UserError('sentry', 'must be an object', `Example: ${EXAMPLE}`);
  const url = (urlOption('sentry.url', raw.url, { example: SENTRY_DEFAULTS.url, allowQuery: false }) ?? SENTRY_DEFAULTS.url).replace(/\/+$/, '');
  const organization = requiredOption(
    'sentry.organization',
    patternOption('sentry.organization', raw.organization, { pattern: SLUG, what: 'a Sentry organization slug', example: 'acme' }),
    'Give the organization slug, as in https://sentry.io/organizations/<slug>/',
  );
  const projectRaw = typeof raw.project === 'number' && Number.isInteger(raw.project) ? String(raw.project) : raw.project;
  if (projectRaw === undefined || projectRaw === null) throw new UserError('sentry.project', 'is required', 'Give the numeric project id (Project Settings > General, or ?project= in Sentry URLs)');
  if (typeof projectRaw !== 'string' || !PROJECT_ID.test(projectRaw)) {
    throw new UserError('sentry.project', `${showValue(raw.project)} is not a numeric project id`, 'The sessions API filters by project id, not slug: find it in Project Settings > General, or as ?project= in Sentry URLs');
  }
  const environment = patternOption('sentry.environment', raw.environment, { pattern: ENVIRONMENT, what: 'a Sentry environment name', example: 'production' });
  const release = releaseOption('sentry.release', raw.release, 'the release rolling out');
  const baselineRelease = releaseOption('sentry.baselineRelease', raw.baselineRelease, 'the release it replaces (a staged rollout always updates one)');
  if (release === baselineRelease) throw new UserError('sentry.baselineRelease', `is the same release as sentry.release ("${release}")`, 'Give the release the rollout replaces, the one users have now');
  const tokenEnv = (raw.tokenEnv ?? SENTRY_DEFAULTS.tokenEnv) as string;
  secretFromEnv('sentry.tokenEnv', tokenEnv, { env, what: 'a Sentry auth token with the org:read scope' });
  intervalOption(timing.windowMs, timing.sampling);
  return {
    url,
    organization,
    project: projectRaw,
    ...(environment ? { environment } : {}),
    release,
    baselineRelease,
    tokenEnv,
    timeoutMs: positiveDuration('sentry.timeout', raw.timeout, SENTRY_DEFAULTS.timeout, '10s'),
    minSessions: wholeNumberOr('sentry.minSessions', raw.minSessions, SENTRY_DEFAULTS.minSessions),
  };
}
