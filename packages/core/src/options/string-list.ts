import { UserError } from '../errors';
import { isAbsent, showValue } from './value';

export interface StringListRules {
  /** One item as a user writes it, for the fixes: "app.example.com". */
  example: string;
  /** What the list holds, plural: "domains" (default "strings"). */
  items?: string;
  /** Each item must match this. */
  pattern?: RegExp;
  /** What one valid item is: "a domain name" (default "a non-empty string"). */
  what?: string;
  /** Fix for a bad item (default: the example). */
  fix?: string;
}

/** A list of non-empty strings, each matching `pattern` when given; returns a copy. */
export function stringListOption(option: string, value: unknown, rules: StringListRules): string[] | undefined {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) {
    throw new UserError(option, `must be a list of ${rules.items ?? 'strings'}`, `Example: "${option}": [${JSON.stringify(rules.example)}]`);
  }
  for (const item of value) {
    if (typeof item !== 'string' || item === '' || (rules.pattern && !rules.pattern.test(item))) {
      throw new UserError(option, `${showValue(item)} is not ${rules.what ?? 'a non-empty string'}`, rules.fix ?? `Example: "${option}": [${JSON.stringify(rules.example)}]`);
    }
  }
  return [...value];
}
