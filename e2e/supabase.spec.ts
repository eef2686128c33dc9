// supabase-deploy through the real nx CLI: the real Supabase CLI pushing to a real PostgreSQL
// (tools/postgres), and `nx affected -t deploy` deploying the database before the app that
// depends on it.
import { join } from 'path';
import { SampleWorkspace } from '../tools/sample-workspace';
import { postgresMissing, PostgresServer, startPostgres } from '../tools/postgres/server';
import { startVercelApi, VercelApi } from '../tools/vercel-api/server';

const SUPABASE_BIN = join(__dirname, '..', 'node_modules', '.bin', 'supabase');
const missing = postgresMissing();
const describeReal = missing ? describe.skip : describe;
if (missing) console.warn(`supabase e2e skipped: ${missing}`);

describeReal('supabase-deploy through the real nx CLI (real Supabase CLI, real PostgreSQL)', () => {
  let ws: SampleWorkspace;
  let pg: PostgresServer;
  let vercel: VercelApi;
  const TOKEN = 'e2e-vercel-token-0123456789';
  const env = () => ({ SHIPFLEET_SUPABASE_BIN: SUPABASE_BIN, STAGING_DB_PASSWORD: pg.password, VERCEL_TOKEN: TOKEN });
  const commit = (message: string) => {
    ws.git('add', '-A');
    ws.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', message);
  };

  beforeAll(async () => {
    pg = await startPostgres();
    vercel = await startVercelApi({ port: 0, token: TOKEN });
    ws = new SampleWorkspace('supabase');
    expect(ws.nx(['g', '@shipfleet/nx:init']).code).toBe(0);
    expect(ws.nx(['g', '@shipfleet/nx:web-app', 'web', '--vercelProject=prj_web']).code).toBe(0);
    const web = JSON.parse(ws.read('apps/web/project.json'));
    web.targets['vercel-deploy'].options.apiUrl = vercel.url;
    // The app reads the database: Nx knows it depends on the db project.
    web.implicitDependencies = ['db'];
    ws.write('apps/web/project.json', JSON.stringify(web, null, 2));
    ws.write('services/db/package.json', JSON.stringify({ name: 'db', version: '1.0.0' }, null, 2));
    ws.write('services/db/supabase/config.toml', 'project_id = "db"\n');
    ws.write('services/db/supabase/migrations/20240101000000_create_notes.sql', 'create table public.notes (id bigint generated always as identity primary key, body text not null);\n');
    ws.write('services/db/project.json', JSON.stringify({ name: 'db', root: 'services/db', targets: { 'supabase-deploy': { options: { environments: { staging: { dbUrl: pg.url, dbPasswordEnv: 'STAGING_DB_PASSWORD', lockTimeout: '1m' } } } } } }, null, 2));
    commit('web and db');
  }, 180_000);
  afterAll(async () => {
    await pg?.stop();
    await vercel?.close();
  });

  it('infers supabase-deploy from supabase/config.toml; the app deploys after the database', () => {
    const show = ws.nx(['show', 'project', 'db', '--json']);
    const project = JSON.parse(show.output.slice(show.output.indexOf('{')));
    expect(project.targets['supabase-deploy']).toMatchObject({ executor: '@shipfleet/nx:supabase-deploy', metadata: { runner: 'linux' } });
    expect(project.targets.deploy.options).toEqual({ targets: ['supabase-deploy'] });
    const web = JSON.parse(ws.nx(['show', 'project', 'web', '--json']).output.replace(/^[^{]*/, ''));
    expect(web.targets.deploy.dependsOn).toEqual(expect.arrayContaining([{ dependencies: true, target: 'deploy', params: 'forward' }]));
  });

  it('--dry-run lists the pending migrations by name, read from the database, and changes nothing', async () => {
    const r = await ws.nxAsync(['run', 'db:supabase-deploy', '--env=staging', '--dry-run'], env());
    expect(r.code).toBe(0);
    expect(r.output).toContain('20240101000000_create_notes.sql');
    expect(pg.sql("select to_regclass('public.notes') is null")).toBe('t');
    expect(r.output).not.toContain(pg.password);
  });

  it('nx affected -t deploy: the database and the app that depends on it both changed; the migration runs first', async () => {
    ws.write('services/db/supabase/migrations/20240102000000_add_title.sql', 'alter table public.notes add column title text;\n');
    ws.write('apps/web/src/index.html', '<h1>notes</h1>\n');
    commit('notes get a title');
    const r = await ws.nxAsync(['affected', '-t', 'deploy', '--env=staging', '--base=HEAD~1', '--head=HEAD', '--output-style=static'], env());
    expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
    const dbAt = r.output.indexOf('db deployed to staging');
    const webAt = r.output.indexOf('web deployed to staging');
    expect(dbAt).toBeGreaterThan(-1);
    expect(webAt).toBeGreaterThan(dbAt);
    // Read back independently: both migrations applied, recorded once each.
    expect(pg.sql("select column_name from information_schema.columns where table_name = 'notes' order by column_name")).toBe('body\nid\ntitle');
    expect(pg.sql('select version from supabase_migrations.schema_migrations order by version')).toBe('20240101000000\n20240102000000');
    expect(r.output).not.toContain(pg.password);
  });

  it('a history the repository does not know is refused with the repair command', async () => {
    pg.sql("insert into supabase_migrations.schema_migrations (version, name, statements) values ('20231231000000', 'from_elsewhere', '{}')");
    const r = await ws.nxAsync(['run', 'db:supabase-deploy', '--env=staging', '--output-style=static'], env());
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('supabase migration repair --status reverted 20231231000000');
    expect(r.output).not.toContain(pg.password);
    pg.sql("delete from supabase_migrations.schema_migrations where version = '20231231000000'");
  });

  it('a URL with the password in it is refused without showing it', async () => {
    const project = ws.read('services/db/project.json');
    const withPassword = pg.url.replace('postgres@', `postgres:${pg.password}@`);
    ws.write('services/db/project.json', project.replace(JSON.stringify(pg.url), JSON.stringify(withPassword)));
    try {
      const r = await ws.nxAsync(['run', 'db:supabase-deploy', '--env=staging'], env());
      expect(r.code).not.toBe(0);
      expect(r.output).toContain('Option "environments.staging.dbUrl"');
      expect(r.output).not.toContain(pg.password);
    } finally {
      ws.write('services/db/project.json', project);
    }
  });
});
