import { randomBytes } from 'crypto';
import { closeSync, fstatSync, futimesSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'fs';
import { hostname } from 'os';
import { sleep } from '../sleep';

export interface FileLockHooks {
  /** Called when a lock has been judged stale, before it is taken aside (tests use it to interleave writers). */
  staleLockJudged?(): Promise<void> | void;
}

export interface FileLockOptions {
  /** How long to wait for the lock before giving up. */
  timeoutMs: number;
  /** A lock whose heartbeat is older than this is stale, whoever holds it. */
  staleAfterMs: number;
  /** How often the holder touches its lock. */
  heartbeatMs: number;
  hooks?: FileLockHooks;
}

interface Owner {
  token: string;
  host: string;
  pid: number;
}

/** A lock file as read at one moment: its text, its inode and its last heartbeat. */
interface Snapshot {
  content: string;
  ino: number;
  mtimeMs: number;
  owner?: Owner;
}

interface Held {
  token: string;
  fd: number;
  heartbeat: NodeJS.Timeout;
}

function parseOwner(content: string): Owner | undefined {
  try {
    const o = JSON.parse(content) as Partial<Owner>;
    return typeof o.token === 'string' && typeof o.host === 'string' && Number.isInteger(o.pid) && o.pid! > 0 ? (o as Owner) : undefined;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isNoEntry(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * A lock file shared by processes and machines (a network file system). It
 * holds a random token, the hostname and the pid, and its holder touches it
 * every heartbeat. It is stale when the heartbeat stopped, or when it is from
 * this host and its process is gone. A stale lock is stolen by renaming it
 * aside and checking that what was renamed is the lock judged stale (else it
 * is put back); a lock is released only while it still holds its token.
 */
export class FileLock {
  private readonly host = hostname();

  constructor(readonly path: string, private readonly o: FileLockOptions) {}

  /**
   * Runs `work` holding the lock. `work` gets `stillHeld()` to call right
   * before it commits: false when the lock was taken from it meanwhile.
   */
  async withLock<T>(work: (stillHeld: () => boolean) => Promise<T>): Promise<T> {
    const held = await this.acquire();
    try {
      return await work(() => this.read()?.owner?.token === held.token);
    } finally {
      this.release(held);
    }
  }

  private async acquire(): Promise<Held> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const held = this.create();
      if (held) return held;
      const seen = this.read();
      if (seen && this.isStale(seen)) {
        await this.o.hooks?.staleLockJudged?.();
        if (this.takeAside((now) => now.ino === seen.ino && now.mtimeMs === seen.mtimeMs && now.content === seen.content)) continue;
      }
      if (Date.now() - started > this.o.timeoutMs) {
        const holder = seen?.owner ? ` (held by pid ${seen.owner.pid} on ${seen.owner.host})` : '';
        throw new Error(`timed out waiting for the deploy ledger lock ${this.path}${holder}; if no deploy is running, delete it`);
      }
      await sleep(Math.min(50, 2 + attempt) * (0.5 + Math.random()));
    }
  }

  /** Creates the lock (O_EXCL) and starts its heartbeat; undefined when another one exists. */
  private create(): Held | undefined {
    const token = randomBytes(16).toString('hex');
    let fd: number;
    try {
      fd = openSync(this.path, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
      throw e;
    }
    writeSync(fd, JSON.stringify({ token, host: this.host, pid: process.pid }));
    const heartbeat = setInterval(() => {
      try {
        const now = new Date();
        futimesSync(fd, now, now);
      } catch {
        // Closed by release: nothing to keep fresh.
      }
    }, this.o.heartbeatMs);
    heartbeat.unref();
    return { token, fd, heartbeat };
  }

  private release(held: Held): void {
    clearInterval(held.heartbeat);
    closeSync(held.fd);
    if (this.read()?.owner?.token === held.token) this.takeAside((now) => now.owner?.token === held.token);
  }

  private isStale(seen: Snapshot): boolean {
    if (Date.now() - seen.mtimeMs > this.o.staleAfterMs) return true;
    return !!seen.owner && seen.owner.host === this.host && !processAlive(seen.owner.pid);
  }

  /** The lock file at `path` as one consistent read, or undefined when there is none. */
  private read(path = this.path): Snapshot | undefined {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      if (isNoEntry(e)) return undefined;
      throw e;
    }
    try {
      const { ino, mtimeMs } = fstatSync(fd);
      const content = readFileSync(fd, 'utf8');
      return { content, ino, mtimeMs, owner: parseOwner(content) };
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Atomically moves the lock aside and deletes it if it is the one expected.
   * Otherwise it is put back, unless a new lock was taken meanwhile: the
   * holder of the moved one then finds it lost (stillHeld) before committing.
   */
  private takeAside(expected: (now: Snapshot) => boolean): boolean {
    const aside = `${this.path}.${randomBytes(8).toString('hex')}.aside`;
    try {
      renameSync(this.path, aside);
    } catch (e) {
      if (isNoEntry(e)) return false;
      throw e;
    }
    const now = this.read(aside);
    if (now && expected(now)) {
      unlinkSync(aside);
      return true;
    }
    try {
      linkSync(aside, this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    unlinkSync(aside);
    return false;
  }
}
