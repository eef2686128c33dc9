import { cpSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import executor from './executor';
import { executorContext } from '../__fixtures__/executor-context';

const fixture = resolve(__dirname, '../../../../../packages/fastlane/src/__fixtures__/mobile-app');
const standIns = resolve(__dirname, '../../../../../tools/stand-ins/bin');

const context = (root: string) => executorContext(root, 'app');

describe('fastlane-lane executor', () => {
  let out: string;
  let root: string;
  const saved = { ...process.env };
  beforeEach(() => {
    out = '';
    root = mkdtempSync(join(tmpdir(), 'shipfleet-exec-'));
    cpSync(fixture, join(root, 'apps/app'), { recursive: true });
    jest.spyOn(process.stdout, 'write').mockImplementation((c) => { out += String(c); return true; });
    jest.spyOn(process.stderr, 'write').mockImplementation((c) => { out += String(c); return true; });
    process.env.PATH = `${standIns}:${saved.PATH}`;
    process.env.SHIPFLEET_STANDIN_LOG = join(root, 'calls.jsonl');
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
  });

  it('prints a UserError as one clear line, without a stack trace, and fails', async () => {
    const result = await executor({ lane: 'nope' }, context(root));
    expect(result.success).toBe(false);
    expect(out).toContain('✖ Option "lane": "nope" is not declared in');
    expect(out).not.toMatch(/\n\s+at /);
  });

  it('fails clearly when a secretEnv variable is missing, naming it but no value', async () => {
    const result = await executor({ lane: 'beta', secretEnv: ['SHIPFLEET_TEST_UNSET_SECRET'] }, context(root));
    expect(result.success).toBe(false);
    expect(out).toContain('Option "secretEnv": environment variable SHIPFLEET_TEST_UNSET_SECRET is not set');
  });

  it('gives fastlane the envVars; the old name env still works, with a warning', async () => {
    const result = await executor({ lane: 'beta', platform: 'ios', env: { GYM_SCHEME: 'App' }, timeoutSeconds: 600 }, context(root));
    expect(result.success).toBe(true);
    expect(out).toContain('Option "env" is deprecated: write "envVars" instead');
    expect(out).toContain('Option "timeoutSeconds" is deprecated: write "timeout" instead');
    const call = JSON.parse(readFileSync(join(root, 'calls.jsonl'), 'utf8').trim().split('\n')[0]);
    expect(call.env.GYM_SCHEME).toBe('App');
    expect(call.cwd).toBe(join(root, 'apps/app'));
  });

  it('names the failing action and masks the secret in its message', async () => {
    process.env.SIGNING_KEY = 'sk-live-abcdef123456';
    process.env.SHIPFLEET_FASTLANE_FAIL_AT = 'upload_to_testflight';
    process.env.SHIPFLEET_STANDIN_ECHO_ENV = 'SIGNING_KEY';
    const result = await executor({ lane: 'beta', platform: 'ios', secretEnv: ['SIGNING_KEY'] }, context(root));
    expect(result.success).toBe(false);
    expect(out).toContain('Lane beta failed at action "upload_to_testflight"');
    expect(out).toContain('(fastlane exit code 1)');
    expect(out).not.toContain('sk-live-abcdef123456');
    const call = JSON.parse(readFileSync(join(root, 'calls.jsonl'), 'utf8').trim().split('\n')[0]);
    expect(call.env.SIGNING_KEY).toBe('sk-live-abcdef123456');
  });
});
