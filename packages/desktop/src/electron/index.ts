export * from './targets';
export * from './config-file';
export * from './runners';
export * from './options';
export * from './builder-module';
export * from './download-errors';
export * from './plan';
