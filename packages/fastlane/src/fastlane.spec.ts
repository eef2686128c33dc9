import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { Logger, runPlan, thrownUserError } from '@shipfleet/core';
import { buildFastlanePlan, fastlaneArgs, fastlaneEnv, normalizeFastlaneOptions, parseFastfileLanes, parseFastlaneReport } from './index';

const fixture = join(__dirname, '__fixtures__', 'mobile-app');
const standIns = resolve(__dirname, '../../../tools/stand-ins/bin');

function project(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipfleet-fastlane-'));
  cpSync(fixture, dir, { recursive: true });
  for (const [f, c] of Object.entries(extra)) writeFileSync(join(dir, f), c);
  return dir;
}

const userError = thrownUserError;

describe('parseFastfileLanes', () => {
  it('reads the lanes of a two-platform Fastfile with their platforms and descriptions', () => {
    const lanes = parseFastfileLanes(readFileSync(join(fixture, 'fastlane/Fastfile'), 'utf8'));
    expect(lanes.map((l) => `${l.platform} ${l.name}`)).toEqual(['ios beta', 'ios release', 'android beta', 'android release']);
    expect(lanes[0].description).toBe('Build and deploy iOS app to TestFlight');
  });

  it('handles lanes outside platform blocks and private lanes', () => {
    const lanes = parseFastfileLanes('lane :test do\n  if x\n    scan\n  end\nend\nprivate_lane :helper do\nend\nplatform :ios do\n lane :a do\n end\nend\nlane :after do\nend\n');
    expect(lanes.map((l) => [l.name, l.platform, l.private])).toEqual([
      ['test', undefined, false],
      ['helper', undefined, true],
      ['a', 'ios', false],
      ['after', undefined, false],
    ]);
  });
});

describe('normalizeFastlaneOptions: every bad option gets an error naming it', () => {
  const dir = project();
  it.each([
    [{}, 'lane', /is required/],
    [{ lane: 'ios beta' }, 'lane', /not a fastlane lane name/],
    [{ lane: 'deploy' }, 'lane', /Lanes declared there: ios beta, ios release, android beta, android release/],
    [{ lane: 'beta', platform: 'windows' }, 'platform', /"windows" is not supported/],
    [{ lane: 'beta', bundler: 'sometimes' }, 'bundler', /not one of auto, always, never/],
    [{ lane: 'beta', options: ['x'] }, 'options', /map of lane options/],
    [{ lane: 'beta', options: { 'bad key': 'v' } }, 'options', /not a valid lane option name/],
    [{ lane: 'beta', options: { k: { nested: 1 } } }, 'options', /must be a string, number or boolean/],
    [{ lane: 'beta', envVars: ['A=1'] }, 'envVars', /must be a map of environment variables/],
    [{ lane: 'beta', envVars: { 'A-B': 'x' } }, 'envVars', /not an environment variable name/],
    [{ lane: 'beta', envVars: { A: 1 } }, 'envVars', /must be a string/],
    [{ lane: 'beta', env: 'staging' }, 'env', /"staging" is not a map of environment variables/],
    [{ lane: 'beta', env: { A: 'x' }, envVars: { A: 'y' } }, 'env', /old name of "envVars", and both are given with different values/],
    [{ lane: 'beta', secretEnv: 'MATCH_PASSWORD' }, 'secretEnv', /list of environment variable names/],
    [{ lane: 'beta', secretEnv: ['MATCH-PASSWORD'] }, 'secretEnv', /"MATCH-PASSWORD" is not an environment variable name/],
    [{ lane: 'beta', cwd: 'nope' }, 'cwd', /nope does not exist/],
    [{ lane: 'beta', cwd: 'fastlane/Fastfile' }, 'cwd', /is not a directory/],
    [{ lane: 'beta', timeout: -5 }, 'timeout', /-5 is not a duration/],
    [{ lane: 'beta', timeout: 'soon' }, 'timeout', /"soon" is not a duration/],
    [{ lane: 'beta', timeout: '0s' }, 'timeout', /shorter than 1s/],
    [{ lane: 'beta', timeoutSeconds: -5 }, 'timeout', /-5 is not a duration/],
  ])('%j → %s', (opts, option, message) => {
    const err = userError(() => normalizeFastlaneOptions(opts as never, dir));
    expect(err.option).toBe(option);
    expect(err.message).toMatch(message);
  });

  it('rejects a folder without a Fastfile', () => {
    const err = userError(() => normalizeFastlaneOptions({ lane: 'beta' }, tmpdir()));
    expect(err.message).toMatch(/no fastlane\/Fastfile/);
  });

  it('reads timeout as a duration, and the old names with a warning', () => {
    expect(normalizeFastlaneOptions({ lane: 'beta', timeout: '1h30m' }, dir).timeoutMs).toBe(5_400_000);
    expect(normalizeFastlaneOptions({ lane: 'beta', timeout: 90 }, dir).timeoutMs).toBe(90_000);
    expect(normalizeFastlaneOptions({ lane: 'beta' }, dir).timeoutMs).toBeUndefined();
    const warnings: string[] = [];
    const o = normalizeFastlaneOptions({ lane: 'beta', env: { GYM_SCHEME: 'App' }, timeoutSeconds: 600 }, dir, { warn: (m) => warnings.push(m) });
    expect(o.envVars).toEqual({ GYM_SCHEME: 'App' });
    expect(o.timeoutMs).toBe(600_000);
    expect(warnings).toEqual([
      'Option "env" is deprecated: write "envVars" instead — the old name will be removed',
      'Option "timeoutSeconds" is deprecated: write "timeout" instead — the old name will be removed',
    ]);
  });

  it('reads cwd against the workspace root, and a project-relative cwd the old way with a warning', () => {
    const workspaceRoot = mkdtempSync(join(tmpdir(), 'shipfleet-fastlane-ws-'));
    const app = join(workspaceRoot, 'apps/mobile');
    cpSync(fixture, join(app, 'native'), { recursive: true });
    const warnings: string[] = [];
    const where = { workspaceRoot, warn: (m: string) => warnings.push(m) };
    expect(normalizeFastlaneOptions({ lane: 'beta', cwd: 'apps/mobile/native' }, app, where).fastlaneDir).toBe(join(app, 'native/fastlane'));
    expect(normalizeFastlaneOptions({ lane: 'beta', cwd: '{projectRoot}/native' }, app, where).cwd).toBe(join(app, 'native'));
    expect(warnings).toEqual([]);
    expect(normalizeFastlaneOptions({ lane: 'beta', cwd: 'native' }, app, where).cwd).toBe(join(app, 'native'));
    expect(warnings).toEqual(['Option "cwd": "native" is resolved against the project root; write "apps/mobile/native" (paths are relative to the workspace root) — the old reading will be removed']);
  });

  it('uses bundler when a Gemfile is present (auto)', () => {
    expect(normalizeFastlaneOptions({ lane: 'beta' }, dir).useBundler).toBe(false);
    expect(normalizeFastlaneOptions({ lane: 'beta' }, project({ Gemfile: "gem 'fastlane'\n" })).useBundler).toBe(true);
    expect(normalizeFastlaneOptions({ lane: 'beta', bundler: 'never' }, project({ Gemfile: '' })).useBundler).toBe(false);
  });
});

describe('fastlane command and environment', () => {
  it('builds `fastlane [platform] <lane> key:value…` as fastlane documents', () => {
    expect(fastlaneArgs({ platform: 'ios', lane: 'beta', options: { build_number: 42, notes: 'a b; rm -rf ~', dry: true } })).toEqual([
      'ios', 'beta', 'build_number:42', 'notes:a b; rm -rf ~', 'dry:true',
    ]);
    expect(fastlaneArgs({ lane: 'beta', options: {} })).toEqual(['beta']);
  });

  it('sets the CI-friendly environment, and CI=true only on CI', () => {
    expect(fastlaneEnv({})).toEqual({
      FASTLANE_SKIP_UPDATE_CHECK: '1', FASTLANE_HIDE_TIMESTAMP: '1', FASTLANE_HIDE_CHANGELOG: '1', FASTLANE_OPT_OUT_USAGE: '1', LC_ALL: 'en_US.UTF-8', LANG: 'en_US.UTF-8',
    });
    expect(fastlaneEnv({ CI: 'true' }).CI).toBe('true');
    expect(fastlaneEnv({ CI: 'false' }).CI).toBeUndefined();
  });

  it('gives fastlane the envVars, and stops it after timeout', () => {
    const o = normalizeFastlaneOptions({ lane: 'beta', envVars: { GYM_SCHEME: 'App' }, timeout: '45m' }, project());
    const run = buildFastlanePlan(o, {}).plan.steps.find((s) => s.kind === 'run');
    expect(run).toMatchObject({ env: { GYM_SCHEME: 'App', FASTLANE_SKIP_UPDATE_CHECK: '1' }, timeoutMs: 2_700_000 });
    expect(buildFastlanePlan(normalizeFastlaneOptions({ lane: 'beta' }, project()), {}).plan.steps.find((s) => s.kind === 'run')).not.toHaveProperty('timeoutMs');
  });

  it('runs under bundle exec when asked', () => {
    const o = normalizeFastlaneOptions({ lane: 'beta', platform: 'android', bundler: 'always' }, project());
    const run = buildFastlanePlan(o).plan.steps.find((s) => s.kind === 'run');
    expect(run).toMatchObject({ file: 'bundle', args: ['exec', 'fastlane', 'android', 'beta'] });
  });
});

describe('parseFastlaneReport', () => {
  it('reads actions and the failing one from fastlane\'s JUnit layout', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="fastlane.lanes">
      <testcase classname="fastlane.lanes" name="00: default_platform" time="0.00042">
      </testcase>
      <testcase classname="fastlane.lanes" name="01: build_app" time="120.5">
      </testcase>
      <testcase classname="fastlane.lanes" name="02: upload_to_testflight" time="3.2">
          <failure message="/Users/ci/fastlane/Fastfile:30:in \`block (2 levels)&#10;Invalid API key &amp; issuer" />
      </testcase>
  </testsuite>
</testsuites>`;
    const actions = parseFastlaneReport(xml);
    expect(actions.map((a) => a.name)).toEqual(['default_platform', 'build_app', 'upload_to_testflight']);
    expect(actions[1].seconds).toBe(120.5);
    expect(actions[2].error).toContain('Invalid API key & issuer');
    expect(actions[0].error).toBeUndefined();
  });
});

describe('running the plan against the fastlane stand-in', () => {
  const secret = 'match-pass-Q9!x';
  let lines: string[];
  const logger: Logger = { info: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) };
  beforeEach(() => { lines = []; });

  async function run(extraEnv: Record<string, string>, opts: object = {}) {
    const dir = project();
    const log = join(dir, 'calls.jsonl');
    const o = normalizeFastlaneOptions({ lane: 'beta', platform: 'ios', options: { build_number: '7' }, ...opts }, dir);
    const { plan, report } = buildFastlanePlan(o, {});
    const saved = { ...process.env };
    Object.assign(process.env, { PATH: `${standIns}:${process.env.PATH}`, SHIPFLEET_STANDIN_LOG: log, MATCH_PASSWORD: secret, ...extraEnv });
    try {
      const result = await runPlan(plan, { logger, secrets: [secret], handleSignals: false });
      const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      return { dir, result, report, calls };
    } finally {
      process.env = saved;
    }
  }

  it('runs the lane, reads each action from report.xml, and never prints the secret', async () => {
    const { dir, result, report, calls } = await run({ SHIPFLEET_STANDIN_ECHO_ENV: 'MATCH_PASSWORD' }, { secretEnv: ['MATCH_PASSWORD'] });
    expect(result.status).toBe('succeeded');
    expect(calls[0].argv).toEqual(['ios', 'beta', 'build_number:7']);
    expect(calls[0].cwd).toBe(dir);
    expect(calls[0].env.FASTLANE_SKIP_UPDATE_CHECK).toBe('1');
    expect(calls[0].env.MATCH_PASSWORD).toBe(secret);
    expect(report.actions?.map((a) => a.name)).toEqual(['default_platform', 'clean_build_artifacts', 'cocoapods', 'increment_build_number', 'build_app', 'upload_to_testflight', 'slack']);
    expect(lines.join('\n')).toContain('[debug] MATCH_PASSWORD=***');
    expect(lines.join('\n')).not.toContain(secret);
    expect(existsSync(join(dir, 'fastlane/report.xml'))).toBe(true);
  });

  it('a failing action fails the run and is named, with the exit code kept', async () => {
    const { result, report } = await run({ SHIPFLEET_FASTLANE_FAIL_AT: 'build_app' });
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBe(1);
    expect(report.failed?.name).toBe('build_app');
    expect(result.outputs.failedAction).toMatch(/^build_app: /);
    expect(lines.join('\n')).toContain('✖ 4: build_app');
  });

  it('a stale report from an earlier run is not read', async () => {
    const dir = project();
    writeFileSync(join(dir, 'fastlane/report.xml'), '<testsuites><testsuite><testcase name="0: old" time="1"><failure message="old"/></testcase></testsuite></testsuites>');
    const o = normalizeFastlaneOptions({ lane: 'beta' }, dir);
    const { plan, report } = buildFastlanePlan(o, {});
    const saved = process.env.PATH;
    process.env.PATH = `/nonexistent-dir`;
    try {
      const result = await runPlan(plan, { logger, handleSignals: false });
      expect(result.error).toContain('command not found: fastlane');
    } finally {
      process.env.PATH = saved;
    }
    expect(report.actions).toBeUndefined();
  });
});
