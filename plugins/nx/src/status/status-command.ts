import { mkdirSync, writeFileSync } from 'fs';
import { dirname, resolve } from 'path';
import { booleanOption, positiveIntegerOption, UserError } from '@shipfleet/core';
import { ENV_NAME, LedgerOptions, openLedger } from '../utils/ledger';
import { headCommit } from '../utils/release-info';
import { ChangeCheck, markChangedSinceLive } from './changed-since-live';
import { buildFleetStatus } from './fleet-status';
import { renderStatusHtml } from './status-html';
import { statusJson } from './status-json';
import { renderStatusTable } from './status-table';

export const STATUS_USAGE = 'shipfleet status [--env=<env>] [--ledger=file|git] [--ledgerPath=…] [--ledgerRemote=…] [--ledgerRef=…] [--json] [--html=<file>] [--history=N] [--changed=false]';

/** The flags `status` takes; `json` needs no value. */
export const STATUS_FLAGS = ['env', 'ledger', 'ledgerPath', 'ledgerRemote', 'ledgerRef', 'json', 'html', 'history', 'changed'] as const;
export const STATUS_BOOLEAN_FLAGS = ['json'] as const;

export interface StatusIo {
  cwd: string;
  now: Date;
  write(text: string): void;
  /** How changes since the live commits are found (nx, in the shipfleet bin). */
  changes: ChangeCheck;
}

function wholeNumber(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return positiveIntegerOption(option, /^\d+$/.test(value) ? Number(value) : value, { max: 1000 });
}

function flagBoolean(option: string, value: string | undefined): boolean | undefined {
  return booleanOption(option, value === 'true' ? true : value === 'false' ? false : value, { fix: `Write --${option}=true or --${option}=false` });
}

/**
 * `shipfleet status`: what is live where, from the deploy ledger, as a table
 * (default), JSON (--json) and/or a self-contained HTML page (--html=<file>).
 */
export async function runStatus(f: Record<string, string>, io: StatusIo): Promise<number> {
  const unknown = Object.keys(f).filter((k) => !(STATUS_FLAGS as readonly string[]).includes(k));
  if (unknown.length) throw new UserError(unknown[0], 'is not an option of shipfleet status', `Usage: ${STATUS_USAGE}`);
  if (f.env !== undefined && !ENV_NAME.test(f.env)) throw new UserError('env', `"${f.env}" is not an environment name`, 'Use lowercase letters, digits and -, e.g. --env=staging');
  const historyLimit = wholeNumber('history', f.history) ?? 10;
  const checkChanges = flagBoolean('changed', f.changed) ?? true;
  const json = flagBoolean('json', f.json) ?? false;
  if (f.html === '') throw new UserError('html', 'names no file', 'Give the page to write, e.g. --html=status.html');

  const ledger = openLedger({ ledger: f.ledger as LedgerOptions['ledger'], ledgerPath: f.ledgerPath, ledgerRemote: f.ledgerRemote, ledgerRef: f.ledgerRef }, io.cwd);
  const status = buildFleetStatus(await ledger.read(), ledger.where, { environment: f.env, historyLimit });
  status.head = await headCommit(io.cwd);
  if (checkChanges) await markChangedSinceLive(status, io.changes);

  if (f.html !== undefined) {
    const page = resolve(io.cwd, f.html);
    mkdirSync(dirname(page), { recursive: true });
    writeFileSync(page, renderStatusHtml(status, io.now));
  }
  io.write(json ? `${JSON.stringify(statusJson(status, io.now), null, 2)}\n` : renderStatusTable(status, io.now));
  return 0;
}
