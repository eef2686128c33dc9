// Helpers for the tests that run deploys against the Kubernetes API stand-in in child processes.
import { execFile, spawn } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export const CHILD = join(__dirname, 'deploy-child.ts');

export interface ChildOutput {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What deploy-child printed: the run report, the deploy result and every log line; or the error thrown before the plan ran. */
  out: {
    report?: { status: string; error?: string; outputs: Record<string, string>; steps: Array<{ title: string; status: string }> };
    result?: {
      applied: Array<{ object: string; action: string }>;
      previousRevisions: Record<string, number | null>;
      workloads: Array<{ workload: string; state: string; previousRevision: number | null; rolledBackTo?: number; reason?: string; details?: string[] }>;
      rolledBack: boolean;
      failed: boolean;
      reason?: string;
      pruned: string[];
      serverDryRun: boolean;
      diff?: Array<{ object: string; change: string }>;
    };
    lines: string[];
    error?: string;
    name?: string;
  };
}

export function deployInChild(input: { options: Record<string, unknown>; projectRoot: string; pollIntervalMs?: number; progressIntervalMs?: number; planDryRun?: boolean; after?: { print: string[]; failWith?: string } }, timeoutMs = 60_000): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', CHILD, JSON.stringify({ pollIntervalMs: 200, progressIntervalMs: 25, ...input })], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const marker = stdout.lastIndexOf('@@RESULT@@');
      if (marker === -1) return reject(new Error(`deploy child printed no result (exit ${code}):\n${stderr}\n${stdout}`));
      resolve({ code, stdout, stderr, out: JSON.parse(stdout.slice(marker + '@@RESULT@@'.length)) });
    });
  });
}

export interface AppOptions {
  image?: string;
  replicas?: number;
  namespace?: string;
  secret?: string;
  configMaps?: string[];
  extra?: string;
}

/** A project folder with k8s/app.yaml: a Deployment "api" (and a Secret and ConfigMaps when asked). */
export function writeApp(dir: string, o: AppOptions = {}): string {
  mkdirSync(join(dir, 'k8s'), { recursive: true });
  const docs = [
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: ${o.replicas ?? 3}
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: ${o.image ?? 'registry:5000/api:1.0.0'}
        ports:
        - containerPort: 8080
`,
  ];
  if (o.secret) docs.push(`apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-secrets\ntype: Opaque\ndata:\n  DB_PASSWORD: ${Buffer.from(o.secret).toString('base64')}\nstringData:\n  API_KEY: key-${o.secret}\n`);
  for (const name of o.configMaps ?? []) docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  greeting: hello\n`);
  if (o.extra) docs.push(o.extra);
  writeFileSync(join(dir, 'k8s', 'app.yaml'), docs.join('---\n'));
  return dir;
}

export const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `shipfleet-k8s-${prefix}-`));

/** The kubectl the tests use: $SHIPFLEET_KUBECTL, else kubectl from PATH (Debian's kubernetes-client). */
export const KUBECTL = process.env.SHIPFLEET_KUBECTL || 'kubectl';

export function kubectl(args: string[], home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(KUBECTL, args, { env: { ...process.env, HOME: home, KUBECONFIG: '' }, encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as NodeJS.ErrnoException).code === 'number' ? Number((error as NodeJS.ErrnoException).code) : (error as { code?: unknown }).code === 'ENOENT' ? 127 : 1) : 0;
      resolve({ code, stdout, stderr: stderr || (error && !stdout ? String(error.message) : '') });
    });
  });
}

export async function requireKubectl(home: string): Promise<void> {
  const v = await kubectl(['version', '--client'], home);
  if (v.code !== 0) {
    throw new Error(`these tests need a real kubectl: "${KUBECTL}" did not run (${v.stderr.trim()}). Install Debian's kubernetes-client (apt-get install -y --no-install-recommends kubernetes-client) or set SHIPFLEET_KUBECTL to a kubectl binary.`);
  }
}

export { sleep } from '@shipfleet/core';
