import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { ExecutorContext } from '@nx/devkit';
import * as core from '@shipfleet/core';
import canaryMonitorExecutor from './executor';

jest.mock('@shipfleet/core', () => {
  const actual = jest.requireActual('@shipfleet/core');
  return { ...actual, runPlan: jest.fn(actual.runPlan) };
});

const TOKEN = 'kubeconfig-token-8d1f3b5a';

function workspace(): { root: string; context: ExecutorContext } {
  const root = mkdtempSync(join(tmpdir(), 'shipfleet-canary-monitor-'));
  writeFileSync(
    join(root, 'kubeconfig'),
    ['apiVersion: v1', 'kind: Config', 'clusters:', '- name: c', '  cluster: {server: "https://k8s.example.com"}', 'contexts:', '- name: prod', '  context: {cluster: c, user: u}', 'current-context: prod', 'users:', '- name: u', `  user: {token: ${TOKEN}}`, ''].join('\n'),
  );
  const context = { root, cwd: root, isVerbose: false, projectName: 'web', targetName: 'canary', projectsConfigurations: { version: 2, projects: { web: { root: 'apps/web' } } } } as unknown as ExecutorContext;
  return { root, context };
}

const options = {
  dryRun: true,
  prometheus: { url: 'https://prometheus.example.com' },
  metrics: [{ name: 'errors', query: 'sum(rate(errors{{{selector}}}[{{interval}}]))', failure: '> 1' }],
  selectors: { canary: 'version="canary"' },
  action: { type: 'kubernetes', mode: 'ingress-nginx', ingress: 'web-canary' },
  kubeconfig: 'kubeconfig',
};

describe('canary-monitor with a kubernetes action', () => {
  let out: string;
  beforeEach(() => {
    out = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((c) => ((out += String(c)), true));
    (core.runPlan as jest.Mock).mockClear();
  });
  afterEach(() => jest.restoreAllMocks());

  it('gives the run the credentials of its kubeconfig to mask', async () => {
    const { context } = workspace();
    const result = await canaryMonitorExecutor(options as never, context);
    expect(result.success).toBe(true);
    expect((core.runPlan as jest.Mock).mock.calls[0][1].secrets).toContain(TOKEN);
    expect(out).not.toContain(TOKEN);
  });

  it('refuses a context the kubeconfig does not define before anything runs', async () => {
    const { context } = workspace();
    const result = await canaryMonitorExecutor({ ...options, context: 'staging' } as never, context);
    expect(result.success).toBe(false);
    expect(out).toContain('Option "context": "staging" is not a context in');
    expect(core.runPlan).not.toHaveBeenCalled();
  });
});
