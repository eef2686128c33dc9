import { randomBytes } from 'crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'fs';
import { dirname } from 'path';
import { FileLock, FileLockHooks } from './file-lock';
import { LedgerBackend, LedgerRecord, parseLedger, serializeLedger } from './record';

export interface FileLedgerHooks extends FileLockHooks {
  /** Called holding the lock, after the ledger was read and before it is written. */
  ledgerRead?(): Promise<void> | void;
}

export interface FileLedgerOptions {
  /** How long a writer waits for the lock (default 30 s). */
  lockTimeoutMs?: number;
  /** A lock whose heartbeat is older than this is broken (default 10 s). */
  staleAfterMs?: number;
  /** How often the writer holding the lock touches it (default 1 s). */
  heartbeatMs?: number;
  hooks?: FileLedgerHooks;
}

/** Times a writer whose lock was taken from it starts over before giving up. */
const LOST_LOCK_RETRIES = 5;

/**
 * The ledger as one JSON file. Writers take a lock (see FileLock), read, add
 * their record, write a temporary file, fsync it and rename it over the
 * ledger: a reader always sees a whole file, a crash mid-write leaves the
 * previous state, and parallel Nx tasks never lose each other's records.
 */
export class FileLedger implements LedgerBackend {
  private readonly lock: FileLock;
  private readonly hooks: FileLedgerHooks;

  constructor(readonly path: string, options: FileLedgerOptions = {}) {
    this.hooks = options.hooks ?? {};
    this.lock = new FileLock(`${path}.lock`, {
      timeoutMs: options.lockTimeoutMs ?? 30_000,
      staleAfterMs: options.staleAfterMs ?? 10_000,
      heartbeatMs: options.heartbeatMs ?? 1_000,
      hooks: this.hooks,
    });
  }

  get where(): string {
    return this.path;
  }

  async read(): Promise<LedgerRecord[]> {
    return existsSync(this.path) ? parseLedger(readFileSync(this.path, 'utf8'), this.path) : [];
  }

  async append(record: LedgerRecord): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    for (let attempt = 1; ; attempt++) {
      const written = await this.lock.withLock(async (stillHeld) => {
        const records = await this.read();
        await this.hooks.ledgerRead?.();
        records.push(record);
        const tmp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
        const fd = openSync(tmp, 'w', 0o644);
        try {
          writeSync(fd, serializeLedger(records));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        if (!stillHeld()) {
          rmSync(tmp, { force: true });
          return false;
        }
        renameSync(tmp, this.path);
        return true;
      });
      if (written) return;
      if (attempt >= LOST_LOCK_RETRIES) throw new Error(`the deploy ledger lock ${this.path}.lock was taken over ${attempt} times while writing; is a clock or file system misbehaving?`);
    }
  }
}
