import { UserError } from '../errors';
import { isAbsent, showValue } from './value';

export interface NumberRules {
  min?: number;
  max?: number;
  /** The value must be greater than min, not equal to it. */
  exclusiveMin?: boolean;
  /** Unit for the message: "seconds". */
  unit?: string;
  fix?: string;
}

function describe(kind: 'whole number' | 'number', r: NumberRules): string {
  const unit = r.unit ? ` of ${r.unit}` : '';
  if (r.min === 0 && r.exclusiveMin && r.max === undefined) return `a positive ${kind}${unit}`;
  if (r.min !== undefined && r.max !== undefined) return `a ${kind}${unit} from ${r.min}${r.exclusiveMin ? ' (exclusive)' : ''} to ${r.max}`;
  if (r.min !== undefined) return `a ${kind}${unit} ${r.exclusiveMin ? 'greater than' : 'of at least'} ${r.min}`;
  if (r.max !== undefined) return `a ${kind}${unit} of at most ${r.max}`;
  return `a ${kind}${unit}`;
}

function check(option: string, value: unknown, kind: 'whole number' | 'number', r: NumberRules): number | undefined {
  if (isAbsent(value)) return undefined;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (kind === 'number' || Number.isInteger(value)) &&
    (r.min === undefined || (r.exclusiveMin ? value > r.min : value >= r.min)) &&
    (r.max === undefined || value <= r.max);
  if (!ok) throw new UserError(option, `${showValue(value)} is not ${describe(kind, r)}`, r.fix ?? `Give ${describe(kind, r)}, without quotes`);
  return value;
}

/** A finite number within the rules' range. */
export function numberOption(option: string, value: unknown, rules: NumberRules = {}): number | undefined {
  return check(option, value, 'number', rules);
}

/** A whole number within the rules' range. */
export function integerOption(option: string, value: unknown, rules: NumberRules = {}): number | undefined {
  return check(option, value, 'whole number', rules);
}

/** A whole number of at least 1 (and at most `max`). */
export function positiveIntegerOption(option: string, value: unknown, rules: Omit<NumberRules, 'min' | 'exclusiveMin'> = {}): number | undefined {
  return check(option, value, 'whole number', { ...rules, min: 1 });
}
