import { UserError } from '../errors';

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * Moves a renamed option to its new name, with a warning: returns a copy of
 * `options` without `oldName`. Both names with different values is an error.
 */
export function deprecatedOption<T extends object>(options: T, oldName: string, newName: keyof T & string, warn: (message: string) => void): T {
  if (!(oldName in options) || (options as Record<string, unknown>)[oldName] === undefined) return options;
  const { [oldName]: oldValue, ...rest } = options as Record<string, unknown>;
  if (rest[newName] !== undefined && !same(rest[newName], oldValue)) {
    throw new UserError(oldName, `is the old name of "${newName}", and both are given with different values`, `Keep only "${newName}"`);
  }
  warn(`Option "${oldName}" is deprecated: write "${newName}" instead — the old name will be removed`);
  return { ...rest, [newName]: rest[newName] ?? oldValue } as T;
}
