import { chmodSync, mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { formatPlan, planToJson, Redactor, thrownUserError } from '@shipfleet/core';
import { removeSupabaseProjects, supabaseProject } from './__fixtures__/workspace';
import { buildSupabasePlan, resolveSupabaseOptions, SupabaseDeployOptions, SUPABASE_CLI_INSTALL } from './index';

const PASSWORD = 'correct-horse-battery-staple';
const TOKEN = 'sbp_0123456789abcdef0123456789abcdef01234567';
const REF = 'abcdefghijklmnopqrst';
const URL = 'postgresql://postgres.abcdefghijklmnopqrst@aws-0-eu-central-1.pooler.supabase.com:5432/postgres';

/** A workspace with a project and a stand-in node_modules/.bin/supabase (only its presence matters here). */
function workspace(): { root: string; project: string } {
  const root = supabaseProject();
  mkdirSync(join(root, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(root, 'node_modules', '.bin', 'supabase'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(root, 'node_modules', '.bin', 'supabase'), 0o755);
  return { root, project: root };
}

function resolve(options: Partial<SupabaseDeployOptions>, env: NodeJS.ProcessEnv = { SUPABASE_DB_PASSWORD: PASSWORD, SUPABASE_ACCESS_TOKEN: TOKEN }, extra: { dryRun?: boolean; warn?: (m: string) => void; root?: string } = {}) {
  const ws = extra.root ? { root: extra.root, project: extra.root } : workspace();
  return resolveSupabaseOptions(options, { workspaceRoot: ws.root, projectRoot: ws.project, env, dryRun: extra.dryRun, warn: extra.warn });
}

afterAll(removeSupabaseProjects);

describe('resolveSupabaseOptions', () => {
  it('refuses a database URL with a password, naming the option and never the password', () => {
    for (const [options, option] of [
      [{ dbUrl: `postgresql://postgres:${PASSWORD}@db.example.com:5432/postgres` }, 'dbUrl'],
      [{ dbUrl: `postgresql://postgres@db.example.com:5432/postgres?password=${PASSWORD}` }, 'dbUrl'],
      [{ env: 'production', environments: { production: { dbUrl: `postgres://u:${encodeURIComponent(PASSWORD)}@h/db` } } }, 'environments.production.dbUrl'],
    ] as const) {
      const err = thrownUserError(() => resolve(options));
      expect(err.option).toBe(option);
      expect(err.message).toContain('contains a password');
      expect(err.message).toContain('"dbPasswordEnv"');
      expect(err.message).not.toContain(PASSWORD);
      expect(err.message).not.toContain(encodeURIComponent(PASSWORD));
    }
  });

  it('names the environment variable that is missing, and the one whose value is too short', () => {
    expect(thrownUserError(() => resolve({ dbUrl: URL, dbPasswordEnv: 'STAGING_DB_PASSWORD' }, {})).message).toContain('environment variable STAGING_DB_PASSWORD is not set');
    const short = thrownUserError(() => resolve({ dbUrl: URL }, { SUPABASE_DB_PASSWORD: 'short' }));
    expect(short.option).toBe('dbPasswordEnv');
    expect(short.message).not.toContain('"short"');
  });

  it('picks the environment --env names; its values override the top-level ones', () => {
    const o = resolve({ projectRef: REF, functions: true, env: 'production', environments: { staging: { dbUrl: URL.replace('eu-central', 'us-east') }, production: { dbUrl: URL, dbPasswordEnv: 'PROD_DB_PASSWORD', accessTokenEnv: 'PROD_TOKEN' } } }, { PROD_DB_PASSWORD: PASSWORD, PROD_TOKEN: TOKEN });
    expect(o).toMatchObject({ env: 'production', projectRef: REF, db: { url: URL, passwordEnv: 'PROD_DB_PASSWORD', password: PASSWORD }, accessToken: { env: 'PROD_TOKEN', value: TOKEN }, functions: { names: [] } });
    expect(o.secrets).toEqual(expect.arrayContaining([PASSWORD, TOKEN]));
  });

  it('explains a missing or unknown environment, and an option an environment cannot set', () => {
    const environments = { staging: { dbUrl: URL }, production: { dbUrl: URL } };
    expect(thrownUserError(() => resolve({ environments })).message).toBe('Option "env": no deploy environment given. Pass one of staging, production, e.g. --env=staging');
    expect(thrownUserError(() => resolve({ env: 'qa', environments })).message).toContain('"qa" is not in environments (staging, production)');
    expect(thrownUserError(() => resolve({ env: 'staging', environments: { staging: { dbUrl: URL, workdir: 'x' } as never } })).option).toBe('environments.staging.workdir');
  });

  it('needs a project ref and a well-formed token for functions and config push', () => {
    expect(thrownUserError(() => resolve({ migrations: false, functions: true })).option).toBe('projectRef');
    expect(thrownUserError(() => resolve({ migrations: false, configPush: true, projectRef: 'Not-A-Ref' })).option).toBe('projectRef');
    const bad = thrownUserError(() => resolve({ migrations: false, configPush: true, projectRef: REF }, { SUPABASE_ACCESS_TOKEN: 'eyJhbGciOiJIUzI1NiJ9.service-role-key' }));
    expect(bad.option).toBe('accessTokenEnv');
    expect(bad.message).toContain('does not look like a Supabase access token');
    expect(bad.message).not.toContain('service-role-key');
    expect(thrownUserError(() => resolve({ migrations: false, functions: ['../etc'], projectRef: REF })).option).toBe('functions');
    expect(thrownUserError(() => resolve({ migrations: false })).message).toContain('nothing to deploy');
  });

  it('needs the workspace\'s own Supabase CLI, naming the install command', () => {
    const root = supabaseProject();
    const err = thrownUserError(() => resolve({ dbUrl: URL }, { SUPABASE_DB_PASSWORD: PASSWORD }, { root }));
    expect(err.option).toBe('supabase');
    expect(err.message).toContain(`${join(root, 'node_modules', '.bin', 'supabase')} is missing`);
    expect(err.message).toContain(`\`${SUPABASE_CLI_INSTALL}\``);
    expect(SUPABASE_CLI_INSTALL).toBe('npm i -D -E supabase@2.117.0');
    const warnings: string[] = [];
    expect(resolve({ dbUrl: URL }, {}, { root, dryRun: true, warn: (m) => warnings.push(m) }).cli.missing).toBe(true);
    expect(warnings.join('\n')).toContain('npm i -D -E supabase@2.117.0');
  });

  it('needs a supabase folder in workdir', () => {
    const ws = workspace();
    expect(thrownUserError(() => resolveSupabaseOptions({ dbUrl: URL, workdir: 'node_modules' }, { workspaceRoot: ws.root, projectRoot: ws.project, env: { SUPABASE_DB_PASSWORD: PASSWORD } })).message).toContain('has no supabase folder');
  });
});

describe('buildSupabasePlan', () => {
  it('puts secrets in the environment of the commands, never on their command lines', () => {
    const o = resolve({ dbUrl: URL, projectRef: REF, configPush: true, functions: ['hello', 'stripe-webhook'], prune: true, accessTokenEnv: 'CI_SUPABASE_TOKEN' }, { SUPABASE_DB_PASSWORD: PASSWORD, CI_SUPABASE_TOKEN: TOKEN });
    const { plan, secrets } = buildSupabasePlan(o, { label: 'api@staging' });
    const json = planToJson(plan, new Redactor(secrets));
    const commands = json.steps.filter((s) => s.command).map((s) => ({ title: s.title, command: s.command!.slice(1), env: s.env }));
    expect(commands).toEqual([
      { title: `Push supabase/config.toml to project ${REF}`, command: ['config', 'push', '--project-ref', REF, '--yes'], env: { SUPABASE_ACCESS_TOKEN: '***' } },
      { title: `Deploy edge functions hello, stripe-webhook to project ${REF}`, command: ['functions', 'deploy', 'hello', 'stripe-webhook', '--project-ref', REF, '--use-api', '--prune', '--yes'], env: { SUPABASE_ACCESS_TOKEN: '***' } },
    ]);
    expect(json.steps.map((s) => s.title)).toEqual([
      'Write the deploy lock script',
      'Release the deploy lock',
      'Take the deploy lock on postgresql://postgres.abcdefghijklmnopqrst@aws-0-eu-central-1.pooler.supabase.com:5432/postgres',
      'Check the migration history of postgresql://postgres.abcdefghijklmnopqrst@aws-0-eu-central-1.pooler.supabase.com:5432/postgres',
      'List pending migrations',
      'Push migrations to postgresql://postgres.abcdefghijklmnopqrst@aws-0-eu-central-1.pooler.supabase.com:5432/postgres',
      'Release the deploy lock',
      `Push supabase/config.toml to project ${REF}`,
      `Deploy edge functions hello, stripe-webhook to project ${REF}`,
    ]);
    const text = formatPlan(plan, new Redactor(secrets)) + JSON.stringify(plan, (k, v) => (typeof v === 'function' ? undefined : v));
    expect(text).toContain(`supabase db push --db-url ${URL} --yes`);
    expect(text).toContain('the password in PGPASSWORD, from $SUPABASE_DB_PASSWORD');
    expect(text.includes(PASSWORD)).toBe(false);
    // The token is in the plan data only as the one env value, which every output masks.
    expect(formatPlan(plan, new Redactor(secrets))).not.toContain(TOKEN);
  });

  it('a dry run without credentials shows what is missing', () => {
    const warnings: string[] = [];
    const o = resolve({ dbUrl: URL, projectRef: REF, functions: true }, {}, { dryRun: true, warn: (m) => warnings.push(m) });
    expect(warnings).toEqual(['Dry run without the database password: SUPABASE_DB_PASSWORD is not set; a real run stops here', 'Dry run without an access token: SUPABASE_ACCESS_TOKEN is not set; a real run stops here']);
    const text = formatPlan(buildSupabasePlan(o).plan, new Redactor([]));
    expect(text).toContain('SUPABASE_ACCESS_TOKEN=\'<$SUPABASE_ACCESS_TOKEN not set>\'');
  });

  it('lock: false leaves out the lock steps', () => {
    const { plan } = buildSupabasePlan(resolve({ dbUrl: URL, lock: false }));
    expect(plan.steps.map((s) => s.title)).toEqual([`Check the migration history of ${URL}`, 'List pending migrations', `Push migrations to ${URL}`]);
  });
});
