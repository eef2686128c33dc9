export * from './errors';
export * from './plan';
export * from './redactor';
export * from './format-plan';
export * from './logger';
export * from './runner';
export * from './summary';
export * from './secrets';
