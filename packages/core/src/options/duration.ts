import { UserError } from '../errors';
import { isAbsent, showValue } from './value';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** Milliseconds of "500ms", "30s", "2m", "1h", "1m30s", or of a number (or numeric string) of seconds; undefined when it is none of these. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) ms += Number(amount) * UNIT_MS[unit];
  return Math.round(ms);
}

/** "250ms", "45s", "1m30s", "2h". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const total = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  return [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : ''].join('') || '0s';
}

/** A duration (see parseDuration), in milliseconds, within min/max (milliseconds) when given. */
export function durationOption(option: string, value: unknown, rules: { min?: number; max?: number; example?: string } = {}): number | undefined {
  if (isAbsent(value)) return undefined;
  const ms = parseDuration(value);
  const example = rules.example ?? '30s';
  if (ms === undefined) {
    throw new UserError(option, `${showValue(value)} is not a duration`, `Write it like "${example}", "500ms", "2m" or "1m30s" (units ms, s, m, h), or give a number of seconds`);
  }
  if (rules.min !== undefined && ms < rules.min) throw new UserError(option, `${showValue(value)} is shorter than ${formatDuration(rules.min)}`, `Give at least "${formatDuration(rules.min)}"`);
  if (rules.max !== undefined && ms > rules.max) throw new UserError(option, `${showValue(value)} is longer than ${formatDuration(rules.max)}`, `Give at most "${formatDuration(rules.max)}"`);
  return ms;
}
