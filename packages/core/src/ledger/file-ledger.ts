import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'fs';
import { dirname } from 'path';
import { LedgerBackend, LedgerRecord, parseLedger, serializeLedger } from './record';
import { sleep } from '../sleep';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The ledger as one JSON file. Writers take a lock (an exclusively created
 * file holding the writer's pid), read, add their record, write a temporary
 * file, fsync it and rename it over the ledger: a reader always sees a whole
 * file, a crash mid-write leaves the previous state, and parallel Nx tasks
 * never lose each other's records. A lock left by a dead process is broken.
 */
export class FileLedger implements LedgerBackend {
  private readonly lockPath: string;

  constructor(readonly path: string, private readonly lockTimeoutMs = 30_000) {
    this.lockPath = `${path}.lock`;
  }

  get where(): string {
    return this.path;
  }

  async read(): Promise<LedgerRecord[]> {
    return existsSync(this.path) ? parseLedger(readFileSync(this.path, 'utf8'), this.path) : [];
  }

  async append(record: LedgerRecord): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    await this.withLock(async () => {
      const records = await this.read();
      records.push(record);
      const tmp = `${this.path}.${process.pid}.${Date.now()}.tmp`;
      const fd = openSync(tmp, 'w', 0o644);
      try {
        writeSync(fd, serializeLedger(records));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
    });
  }

  private async withLock<T>(work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(this.lockPath, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        this.breakStaleLock();
        if (Date.now() - started > this.lockTimeoutMs) throw new Error(`timed out waiting for the deploy ledger lock ${this.lockPath}; if no deploy is running, delete it`);
        await sleep(Math.min(50, 2 + attempt) * (0.5 + Math.random()));
      }
    }
    try {
      return await work();
    } finally {
      rmSync(this.lockPath, { force: true });
    }
  }

  private breakStaleLock(): void {
    try {
      const pid = Number(readFileSync(this.lockPath, 'utf8'));
      const age = Date.now() - statSync(this.lockPath).mtimeMs;
      // An empty lock is one being written right now, unless it is old.
      if ((pid > 0 && !processAlive(pid)) || (!pid && age > 5_000)) rmSync(this.lockPath, { force: true });
    } catch {
      // Gone already: the next attempt takes it.
    }
  }
}
