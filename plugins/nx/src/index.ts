export { createNodes, createNodesV2 } from './plugin';
export type { ShipfleetPluginOptions } from './plugin';

// Run hooks: after Nx's own summary, a list of what each deploy did (deployed, skipped, failed).
// Loaded on first call, so that building the project graph does not load the deploy code.
type Outcomes = typeof import('./executors/deploy/outcomes');
const outcomes = (): Outcomes => require('./executors/deploy/outcomes');
export const preTasksExecution: Outcomes['preTasksExecution'] = (...args) => outcomes().preTasksExecution(...args);
export const postTasksExecution: Outcomes['postTasksExecution'] = (...args) => outcomes().postTasksExecution(...args);
