import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { thrownUserError } from '@shipfleet/core';
import { findTerraformDir, resolveTerraformOptions, TerraformOptions } from './options';

let root: string;
const env = { DB_PASSWORD: 'db-password-0123456789', SHORT: 'abc', STORAGE: 'storage-key-0123456789' };

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'shipfleet-tf-options-'));
  mkdirSync(join(root, 'apps', 'site', 'infra'), { recursive: true });
  writeFileSync(join(root, 'apps', 'site', 'infra', 'main.tf'), 'variable "env" {}\n');
});

const resolve = (o: Partial<TerraformOptions>, e: NodeJS.ProcessEnv = env, dryRun = false) =>
  resolveTerraformOptions(o, { workspaceRoot: root, projectRoot: 'apps/site', projectName: 'site' }, e, () => undefined, dryRun);
const error = (o: Partial<TerraformOptions>, e: NodeJS.ProcessEnv = env) => thrownUserError(() => resolve(o, e));

describe('resolveTerraformOptions', () => {
  it('finds the configuration in the project root, infra/ or terraform/, with the defaults', () => {
    const r = resolve({});
    expect(r.options).toMatchObject({
      binary: 'terraform',
      action: 'apply',
      dir: join(root, 'apps', 'site', 'infra'),
      lockTimeoutMs: 300_000,
      lockfileReadonly: false,
      allowDestroy: false,
      allowReplace: [],
      outputPath: join(root, 'tmp', 'terraform', 'site', 'default'),
      planFile: join(root, 'tmp', 'terraform', 'site', 'default', 'tfplan'),
    });
    expect(r.secrets).toEqual([]);
    mkdirSync(join(root, 'other', 'terraform'), { recursive: true });
    writeFileSync(join(root, 'other', 'terraform', 'main.tf.json'), '{}');
    expect(findTerraformDir(join(root, 'other'))).toBe(join(root, 'other', 'terraform'));
    expect(findTerraformDir(join(root, 'apps'))).toBeUndefined();
    expect(resolve({}, { ...env, CI: 'true' }).options.lockfileReadonly).toBe(true);
    expect(resolve({ lockfileReadonly: false }, { ...env, CI: 'true' }).options.lockfileReadonly).toBe(false);
  });

  it('turns secretVars and renamed secretEnv into the commands\' environment, and masks them', () => {
    const r = resolve({ secretVars: { db_password: 'DB_PASSWORD' }, secretEnv: { ARM_ACCESS_KEY: 'STORAGE' } });
    expect(r.stepEnv).toEqual({ TF_VAR_db_password: env.DB_PASSWORD, ARM_ACCESS_KEY: env.STORAGE });
    expect(r.secrets).toEqual([env.DB_PASSWORD, env.STORAGE]);
  });

  it.each<[string, Partial<TerraformOptions>, string]>([
    ['binary', { binary: 'terragrunt' as 'tofu' }, 'Option "binary"'],
    ['action', { action: 'destroy' as 'plan' }, 'Use apply (default: plan, check, apply) or plan'],
    ['dir without .tf', { dir: 'apps' }, 'has no *.tf files'],
    ['env', { env: 'staging/eu' }, 'Option "env"'],
    ['backendConfig credential', { backendConfig: { bucket: 'b', secret_key: 'x' } }, 'Option "backendConfig": "secret_key" holds a credential, and -backend-config values are on the command line and saved in .terraform/terraform.tfstate. Remove it and let the backend read it from the environment: AWS_SECRET_ACCESS_KEY (s3)'],
    ['backendConfig sas_token', { backendConfig: { sas_token: 'x' } }, 'ARM_SAS_TOKEN (azurerm)'],
    ['backendConfig password', { backendConfig: { password: 'x' } }, 'TF_HTTP_PASSWORD (http)'],
    ['backendConfig conn_str', { backendConfig: { conn_str: 'postgres://u:p@h/db' } }, 'PG_CONN_STR (pg)'],
    ['backendConfig object value', { backendConfig: { bucket: {} as unknown as string } }, 'must be a string, number or boolean'],
    ['vars secret-looking', { vars: { db_password: 'x' } }, 'Option "vars": "db_password" looks like a secret'],
    ['vars holding a secret value', { vars: { conn: `postgres://app:${env.DB_PASSWORD}@db` }, secretVars: { db_password: 'DB_PASSWORD' } }, 'a value holds the value of a secret variable'],
    ['vars name', { vars: { 'bad name': 1 } }, 'is not a Terraform variable name'],
    ['secretVars in vars too', { vars: { db: 'x' }, secretVars: { db: 'DB_PASSWORD' } }, '"db" is also in vars'],
    ['secretVars value', { secretVars: { db_password: 'db-password-0123456789' } }, 'is not an environment variable name'],
    ['secretVars unset', { secretVars: { db_password: 'NOT_SET' } }, 'environment variable NOT_SET (the variable "db_password") is not set'],
    ['secretVars too short', { secretVars: { db_password: 'SHORT' } }, 'fewer than 8 characters'],
    ['secretEnv name', { secretEnv: ['not a name'] }, 'Option "secretEnv"'],
    ['secretEnv unset', { secretEnv: ['AWS_SECRET_ACCESS_KEY'] }, 'environment variable AWS_SECRET_ACCESS_KEY'],
    ['allowReplace', { allowReplace: ['not an address'] }, 'is not a resource instance address'],
    ['allowDestroy', { allowDestroy: 'yes' as unknown as boolean }, 'Option "allowDestroy": must be true or false'],
    ['lockTimeout', { lockTimeout: '5 minutes' }, 'Option "lockTimeout": "5 minutes" is not a duration'],
  ])('%s', (_, o, message) => {
    expect(error(o).message).toContain(message);
  });

  it('refuses env when TF_WORKSPACE is set (Terraform then refuses workspace select)', () => {
    expect(error({ env: 'staging' }, { ...env, TF_WORKSPACE: 'prod' }).message).toContain('TF_WORKSPACE is set');
  });

  it('never shows a secret value in an error', () => {
    const e = error({ vars: { conn: env.DB_PASSWORD }, secretVars: { db_password: 'DB_PASSWORD' } });
    expect(e.message).not.toContain(env.DB_PASSWORD);
  });

  it('a dry run takes an unset secret as $NAME with a warning', () => {
    const warnings: string[] = [];
    const r = resolveTerraformOptions({ secretVars: { db_password: 'NOT_SET' } }, { workspaceRoot: root, projectRoot: 'apps/site' }, env, (w) => warnings.push(w), true);
    expect(r.stepEnv).toEqual({ TF_VAR_db_password: '$NOT_SET' });
    expect(warnings).toEqual(['Dry run without the variable "db_password": NOT_SET is not set; a real run stops here']);
  });
});
