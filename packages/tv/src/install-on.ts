// Installing a freshly packaged app on TVs for QA: Tizen through `sdb` + `tizen install`,
// webOS through `ares-install`. Every device is tried; the step fails afterwards, naming
// each device that did not get the app, in the tools' own words.
import { existsSync } from 'fs';
import { delimiter, join } from 'path';
import { ExecResult, formatCommand, TaskContext, TaskStep, taskStep, UserError } from '@shipfleet/core';

export type TvPlatform = 'tizen' | 'webos';

/** sdb's port on a TV or emulator when the address gives none. */
export const SDB_DEFAULT_PORT = 26101;

/** A device as installOn names it: no leading `-` (it would read as an option), no spaces or shell characters. */
const DEVICE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:@-]*$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HOST_PORT = /^([A-Za-z0-9_][A-Za-z0-9_.-]*):(\d{1,5})$/;

/** Generous: a TV over Wi-Fi takes a while to receive and install a large package. */
const CONNECT_TIMEOUT_MS = 60_000;
const INSTALL_TIMEOUT_MS = 10 * 60_000;

export interface TizenInstallTarget {
  /** As the user wrote it. */
  device: string;
  /** `sdb connect` argument, for an address (IPv4 or host:port); absent for a serial such as emulator-26101. */
  connect?: string;
  /** The serial `sdb devices` lists, given to `tizen install -s`. */
  serial: string;
}

export interface InstallOutcome {
  device: string;
  ok: boolean;
  /** On failure, the tool's own lines saying why. */
  reason?: string;
}

function isIpv4(host: string): boolean {
  const m = IPV4.exec(host);
  return !!m && m.slice(1).every((n) => Number(n) <= 255);
}

/**
 * installOn as given (one device or a list) → the device names, validated.
 * Returns [] when absent. Duplicates are dropped: a TV is installed once.
 */
export function installOnOption(value: unknown, platform: TvPlatform): string[] {
  if (value === undefined || value === null || value === '') return [];
  const example = platform === 'tizen' ? '"192.168.1.20"' : '"tv"';
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) throw new UserError('installOn', 'must be a device or a list of devices', `Example: "installOn": [${example}]`);
  const what = platform === 'tizen'
    ? 'a TV address (192.168.1.20, 192.168.1.20:26101, tv.lan:26101) or a serial from `sdb devices` (emulator-26101)'
    : 'a device name set up with ares-setup-device (e.g. tv)';
  for (const item of list) {
    if (typeof item !== 'string' || !DEVICE_NAME.test(item)) {
      throw new UserError('installOn', `${JSON.stringify(item)} is not ${what}`, 'Device names start with a letter or digit and hold no spaces or shell characters');
    }
    const hostPort = HOST_PORT.exec(item);
    if (platform === 'tizen' && hostPort && (Number(hostPort[2]) < 1 || Number(hostPort[2]) > 65535)) {
      throw new UserError('installOn', `${JSON.stringify(item)} has port ${hostPort[2]}, outside 1-65535`, `Give the TV's sdb port (${SDB_DEFAULT_PORT} unless changed)`);
    }
  }
  return [...new Set(list as string[])];
}

/** How each Tizen device is reached: an address is connected first, a serial is used as it is. */
export function tizenInstallTargets(devices: string[]): TizenInstallTarget[] {
  return devices.map((device) => {
    if (isIpv4(device)) return { device, connect: device, serial: `${device}:${SDB_DEFAULT_PORT}` };
    if (HOST_PORT.test(device)) return { device, connect: device, serial: device };
    return { device, serial: device };
  });
}

function onPath(bin: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, bin)));
}

/** Before anything is packaged: the tools installOn needs must be on PATH. */
export function checkInstallTools(platform: TvPlatform, env: NodeJS.ProcessEnv = process.env, dryRun?: { warn?: (message: string) => void }): void {
  try {
    requireInstallTools(platform, env);
  } catch (err) {
    // A dry run shows the install commands on a machine without the tools; a real run stops before packaging.
    if (!dryRun || !(err instanceof UserError)) throw err;
    dryRun.warn?.(`Dry run: ${err.message} A real run stops here.`);
  }
}

function requireInstallTools(platform: TvPlatform, env: NodeJS.ProcessEnv): void {
  if (platform === 'tizen') {
    const missing = ['tizen', 'sdb'].filter((bin) => !onPath(bin, env));
    if (missing.length) {
      throw new UserError('installOn', `needs the Tizen CLI (tizen) and sdb on PATH; ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing`, 'Install Tizen Studio\'s CLI and add tizen-studio/tools/ide/bin (tizen) and tizen-studio/tools (sdb) to PATH, or drop installOn');
    }
  } else if (!onPath('ares-install', env)) {
    throw new UserError('installOn', 'needs the webOS CLI (ares-install) on PATH', 'Install it with `npm install -g @webos-tools/cli`, register each TV with ares-setup-device, or drop installOn');
  }
}

const lines = (r: ExecResult) => `${r.stdout}\n${r.stderr}`.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim() !== '');

/** The serial sdb reports after `connect` ("connected to 192.168.1.20:26101", also "already connected to …"); undefined when it failed. */
export function connectedSerial(r: ExecResult): string | undefined {
  if (r.exitCode !== 0) return undefined;
  for (const line of lines(r)) {
    const m = /^(?:already )?connected to (\S+)/.exec(line.trim());
    if (m) return m[1];
  }
  return undefined;
}

/**
 * `tizen install` may exit 0 when the TV refused the package: success is its
 * "successfully installed" / "install completed" line, and no failure line.
 * Returns the lines saying why it failed, or undefined on success.
 */
export function tizenInstallFailure(r: ExecResult): string | undefined {
  const all = lines(r);
  const failure = all.filter((l) => /install failed\[|Failed to install|There is no connected target|not found|\berror\b/i.test(l) && !/successfully installed/i.test(l));
  const succeeded = all.some((l) => /Tizen application is successfully installed|\] install completed/.test(l));
  if (r.exitCode === 0 && succeeded && failure.length === 0) return undefined;
  return describeFailure(failure, all, r.exitCode);
}

/** `ares-install` ends with "Success"; errors are "ares-install ERR! …" lines. */
export function aresInstallFailure(r: ExecResult): string | undefined {
  const all = lines(r);
  const failure = all.filter((l) => /ERR!|error/i.test(l));
  if (r.exitCode === 0 && failure.length === 0 && all.some((l) => l.trim() === 'Success')) return undefined;
  return describeFailure(failure, all, r.exitCode);
}

function describeFailure(failure: string[], all: string[], exitCode: number): string {
  // The tool's own words: its failure lines, else its last lines, with the exit code when not 0.
  const words = (failure.length ? failure : all.slice(-3)).map((l) => l.trim()).join(' / ');
  const code = exitCode !== 0 ? ` (exit code ${exitCode})` : '';
  return (words || 'no output') + code;
}

/** A failed command becomes an outcome: one TV's problem (a hang, a crash) never stops the others. */
async function capture(ctx: TaskContext, file: string, args: string[], timeoutMs: number): Promise<ExecResult> {
  ctx.log(`$ ${formatCommand(file, args)}`);
  let r: ExecResult;
  try {
    r = await ctx.exec(file, args, { timeoutMs });
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    r = { exitCode: -1, stdout: '', stderr: `${file} did not finish: ${(e as Error).message || `timed out after ${timeoutMs / 1000}s`}` };
  }
  for (const l of lines(r)) ctx.log(`  ${l}`);
  return r;
}

function report(ctx: TaskContext, what: string, outcomes: InstallOutcome[]): void {
  const ok = outcomes.filter((o) => o.ok).map((o) => o.device);
  const failed = outcomes.filter((o) => !o.ok);
  if (ok.length) ctx.setOutput('installedOn', ok.join(','));
  for (const o of outcomes) ctx.log(o.ok ? `✔ installed on ${o.device}` : `✖ not installed on ${o.device}: ${o.reason}`);
  if (failed.length) {
    ctx.setOutput('installFailedOn', failed.map((o) => o.device).join(','));
    throw new Error(`${what} installed on ${ok.length} of ${outcomes.length} device${outcomes.length > 1 ? 's' : ''}${ok.length ? ` (${ok.join(', ')})` : ''}; failed on ${failed.map((o) => `${o.device}: ${o.reason}`).join('; ')}`);
  }
}

/** Installs the .wgt on each device in turn (connecting addresses first), then fails listing the devices that did not get it. */
export function tizenInstallStep(wgt: string, devices: string[]): TaskStep {
  const targets = tizenInstallTargets(devices);
  const name = wgt.split(/[\\/]/).pop();
  return taskStep(
    `Install ${name} on ${devices.join(', ')}`,
    [
      ...targets.flatMap((t) => [...(t.connect ? [`$ ${formatCommand('sdb', ['connect', t.connect])}`] : []), `$ ${formatCommand('tizen', ['install', '-n', wgt, '-s', t.serial])}`]),
      'every device is tried; the step fails afterwards, listing the devices that failed with the tools\' own messages',
    ].join('\n     '),
    async (ctx) => {
      const outcomes: InstallOutcome[] = [];
      for (const t of targets) {
        let serial = t.serial;
        if (t.connect) {
          const r = await capture(ctx, 'sdb', ['connect', t.connect], CONNECT_TIMEOUT_MS);
          const connected = connectedSerial(r);
          if (!connected) {
            outcomes.push({ device: t.device, ok: false, reason: describeFailure(lines(r).filter((l) => /fail|error|unable|refused/i.test(l)), lines(r), r.exitCode) });
            continue;
          }
          serial = connected;
        }
        const r = await capture(ctx, 'tizen', ['install', '-n', wgt, '-s', serial], INSTALL_TIMEOUT_MS);
        const reason = tizenInstallFailure(r);
        outcomes.push(reason ? { device: t.device, ok: false, reason } : { device: t.device, ok: true });
      }
      report(ctx, name!, outcomes);
    },
  );
}

/** Installs the .ipk on each ares device in turn, then fails listing the devices that did not get it. */
export function webosInstallStep(ipk: string, devices: string[]): TaskStep {
  const name = ipk.split(/[\\/]/).pop();
  return taskStep(
    `Install ${name} on ${devices.join(', ')}`,
    [
      ...devices.map((d) => `$ ${formatCommand('ares-install', ['-d', d, ipk])}`),
      'every device is tried; the step fails afterwards, listing the devices that failed with ares-install\'s own messages',
    ].join('\n     '),
    async (ctx) => {
      const outcomes: InstallOutcome[] = [];
      for (const device of devices) {
        const r = await capture(ctx, 'ares-install', ['-d', device, ipk], INSTALL_TIMEOUT_MS);
        const reason = aresInstallFailure(r);
        outcomes.push(reason ? { device, ok: false, reason } : { device, ok: true });
      }
      report(ctx, name!, outcomes);
    },
  );
}
