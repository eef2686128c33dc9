// One push per database at a time: a PostgreSQL session advisory lock, held by a psql process
// for as long as the push runs. The Supabase CLI takes no lock of its own (its `db push` reads
// the history, then applies each pending file; two pushes at once both try the same files).
// The lock lives exactly as long as that psql session: released when the deploy ends, and by
// the server when the psql dies. psql prints a line every second (\watch), so if this process
// is killed, psql dies of the broken pipe within a second and the lock goes with it.
import { randomBytes } from 'crypto';
import { formatDuration, sleep, TaskContext } from '@shipfleet/core';
import { displayDbUrl } from './db-url';

/** The two int4 keys of the lock: the ASCII of "ship" and "supb". */
export const DEPLOY_LOCK_KEY = [0x73686970, 0x73757062] as const;

const LOCK_WHERE = `l.locktype = 'advisory' and l.classid = ${DEPLOY_LOCK_KEY[0]} and l.objid = ${DEPLOY_LOCK_KEY[1]} and l.objsubid = 2 and l.database = (select oid from pg_database where datname = current_database())`;

/** The psql script that takes the lock (waiting at most `timeoutMs`) and then holds it. */
export function lockScript(timeoutMs: number): string {
  return [
    '\\set ON_ERROR_STOP on',
    `set lock_timeout = ${Math.max(1, Math.round(timeoutMs))};`,
    `select pg_advisory_lock(${DEPLOY_LOCK_KEY[0]}, ${DEPLOY_LOCK_KEY[1]});`,
    'reset lock_timeout;',
    "select 'held' as shipfleet_deploy_lock \\watch 1",
    '',
  ].join('\n');
}

/**
 * The holder's application_name: what another pipeline waiting for the lock is told. PostgreSQL
 * keeps 63 characters of it; the random tail makes it this run's own.
 */
export function lockHolderName(label: string, env: NodeJS.ProcessEnv = process.env): string {
  const run = env.GITHUB_RUN_ID ? ` run ${env.GITHUB_RUN_ID}` : env.CI_PIPELINE_ID ? ` pipeline ${env.CI_PIPELINE_ID}` : '';
  const tail = ` ${randomBytes(3).toString('hex')}`;
  const clean = `shipfleet ${label}${run}`.replace(/[^A-Za-z0-9 @:._/#-]/g, '_');
  return clean.slice(0, 63 - tail.length) + tail;
}

export interface LockHolder {
  applicationName: string;
  pid: number;
  user: string;
  clientAddr: string;
  since: string;
}

export function describeHolder(h: LockHolder): string {
  return `"${h.applicationName || '(no application_name)'}" (backend pid ${h.pid}, user ${h.user}${h.clientAddr ? `, from ${h.clientAddr}` : ''}, connected since ${h.since})`;
}

const SEP = '\u001f';

export interface LockConnection {
  psql: string;
  dbUrl: string;
  password?: string;
}

async function psqlQuery(ctx: TaskContext, c: LockConnection, sql: string): Promise<string[][]> {
  const r = await ctx.exec(c.psql, ['-X', '-A', '-t', '-F', SEP, '-v', 'ON_ERROR_STOP=1', '-d', c.dbUrl, '-c', sql], { env: pgEnv(c, 'shipfleet deploy lock check'), timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`psql could not query ${displayDbUrl(c.dbUrl)}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split(SEP));
}

function pgEnv(c: LockConnection, applicationName: string): Record<string, string> {
  return { ...(c.password !== undefined ? { PGPASSWORD: c.password } : {}), PGAPPNAME: applicationName, PGCONNECT_TIMEOUT: '30' };
}

/** Waits for `work`, at most `ms`. */
function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work.then(() => undefined), new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); })]).finally(() => clearTimeout(timer));
}

const sqlLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Who holds the lock (granted), and whether `ours` does. */
async function lockState(ctx: TaskContext, c: LockConnection, ours: string): Promise<{ mine: boolean; holder?: LockHolder }> {
  const rows = await psqlQuery(ctx, c, `select coalesce(a.application_name, ''), l.pid, coalesce(a.usename::text, ''), coalesce(host(a.client_addr), ''), coalesce(to_char(a.backend_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '') from pg_locks l left join pg_stat_activity a on a.pid = l.pid where ${LOCK_WHERE} and l.granted`);
  const holder = rows[0] && { applicationName: rows[0][0], pid: Number(rows[0][1]), user: rows[0][2], clientAddr: rows[0][3], since: rows[0][4] };
  return { mine: holder?.applicationName === ours, holder };
}

export interface HeldLock {
  name: string;
  /** How long it took to get. */
  waitedMs: number;
  /** Who held it when this run started waiting. */
  waitedFor?: LockHolder;
  release(ctx: TaskContext): Promise<void>;
}

/**
 * Starts the psql holder (script at `scriptPath`) and returns once it has the lock; fails after
 * `timeoutMs` naming the session that holds it. Polls pg_locks, each time on a fresh connection.
 */
export async function takeDeployLock(ctx: TaskContext, c: LockConnection, o: { name: string; scriptPath: string; timeoutMs: number; pollMs?: number }): Promise<HeldLock> {
  const started = Date.now();
  let exited: { exitCode: number; stderr: string } | undefined;
  const holder = ctx
    .exec(c.psql, ['-X', '-q', '-d', c.dbUrl, '-f', o.scriptPath], { env: pgEnv(c, o.name) })
    .then((r) => { exited = { exitCode: r.exitCode, stderr: r.stderr }; }, (err: Error) => { exited = { exitCode: -1, stderr: err.message }; });
  const release = async (rctx: TaskContext) => {
    if (!exited) {
      await psqlQuery(rctx, c, `select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${sqlLiteral(o.name)}`);
      await within(holder, 10_000);
    }
  };
  let waitedFor: LockHolder | undefined;
  let lastHolder: LockHolder | undefined;
  try {
    for (let poll = 0; ; poll++) {
      const state = await lockState(ctx, c, o.name);
      if (state.mine) {
        const waitedMs = Date.now() - started;
        ctx.log(`holding the deploy lock on ${displayDbUrl(c.dbUrl)} (advisory lock ${DEPLOY_LOCK_KEY.join(', ')}, session "${o.name}")${waitedFor ? ` after waiting ${formatDuration(waitedMs)}` : ''}`);
        return { name: o.name, waitedMs, waitedFor, release };
      }
      if (state.holder && state.holder.pid !== lastHolder?.pid) {
        ctx.log(`waiting up to ${formatDuration(o.timeoutMs)} for the deploy lock on ${displayDbUrl(c.dbUrl)}, held by ${describeHolder(state.holder)}`);
        waitedFor ??= state.holder;
      }
      lastHolder = state.holder ?? lastHolder;
      if (exited) {
        if (/lock timeout/.test(exited.stderr)) {
          const now = (await lockState(ctx, c, o.name)).holder ?? lastHolder;
          throw new Error(`the deploy lock on ${displayDbUrl(c.dbUrl)} is still held by ${now ? describeHolder(now) : 'another session'} after ${formatDuration(o.timeoutMs)}: another pipeline is pushing to this database. Run again when it is done, or raise lockTimeout`);
        }
        throw new Error(`psql could not take the deploy lock on ${displayDbUrl(c.dbUrl)} (exit code ${exited.exitCode}): ${exited.stderr.trim()}`);
      }
      await sleep(poll < 10 ? 200 : (o.pollMs ?? 1000), ctx.signal);
    }
  } catch (err) {
    await release(ctx).catch(() => undefined);
    if (/^command not found: /.test((err as Error).message)) throw new Error(`${(err as Error).message}: the deploy lock needs the PostgreSQL client (e.g. apt-get install postgresql-client), or set "lock": false`);
    throw err;
  }
}
