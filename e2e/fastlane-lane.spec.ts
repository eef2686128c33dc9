import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { repoRoot, SampleWorkspace as TestWorkspace } from '../tools/sample-workspace';

const SECRET = 'e2e-Match-P4ss!word';
const fixture = join(repoRoot, 'packages/fastlane/src/__fixtures__/mobile-app');

function calls(ws: TestWorkspace, log: string) {
  return existsSync(ws.path(log)) ? ws.read(log).trim().split('\n').map((l) => JSON.parse(l)) : [];
}

describe('fastlane-lane through the real nx CLI', () => {
  let ws: TestWorkspace;

  beforeAll(() => {
    ws = new TestWorkspace('fastlane');
    ws.copy(fixture, 'apps/app');
    ws.write(
      'apps/app/project.json',
      JSON.stringify({
        name: 'app',
        targets: {
          beta: {
            executor: '@shipfleet/nx:fastlane-lane',
            cache: false,
            options: { lane: 'beta', platform: 'ios', options: { build_number: '42', notes: 'fix; rm -rf ~' }, secretEnv: ['MATCH_PASSWORD'] },
          },
        },
      }),
    );
    ws.git('add', '-A');
    ws.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', 'app');
  });

  it('nx g @shipfleet/nx:init registers the plugin and the graph shows the inferred lane targets', () => {
    const init = ws.nx(['g', '@shipfleet/nx:init']);
    expect(init.code).toBe(0);
    expect(JSON.parse(ws.read('nx.json')).plugins).toEqual([{ plugin: '@shipfleet/nx', options: {} }]);
    const again = ws.nx(['g', '@shipfleet/nx:init']);
    expect(again.code).toBe(0);
    expect(JSON.parse(ws.read('nx.json')).plugins).toHaveLength(1);

    const show = ws.nx(['show', 'project', 'app', '--json']);
    expect(show.code).toBe(0);
    const project = JSON.parse(show.output.slice(show.output.indexOf('{')));
    expect(Object.keys(project.targets)).toEqual(expect.arrayContaining(['beta', 'fastlane-lane', 'fastlane-ios-beta', 'fastlane-android-release']));
    expect(project.targets['fastlane-ios-beta']).toMatchObject({ executor: '@shipfleet/nx:fastlane-lane', options: { lane: 'beta', platform: 'ios' }, cache: false });
  });

  it('nx run app:fastlane-lane --lane=beta runs `fastlane beta` in the project root with the CI environment', () => {
    const log = 'calls-cli.jsonl';
    const r = ws.nx(['run', 'app:fastlane-lane', '--lane=beta', '--platform=android'], { SHIPFLEET_STANDIN_LOG: ws.path(log) });
    expect(r.code).toBe(0);
    const [call] = calls(ws, log);
    expect(call.tool).toBe('fastlane');
    expect(call.argv).toEqual(['android', 'beta']);
    expect(call.cwd).toBe(ws.path('apps/app'));
    expect(call.env).toMatchObject({ FASTLANE_SKIP_UPDATE_CHECK: '1', FASTLANE_HIDE_TIMESTAMP: '1', LC_ALL: 'en_US.UTF-8', CI: 'true' });
    expect(r.output).toContain('✔ 4: upload_to_play_store');
    expect(r.output).toContain('Summary: fastlane android beta: SUCCEEDED');
  });

  it('a configured target passes lane options as key:value, literally, and never shows the secret', () => {
    const log = 'calls-configured.jsonl';
    const r = ws.nx(['run', 'app:beta'], { SHIPFLEET_STANDIN_LOG: ws.path(log), MATCH_PASSWORD: SECRET, SHIPFLEET_STANDIN_ECHO_ENV: 'MATCH_PASSWORD' });
    expect(r.code).toBe(0);
    const [call] = calls(ws, log);
    expect(call.argv).toEqual(['ios', 'beta', 'build_number:42', 'notes:fix; rm -rf ~']);
    expect(call.env.MATCH_PASSWORD).toBe(SECRET);
    expect(r.output).toContain('[debug] MATCH_PASSWORD=***');
    expect(r.output).not.toContain(SECRET);
    expect(r.output).not.toContain(Buffer.from(SECRET).toString('base64'));
  });

  it('--dry-run prints the plan and runs nothing; --plan-json writes it', () => {
    const log = 'calls-dry.jsonl';
    const r = ws.nx(['run', 'app:beta', '--dry-run', '--plan-json=dist/plan.json'], { SHIPFLEET_STANDIN_LOG: ws.path(log), MATCH_PASSWORD: SECRET });
    expect(r.code).toBe(0);
    expect(r.output).toContain("$ fastlane ios beta build_number:42 'notes:fix; rm -rf ~'");
    expect(r.output).toContain('Dry run: nothing was executed.');
    expect(existsSync(ws.path(log))).toBe(false);
    const plan = JSON.parse(readFileSync(ws.path('dist/plan.json'), 'utf8'));
    expect(plan.steps.map((s: { kind: string }) => s.kind)).toEqual(['task', 'cleanup', 'run']);
    expect(JSON.stringify(plan) + r.output).not.toContain(SECRET);
  });

  it('uses bundle exec when the project has a Gemfile', () => {
    ws.write('apps/app/Gemfile', "source 'https://rubygems.org'\ngem 'fastlane'\n");
    const log = 'calls-bundle.jsonl';
    const r = ws.nx(['run', 'app:fastlane-lane', '--lane=release', '--platform=ios'], { SHIPFLEET_STANDIN_LOG: ws.path(log) });
    expect(r.code).toBe(0);
    expect(calls(ws, log).map((c) => [c.tool, c.argv])).toEqual([
      ['bundle', ['exec', 'fastlane', 'ios', 'release']],
      ['fastlane', ['ios', 'release']],
    ]);
  });

  it('a failing action fails the target and names the action; the secret stays hidden', () => {
    const r = ws.nx(['run', 'app:beta'], { SHIPFLEET_STANDIN_LOG: ws.path('calls-fail.jsonl'), MATCH_PASSWORD: SECRET, SHIPFLEET_FASTLANE_FAIL_AT: 'build_app', SHIPFLEET_STANDIN_ECHO_ENV: 'MATCH_PASSWORD' });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('Lane beta failed at action "build_app"');
    expect(r.output).toContain('fastlane exit code 1');
    expect(r.output).not.toContain(SECRET);
  });

  it.each([
    [['--lane=nope'], 'Option "lane": "nope" is not declared in'],
    [['--lane=beta', '--platform=windows'], 'Option "platform": "windows" is not supported'],
    [['--lane=beta', '--bundler=maybe'], 'Option "bundler": "maybe" is not one of auto, always, never'],
    [['--lane=beta', '--cwd=missing'], 'Option "cwd":'],
  ])('bad input %j gets a clear error', (args, message) => {
    const r = ws.nx(['run', 'app:fastlane-lane', ...args]);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain(message);
    expect(r.output).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  it('a secretEnv that is not set is named, and nothing runs', () => {
    const log = 'calls-unset.jsonl';
    const r = ws.nx(['run', 'app:beta'], { SHIPFLEET_STANDIN_LOG: ws.path(log), MATCH_PASSWORD: '' });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('Option "secretEnv": environment variable MATCH_PASSWORD is not set');
    expect(existsSync(ws.path(log))).toBe(false);
  });
});
