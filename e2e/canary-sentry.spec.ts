// canary-monitor through the real nx CLI on a source other than Prometheus: a staged rollout of a
// mobile release judged by its crash-free sessions in Sentry (the Sentry API stand-in), with the
// traffic moves recorded by a command action.
import { readFileSync } from 'fs';
import { join } from 'path';
import { SCENARIOS } from '../tools/prometheus/scenarios';
import { SampleWorkspace } from '../tools/sample-workspace';
import { SENTRY_TOKEN_ENV, sentryScenarioOptions } from '../tools/sentry-api/scenarios';
import { SentryApiStandIn, startSentryApi } from '../tools/sentry-api/server';

const scenario = (name: string) => SCENARIOS.find((s) => s.name === name)!;

describe('canary-monitor through the real nx CLI, judged by crash-free sessions from Sentry', () => {
  let ws: SampleWorkspace;
  let sentry: SentryApiStandIn;
  const weights = () => readFileSync(join(ws.root, 'apps/phone/weights.txt'), 'utf8').trim().split('\n');
  const writeConfig = (name: string) => {
    const options = sentryScenarioOptions(scenario(name), sentry, {
      // Each move appends its weight: the file is what a traffic switch would have done.
      action: { type: 'command', setWeight: ['node', '-e', "require('fs').appendFileSync('weights.txt', process.argv[1] + '\\n')", '{{weight}}'], rollback: ['node', '-e', "require('fs').appendFileSync('weights.txt', 'rollback\\n')"], cwd: 'apps/phone' },
    });
    ws.write('apps/phone/canary.json', JSON.stringify(options, null, 2));
    ws.write('apps/phone/weights.txt', '');
  };

  beforeAll(async () => {
    sentry = await startSentryApi({ scenarios: [scenario('healthy'), scenario('error-spike')] });
    ws = new SampleWorkspace('canary-sentry');
    expect(ws.nx(['g', '@shipfleet/nx:init']).code).toBe(0);
    ws.write('apps/phone/project.json', JSON.stringify({ name: 'phone', root: 'apps/phone', targets: { 'canary-monitor': { executor: '@shipfleet/nx:canary-monitor', options: { config: 'apps/phone/canary.json' } } } }, null, 2));
  });
  afterAll(async () => {
    await sentry?.close();
  });

  it('a healthy release goes through every step; the token is never printed', async () => {
    writeConfig('healthy');
    const r = await ws.nxAsync(['run', 'phone:canary-monitor', '--output-style=static'], { [SENTRY_TOKEN_ENV]: sentry.token });
    expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
    expect(r.output).toContain('Check Sentry and every query');
    expect(r.output).toMatch(/crash-free-sessions/);
    // The promotion sets 100 % once more: the action has no promote command of its own.
    expect(weights()).toEqual(['5', '25', '50', '100', '100']);
    expect(r.output).not.toContain(sentry.token);
  });

  it('a crashing release is rolled back as a regression, with the crash-free rates in the reason', async () => {
    writeConfig('error-spike');
    const r = await ws.nxAsync(['run', 'phone:canary-monitor', '--output-style=static'], { [SENTRY_TOKEN_ENV]: sentry.token });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/crash-free-sessions: canary 0\.\d+ meets the failure condition "< 0\.98"/);
    expect(r.output).toContain('cause: regression');
    expect(weights().slice(-1)).toEqual(['rollback']);
    expect(r.output).not.toContain(sentry.token);
  });

  it('--dry-run shows the Sentry reads and moves nothing; a missing token is named', async () => {
    writeConfig('healthy');
    const dry = await ws.nxAsync(['run', 'phone:canary-monitor', '--dry-run'], { [SENTRY_TOKEN_ENV]: sentry.token });
    expect(dry.code).toBe(0);
    expect(dry.output).toContain('Check Sentry and every query');
    expect(dry.output).toContain('Dry run: nothing was executed.');
    expect(weights()).toEqual(['']);
    const missing = await ws.nxAsync(['run', 'phone:canary-monitor'], {});
    expect(missing.code).not.toBe(0);
    expect(missing.output).toMatch(new RegExp(`Option "sentry.tokenEnv": .*environment variable ${SENTRY_TOKEN_ENV} is not set`));
  });
});
