export * from './types';
export * from './manifests';
export * from './images';
export * from './metadata';
export * from './order';
export * from './secrets';
export * from './render';
export * from './selectors';
export * from './rollout-status';
export * from './reasons';
export * from './undo';
export * from './kubeconfig';
export * from './options';
export * from './cluster';
export * from './deploy';
export * from './plan';
// Requires @kubernetes/client-node only when connectCluster is called.
export { connectCluster } from './cluster-client';
