import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { spawn } from 'child_process';
import { memoryLogger } from './logger';
import { cleanupStep, Plan, runStep, taskStep, writeStep } from './plan';
import { UserError } from './errors';
import { MIN_SECRET_LENGTH } from './redactor';
import { runPlan } from './runner';

const fixture = (name: string) => join(__dirname, '__fixtures__', name);

const quiet = { handleSignals: false, printSummary: true };
let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'shipfleet-runner-')); });

describe('runPlan', () => {
  it('passes each argv element literally, with no shell in between', async () => {
    const record = join(dir, 'argv.json');
    const args = ['; rm -rf ~', '$(whoami)', '`id`', 'a b', '*', '"quoted"'];
    const { logger } = memoryLogger();
    const report = await runPlan({ title: 't', steps: [runStep('record', process.execPath, [fixture('record-argv.js'), ...args], { env: { RECORD_TO: record } })] }, { ...quiet, logger });
    expect(report.status).toBe('succeeded');
    expect(JSON.parse(readFileSync(record, 'utf8'))).toEqual(args);
  });

  it('masks a secret that the child prints in two chunks, in output, summary and log file', async () => {
    const secret = 'S3cr3t-Value-For-Test';
    const { logger, text } = memoryLogger();
    const logFile = join(dir, 'run.log');
    const summary = join(dir, 'summary.md');
    const report = await runPlan(
      { title: 'split', steps: [runStep(`print ${secret}`, process.execPath, [fixture('print-split.js'), secret])], outputs: { url: `https://x/?t=${secret}` } },
      { ...quiet, logger, secrets: [secret], logFile, stepSummaryFile: summary },
    );
    expect(report.status).toBe('succeeded');
    expect(text()).toContain('token=*** done');
    for (const out of [text(), readFileSync(logFile, 'utf8'), readFileSync(summary, 'utf8'), JSON.stringify(report)]) {
      expect(out).not.toContain(secret);
    }
  });

  it('masks a secret whose multi-byte characters the child writes one byte at a time', async () => {
    const secret = 'caf\u00e9-\u00e9t\u00e9-Secret';
    const { logger, text } = memoryLogger();
    const logFile = join(dir, 'run.log');
    const rawLog = join(dir, 'raw.log');
    const report = await runPlan({ title: 'bytes', steps: [runStep('print', process.execPath, [fixture('print-bytes.js'), secret], { rawLog })] }, { ...quiet, logger, secrets: [secret], logFile });
    expect(report.status).toBe('succeeded');
    expect(text()).toContain('token=*** done');
    expect(readFileSync(rawLog, 'utf8')).toBe('token=*** done\n');
    for (const out of [text(), readFileSync(logFile, 'utf8')]) expect(out).not.toMatch(/Secret|\uFFFD/);
  });

  it(`refuses a secret shorter than ${MIN_SECRET_LENGTH} characters before running anything, without showing it`, async () => {
    const { logger, text } = memoryLogger();
    const marker = join(dir, 'ran');
    const run = runPlan({ title: 's', steps: [taskStep('mark', '', () => writeFileSync(marker, '1'))] }, { ...quiet, logger, secrets: ['long-enough-secret', 'abc1234'] });
    await expect(run).rejects.toThrow(UserError);
    await expect(run).rejects.toThrow(/"secrets".*fewer than 8 characters/);
    await expect(run).rejects.not.toThrow(/abc1234/);
    expect(existsSync(marker)).toBe(false);
    expect(text()).toBe('');
  });

  it('masks a secret in the echoed command even when quoting would rewrite it', async () => {
    const secret = "pa'ss-word-123";
    const { logger, text } = memoryLogger();
    await runPlan({ title: 'q', steps: [runStep('import', process.execPath, ['-e', '0', '--', '-P', secret])] }, { ...quiet, logger, secrets: [secret] });
    expect(text()).toContain("-P '***'");
    expect(text()).not.toContain('ss-word-123');
  });

  it('runs cleanups in reverse order after success', async () => {
    const order: string[] = [];
    const { logger } = memoryLogger();
    await runPlan(
      {
        title: 'ok',
        steps: [
          cleanupStep('first registered', { kind: 'task', description: '', run: () => { order.push('cleanup-1'); } }),
          taskStep('work', '', () => { order.push('work'); }),
          cleanupStep('second registered', { kind: 'task', description: '', run: () => { order.push('cleanup-2'); } }),
        ],
      },
      { ...quiet, logger },
    );
    expect(order).toEqual(['work', 'cleanup-2', 'cleanup-1']);
  });

  it('runs registered cleanups after a failure, skips later steps, and keeps the exit code', async () => {
    const order: string[] = [];
    const { logger, text } = memoryLogger();
    const report = await runPlan(
      {
        title: 'fails',
        steps: [
          cleanupStep('remove temp keychain', { kind: 'task', description: '', run: () => { order.push('cleanup'); } }),
          runStep('exit 3', process.execPath, ['-e', 'process.exit(3)']),
          taskStep('later', '', () => { order.push('later'); }),
          cleanupStep('never registered', { kind: 'task', description: '', run: () => { order.push('bad'); } }),
        ],
      },
      { ...quiet, logger },
    );
    expect(report.status).toBe('failed');
    expect(report.exitCode).toBe(3);
    expect(report.error).toContain('exited with code 3');
    expect(order).toEqual(['cleanup']);
    expect(text()).toContain('cleanup: remove temp keychain');
  });

  it('keeps running the other cleanups when one fails', async () => {
    const order: string[] = [];
    const { logger } = memoryLogger();
    const report = await runPlan(
      {
        title: 'c',
        steps: [
          cleanupStep('a', { kind: 'task', description: '', run: () => { order.push('a'); } }),
          cleanupStep('b', { kind: 'run', file: process.execPath, args: ['-e', 'process.exit(1)'] }),
        ],
      },
      { ...quiet, logger },
    );
    expect(order).toEqual(['a']);
    expect(report.cleanups?.map((c) => c.status)).toEqual(['failed', 'succeeded']);
  });

  it('stops a step at its timeout', async () => {
    const { logger } = memoryLogger();
    const t0 = Date.now();
    const report = await runPlan({ title: 't', steps: [runStep('hang', process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { timeoutMs: 300 })] }, { ...quiet, logger, killGraceMs: 200 });
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/timed out/);
    expect(Date.now() - t0).toBeLessThan(10000);
  });

  it('retries a step that opts in, with backoff, then succeeds', async () => {
    let calls = 0;
    const { logger, text } = memoryLogger();
    const report = await runPlan(
      { title: 'r', steps: [taskStep('flaky upload', 'upload', () => { if (++calls < 3) throw new Error(`HTTP 503 (call ${calls})`); }, { retry: { attempts: 3, delayMs: 10 } })] },
      { ...quiet, logger },
    );
    expect(report.status).toBe('succeeded');
    expect(calls).toBe(3);
    expect(report.steps[0].attempts).toBe(3);
    expect(text()).toContain('attempt 2 of 3');
  });

  it('gives up after the last attempt', async () => {
    let calls = 0;
    const { logger } = memoryLogger();
    const report = await runPlan({ title: 'r', steps: [taskStep('always fails', 'x', () => { calls++; throw new Error('nope'); }, { retry: { attempts: 2, delayMs: 1 } })] }, { ...quiet, logger });
    expect(calls).toBe(2);
    expect(report.status).toBe('failed');
    expect(report.error).toContain('nope');
  });

  it('says when a command is not installed', async () => {
    const { logger } = memoryLogger();
    const report = await runPlan({ title: 'n', steps: [runStep('missing', 'shipfleet-no-such-tool', [])] }, { ...quiet, logger });
    expect(report.error).toContain('command not found: shipfleet-no-such-tool');
  });

  it('writes files atomically with the given mode', async () => {
    const { logger } = memoryLogger();
    const target = join(dir, 'sub', 'key.p8');
    await runPlan({ title: 'w', steps: [writeStep('write key', target, 'KEY', { mode: 0o600, secret: true })] }, { ...quiet, logger });
    expect(readFileSync(target, 'utf8')).toBe('KEY');
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it('dry run prints the plan with secrets masked, writes plan JSON, and runs nothing', async () => {
    const secret = 'tok-123456789';
    const marker = join(dir, 'ran');
    const planJson = join(dir, 'plan.json');
    const plan: Plan = {
      title: 'dry',
      steps: [
        runStep('upload', 'uploader', ['--header', `Bearer ${secret}`, '; rm -rf ~'], { env: { TOKEN: secret }, cwd: '/app', secretEnv: ['UPLOAD_KEY'] }),
        writeStep('write key', join(dir, 'k'), `KEY ${secret}`, { mode: 0o600, secret: true }),
        taskStep('mark', 'writes a marker', () => writeFileSync(marker, '1')),
        cleanupStep('remove key', { kind: 'run', file: 'rm', args: ['-f', join(dir, 'k')] }),
      ],
    };
    const { logger, text } = memoryLogger();
    const report = await runPlan(plan, { ...quiet, logger, secrets: [secret], dryRun: true, planJson });
    expect(report.status).toBe('dry-run');
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, 'k'))).toBe(false);
    const out = text();
    expect(out).toContain("$ uploader --header 'Bearer ***' '; rm -rf ~'");
    expect(out).toContain('cwd: /app');
    expect(out).toContain('secret env: UPLOAD_KEY');
    expect(out).toContain('content not shown');
    expect(out).toContain('[cleanup (always runs at the end)] remove key');
    const json = readFileSync(planJson, 'utf8');
    expect(JSON.parse(json).steps[0]).toMatchObject({ command: ['uploader', '--header', 'Bearer ***', '; rm -rf ~'], secretEnv: ['UPLOAD_KEY'] });
    expect(out + json).not.toContain(secret);
  });

  it('on SIGINT stops the child, runs cleanup, skips the rest, and ends by the signal', async () => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', fixture('interrupt-run.ts'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const pidFile = join(dir, 'child.pid');
    for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(pidFile)).toBe(true);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    child.kill('SIGINT');
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
    expect(signal).toBe('SIGINT');
    expect(code).toBeNull();
    // Cleanup ran while the decoded certificate still existed, and later steps did not run.
    expect(readFileSync(join(dir, 'cleanup-ran'), 'utf8')).toBe('true');
    expect(existsSync(join(dir, 'after-ran'))).toBe(false);
    // Stopped: gone, or a zombie waiting to be reaped (no longer running). Poll: under load the reap lags.
    const running = () => existsSync(`/proc/${grandchild}`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${grandchild}/stat`, 'utf8'));
    for (let i = 0; i < 60 && running(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(running()).toBe(false);
    expect(output).toContain('Received SIGINT');
  }, 30000);
});

describe('the environment of each step', () => {
  const vars = { SF_TEST_DEPLOY_TOKEN: 'deploy-token-111111', SF_TEST_SIGNING_PASSWORD: 'signing-pass-222222', SF_TEST_OTHER: 'other-secret-333333', SF_TEST_PLAIN: 'not-a-secret' };
  beforeEach(() => Object.assign(process.env, vars));
  afterEach(() => { for (const name of Object.keys(vars)) delete process.env[name]; });
  const secrets = [vars.SF_TEST_DEPLOY_TOKEN, vars.SF_TEST_SIGNING_PASSWORD, vars.SF_TEST_OTHER];
  const recorded = (file: string): Record<string, string> => JSON.parse(readFileSync(file, 'utf8'));

  it("gives each command its own secret variables and none of the run's other secrets", async () => {
    const [first, second] = [join(dir, 'first.json'), join(dir, 'second.json')];
    const { logger } = memoryLogger();
    const report = await runPlan(
      {
        title: 'env',
        steps: [
          runStep('deploy', process.execPath, [fixture('record-env.js'), first], { secretEnv: ['SF_TEST_DEPLOY_TOKEN'], env: { SF_TEST_STEP: 'own' } }),
          runStep('sign', process.execPath, [fixture('record-env.js'), second], { secretEnv: ['SF_TEST_SIGNING_PASSWORD'] }),
        ],
      },
      { ...quiet, logger, secrets },
    );
    expect(report.status).toBe('succeeded');
    const a = recorded(first);
    expect(a).toMatchObject({ SF_TEST_DEPLOY_TOKEN: vars.SF_TEST_DEPLOY_TOKEN, SF_TEST_PLAIN: 'not-a-secret', SF_TEST_STEP: 'own', PATH: process.env.PATH });
    expect(JSON.stringify(a)).not.toMatch(/signing-pass|other-secret/);
    const b = recorded(second);
    expect(b).toMatchObject({ SF_TEST_SIGNING_PASSWORD: vars.SF_TEST_SIGNING_PASSWORD, SF_TEST_PLAIN: 'not-a-secret' });
    expect(JSON.stringify(b)).not.toMatch(/deploy-token|other-secret|SF_TEST_STEP/);
  });

  it('keeps a variable another step declares secret away from the others, whatever its value', async () => {
    const [first, second] = [join(dir, 'first.json'), join(dir, 'second.json')];
    const { logger } = memoryLogger();
    await runPlan(
      {
        title: 'env',
        steps: [
          runStep('build', process.execPath, [fixture('record-env.js'), first]),
          cleanupStep('upload', { kind: 'run', file: process.execPath, args: [fixture('record-env.js'), second], secretEnv: ['SF_TEST_PLAIN'] }),
        ],
      },
      { ...quiet, logger, secrets },
    );
    expect(recorded(first).SF_TEST_PLAIN).toBeUndefined();
    expect(recorded(second).SF_TEST_PLAIN).toBe('not-a-secret');
  });

  it("gives commands a task runs none of the run's secrets unless the task names them", async () => {
    const { logger } = memoryLogger();
    const seen: Array<Record<string, string>> = [];
    const print = [fixture('record-env.js'), join(dir, 'task.json')];
    await runPlan(
      {
        title: 'env',
        steps: [taskStep('query', '', async (ctx) => {
          await ctx.exec(process.execPath, print);
          seen.push(recorded(print[1]));
          await ctx.exec(process.execPath, print, { secretEnv: ['SF_TEST_OTHER'] });
          seen.push(recorded(print[1]));
        })],
      },
      { ...quiet, logger, secrets },
    );
    expect(JSON.stringify(seen[0])).not.toMatch(/deploy-token|signing-pass|other-secret/);
    expect(seen[0].SF_TEST_PLAIN).toBe('not-a-secret');
    expect(seen[1].SF_TEST_OTHER).toBe(vars.SF_TEST_OTHER);
  });
});

describe('output filter and raw log', () => {
  const secret = 'raw-log-Secret-42';
  const script = `console.log('compiling'); console.log('token ${secret}'); console.error('warning: slow'); process.exit(Number(process.env.EXIT_CODE || 0))`;

  it('shows stdout through the formatter, keeps the raw output with secrets masked, and the command decides', async () => {
    const rawLog = join(dir, 'logs', 'raw.log');
    const { logger, text } = memoryLogger();
    const report = await runPlan(
      { title: 'f', steps: [runStep('build', process.execPath, ['-e', script], { outputFilter: { file: process.execPath, args: [fixture('upper.js')] }, rawLog })] },
      { ...quiet, logger, secrets: [secret] },
    );
    expect(report.status).toBe('succeeded');
    expect(text()).toContain('│ FMT COMPILING');
    expect(text()).toContain('│ warning: slow');
    expect(text()).not.toContain('│ compiling');
    expect(readFileSync(rawLog, 'utf8')).toBe('compiling\ntoken ***\nwarning: slow\n');
    expect(text()).not.toContain(secret.toUpperCase());
  });

  it("fails with the command's exit code even though the formatter succeeds", async () => {
    const { logger } = memoryLogger();
    const report = await runPlan(
      { title: 'f', steps: [runStep('build', process.execPath, ['-e', script], { env: { EXIT_CODE: '65' }, outputFilter: { file: process.execPath, args: [fixture('upper.js')] } })] },
      { ...quiet, logger },
    );
    expect(report.exitCode).toBe(65);
  });

  it('shows the raw output when an optional formatter is not installed', async () => {
    const { logger, text } = memoryLogger();
    const report = await runPlan(
      { title: 'f', steps: [runStep('build', process.execPath, ['-e', script], { outputFilter: { file: 'shipfleet-no-such-formatter', args: [], ifOnPath: true } })] },
      { ...quiet, logger },
    );
    expect(report.status).toBe('succeeded');
    expect(text()).toContain('│ compiling');
  });
});

describe('ctx.exec', () => {
  it('runs a command through the runner and hands its output to the task without printing it', async () => {
    const { logger, text } = memoryLogger();
    let seen = '';
    const report = await runPlan(
      { title: 'x', steps: [taskStep('read version', 'asks the tool', async (ctx) => {
        const r = await ctx.exec(process.execPath, ['-e', 'console.log("Xcode 15.4\\nBuild version 15F31d")']);
        seen = r.stdout;
        ctx.log(`found ${r.stdout.split('\n')[0]}`);
        expect(r.exitCode).toBe(0);
      })] },
      { ...quiet, logger },
    );
    expect(report.status).toBe('succeeded');
    expect(seen).toBe('Xcode 15.4\nBuild version 15F31d');
    expect(text()).toContain('found Xcode 15.4');
    expect(text()).not.toContain('15F31d');
  });

  it('reports a missing command clearly and returns non-zero exit codes to the task', async () => {
    const { logger } = memoryLogger();
    let code = -1;
    const report = await runPlan(
      { title: 'x', steps: [
        taskStep('exit 4', '', async (ctx) => { code = (await ctx.exec(process.execPath, ['-e', 'process.exit(4)'])).exitCode; }),
        taskStep('missing', '', async (ctx) => { await ctx.exec('shipfleet-no-such-tool', []); }),
      ] },
      { ...quiet, logger },
    );
    expect(code).toBe(4);
    expect(report.error).toContain('command not found: shipfleet-no-such-tool');
  });
});
