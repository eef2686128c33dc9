import { UserError } from '../errors';
import { isAbsent, showValue } from './value';

export interface PatternRules {
  pattern: RegExp;
  /** What a valid value is, for the message: "a Vercel project id". */
  what: string;
  /** A valid value, shown in the fix: "prj_abc123". */
  example: string;
  /** Replaces the default fix ("Example: …"). */
  fix?: string;
}

/** A string that matches a pattern. */
export function patternOption(option: string, value: unknown, rules: PatternRules): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string' || !rules.pattern.test(value)) {
    throw new UserError(option, `${showValue(value)} is not ${rules.what}`, rules.fix ?? `Example: "${option}": ${JSON.stringify(rules.example)}`);
  }
  return value;
}
