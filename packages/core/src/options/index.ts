// Option validators: each names the option in a UserError(option, problem, fix),
// returns the normalised value, and passes an absent option through as undefined.
export * from './value';
export * from './required';
export * from './object';
export * from './boolean';
export * from './one-of';
export * from './pattern';
export * from './string-list';
export * from './number';
export * from './duration';
export * from './env-name';
export * from './secret';
export * from './url';
export * from './path';
export * from './deprecated';
