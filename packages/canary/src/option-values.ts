// The canary's option rules that the core kit does not have as such: values with defaults,
// durations that must be longer than 0, open ranges, and threshold conditions.
import { durationOption, integerOption, numberOption, showValue, UserError } from '@shipfleet/core';
import { Condition, parseCondition } from './metrics';

/** A duration in ms, `fallback` when left out. */
export function durationOr(option: string, value: unknown, fallback: string | number, example: string): number {
  return durationOption(option, value ?? fallback, { example })!;
}

/** A duration in ms that must be longer than 0. */
export function positiveDuration(option: string, value: unknown, fallback: string | number, example: string): number {
  const ms = durationOr(option, value, fallback, example);
  if (ms <= 0) throw new UserError(option, 'must be longer than 0', `Give e.g. "${example}"`);
  return ms;
}

/** A whole number of at least `min`, `fallback` when left out. */
export function wholeNumberOr(option: string, value: unknown, fallback: number, min = 0): number {
  return integerOption(option, value ?? fallback, { min, fix: `Leave it out for ${fallback}` })!;
}

/** A number from min to max (both included), `fallback` when left out. */
export function numberOr(option: string, value: unknown, fallback: number, min: number, max: number): number {
  return numberOption(option, value ?? fallback, { min, max, fix: `Leave it out for ${fallback}` })!;
}

/** A number strictly between min and max, `fallback` when left out. */
export function numberInside(option: string, value: unknown, fallback: number, min: number, max: number): number {
  const v = numberOr(option, value, fallback, min, max);
  if (v === min || v === max) throw new UserError(option, `${showValue(v)} is not a number from ${min} to ${max} (exclusive)`, `Leave it out for ${fallback}`);
  return v;
}

/** A threshold such as "< 0.01". */
export function conditionOption(option: string, value: unknown): Condition | undefined {
  if (value === undefined || value === null) return undefined;
  const c = parseCondition(value);
  if (!c) throw new UserError(option, `${showValue(value)} is not a condition`, 'Write an operator and a number, e.g. "< 0.01" or ">= 0.999" (operators <, <=, >, >=)');
  return c;
}
