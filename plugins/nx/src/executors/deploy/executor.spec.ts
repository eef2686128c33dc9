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
