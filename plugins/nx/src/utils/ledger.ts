import { join } from 'path';
import { FileLedger, GitLedger, LedgerBackend, UserError } from '@shipfleet/core';

export interface LedgerOptions {
  /** file (default) or git */
  ledger?: 'file' | 'git';
  /** File backend: path relative to the workspace root (default .shipfleet/ledger). */
  ledgerPath?: string;
  /** Git backend: remote to share the ledger through (default: none, local ref only). */
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
    const ref = o.ledgerRef ?? LEDGER_DEFAULTS.ledgerRef;
    if (!/^refs\/[A-Za-z0-9._/-]+$/.test(ref) || ref.includes('..')) throw new UserError('ledgerRef', `"${ref}" is not a git ref name`, 'Use a ref under refs/, e.g. refs/shipfleet/ledger');
    return new GitLedger(workspaceRoot, ref, o.ledgerRemote);
  }
  throw new UserError('ledger', `"${String(kind)}" is not a ledger backend`, 'Use "file" (default, .shipfleet/ledger) or "git" (a ref shared through the remote)');
}

export const ENV_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
