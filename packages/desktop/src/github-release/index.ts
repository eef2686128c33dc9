export * from './options';
export * from './artefacts';
export * from './feeds';
export * from './octokit';
export * from './release';
export * from './plan';
