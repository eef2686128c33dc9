// Every credential a kubeconfig yields is masked: those written in it or in the
// files it names (resolveKubeconfig's secrets), and those an exec plugin issues
// while the deploy runs. Deploys run in child processes against the API stand-in.
import { randomBytes } from 'crypto';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { K8sApi, startK8sApi } from '../../../tools/k8s-api/server';
import { deployInChild, tmp, writeApp } from './__fixtures__/stand-in';
import { resolveKubeconfig } from './kubeconfig';

jest.setTimeout(60_000);

const newToken = () => `tok-${randomBytes(16).toString('hex')}`;

/** A kubeconfig whose user is `user` (the YAML of the `user:` mapping, indented by 4). */
function kubeconfig(dir: string, server: string, user: string[]): string {
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: c',
      '  cluster:',
      `    server: ${server}`,
      '    insecure-skip-tls-verify: true',
      'contexts:',
      '- name: ctx',
      '  context: {cluster: c, user: u}',
      'current-context: ctx',
      'users:',
      '- name: u',
      '  user:',
      ...user.map((l) => `    ${l}`),
      '',
    ].join('\n'),
  );
  return file;
}

describe('credentials resolveKubeconfig finds', () => {
  const resolveIn = (dir: string, user: string[]) => resolveKubeconfig({ kubeconfig: kubeconfig(dir, 'https://k8s.example.com', user) }, dir, {});

  it('holds the inline token and password, and the content of tokenFile and client-key (relative to the kubeconfig)', () => {
    const dir = tmp('creds');
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'keys/token'), 'file-token-0123456789\n');
    writeFileSync(join(dir, 'keys/client.key'), '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n');
    expect(resolveIn(dir, ['token: inline-token-0123456789', 'password: pass-word-0123'])?.secrets).toEqual(['inline-token-0123456789', 'pass-word-0123']);
    const target = resolveIn(dir, ['tokenFile: keys/token', 'client-key: keys/client.key'])!;
    expect(target.secrets).toEqual(['file-token-0123456789', expect.stringContaining('MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7')]);
    expect(target.tokenFile).toBe(join(dir, 'keys/token'));
  });

  it('holds the service account token when running in-cluster', () => {
    const token = join(tmp('sa'), 'token');
    writeFileSync(token, 'service-account-token-0123456789');
    const target = resolveKubeconfig({}, '/', { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, { serviceAccountToken: token });
    expect(target).toEqual({ paths: [], inCluster: true, secrets: ['service-account-token-0123456789'] });
  });

  it('shows the server without user name, password or query', () => {
    const dir = tmp('server');
    const target = resolveKubeconfig({ kubeconfig: kubeconfig(dir, 'https://admin:s3cr3t-pass@k8s.example.com:6443/?token=s3cr3t-token-value', ['token: inline-token-0123456789']) }, dir, {});
    expect(target?.server).toBe('https://k8s.example.com:6443');
  });
});

describe('a deploy never prints the credentials of its kubeconfig', () => {
  let api: K8sApi;
  let token: string;
  beforeEach(async () => {
    token = newToken();
    api = await startK8sApi({ token, scenario: { deadlineFactor: 0.005 } });
  });
  afterEach(() => api.close());

  /** Deploys with this kubeconfig user, then prints `tokenFile` and fails quoting it. */
  async function deployPrinting(dir: string, user: string[], tokenFile: string) {
    writeApp(dir);
    const r = await deployInChild({ projectRoot: dir, options: { manifests: ['k8s'], kubeconfig: kubeconfig(dir, api.url, user), timeoutSeconds: 30 }, after: { print: [tokenFile], failWith: tokenFile } });
    const text = [...r.out.lines, r.out.report?.error ?? '', r.out.error ?? '', r.stdout, r.stderr].join('\n');
    return { r, text };
  }

  const expectMasked = (r: Awaited<ReturnType<typeof deployPrinting>>['r'], text: string) => {
    expect(r.out.error).toBeUndefined();
    expect(r.out.report?.steps.find((s) => s.title.startsWith('Apply'))?.status).toBe('succeeded');
    expect(api.requests.length).toBeGreaterThan(0);
    expect(api.requests.every((q) => q.user === 'token')).toBe(true);
    expect(r.out.lines).toContain('  │ ***');
    expect(r.out.report?.error).toBe('Step "Fail quoting a file" failed: the server refused ***');
    expect(text).not.toContain(token);
  };

  it('an inline token', async () => {
    const dir = tmp('inline');
    writeFileSync(join(dir, 'token.txt'), token);
    const { r, text } = await deployPrinting(dir, [`token: ${token}`], join(dir, 'token.txt'));
    expectMasked(r, text);
  });

  it('a token read from tokenFile', async () => {
    const dir = tmp('token-file');
    writeFileSync(join(dir, 'token.txt'), `${token}\n`);
    const { r, text } = await deployPrinting(dir, ['tokenFile: token.txt'], join(dir, 'token.txt'));
    expectMasked(r, text);
  });

  it('a token an exec plugin issues while the deploy runs', async () => {
    const dir = tmp('exec');
    // The plugin reads the token from a file the kubeconfig does not name: only the run can learn it.
    writeFileSync(join(dir, 'issued.txt'), token);
    const plugin = join(dir, 'credential-plugin.js');
    writeFileSync(
      plugin,
      `const token = require('fs').readFileSync(${JSON.stringify(join(dir, 'issued.txt'))}, 'utf8');\n` +
        `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token } }));\n`,
    );
    const { r, text } = await deployPrinting(
      dir,
      ['exec:', '  apiVersion: client.authentication.k8s.io/v1', `  command: ${JSON.stringify(process.execPath)}`, `  args: [${JSON.stringify(plugin)}]`, '  interactiveMode: Never'],
      join(dir, 'issued.txt'),
    );
    expectMasked(r, text);
  });

  it('shows the API server without user name, password or query, in the plan and in errors', async () => {
    const dir = writeApp(tmp('server-url'));
    const closed = await startK8sApi({});
    const port = new URL(closed.url).port;
    await closed.close();
    const file = kubeconfig(dir, `http://admin:${token}@127.0.0.1:${port}/?token=${token}`, ['token: inline-token-0123456789']);
    const options = { manifests: ['k8s'], kubeconfig: file, timeoutSeconds: 30 };
    const dry = await deployInChild({ projectRoot: dir, options, planDryRun: true });
    expect(dry.out.lines.join('\n')).toContain(`to http://127.0.0.1:${port} (context ctx`);
    const run = await deployInChild({ projectRoot: dir, options });
    expect(run.out.report?.error).toContain(`cannot reach the API server at http://127.0.0.1:${port} (connection refused)`);
    expect([dry.stdout, dry.stderr, run.stdout, run.stderr].join('\n')).not.toContain(token);
  });
});
