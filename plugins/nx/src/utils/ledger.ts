import { join } from 'path';
import { ENVIRONMENT_NAME, FileLedger, GitLedger, gitRefOption, gitRemoteOption, LedgerBackend, UserError } from '@shipfleet/core';

export interface LedgerOptions {
  /** file (default) or git */
  ledger?: 'file' | 'git';
  /** File backend: path relative to the workspace root (default .shipfleet/ledger). */
  ledgerPath?: string;
  /** Git backend: remote to share the ledger through, a remote name or a URL without credentials (default: none, local ref only). */
  ledgerRemote?: string;
  /** Git backend: the ref holding the ledger (default refs/shipfleet/ledger). */
  ledgerRef?: string;
}

/** The ledger options' values when left out; the deploy executor's schema.json states the same defaults. */
export const LEDGER_DEFAULTS = {
  ledger: 'file',
  ledgerPath: '.shipfleet/ledger',
  ledgerRef: 'refs/shipfleet/ledger',
} as const;

export function openLedger(o: LedgerOptions, workspaceRoot: string): LedgerBackend {
  const kind = o.ledger ?? LEDGER_DEFAULTS.ledger;
  if (kind === 'file') return new FileLedger(join(workspaceRoot, o.ledgerPath ?? LEDGER_DEFAULTS.ledgerPath));
  if (kind === 'git') {
    const ref = gitRefOption('ledgerRef', o.ledgerRef) ?? LEDGER_DEFAULTS.ledgerRef;
    return new GitLedger(workspaceRoot, ref, gitRemoteOption('ledgerRemote', o.ledgerRemote));
  }
  throw new UserError('ledger', `"${String(kind)}" is not a ledger backend`, 'Use "file" (default, .shipfleet/ledger) or "git" (a ref shared through the remote)');
}

/** The environment names deploy, the ledger and the CI generator accept. */
export const ENV_NAME = ENVIRONMENT_NAME;
