// The real Supabase CLI against a real PostgreSQL (tools/postgres): a throwaway cluster with
// TLS and a scram password, as a Supabase database has. No Supabase roles or schemas are created:
// `db push` needs only what it creates itself (supabase_migrations).
import { spawn } from 'child_process';
import { cpSync, writeFileSync } from 'fs';
import { join } from 'path';
import { PostgresServer, startPostgres } from '../../../tools/postgres/server';
import { watchArgv } from './__fixtures__/argv-watch';
import { deploySupabase, removeSupabaseProjects, supabaseProject } from './__fixtures__/workspace';
import { DEPLOY_LOCK_KEY, lockScript } from './lock';

let pg: PostgresServer;
let databases = 0;
const outputs: string[] = [];

beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
  removeSupabaseProjects();
});

const env = () => ({ SUPABASE_DB_PASSWORD: pg.password });
function newDatabase(): { name: string; url: string } {
  const name = `deploy_${++databases}`;
  pg.sql(`create database ${name}`);
  return { name, url: pg.urlOf(name) };
}
const history = (db: string) => pg.sql("select coalesce(string_agg(version || ':' || name, ' ' order by version), '') from supabase_migrations.schema_migrations", db);
const tables = (db: string) => pg.sql("select coalesce(string_agg(tablename, ' ' order by tablename), '') from pg_tables where schemaname = 'public'", db);
async function deploy(...args: Parameters<typeof deploySupabase>) {
  const run = await deploySupabase(...args);
  outputs.push(run.output);
  return run;
}

const THREE = {
  '20240101000000_create_users.sql': 'create table public.users (id bigint primary key, email text not null);\n',
  '20240102000000_create_posts.sql': 'create table public.posts (id bigint primary key, author bigint references public.users);\ninsert into public.users values (1, \'a@example.com\');\n',
};

describe('supabase db push through the real CLI', () => {
  it('applies the pending migrations once; a second deploy applies nothing', async () => {
    const db = newDatabase();
    const dir = supabaseProject({ migrations: THREE });
    const watch = watchArgv(pg.password, `:${pg.port}/${db.name}`);
    const first = await deploy(dir, { dbUrl: db.url }, { env: env() });
    watch.stop();
    expect(first.report.status).toBe('succeeded');
    expect(first.result.pending).toEqual(['20240101000000_create_users.sql', '20240102000000_create_posts.sql']);
    expect(first.result.applied).toEqual(first.result.pending);
    expect(first.report.outputs).toMatchObject({ pendingMigrations: '20240101000000_create_users.sql,20240102000000_create_posts.sql', appliedMigrations: '20240101000000_create_users.sql,20240102000000_create_posts.sql' });
    expect(tables(db.name)).toBe('posts users');
    expect(history(db.name)).toBe('20240101000000:create_users 20240102000000:create_posts');
    expect(pg.sql('select email from public.users', db.name)).toBe('a@example.com');
    // The CLI, psql (lock holder and checks) ran with the URL on their command lines, never the password.
    expect([...watch.seen].some((c) => / db push --db-url /.test(c))).toBe(true);
    expect([...watch.seen].some((c) => /psql .* -f /.test(c))).toBe(true);
    expect(watch.leaks).toEqual([]);
    // The password was never put into the plan (not even masked).
    expect(first.planJson).not.toContain('***');

    const second = await deploy(dir, { dbUrl: db.url }, { env: env() });
    expect(second.report.status).toBe('succeeded');
    expect(second.result.pending).toEqual([]);
    expect(second.result.applied).toEqual([]);
    expect(second.output).toContain('nothing to push');
    expect(history(db.name)).toBe('20240101000000:create_users 20240102000000:create_posts');
    expect(pg.sql("select count(*) from pg_locks where locktype = 'advisory'", db.name)).toBe('0');
  });

  it('a dry run lists the pending migrations by name and changes nothing', async () => {
    const db = newDatabase();
    const dir = supabaseProject({ migrations: THREE });
    await deploy(dir, { dbUrl: db.url }, { env: env() });
    writeFileSync(join(dir, 'supabase', 'migrations', '20240103000000_add_title.sql'), 'alter table public.posts add column title text;\n');
    const dry = await deploy(dir, { dbUrl: db.url }, { env: env(), dryRun: true, preview: true });
    expect(dry.report.status).toBe('dry-run');
    expect(dry.output).toContain('will apply 20240103000000_add_title.sql');
    expect(dry.output).toMatch(/\$ \S*supabase db push --db-url postgresql:\/\/postgres@127\.0\.0\.1:\d+\/deploy_\d+ --yes/);
    expect(history(db.name)).toBe('20240101000000:create_users 20240102000000:create_posts');
    expect(pg.sql("select count(*) from information_schema.columns where table_name = 'posts' and column_name = 'title'", db.name)).toBe('0');
  });

  it('refuses a database whose history has a migration the repository lacks, with the repair command', async () => {
    const db = newDatabase();
    const dir = supabaseProject({ migrations: THREE });
    await deploy(dir, { dbUrl: db.url }, { env: env() });
    pg.sql("insert into supabase_migrations.schema_migrations (version, name) values ('20240101120000', 'hotfix_from_another_branch')", db.name);
    writeFileSync(join(dir, 'supabase', 'migrations', '20240103000000_add_title.sql'), 'alter table public.posts add column title text;\n');
    const run = await deploy(dir, { dbUrl: db.url }, { env: env() });
    expect(run.report.status).toBe('failed');
    expect(run.report.error).toContain('Check the migration history');
    expect(run.report.error).toContain('supabase/migrations does not have: 20240101120000');
    expect(run.report.error).toContain(`supabase migration repair --status reverted 20240101120000 --db-url ${db.url}`);
    // Nothing was pushed, and the lock was released.
    expect(pg.sql("select count(*) from information_schema.columns where table_name = 'posts' and column_name = 'title'", db.name)).toBe('0');
    expect(pg.sql("select count(*) from pg_locks where locktype = 'advisory'", db.name)).toBe('0');
    // The dry run refuses it too.
    const dry = deploy(dir, { dbUrl: db.url }, { env: env(), dryRun: true, preview: true });
    await expect(dry).rejects.toThrow(/supabase\/migrations does not have: 20240101120000/);
  });

  it('a failing migration leaves the earlier ones applied and fails naming the file', async () => {
    const db = newDatabase();
    const dir = supabaseProject({
      migrations: {
        '20240201000000_create_orders.sql': 'create table public.orders (id bigint primary key);\n',
        '20240202000000_bad_insert.sql': 'create table public.items (id bigint primary key);\ninsert into public.no_such_table values (1);\n',
        '20240203000000_create_refunds.sql': 'create table public.refunds (id bigint primary key);\n',
      },
    });
    const run = await deploy(dir, { dbUrl: db.url }, { env: env() });
    expect(run.report.status).toBe('failed');
    expect(run.report.error).toContain('migration supabase/migrations/20240202000000_bad_insert.sql failed and was rolled back');
    expect(run.report.error).toContain('ERROR: relation "public.no_such_table" does not exist (SQLSTATE 42P01), in statement 2 of the file: insert into public.no_such_table values (1)');
    expect(run.report.error).toContain('Applied by this push before it: 20240201000000_create_orders.sql; not tried: 20240203000000_create_refunds.sql');
    // The file runs in one transaction with its history row: nothing of it is left.
    expect(tables(db.name)).toBe('orders');
    expect(history(db.name)).toBe('20240201000000:create_orders');
    expect(pg.sql("select count(*) from pg_locks where locktype = 'advisory'", db.name)).toBe('0');

    writeFileSync(join(dir, 'supabase', 'migrations', '20240202000000_bad_insert.sql'), 'create table public.items (id bigint primary key);\n');
    const fixed = await deploy(dir, { dbUrl: db.url }, { env: env() });
    expect(fixed.report.status).toBe('succeeded');
    expect(fixed.result.applied).toEqual(['20240202000000_bad_insert.sql', '20240203000000_create_refunds.sql']);
    expect(tables(db.name)).toBe('items orders refunds');
  });

  it('deploys the environment --env names, and no other', async () => {
    const staging = newDatabase();
    const production = newDatabase();
    const dir = supabaseProject({ migrations: THREE });
    const environments = { staging: { dbUrl: staging.url, dbPasswordEnv: 'STAGING_DB_PASSWORD' }, production: { dbUrl: production.url, dbPasswordEnv: 'PRODUCTION_DB_PASSWORD' } };
    const run = await deploy(dir, { env: 'staging', environments }, { env: { STAGING_DB_PASSWORD: pg.password } });
    expect(run.report.status).toBe('succeeded');
    expect(run.report.title).toContain('(staging)');
    expect(tables(staging.name)).toBe('posts users');
    expect(tables(production.name)).toBe('');
  });
});

describe('one push per database at a time', () => {
  const slow = { '20240301000000_slow.sql': "select pg_sleep(3);\ncreate table public.slow (id int);\n" };

  it('a second pipeline waits for the first, then finds nothing to push', async () => {
    const db = newDatabase();
    const a = supabaseProject({ migrations: slow });
    const b = supabaseProject();
    cpSync(join(a, 'supabase'), join(b, 'supabase'), { recursive: true });
    const first = deploy(a, { dbUrl: db.url }, { env: env(), label: 'api@staging pipeline-a' });
    // B starts once A holds the lock.
    for (let i = 0; i < 100 && pg.sql("select count(*) from pg_locks where locktype = 'advisory' and granted", db.name) === '0'; i++) await new Promise((r) => setTimeout(r, 100));
    const second = deploy(b, { dbUrl: db.url }, { env: env(), label: 'api@staging pipeline-b' });
    const [ra, rb] = await Promise.all([first, second]);
    expect(ra.report.status).toBe('succeeded');
    expect(rb.report.status).toBe('succeeded');
    expect(ra.result.applied).toEqual(['20240301000000_slow.sql']);
    expect(rb.result.lock?.waitedFor?.applicationName).toMatch(/^shipfleet api@staging pipeline-a [0-9a-f]{6}$/);
    expect(rb.output).toMatch(/waiting up to 10m for the deploy lock on postgresql:\/\/postgres@127\.0\.0\.1:\d+\/deploy_\d+, held by "shipfleet api@staging pipeline-a [0-9a-f]{6}"/);
    expect(rb.result.pending).toEqual([]);
    expect(rb.result.applied).toEqual([]);
    expect(history(db.name)).toBe('20240301000000:slow');
  });

  it('without the lock the same two pushes collide (why the lock is there)', async () => {
    const db = newDatabase();
    // Long enough for the second pipeline to read the history before the first commits.
    const a = supabaseProject({ migrations: { '20240301000000_slow.sql': "select pg_sleep(8);\ncreate table public.slow (id int);\n" } });
    const b = supabaseProject();
    cpSync(join(a, 'supabase'), join(b, 'supabase'), { recursive: true });
    const first = deploy(a, { dbUrl: db.url, lock: false }, { env: env() });
    for (let i = 0; i < 100 && pg.sql("select count(*) from pg_stat_activity where query like 'select pg_sleep(8)%'", db.name) === '0'; i++) await new Promise((r) => setTimeout(r, 100));
    const second = deploy(b, { dbUrl: db.url, lock: false }, { env: env() });
    const results = await Promise.all([first, second]);
    expect(results.map((r) => r.report.status).sort()).toEqual(['failed', 'succeeded']);
    expect(results.find((r) => r.report.status === 'failed')!.report.error).toContain('migration supabase/migrations/20240301000000_slow.sql failed');
    expect(history(db.name)).toBe('20240301000000:slow');
  });

  it('waits at most lockTimeout for another holder, then fails naming it', async () => {
    const db = newDatabase();
    const dir = supabaseProject({ migrations: THREE });
    const scriptDir = supabaseProject();
    writeFileSync(join(scriptDir, 'hold.sql'), lockScript(60_000));
    const holder = spawn('psql', ['-X', '-q', '-d', db.url, '-f', join(scriptDir, 'hold.sql')], { env: { ...process.env, PGPASSWORD: pg.password, PGAPPNAME: 'nightly-reindex job' }, stdio: ['ignore', 'pipe', 'pipe'] });
    holder.stdout.resume();
    try {
      const held = `select count(*) from pg_locks where locktype = 'advisory' and granted and classid = ${DEPLOY_LOCK_KEY[0]} and objid = ${DEPLOY_LOCK_KEY[1]}`;
      for (let i = 0; i < 100 && pg.sql(held, db.name) === '0'; i++) await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      const run = await deploy(dir, { dbUrl: db.url, lockTimeout: '2s' }, { env: env() });
      expect(run.report.status).toBe('failed');
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
      expect(run.report.error).toMatch(/the deploy lock on postgresql:\/\/postgres@127\.0\.0\.1:\d+\/deploy_\d+ is still held by "nightly-reindex job" \(backend pid \d+, user postgres, from 127\.0\.0\.1, connected since \S+Z\) after 2s/);
      expect(run.report.error).toContain('raise lockTimeout');
      expect(tables(db.name)).toBe('');
      // Only the other holder's lock is left; this run's waiting session is gone.
      expect(pg.sql("select count(*) from pg_locks where locktype = 'advisory'", db.name)).toBe('1');
    } finally {
      holder.kill();
    }
  });
});

describe('secrets', () => {
  it('the database password reached no output and no plan of any deploy above', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(10);
    for (const output of outputs) {
      expect(output).not.toContain(pg.password);
      expect(output).not.toContain(encodeURIComponent(pg.password));
      expect(output).not.toContain(Buffer.from(pg.password).toString('base64'));
    }
  });
});
