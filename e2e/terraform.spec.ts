// The terraform target through the real nx CLI, with the terraform stand-in (tools/stand-ins/bin:
// Terraform's flags, real-format `show -json` plan documents): inference, the reviewed apply, the
// destroy guard, --env reaching the workspace from deploy, secrets never printed.
import { existsSync, readFileSync } from 'fs';
import { SampleWorkspace } from '../tools/sample-workspace';

const DB_PASSWORD = 'e2e-tf-Secret-pw-5531';

describe('terraform through the real nx CLI (terraform stand-in)', () => {
  let ws: SampleWorkspace;
  const calls = () => (existsSync(ws.path('tf-calls.jsonl')) ? readFileSync(ws.path('tf-calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : []);
  const env = (plan: string) => ({ SHIPFLEET_STANDIN_LOG: ws.path('tf-calls.jsonl'), SHIPFLEET_TERRAFORM_PLAN: plan, DB_PASSWORD, CI: 'false' });

  beforeAll(() => {
    ws = new SampleWorkspace('terraform');
    expect(ws.nx(['g', '@shipfleet/nx:init']).code).toBe(0);
    ws.write('services/platform/package.json', JSON.stringify({ name: 'platform', version: '1.0.0' }, null, 2));
    ws.write('services/platform/infra/main.tf', 'variable "db_password" { sensitive = true }\nresource "null_resource" "db" {}\n');
    ws.write(
      'services/platform/project.json',
      JSON.stringify({ name: 'platform', root: 'services/platform', targets: { terraform: { options: { secretVars: { db_password: 'DB_PASSWORD' }, vars: { region: 'eu-west-1' } } } } }, null, 2),
    );
    ws.git('add', '-A');
    ws.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', 'platform');
  });

  it('infers terraform from infra/*.tf, first in the deploy chain', () => {
    const show = ws.nx(['show', 'project', 'platform', '--json']);
    const project = JSON.parse(show.output.slice(show.output.indexOf('{')));
    expect(project.targets.terraform).toMatchObject({ executor: '@shipfleet/nx:terraform', options: { dir: 'services/platform/infra' }, metadata: { runner: 'linux' } });
    expect(project.targets.deploy.options).toEqual({ targets: ['terraform'] });
  });

  it('--dry-run lists every command with its arguments and runs none', async () => {
    const r = await ws.nxAsync(['run', 'platform:terraform', '--env=staging', '--dry-run'], env('creates'));
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/terraform workspace select -or-create -no-color staging/);
    expect(r.output).toContain('Dry run: nothing was executed.');
    expect(calls()).toEqual([]);
    expect(r.output).not.toContain(DB_PASSWORD);
  });

  it('deploy --env=staging plans in the staging workspace, summarises, and applies that plan', async () => {
    const r = await ws.nxAsync(['run', 'platform:deploy', '--env=staging', '--output-style=static'], env('creates'));
    expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
    const argvs = calls().map((c) => c.argv.join(' '));
    expect(argvs).toEqual(expect.arrayContaining([expect.stringMatching(/^workspace select -or-create -no-color staging$/), expect.stringMatching(/^plan -input=false -no-color -lock-timeout=5m -out=.*tfplan -var-file=/), expect.stringMatching(/^apply -input=false -no-color -lock-timeout=5m .*tfplan$/)]));
    expect(r.output).toMatch(/to create/);
    expect(r.output).toContain('platform deployed to staging');
    expect(r.output).not.toContain(DB_PASSWORD);
    expect(JSON.stringify(calls())).not.toContain(DB_PASSWORD);
  });

  it('a plan that destroys is refused before apply, naming the resource and the option', async () => {
    const before = calls().length;
    const r = await ws.nxAsync(['run', 'platform:terraform', '--env=staging', '--output-style=static'], env('destroy'));
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('allowDestroy');
    expect(calls().slice(before).some((c) => c.argv[0] === 'apply')).toBe(false);
    const allowed = await ws.nxAsync(['run', 'platform:terraform', '--env=staging', '--allowDestroy', '--output-style=static'], env('destroy'));
    expect({ code: allowed.code, output: allowed.code ? allowed.output : '' }).toEqual({ code: 0, output: '' });
  });

  it('a bad option is named', async () => {
    const r = await ws.nxAsync(['run', 'platform:terraform', '--lockTimeout=soon'], env('creates'));
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('Option "lockTimeout"');
  });
});
