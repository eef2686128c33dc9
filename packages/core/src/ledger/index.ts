export * from './names';
export * from './record';
export * from './git-options';
export * from './file-ledger';
export * from './git-ledger';
