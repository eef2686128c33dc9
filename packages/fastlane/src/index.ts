export * from './options';
export * from './plan';
export * from './report';
export * from './fastfile';
