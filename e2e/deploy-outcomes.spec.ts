import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { nxEnv, SampleWorkspace } from '../tools/sample-workspace';

/** What a person sees: nx on a pseudo-terminal (script(1)), escape codes and redraws removed. */
function onTerminal(ws: SampleWorkspace, command: string, env: Record<string, string>): { code: number | null; screen: string } {
  const { CI: _ci, NX_TUI: _tui, ...rest } = nxEnv(env);
  const r = spawnSync('script', ['-qec', `stty cols 120 rows 40; ${command}`, '/dev/null'], { cwd: ws.root, env: { ...rest, TERM: 'xterm-256color' }, encoding: 'utf8', timeout: 180_000 });
  // eslint-disable-next-line no-control-regex
  const screen = `${r.stdout}${r.stderr}`.replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '\n');
  return { code: r.status, screen };
}

describe('deploy outcomes are visible without flags', () => {
  let ws: SampleWorkspace;
  let dir: string;
  beforeAll(() => {
    ws = new SampleWorkspace('outcomes');
    dir = mkdtempSync(join(tmpdir(), 'shipfleet-outcomes-e2e-'));
    for (const args of [['@shipfleet/nx:init'], ['@shipfleet/nx:tizen-app', 'tv'], ['@shipfleet/nx:tizen-app', 'lobby']]) {
      const r = ws.nx(['g', ...args]);
      expect({ args, code: r.code, output: r.code ? r.output : '' }).toEqual({ args, code: 0, output: '' });
    }
    for (const p of ['tv', 'lobby']) {
      const config = JSON.parse(ws.read(`apps/${p}/project.json`));
      config.targets['package-tizen'] = { options: { devCertificates: true } };
      ws.write(`apps/${p}/project.json`, JSON.stringify(config, null, 2));
    }
    ws.git('add', '-A');
    ws.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', 'two TV apps');
    // tv is live already; lobby is not.
    const first = ws.nx(['run', 'tv:deploy', '--env=staging']);
    expect({ code: first.code, output: first.code ? first.output : '' }).toEqual({ code: 0, output: '' });
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['the terminal UI', {}],
    ['dynamic output', { NX_TUI: 'false' }],
  ])('on a terminal (%s), the run ends with what was deployed and what was skipped; the step summary gets the table', (_, extra) => {
    const lobbyLive = readLedger(ws).some((r) => r.project === 'lobby');
    const summary = join(dir, `summary-${Object.keys(extra).length}.md`);
    const { code, screen } = onTerminal(ws, 'npx nx run-many -t deploy --env=staging', { GITHUB_STEP_SUMMARY: summary, ...extra });
    expect({ code, tail: code ? screen.slice(-3000) : '' }).toEqual({ code: 0, tail: '' });
    const after = screen.slice(screen.lastIndexOf('Successfully ran target deploy'));
    expect(after).toContain(lobbyLive ? 'shipfleet deploy to staging: 2 skipped' : 'shipfleet deploy to staging: 1 deployed, 1 skipped');
    expect(after).toMatch(/⏭ tv +skipped: already live \([0-9a-f]{12}, since \d{4}-\d\d-\d\dT/);
    expect(after).toMatch(lobbyLive ? /⏭ lobby +skipped: already live/ : /✔ lobby +deployed [0-9a-f]{12} in \d+\.\ds/);
    const table = readFileSync(summary, 'utf8').split('\n');
    const start = table.indexOf('### Deploys to staging');
    expect(table.slice(start, start + 4)).toEqual(['### Deploys to staging', '', '| Project | Result | Version | Commit | Duration |', '| --- | --- | --- | --- | --- |']);
    // The runner's own step tables (of the deploy that ran) share the file: take the rows of the deploy tables only,
    // each of which must sit under a "Project | Result" header.
    let header = '';
    const rows: string[] = [];
    for (const line of table) {
      if (!line.startsWith('| ')) header = '';
      else if (!header) header = line;
      else if (!line.startsWith('| ---') && header === '| Project | Result | Version | Commit | Duration |') rows.push(line);
    }
    expect(rows.sort()).toEqual(
      [
        expect.stringMatching(lobbyLive ? /^\| lobby \| ⏭️ skipped — already live since \S+ \| — \| `[0-9a-f]{12}` \| — \|$/ : /^\| lobby \| ✅ deployed \| — \| `[0-9a-f]{12}` \| \d+\.\ds \|$/),
        expect.stringMatching(/^\| tv \| ⏭️ skipped — already live since \S+ \| — \| `[0-9a-f]{12}` \| — \|$/),
      ].sort(),
    );
  }, 300_000);

  it('in CI logs (static output) the same list follows the run', () => {
    const r = ws.nx(['run-many', '-t', 'deploy', '--env=staging', '--output-style=static']);
    expect(r.code).toBe(0);
    expect(r.output).toContain('⏭ tv is already deployed to staging with these inputs');
    expect(r.output.slice(r.output.lastIndexOf('Successfully ran target deploy'))).toContain('shipfleet deploy to staging: 2 skipped');
  }, 300_000);
});

function readLedger(ws: SampleWorkspace): Array<{ project: string }> {
  try {
    return JSON.parse(ws.read('.shipfleet/ledger')).records;
  } catch {
    return [];
  }
}
