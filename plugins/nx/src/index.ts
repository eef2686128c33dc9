export { createNodes, createNodesV2 } from './plugin';
export type { ShipfleetPluginOptions } from './plugin';
