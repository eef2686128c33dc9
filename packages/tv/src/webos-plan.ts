import { existsSync, statSync } from 'fs';
import { join } from 'path';
import { pathOption, Plan, requiredOption, taskStep, UserError } from '@shipfleet/core';
import { listAppFiles } from './app-files';
import type { TvPathContext } from './tizen-plan';
import { ipkFileName, readAppInfo, validateAppInfo, WebosAppInfo, writeIpk } from './webos';
import { checkInstallTools, installOnOption, webosInstallStep } from './install-on';

export interface PackageWebosOptions {
  /** Built web app folder holding appinfo.json. */
  appDir: string;
  /** Folder the .ipk is written to. */
  outputPath: string;
  /** Globs (relative to appDir) left out of the package. */
  exclude?: string[];
  /** After packaging, install on these ares devices (names set up with ares-setup-device) with ares-install. */
  installOn?: string | string[];
  /** A dry run: a missing ares-install is a warning, not an error. */
  dryRun?: boolean;
}

export interface NormalizedWebosOptions {
  appDir: string;
  outFile: string;
  info: WebosAppInfo;
  fileCount: number;
  exclude: string[];
  /** Devices to install the package on after packaging (validated; empty for none). */
  installOn?: string[];
}

/** Paths are relative to the workspace root (see TvPathContext for the project root). */
export function normalizeWebosOptions(o: PackageWebosOptions, workspaceRoot: string, paths: TvPathContext = {}, env: NodeJS.ProcessEnv = process.env): NormalizedWebosOptions {
  const base = { workspaceRoot, ...paths };
  if (!o.appDir) throw new UserError('appDir', 'is required', 'Point it at the built web app folder that holds appinfo.json');
  const appDir = pathOption('appDir', o.appDir, base)!;
  if (!existsSync(appDir) || !statSync(appDir).isDirectory()) throw new UserError('appDir', `${appDir} is not a folder`, 'Build the app first, or set appDir to the folder that holds appinfo.json');
  const json = readAppInfo(appDir);
  if (json === undefined) throw new UserError('appDir', `${join(appDir, 'appinfo.json')} does not exist`, 'A webOS app needs appinfo.json at its root (nx g @shipfleet/nx:webos-app scaffolds one)');
  const { info, problems } = validateAppInfo(json, appDir);
  if (!info) {
    throw new UserError('appDir', `${join(appDir, 'appinfo.json')} has ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${problems.map((p) => `  - "${p.field}" ${p.problem}. ${p.fix}`).join('\n')}`, 'Fix appinfo.json and run again');
  }
  const exclude = o.exclude ?? [];
  const installOn = installOnOption(o.installOn, 'webos');
  if (installOn.length) checkInstallTools('webos', env, o.dryRun ? { warn: paths.warn } : undefined);
  const files = listAppFiles(appDir, 'appDir', exclude);
  const outDir = requiredOption('outputPath', pathOption('outputPath', o.outputPath, base), 'Give the folder to write the .ipk to, e.g. "dist/shipfleet/tv"');
  return { appDir, outFile: join(outDir, ipkFileName(info)), info, fileCount: files.length, exclude, installOn };
}

export function buildWebosPlan(o: NormalizedWebosOptions): Plan {
  const plan = buildPackagePlan(o);
  if (o.installOn?.length) plan.steps.push(webosInstallStep(o.outFile, o.installOn));
  return plan;
}

function buildPackagePlan(o: NormalizedWebosOptions): Plan {
  const name = ipkFileName(o.info);
  return {
    title: `package-webos ${name}`,
    outputs: { ipk: o.outFile },
    steps: [
      taskStep(
        `Package ${name}`,
        [
          `${o.info.id} ${o.info.version}: ${o.fileCount} files from ${o.appDir}`,
          `ar archive: debian-binary (2.0), control.tar.gz (control), data.tar.gz (usr/palm/applications/${o.info.id}/…, usr/palm/packages/${o.info.id}/packageinfo.json)`,
          `write ${o.outFile}`,
        ].join('\n     '),
        async (ctx) => {
          const result = await writeIpk(o.info, listAppFiles(o.appDir, 'appDir', o.exclude), o.outFile);
          ctx.log(`${result.path}: ${result.files} files, ${result.bytes} bytes`);
          ctx.setOutput('ipk', result.path);
        },
      ),
    ],
  };
}
