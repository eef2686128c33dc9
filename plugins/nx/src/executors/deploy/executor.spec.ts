import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import deployExecutor from './executor';
import { executorContext } from '../__fixtures__/executor-context';

const PWNED = '/tmp/pwned';

const context = (root: string) => executorContext(root, 'tv', { targetName: 'deploy', targets: { deploy: {}, 'package-tizen': {} } });

describe('deploy executor ledger options', () => {
  let out: string;
  const saved = { ...process.env };
  beforeEach(() => {
    out = '';
    // With a task hash the executor goes on to read the ledger: the options must have stopped it before.
    process.env.NX_TASK_HASH = '1234567890';
    rmSync(PWNED, { force: true });
    jest.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((c) => ((out += String(c)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
  });

  it.each([
    ['ledgerRemote', { ledgerRemote: '--upload-pack=touch /tmp/pwned;false' }, /Option "ledgerRemote": starts with "-"/],
    ['ledgerRemote', { ledgerRemote: 'https://ci:s3cr3t@git.example.com/acme/app.git' }, /Option "ledgerRemote": contains credentials/],
    ['ledgerRef', { ledgerRef: '--output=/tmp/pwned' }, /Option "ledgerRef": starts with "-"/],
  ])('refuses a %s git would misread, before running anything', async (_, ledger, message) => {
    const root = mkdtempSync(join(tmpdir(), 'shipfleet-deploy-'));
    spawnSync('git', ['init', '-q'], { cwd: root });
    const result = await deployExecutor({ env: 'staging', targets: ['package-tizen'], ledger: 'git', ...ledger }, context(root));
    const created = existsSync(PWNED);
    rmSync(PWNED, { force: true });
    expect(created).toBe(false);
    expect(result.success).toBe(false);
    expect(out).toMatch(message);
    expect(out).not.toContain('s3cr3t');
    expect(out.trim().split('\n')).toHaveLength(1);
  });
});

describe('deploy --part (one runner\'s part of a split deploy)', () => {
  let out: string;
  beforeEach(() => {
    out = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((c) => ((out += String(c)), true));
  });
  afterEach(() => jest.restoreAllMocks());
  const parts = { macos: { targets: ['package-electron'], options: { 'package-electron': { platforms: ['mac'] } } }, linux: { targets: ['package-electron', 'publish-github-release'], options: {} } };
  const desk = (root: string) => executorContext(root, 'desk', { targetName: 'deploy', targets: { deploy: {}, 'package-electron': {}, 'publish-github-release': {} } });

  it.each([
    ['a deploy that is not split', {}, 'linux', /Option "part": desk's deploy is not split by runner\. Leave --part out/],
    ['a runner the deploy has no part for', { parts }, 'windows', /Option "part": "windows" is not a part of desk's deploy\. Give one of its runners: macos, linux/],
    ['a part naming a target outside the deploy', { parts: { ...parts, linux: { targets: ['lint'] } } }, 'linux', /Option "parts": the linux part must list some of the deploy's targets \(package-electron, publish-github-release\)/],
  ])('refuses %s before running anything', async (_, extra, part, message) => {
    const root = mkdtempSync(join(tmpdir(), 'shipfleet-deploy-'));
    const result = await deployExecutor({ env: 'staging', targets: ['package-electron', 'publish-github-release'], part, ...extra }, desk(root));
    expect(result.success).toBe(false);
    expect(out).toMatch(message);
    expect(out.trim().split('\n')).toHaveLength(1);
  });
});
