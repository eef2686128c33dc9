// A throwaway PostgreSQL cluster for tests: initdb into a temp dir, a random password for the
// `postgres` user (scram-sha-256, also on loopback), TLS on with a self-signed certificate (as a
// Supabase database has: the Supabase CLI does not fall back to plain connections), listening on
// 127.0.0.1 at a free port; stop() ends it and removes the dir. Needs Debian's `postgresql`
// (initdb/pg_ctl from /usr/lib/postgresql/<version>/bin or PATH), `psql` and `openssl`.
import { spawnSync, SpawnSyncReturns } from 'child_process';
import { randomBytes } from 'crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

export interface PostgresServer {
  host: '127.0.0.1';
  port: number;
  user: 'postgres';
  /** The `postgres` user's password (hex, 24 characters). */
  password: string;
  database: 'postgres';
  /** postgresql://postgres@127.0.0.1:<port>/postgres: no password in it. */
  url: string;
  dir: string;
  /** Runs SQL with psql as `postgres` (in `database`, default postgres) and returns its unaligned, tuples-only output (`-At`, `|` between columns). */
  sql(query: string, database?: string): string;
  /** The URL of another database of the cluster, without password. */
  urlOf(database: string): string;
  stop(): Promise<void>;
}

/** The folder of initdb and pg_ctl: PATH first, then the newest /usr/lib/postgresql/<version>/bin. */
export function postgresBinDir(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) return join(onPath.stdout.trim(), '..');
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin');
  return undefined;
}

/** Why a real PostgreSQL cannot run here, or undefined when it can. */
export function postgresMissing(): string | undefined {
  if (!postgresBinDir()) return 'initdb is not installed (apt-get install -y --no-install-recommends postgresql)';
  for (const [tool, args] of [['psql', ['--version']], ['openssl', ['version']]] as const) {
    const r = spawnSync(tool, args, { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${tool} is not installed (apt-get install -y --no-install-recommends postgresql openssl)`;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function check(what: string, r: SpawnSyncReturns<string>): string {
  if (r.error || r.status !== 0) throw new Error(`${what} failed (${r.status ?? r.error?.message}): ${(r.stderr || r.stdout || '').slice(-2000)}`);
  return r.stdout;
}

/**
 * PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user (Debian's
 * package creates it) and its tools run through `runuser`.
 */
function serverUser(): { uid: number; gid: number; wrap: (file: string, args: string[]) => [string, string[]] } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(check('id postgres', spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' })).trim());
  return { uid: id('-u'), gid: id('-g'), wrap: (file, args) => ['runuser', ['-u', 'postgres', '--', file, ...args]] };
}

/** Starts a new cluster; one per test file. */
export async function startPostgres(options: { readyTimeoutMs?: number } = {}): Promise<PostgresServer> {
  const missing = postgresMissing();
  if (missing) throw new Error(missing);
  const bin = postgresBinDir()!;
  const owner = serverUser();
  const run = (file: string, args: string[]) => {
    const [f, a] = owner ? owner.wrap(join(bin, file), args) : [join(bin, file), args];
    return check(`${file} ${args[0] ?? ''}`, spawnSync(f, a, { encoding: 'utf8' }));
  };
  const dir = mkdtempSync(join(tmpdir(), 'shipfleet-postgres-'));
  const data = join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  try {
    writeFileSync(join(dir, 'pwfile'), password + '\n', { mode: 0o600 });
    check('openssl req', spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.crt')], { encoding: 'utf8' }));
    chmodSync(join(dir, 'server.key'), 0o600);
    if (owner) for (const f of ['', 'pwfile', 'server.key', 'server.crt']) chownSync(join(dir, f), owner.uid, owner.gid);
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${join(dir, 'pwfile')}`, '--encoding=UTF8', '--locale=C.UTF-8']);
    rmSync(join(dir, 'pwfile'));
    writeFileSync(join(data, 'postgresql.auto.conf'), [
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${dir}'`,
      'ssl = on',
      `ssl_cert_file = '${join(dir, 'server.crt')}'`,
      `ssl_key_file = '${join(dir, 'server.key')}'`,
      'fsync = off',
      'max_connections = 40',
    ].join('\n') + '\n');
    if (owner) chownSync(join(data, 'postgresql.auto.conf'), owner.uid, owner.gid);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const timeout = String(Math.ceil((options.readyTimeoutMs ?? 30_000) / 1000));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const log = join(dir, `postgres-${attempt}.log`);
    if (owner) {
      writeFileSync(log, '');
      chownSync(log, owner.uid, owner.gid);
    }
    try {
      run('pg_ctl', ['start', '-D', data, '-w', '-t', timeout, '-l', log, '-o', `-p ${port}`]);
    } catch (err) {
      const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
      // Another process may have taken the port between freePort and the start: try another.
      if (attempt < 3 && /could not bind|already in use/i.test(text)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${(err as Error).message}\n${text.slice(-2000)}`);
    }
    const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    const urlOf = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
    const sql = (query: string, database = 'postgres') => check('psql', spawnSync('psql', ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', urlOf(database), '-c', query], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: password } })).replace(/\n$/, '');
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    return { host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', url, dir, sql, urlOf, stop };
  }
}
