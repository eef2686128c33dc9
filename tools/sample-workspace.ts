import { spawn, spawnSync } from 'child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';

export const repoRoot = resolve(__dirname, '..');
export const standInBin = join(repoRoot, 'tools/stand-ins/bin');
const tarballs = join(repoRoot, 'dist/tarballs');

/** Env for the real nx CLI: offline, no daemon, no TUI, stand-ins first on PATH. */
export function nxEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CI: 'true',
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_SKIP_NX_CACHE: 'true',
    FORCE_COLOR: '0',
    PATH: `${standInBin}:${process.env.PATH}`,
    ...extra,
  };
}

export interface CommandResult {
  code: number | null;
  output: string;
}

/**
 * A fresh Nx 23.2.1 workspace in a temp dir (used by the e2e suite and the demo) with the shipfleet tarballs
 * (from `npm run package`) installed, as a user would have it.
 */
export class SampleWorkspace {
  readonly root: string;

  constructor(name: string) {
    if (!existsSync(tarballs) || !readdirSync(tarballs).some((f) => f.startsWith('shipfleet-nx-'))) {
      throw new Error('No tarballs in dist/tarballs: run `npm run package` first (npm run test:e2e does)');
    }
    this.root = mkdtempSync(join(tmpdir(), `shipfleet-e2e-${name}-`));
    const deps: Record<string, string> = { nx: '23.2.1', '@nx/devkit': '23.2.1' };
    for (const file of readdirSync(tarballs)) {
      const pkg = file.replace(/^shipfleet-/, '@shipfleet/').replace(/-\d+\.\d+\.\d+\.tgz$/, '');
      deps[pkg] = `file:${join(tarballs, file)}`;
    }
    this.write('package.json', JSON.stringify({ name: `e2e-${name}`, version: '0.0.0', private: true, devDependencies: deps }, null, 2));
    this.write('nx.json', JSON.stringify({ neverConnectToCloud: true, analytics: false, useDaemonProcess: false }, null, 2));
    this.write('.gitignore', 'node_modules\n.nx\ndist\n.shipfleet\n');
    this.run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { expectSuccess: true });
    this.git('init', '-q', '-b', 'main');
    this.git('add', '-A');
    this.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', 'init');
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  write(file: string, content: string): void {
    mkdirSync(dirname(this.path(file)), { recursive: true });
    writeFileSync(this.path(file), content);
  }

  read(file: string): string {
    return readFileSync(this.path(file), 'utf8');
  }

  copy(from: string, to: string): void {
    cpSync(from, this.path(to), { recursive: true });
  }

  run(cmd: string, args: string[], opts: { env?: Record<string, string>; expectSuccess?: boolean } = {}): CommandResult {
    const r = spawnSync(cmd, args, { cwd: this.root, env: nxEnv(opts.env), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const result = { code: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
    if (opts.expectSuccess && r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${result.output}`);
    return result;
  }

  nx(args: string[], env: Record<string, string> = {}): CommandResult {
    return this.run(this.path('node_modules/.bin/nx'), args, { env });
  }

  /** nx without blocking this process: needed when a stand-in server runs in it. */
  nxAsync(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.path('node_modules/.bin/nx'), args, { cwd: this.root, env: nxEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (c) => (output += c));
      child.stderr.on('data', (c) => (output += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  git(...args: string[]): CommandResult {
    return this.run('git', args, { expectSuccess: true });
  }
}
