import { spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DeployOutcome } from '@shipfleet/core';
import { formatDeployOutcomes, OUTCOMES_FILE_ENV, outcomesFile, postTasksExecution, preTasksExecution, readDeployOutcomes, reportDeployOutcome } from './outcomes';

const COMMIT = '491308962aff0123456789abcdef0123456789ab';
const deployed: DeployOutcome = { project: 'web', environment: 'staging', result: 'deployed', version: '1.4.0', commit: COMMIT, durationMs: 3200 };
const skipped: DeployOutcome = { project: 'tv', environment: 'staging', result: 'skipped', version: '2.0.1', commit: COMMIT, liveSince: '2025-01-02T03:04:05.000Z' };

describe('deploy outcomes', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'shipfleet-outcomes-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are collected for the end-of-run list and appended to the step summary as a table', () => {
    const env = { [OUTCOMES_FILE_ENV]: join(dir, 'outcomes.jsonl'), GITHUB_STEP_SUMMARY: join(dir, 'summary.md') };
    reportDeployOutcome(deployed, env);
    reportDeployOutcome(skipped, env);
    expect(readDeployOutcomes(env[OUTCOMES_FILE_ENV])).toEqual([deployed, skipped]);
    expect(readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8')).toBe(
      [
        '<!-- shipfleet deploys: staging -->',
        '### Deploys to staging',
        '',
        '| Project | Result | Version | Commit | Duration |',
        '| --- | --- | --- | --- | --- |',
        '| web | ✅ deployed | `1.4.0` | `491308962aff` | 3.2s |',
        '| tv | ⏭️ skipped — already live since 2025-01-02T03:04:05.000Z | `2.0.1` | `491308962aff` | — |',
        '',
      ].join('\n'),
    );
  });

  it('a dry run is listed at the end of the run but not put in the step summary', () => {
    const env = { [OUTCOMES_FILE_ENV]: join(dir, 'outcomes.jsonl'), GITHUB_STEP_SUMMARY: join(dir, 'summary.md') };
    reportDeployOutcome({ project: 'tv', environment: 'staging', result: 'dry-run', durationMs: 10 }, env);
    expect(readDeployOutcomes(env[OUTCOMES_FILE_ENV])).toHaveLength(1);
    expect(() => readFileSync(env.GITHUB_STEP_SUMMARY)).toThrow(/ENOENT/);
  });

  it('lists each environment with its counts, one line per project', () => {
    const failed: DeployOutcome = { project: 'api', environment: 'production', result: 'failed', error: 'api:k8s-deploy failed', durationMs: 900 };
    expect(formatDeployOutcomes([deployed, skipped, failed])).toBe(
      [
        'shipfleet deploy to staging: 1 deployed, 1 skipped',
        '  ⏭ tv   skipped: already live (2.0.1 @ 491308962aff, since 2025-01-02T03:04:05.000Z)',
        '  ✔ web  deployed 1.4.0 @ 491308962aff in 3.2s',
        'shipfleet deploy to production: 1 failed',
        '  ✖ api  failed: api:k8s-deploy failed',
        '',
      ].join('\n'),
    );
    expect(formatDeployOutcomes([])).toBe('');
  });

  it('the hooks give the run one file, print it after the run and remove it', () => {
    const saved = process.env[OUTCOMES_FILE_ENV];
    try {
      preTasksExecution(undefined, { id: 'run-1' });
      expect(process.env[OUTCOMES_FILE_ENV]).toBe(outcomesFile('run-1'));
      reportDeployOutcome(skipped, { [OUTCOMES_FILE_ENV]: process.env[OUTCOMES_FILE_ENV] });
      let printed = '';
      postTasksExecution(undefined, { id: 'run-1' }, (t) => (printed += t));
      expect(printed).toContain('⏭ tv  skipped: already live');
      expect(readDeployOutcomes(outcomesFile('run-1'))).toEqual([]);
      printed = '';
      postTasksExecution(undefined, { id: 'run-2' }, (t) => (printed += t));
      expect(printed).toBe('');
    } finally {
      if (saved === undefined) delete process.env[OUTCOMES_FILE_ENV];
      else process.env[OUTCOMES_FILE_ENV] = saved;
    }
  });

  it('tasks reporting at the same time leave whole lines: one header, every row complete', async () => {
    const summary = join(dir, 'summary.md');
    const collect = join(dir, 'outcomes.jsonl');
    writeFileSync(summary, '### Deploys to staging before this table\n\n| Step | Result | Duration |\n| --- | --- | --- |\n');
    reportDeployOutcome(deployed, { GITHUB_STEP_SUMMARY: summary });
    const script = `const { reportDeployOutcome } = require(${JSON.stringify(require.resolve('./outcomes'))});
for (let i = 0; i < 40; i++) reportDeployOutcome({ project: 'p' + process.argv[1] + '-' + i + '-' + 'x'.repeat(2000), environment: 'staging', result: 'deployed', durationMs: i });`;
    const run = (n: number) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', script, String(n)], { env: { ...process.env, GITHUB_STEP_SUMMARY: summary, [OUTCOMES_FILE_ENV]: collect }, stdio: 'inherit' });
        child.on('close', resolve);
      });
    expect(await Promise.all([1, 2, 3].map(run))).toEqual([0, 0, 0]);
    const lines = readFileSync(summary, 'utf8').split('\n');
    const rows = lines.filter((l) => l.startsWith('| p'));
    expect(rows).toHaveLength(120);
    for (const row of rows) expect(row).toMatch(/^\| p\d-\d+-x{2000} \| ✅ deployed \| — \| — \| \d\.\ds \|$/);
    expect(lines.filter((l) => l === '<!-- shipfleet deploys: staging -->')).toHaveLength(1);
    expect(readDeployOutcomes(collect)).toHaveLength(120);
  }, 60_000);
});
