import { createReadStream, createWriteStream, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'fs';
import { mkdir, open } from 'fs/promises';
import { dirname, join } from 'path';
import { pipeline } from 'stream/promises';
import { createGzip } from 'zlib';
import { pack } from 'tar-stream';
import { AppFile, openAppFile } from './app-files';

export interface WebosAppInfo {
  id: string;
  version: string;
  main: string;
  title: string;
  icon: string;
  type: string;
  vendor?: string;
}

export interface AppInfoProblem {
  field: string;
  problem: string;
  fix: string;
}

const ID = /^[a-z0-9][a-z0-9.+-]*$/;
/** Id prefixes webOS keeps for system apps. */
export const WEBOS_RESERVED_ID_PREFIXES = ['com.palm.', 'com.webos.', 'com.lge.', 'com.palmdts.'];
const VERSION = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

/** What is wrong with a webOS app id by the webOS CLI's rules; undefined when it is valid. */
export function webosAppIdProblem(id: string): { problem: string; fix: string } | undefined {
  if (!ID.test(id)) return { problem: `"${id}" has characters webOS does not allow`, fix: 'Use lowercase letters, digits, "." "-" "+", starting with a letter or digit' };
  if (WEBOS_RESERVED_ID_PREFIXES.some((p) => id.startsWith(p))) return { problem: `"${id}" uses a reserved prefix`, fix: `Do not start the id with ${WEBOS_RESERVED_ID_PREFIXES.join(', ')}` };
  return undefined;
}

export function isValidWebosAppId(id: string): boolean {
  return !webosAppIdProblem(id);
}

/** Validates appinfo.json with the webOS CLI's rules for id, version and required fields. */
export function validateAppInfo(json: string, appDir: string): { info?: WebosAppInfo; problems: AppInfoProblem[] } {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    return { problems: [{ field: 'appinfo.json', problem: `is not valid JSON (${(e as Error).message})`, fix: 'Fix the JSON syntax' }] };
  }
  const problems: AppInfoProblem[] = [];
  const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : '');
  const id = str('id');
  if (!id) problems.push({ field: 'id', problem: 'is missing', fix: 'Set "id", e.g. "com.example.tvapp"' });
  else {
    const idProblem = webosAppIdProblem(id);
    if (idProblem) problems.push({ field: 'id', ...idProblem });
  }
  const version = str('version');
  if (!VERSION.test(version)) problems.push({ field: 'version', problem: version ? `"${version}" is not x.y.z` : 'is missing', fix: 'Use three non-negative integers without leading zeros, e.g. "1.0.0"' });
  for (const field of ['main', 'icon'] as const) {
    const value = str(field);
    if (!value) problems.push({ field, problem: 'is missing', fix: `Set "${field}" to a file of the app` });
    else if (!/^https?:/.test(value) && !existsSync(join(appDir, value))) problems.push({ field, problem: `"${value}" does not exist in ${appDir}`, fix: 'Point it at a file inside the app folder' });
  }
  if (!str('title')) problems.push({ field: 'title', problem: 'is missing', fix: 'Set "title", the name shown on the TV' });
  const type = str('type');
  if (type !== 'web') problems.push({ field: 'type', problem: type ? `"${type}" is not supported here` : 'is missing', fix: 'Set "type": "web" (package-webos packages web apps)' });
  if (problems.length) return { problems };
  return { info: { id, version, main: str('main'), title: str('title'), icon: str('icon'), type, vendor: str('vendor') || undefined }, problems };
}

/** The control file as ares-package writes it. */
export function webosControl(info: WebosAppInfo, installedBytes: number): string {
  return [
    `Package: ${info.id}`,
    `Version: ${info.version}`,
    'Section: misc',
    'Priority: optional',
    'Architecture: all',
    `Installed-Size: ${Math.ceil(installedBytes / 1024)}`,
    'Maintainer: N/A <nobody@example.com>',
    'Description: This is a webOS application.',
    'webOS-Package-Format-Version: 2',
    'webOS-Packager-Version: x.y.x',
    '',
  ].join('\n');
}

export function webosPackageInfo(info: WebosAppInfo): string {
  return JSON.stringify({ app: info.id, id: info.id, loc_name: info.title, package_format_version: 2, vendor: info.vendor ?? '', version: info.version }, null, 2) + '\n';
}

export function ipkFileName(info: WebosAppInfo): string {
  return `${info.id}_${info.version}_all.ipk`;
}

const MTIME = new Date(Date.UTC(2000, 0, 1));
const header = (name: string, type: 'file' | 'directory', size = 0) => ({ name, type, size, mode: type === 'directory' ? 0o755 : 0o644, mtime: MTIME, uid: 0, gid: 0, uname: 'root', gname: 'root' });

/** Streams a gzipped tar of in-memory entries and files to disk; files are read one at a time. */
async function writeTarGz(out: string, entries: Array<{ name: string; dir?: true; content?: string; file?: AppFile }>): Promise<void> {
  const tar = pack();
  const done = pipeline(tar, createGzip({ level: 9 }), createWriteStream(out));
  try {
    for (const e of entries) {
      if (e.dir) tar.entry(header(e.name, 'directory'));
      else if (e.content !== undefined) tar.entry(header(e.name, 'file', Buffer.byteLength(e.content)), e.content);
      else if (e.file) {
        const file = await openAppFile(e.file);
        await pipeline(file.createReadStream(), tar.entry(header(e.name, 'file', e.file.size)));
      }
    }
    tar.finalize();
  } catch (err) {
    tar.destroy(err as Error);
    await done.catch(() => undefined);
    throw err;
  }
  await done;
}

/** One `ar` member header: name/, mtime, uid, gid, mode (octal), size, then the magic "`\n". */
function arHeader(name: string, size: number): Buffer {
  const field = (v: string, n: number) => v.padEnd(n, ' ');
  return Buffer.from(field(`${name}/`, 16) + field('0', 12) + field('0', 6) + field('0', 6) + field('100644', 8) + field(String(size), 10) + '`\n', 'ascii');
}

/** Writes `ar` archive members in order, copying each member file through. */
async function writeAr(out: string, members: Array<{ name: string; path: string }>): Promise<void> {
  const handle = await open(out, 'w');
  try {
    await handle.write(Buffer.from('!<arch>\n', 'ascii'));
    for (const m of members) {
      const size = statSync(m.path).size;
      await handle.write(arHeader(m.name, size));
      for await (const chunk of createReadStream(m.path)) await handle.write(chunk as Buffer);
      if (size % 2) await handle.write(Buffer.from('\n'));
    }
  } finally {
    await handle.close();
  }
}

/**
 * Builds `<id>_<version>_all.ipk`: an ar archive of debian-binary (2.0),
 * control.tar.gz and data.tar.gz with the app under
 * usr/palm/applications/<id>/ and usr/palm/packages/<id>/packageinfo.json.
 */
export async function writeIpk(info: WebosAppInfo, files: AppFile[], outFile: string): Promise<{ path: string; bytes: number; files: number }> {
  await mkdir(dirname(outFile), { recursive: true });
  const work = `${outFile}.${process.pid}.parts`;
  await mkdir(work, { recursive: true });
  try {
    const appRoot = `./usr/palm/applications/${info.id}/`;
    const dirs = new Set<string>(['./usr/', './usr/palm/', './usr/palm/applications/', appRoot, './usr/palm/packages/', `./usr/palm/packages/${info.id}/`]);
    for (const f of files) {
      const parts = f.path.split('/').slice(0, -1);
      for (let i = 1; i <= parts.length; i++) dirs.add(appRoot + parts.slice(0, i).join('/') + '/');
    }
    const packageInfo = webosPackageInfo(info);
    const dataEntries = [
      ...[...dirs].sort().map((name) => ({ name, dir: true as const })),
      ...files.map((file) => ({ name: appRoot + file.path, file })),
      { name: `./usr/palm/packages/${info.id}/packageinfo.json`, content: packageInfo },
    ];
    const installed = files.reduce((n, f) => n + f.size, 0) + packageInfo.length;
    await writeTarGz(join(work, 'data.tar.gz'), dataEntries);
    await writeTarGz(join(work, 'control.tar.gz'), [{ name: './', dir: true }, { name: './control', content: webosControl(info, installed) }]);
    writeFileSync(join(work, 'debian-binary'), '2.0\n');
    const tmp = `${outFile}.${process.pid}.partial`;
    await writeAr(tmp, [
      { name: 'debian-binary', path: join(work, 'debian-binary') },
      { name: 'control.tar.gz', path: join(work, 'control.tar.gz') },
      { name: 'data.tar.gz', path: join(work, 'data.tar.gz') },
    ]);
    renameSync(tmp, outFile);
    return { path: outFile, bytes: statSync(outFile).size, files: files.length };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function readAppInfo(appDir: string): string | undefined {
  const path = join(appDir, 'appinfo.json');
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}
