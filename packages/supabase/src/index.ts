export * from './options';
export * from './plan';
export * from './cli';
export * from './cli-output';
export * from './db-url';
export * from './lock';
export * from './migrations';
