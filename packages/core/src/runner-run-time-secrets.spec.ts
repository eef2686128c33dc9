import { memoryLogger } from './logger';
import { runStep, taskStep } from './plan';
import { runPlan } from './runner';

const LEARNT = 'issued-at-run-time-4f9c2a7e';

describe('secrets a task learns while the run goes on (ctx.addSecret)', () => {
  it('are masked in every later step, error, output and summary', async () => {
    const { logger, text } = memoryLogger();
    const report = await runPlan(
      {
        title: 'run-time credential',
        steps: [
          taskStep('Connect', 'obtains a token', (ctx) => {
            ctx.addSecret(LEARNT);
            ctx.log(`token ${LEARNT}`);
            ctx.setOutput('token', LEARNT);
          }),
          runStep('Print it', process.execPath, ['-e', 'console.log(process.argv[1]); console.error(Buffer.from(process.argv[1]).toString("base64"))', LEARNT]),
          taskStep('Fail quoting it', 'fails', () => {
            throw new Error(`refused ${LEARNT}`);
          }),
        ],
      },
      { logger, handleSignals: false, stepSummaryFile: '/dev/null' },
    );
    expect(report.error).toBe('Step "Fail quoting it" failed: refused ***');
    expect(report.outputs.token).toBe('***');
    expect(text()).toContain('│ token ***');
    expect(text()).not.toContain(LEARNT);
    expect(text()).not.toContain(Buffer.from(LEARNT).toString('base64'));
  });

  it('refuses a value too short to mask, failing the task', async () => {
    const { logger } = memoryLogger();
    const report = await runPlan({ title: 'short', steps: [taskStep('Connect', 'obtains a token', (ctx) => ctx.addSecret('abc'))] }, { logger, handleSignals: false, stepSummaryFile: '/dev/null' });
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/fewer than 8 characters/);
    expect(report.error).not.toContain('abc');
  });
});
