// One metric: its name and judge settings here; what its provider reads, by the provider itself.
import { booleanOption, isPlainObject, numberOption, oneOfOption, patternOption, requiredOption, UserError } from '@shipfleet/core';
import { Condition, conditionsOverlap, Direction, MetricSpec } from './metrics';
import { METRIC_UNITS, toleranceOption } from './judges/tolerance';
import { conditionOption } from './option-values';
import { DEFAULT_METRIC_PROVIDER, METRIC_PROVIDERS, metricProviderType } from './providers/registry';

/**
 * tolerance: the comparison counts the canary as worse only beyond +20 % of
 * the stable value (a doubled p95 is far beyond it, noise between two healthy
 * versions is not); floorFraction: the default floor is this share of the
 * success threshold, far below it, so the comparison can fail a canary the
 * thresholds pass.
 */
export const METRIC_DEFAULTS = { tolerance: '+20%', weight: 1, floorFraction: 0.1 } as const;

const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;
const DIRECTIONS: readonly Direction[] = ['increase', 'decrease', 'either'];

/** Which way is worse when the metric does not say: the side its conditions fail on. */
function impliedDirection(success?: Condition, failure?: Condition): Direction {
  const upper = (c: Condition) => c.op === '<' || c.op === '<=';
  if (failure) return upper(failure) ? 'decrease' : 'increase';
  if (success) return upper(success) ? 'increase' : 'decrease';
  return 'increase';
}

/**
 * A tenth of the success threshold of a metric where higher is worse (errors,
 * latency); none otherwise. Not the threshold itself: then the comparison
 * could never fail a canary the thresholds pass, the very case it is for.
 */
function defaultFloor(direction: Direction, success?: Condition): number | undefined {
  if (direction !== 'increase' || !success || (success.op !== '<' && success.op !== '<=') || !(success.value > 0)) return undefined;
  return success.value * METRIC_DEFAULTS.floorFraction;
}

/** Checks metrics[i]; `comparison` says whether the baseline comparison is on. */
export function metricOption(raw: unknown, i: number, comparison: boolean): MetricSpec {
  const at = `metrics[${i}]`;
  if (!isPlainObject(raw)) throw new UserError(at, 'must be an object', 'Example: {"name": "error-rate", "numerator": "…", "denominator": "…", "failure": "> 0.05"}');
  const name = requiredOption(
    `${at}.name`,
    patternOption(`${at}.name`, raw.name, { pattern: NAME, what: 'a metric name', example: 'error-rate', fix: 'Use letters, digits, - _ and ., starting with a letter, e.g. "error-rate"' }),
    'Give the metric a name, e.g. "error-rate"',
  );

  const provider = metricProviderType(`${at}.provider`, raw.provider ?? DEFAULT_METRIC_PROVIDER);
  for (const other of Object.values(METRIC_PROVIDERS)) {
    if (other.type === provider.type) continue;
    const key = other.keys.find((k) => raw[k] !== undefined && !provider.keys.includes(k));
    if (key) throw new UserError(`${at}.${key}`, `only applies to the ${other.type} provider`, `Remove it, or set "provider": "${other.type}"`);
  }
  const source = provider.parseSource(raw, at, { comparison });

  const success = conditionOption(`${at}.success`, raw.success);
  const failure = conditionOption(`${at}.failure`, raw.failure);
  if (success && failure && conditionsOverlap(success, failure)) {
    throw new UserError(`${at}.failure`, `"${failure.text}" overlaps the success condition "${success.text}": a value could be healthy and failing at once`, 'Make one an upper and the other a lower bound that do not meet, e.g. success "< 0.01", failure "> 0.05"');
  }
  if (!success && !failure && !comparison) {
    throw new UserError(at, `metric "${name}" has no success or failure condition and the baseline comparison is off: nothing would judge it`, 'Add "failure" (and "success"), e.g. "failure": "> 0.05", or turn on "comparison"');
  }
  const direction =
    oneOfOption(`${at}.direction`, raw.direction, DIRECTIONS, { fix: 'Use increase (higher is worse: errors, latency), decrease (lower is worse: availability) or either' }) ?? impliedDirection(success, failure);
  const weight = numberOption(`${at}.weight`, raw.weight ?? METRIC_DEFAULTS.weight, { min: 0, exclusiveMin: true, fix: `Leave it out for ${METRIC_DEFAULTS.weight}` })!;
  const floor = numberOption(`${at}.floor`, raw.floor, { fix: 'Give the value on the good side of which the canary always passes, e.g. 0.001' });
  const unit = oneOfOption(`${at}.unit`, raw.unit, METRIC_UNITS, { fix: 'Say what the values are in: ms or s (durations), ratio (0–1) or percent' });
  return {
    name,
    source,
    success,
    failure,
    direction,
    critical: booleanOption(`${at}.critical`, raw.critical, { fix: 'Leave it out for false' }) ?? false,
    weight,
    floor: floor ?? defaultFloor(direction, success),
    tolerance: toleranceOption(`${at}.tolerance`, raw.tolerance ?? METRIC_DEFAULTS.tolerance, unit),
    ...(unit ? { unit } : {}),
  };
}
