import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import type { RunReport } from '@shipfleet/core';
import type { PackageElectronResult } from './plan';
import { linkElectronBuilder, STAND_IN_ELECTRON_VERSION, standInElectronTools } from '../../../../tools/stand-ins/electron';

// electron-builder for real, with a local stand-in for Electron (tools/stand-ins/electron.ts): an
// unpacked Linux Electron folder holding what electron-builder copies (the `electron` executable it
// renames, LICENSE, version). 7-Zip (for zip and tar.gz) is 7zip-bin's, made executable.
// The plan runs in a child process: electron-builder import()s ESM modules, which jest's sandbox refuses.
const REPO = join(__dirname, '../../../..');
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
const maybe = linuxX64 ? it : it.skip;

let ws: string;
const root = 'apps/desk';

function write(path: string, content: string) {
  const full = join(ws, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

interface AsarNode {
  files?: Record<string, AsarNode>;
  size?: number;
  offset?: string;
}

/** An asar archive: a pickled JSON index (its pickle size at byte 4, the JSON's length at byte 12, the JSON from byte 16), then the files. */
function readAsar(file: string): { names: string[]; read: (name: string) => string } {
  const buf = readFileSync(file);
  const header = JSON.parse(buf.subarray(16, 16 + buf.readUInt32LE(12)).toString('utf8')) as AsarNode;
  const dataStart = 8 + buf.readUInt32LE(4);
  const walk = (node: AsarNode, prefix: string): [string, AsarNode][] =>
    Object.entries(node.files ?? {}).flatMap(([name, child]) => (child.files ? walk(child, `${prefix}${name}/`) : [[`${prefix}${name}`, child] as [string, AsarNode]]));
  const entries = new Map(walk(header, ''));
  return {
    names: [...entries.keys()].sort(),
    read: (name) => {
      const entry = entries.get(name)!;
      const start = dataStart + Number(entry.offset);
      return buf.subarray(start, start + entry.size!).toString('utf8');
    },
  };
}

/** Resolves and runs a package-electron plan in its own process, with `env` added to its environment. */
function runPackageElectron(given: Record<string, unknown>, env: Record<string, string> = {}): { report: RunReport; result: PackageElectronResult; text: string } {
  const stdout = execFileSync(process.execPath, ['-r', '@swc-node/register', join(__dirname, '__fixtures__', 'run-package-electron.ts'), ws, root, JSON.stringify(given)], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 200_000,
  });
  const { report, result, lines } = JSON.parse(stdout.trim().split('\n').pop()!);
  return { report, result, text: (lines as string[]).join('\n') };
}

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'package-electron-'));
  write('package.json', JSON.stringify({ name: 'ws', private: true }));
  // The user's workspace has electron-builder installed: here, this repository's.
  mkdirSync(join(ws, 'node_modules'));
  linkElectronBuilder(ws);
  write(`${root}/package.json`, JSON.stringify({ name: 'desk', productName: 'Desk', version: '1.2.3', description: 'A desk app', author: 'Acme <dev@acme.test>', main: 'main.js', devDependencies: { electron: '45.3.4' } }));
  write(`${root}/main.js`, "const { app, BrowserWindow } = require('electron');\napp.whenReady().then(() => new BrowserWindow().loadFile('index.html'));\n");
  write(`${root}/preload.js`, "window.addEventListener('DOMContentLoaded', () => {});\n");
  write(`${root}/index.html`, '<!doctype html><title>Desk</title>\n');
  write(`${root}/electron-builder.json`, JSON.stringify({ appId: 'com.acme.desk', files: ['main.js', 'preload.js', 'index.html', 'package.json'], linux: { target: ['dir', 'zip', 'tar.gz'] } }));
  standInElectronTools(ws);
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const options = { platforms: ['linux'], linuxArch: ['x64'], electronDist: 'electron-dist', electronVersion: STAND_IN_ELECTRON_VERSION, sevenZipPath: '7za' };

describe('package-electron with electron-builder', () => {
  maybe('packages dir, zip and tar.gz whose contents hold the app in app.asar', async () => {
    const { report, result, text } = runPackageElectron(options, { GITHUB_RUN_NUMBER: '41' });
    expect(report.error).toBeUndefined();
    expect(report.status).toBe('succeeded');
    expect(text).toContain('│ • electron-builder  version=26.17.0');
    expect(text).toContain('using custom unpacked Electron distribution');

    const out = join(ws, 'dist', root);
    expect(result.artifacts).toEqual([join(out, 'desk-1.2.3.zip'), join(out, 'desk-1.2.3.tar.gz')]);
    expect(report.outputs).toMatchObject({ 'desk-1.2.3.zip': join(out, 'desk-1.2.3.zip'), 'unpacked-linux-x64': join(out, 'linux-unpacked'), electronBuilderVersion: '26.17.0' });

    const asar = readAsar(join(out, 'linux-unpacked/resources/app.asar'));
    expect(asar.names).toEqual(['index.html', 'main.js', 'package.json', 'preload.js']);
    expect(asar.read('main.js')).toContain("require('electron')");
    expect(JSON.parse(asar.read('package.json'))).toMatchObject({ name: 'desk', version: '1.2.3', main: 'main.js' });
    expect(readFileSync(join(out, 'linux-unpacked/desk'), 'utf8')).toContain('stand-in electron');
    // Nothing installed into the sources: no npm install in the project folder.
    expect(['node_modules', 'package-lock.json'].filter((f) => existsSync(join(ws, root, f)))).toEqual([]);
    const zipped = execFileSync('unzip', ['-Z1', join(out, 'desk-1.2.3.zip')], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    expect(zipped).toEqual(['LICENSE.electron.txt', 'desk', 'resources/', 'resources/app.asar', 'version']);
    const tarred = execFileSync('tar', ['tzf', join(out, 'desk-1.2.3.tar.gz')], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    expect(tarred).toEqual(['desk-1.2.3/', 'desk-1.2.3/LICENSE.electron.txt', 'desk-1.2.3/desk', 'desk-1.2.3/resources/', 'desk-1.2.3/resources/app.asar', 'desk-1.2.3/version']);
    // The archives hold the same app.asar.
    execFileSync('tar', ['xzf', join(out, 'desk-1.2.3.tar.gz'), '-C', ws, 'desk-1.2.3/resources/app.asar']);
    expect(readFileSync(join(ws, 'desk-1.2.3/resources/app.asar')).equals(readFileSync(join(out, 'linux-unpacked/resources/app.asar')))).toBe(true);
  }, 240_000);

  maybe('says which option to set when Electron cannot be downloaded', async () => {
    // A port nothing listens on: the mirror refuses the connection.
    const server = createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    await new Promise((resolve) => server.close(resolve));
    const given = { ...options, electronDist: undefined, electronMirror: `http://127.0.0.1:${port}/`, outputPath: 'dist/offline', linux: ['dir'] };
    // An empty cache: electron-builder must go to the mirror.
    const cache = mkdtempSync(join(tmpdir(), 'electron-cache-'));
    try {
      const { report } = runPackageElectron(given, { ELECTRON_BUILDER_CACHE: cache, ELECTRON_CACHE: cache, electron_config_cache: cache });
      expect(report.status).toBe('failed');
      expect(report.error).toContain('Option "electronDist": electron-builder could not download Electron (electron-v45.3.4-linux-x64.zip from 127.0.0.1:');
      expect(report.error).toContain('ECONNREFUSED');
      expect(report.error).toContain('"electronMirror" (or ELECTRON_MIRROR)');
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
    expect(existsSync(join(ws, 'dist/offline/linux-unpacked/desk'))).toBe(false);
  }, 120_000);
});
