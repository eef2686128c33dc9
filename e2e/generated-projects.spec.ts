import { existsSync } from 'fs';
import { SampleWorkspace } from '../tools/sample-workspace';

/**
 * A new user's first hour: every generator in one fresh workspace, then every
 * target the generated projects have, as a dry run, with only the credentials
 * a dry run cannot do without. A generated project must work out of the box.
 */

const GENERATORS: string[][] = [
  ['init'],
  ['ios-app', 'phone'],
  ['ios-app', 'couch', '--platform=tvos', '--directory=apps/tv/couch'],
  ['ios-app', 'watch', '--platform=watchos'],
  ['ios-app', 'vision', '--platform=visionos', '--directory=apps/xr/vision'],
  ['macos-app', 'mac', '--directory=apps/mac'],
  ['tizen-app', 'samsung', '--directory=apps/tv/samsung'],
  ['webos-app', 'lg'],
  ['web-app', 'site', '--directory=apps/web/site'],
  ['k8s-service', 'api', '--directory=services/shop/api'],
  ['electron-app', 'desk'],
  ['android-app', 'droid', '--directory=apps/mobile/droid'],
  ['android-app', 'wrist', '--formFactor=wear'],
  ['fastlane', '--project=phone'],
  ['fastlane', '--project=droid'],
  ['ci'],
];

/** What a target's dry run needs beyond the generated options; none for the others. */
interface Needs {
  env?: Record<string, string>;
  args?: string[];
  why: string;
}

const NEEDS_BY_EXECUTOR: Record<string, Needs> = {
  // The Vercel API is asked for the project before the plan is made.
  'vercel-deploy': { env: { VERCEL_TOKEN: 'e2e-vercel-token-0123456789' }, why: 'a dry run refuses to start without the token' },
  // Outside CI a version code must be given; CI gives the run number.
  'build-android': { env: { GITHUB_RUN_NUMBER: '7' }, why: 'versionCode comes from the CI run number' },
  'deploy-android': { env: { GITHUB_RUN_NUMBER: '7' }, why: 'versionCode comes from the CI run number' },
  // The generic lane target runs the lane it is given; fastlane-<lane> targets name theirs.
  'fastlane-lane': { args: ['--lane=beta'], why: 'the lane to run' },
};

interface Target {
  project: string;
  name: string;
  executor: string;
  options: Record<string, unknown>;
}

/** A target's needs; a deploy needs what each target of its chain needs. */
function needsOf(target: Target, all: Target[]): Needs {
  const short = target.executor.replace(/^@shipfleet\/nx:/, '');
  if (short !== 'deploy') return NEEDS_BY_EXECUTOR[short] ?? { why: 'nothing' };
  const chain = (target.options.targets as string[]).map((t) => all.find((x) => x.project === target.project && x.name === t)!);
  const env = Object.assign({}, ...chain.map((t) => needsOf(t, all).env ?? {}));
  return { env, why: `its chain: ${chain.map((t) => t.name).join(', ')}` };
}

const json = (output: string) => JSON.parse(output.slice(output.indexOf('{')));

describe('every generator, then every generated target as a dry run', () => {
  let ws: SampleWorkspace;
  let targets: Target[] = [];
  const callLog = () => ws.path('stand-in-calls.jsonl');

  beforeAll(() => {
    ws = new SampleWorkspace('generated');
    for (const args of GENERATORS) {
      const r = ws.nx(['g', `@shipfleet/nx:${args[0]}`, ...args.slice(1)]);
      if (r.code !== 0) throw new Error(`nx g ${args.join(' ')} failed:\n${r.output}`);
    }
    const listed = ws.nx(['show', 'projects', '--json']).output;
    const projects: string[] = JSON.parse(listed.slice(listed.indexOf('[')));
    for (const project of projects.sort()) {
      const shown = json(ws.nx(['show', 'project', project, '--json']).output);
      for (const [name, t] of Object.entries<{ executor: string; options?: Record<string, unknown> }>(shown.targets)) {
        targets.push({ project, name, executor: t.executor, options: t.options ?? {} });
      }
    }
  });

  it('generates the projects of every platform, their targets inferred', () => {
    const has = (project: string, name: string) => targets.some((t) => t.project === project && t.name === name);
    for (const [project, name] of [
      ['phone', 'deploy-ios'], ['couch', 'build-ios'], ['watch', 'deploy-ios'], ['vision', 'deploy-ios'], ['mac', 'sign-macos'],
      ['samsung', 'package-tizen'], ['lg', 'package-webos'], ['site', 'vercel-deploy'], ['api', 'container-image'], ['api', 'k8s-deploy'],
      ['droid', 'deploy-android'], ['wrist', 'deploy-android'], ['phone', 'fastlane-beta'], ['droid', 'fastlane-lane'],
    ]) {
      expect(`${project}:${name} ${has(project, name)}`).toBe(`${project}:${name} true`);
    }
    for (const p of ['phone', 'couch', 'watch', 'vision', 'mac', 'samsung', 'lg', 'site', 'api', 'droid', 'wrist']) expect(has(p, 'deploy')).toBe(true);
    expect(existsSync(ws.path('.github/workflows'))).toBe(true);
  });

  it('every target succeeds as a dry run with the minimum credentials, showing its plan', () => {
    const failures: string[] = [];
    for (const t of targets) {
      // The Electron app's own `start` script opens its window: no display here, and electron is not installed.
      if (t.project === 'desk' && t.name === 'start') continue;
      const shipfleet = t.executor.startsWith('@shipfleet/nx:');
      const needs = needsOf(t, targets);
      // Targets that are not shipfleet's (a generated `build` that copies the sources) have no dry run: they run.
      const args = ['run', `${t.project}:${t.name}`, ...(shipfleet ? ['--dry-run'] : []), ...(needs.args ?? [])];
      const r = ws.nx(args, { ...needs.env, SHIPFLEET_STANDIN_LOG: callLog() });
      const planShown = !shipfleet || r.output.includes('Dry run: nothing was executed.');
      if (r.code !== 0 || !planShown) {
        failures.push(`nx ${args.join(' ')} (env: ${Object.keys(needs.env ?? {}).join(', ') || 'none'}; needs ${needs.why}) exited ${r.code}:\n${r.output.split('\n').filter((l) => /✖|Error|error|failed/.test(l)).slice(0, 5).join('\n')}`);
      }
    }
    expect(failures).toEqual([]);
    // A dry run runs no tool.
    expect(existsSync(callLog())).toBe(false);
  });

  it('Apple dry runs without App Store Connect credentials mark them, and a real run stops before anything runs', () => {
    const dry = ws.nx(['run', 'phone:deploy-ios', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.output).toContain("--apiKey '<apiKeyId not set>' --apiIssuer '<apiKeyIssuerId not set>'");
    expect(dry.output).toMatch(/Dry run without a credential: Option "apiKey"/);
    const mac = ws.nx(['run', 'mac:sign-macos', '--dry-run', '--identity=Developer ID Application: Example Inc (ABCDE12345)', '--apiKeyEnv=ASC_API_KEY', '--apiKeyId=ABCDE12345', '--apiKeyIssuerId=69a6de70-03db-47e3-e053-5b8c7c11a4d1']);
    expect(mac.code).toBe(0);
    expect(mac.output).toContain("--key '<$ASC_API_KEY not set>'");
    // The generated entitlements path is workspace-relative, and found.
    expect(mac.output).toContain(`--entitlements ${ws.path('apps/mac/Mac/Mac.entitlements')}`);

    const real = ws.nx(['run', 'phone:deploy-ios'], { SHIPFLEET_STANDIN_LOG: callLog() });
    expect(real.code).not.toBe(0);
    expect(real.output).toContain('✖ Option "apiKey": deploy-ios needs App Store Connect credentials to upload');
    const realMac = ws.nx(['run', 'mac:sign-macos', '--identity=Developer ID Application: Example Inc (ABCDE12345)', '--apiKeyEnv=ASC_API_KEY', '--apiKeyId=ABCDE12345', '--apiKeyIssuerId=69a6de70-03db-47e3-e053-5b8c7c11a4d1'], { SHIPFLEET_STANDIN_LOG: callLog() });
    expect(realMac.code).not.toBe(0);
    expect(realMac.output).toContain('✖ Option "apiKeyEnv": environment variable ASC_API_KEY is not set');
    expect(existsSync(callLog())).toBe(false);
  });
});
