export * from './record';
export * from './file-ledger';
export * from './git-ledger';
