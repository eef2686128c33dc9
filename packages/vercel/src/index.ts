export * from './options';
export * from './api';
export * from './files';
export * from './deploy';
export * from './plan';
