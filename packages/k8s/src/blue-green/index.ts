export * from './colors';
export * from './target';
export * from './options';
export * from './services';
export * from './adapter';
export * from './rollback-steps';
