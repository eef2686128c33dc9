import { existsSync, readdirSync, statSync } from 'fs';
import { basename, join } from 'path';
import { flutterOutput, flutterSignedApk } from './flutter';
import { ResolvedAndroidBuild } from './options';

/** The folder Gradle writes a module's outputs to (Flutter's Gradle build writes into the Flutter project's build/). */
export function outputsDir(r: ResolvedAndroidBuild): string {
  if (r.kind === 'flutter') return join(r.projectRoot, 'build', 'app', 'outputs');
  return join(r.module === '.' ? r.gradleRoot : join(r.gradleRoot, r.module), 'build', 'outputs');
}

/** The name AGP gives the artefact: <module>-<flavor>-<buildType>[-unsigned].apk / .aab. */
function agpNames(r: ResolvedAndroidBuild): string[] {
  const stem = `${r.module === '.' ? basename(r.gradleRoot) : basename(r.module)}-${r.flavor ? `${r.flavor}-` : ''}${r.buildType}`;
  return r.format === 'aab' ? [`${stem}.aab`] : r.signing ? [`${stem}.apk`] : [`${stem}-unsigned.apk`, `${stem}.apk`];
}

/** The folder AGP writes the artefact to: bundle/<variant>/, or apk/<flavor>/<buildType>/. */
function agpDir(r: ResolvedAndroidBuild): string {
  const outputs = outputsDir(r);
  return r.format === 'aab' ? join(outputs, 'bundle', r.variant) : join(outputs, 'apk', ...(r.flavor ? [r.flavor] : []), r.buildType);
}

/** What a plan expects the build to write, for dry runs and messages. */
export function expectedArtefact(r: ResolvedAndroidBuild): string {
  if (r.kind === 'flutter') return r.format === 'apk' && r.signing ? flutterSignedApk(r) : flutterOutput(r);
  return join(agpDir(r), agpNames(r)[0]);
}

/**
 * The artefact the build wrote: the expected name when it is there, else the
 * only (or newest) .aab/.apk in the output folder, since a build may rename
 * its outputs (archivesBaseName, a custom output file name).
 */
export function findArtefact(r: ResolvedAndroidBuild): string {
  if (r.kind === 'flutter') {
    const path = expectedArtefact(r);
    if (!existsSync(path)) throw new Error(`flutter build finished but ${path} does not exist`);
    return path;
  }
  const dir = agpDir(r);
  for (const name of agpNames(r)) if (existsSync(join(dir, name))) return join(dir, name);
  const ext = `.${r.format}`;
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(ext) && statSync(join(dir, f)).isFile()) : [];
  if (!found.length) throw new Error(`Gradle finished but wrote no ${ext} file in ${dir}`);
  return found.map((f) => join(dir, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** R8's mapping.txt and the native debug symbols of the variant, when the build wrote them. */
export function symbolFiles(r: ResolvedAndroidBuild): { mapping?: string; nativeSymbols?: string } {
  const outputs = outputsDir(r);
  const mapping = join(outputs, 'mapping', r.variant, 'mapping.txt');
  const nativeSymbols = join(outputs, 'native-debug-symbols', r.variant, 'native-debug-symbols.zip');
  return { ...(existsSync(mapping) ? { mapping } : {}), ...(existsSync(nativeSymbols) ? { nativeSymbols } : {}) };
}
