export * from './options';
export * from './plan';
export * from './plan-summary';
export * from './destroy-guard';
export * from './backend-secrets';
