#!/usr/bin/env node
// Stand-in for Gradle with the Android Gradle Plugin, started by the gradlew stand-in.
// `:<module>:bundle<Variant>` and `:<module>:assemble<Variant>` write what AGP writes where AGP writes
// it: <module>/build/outputs/bundle/<variant>/<module>-<flavor>-<buildType>.aab, or
// apk/<flavor>/<buildType>/<module>-<flavor>-<buildType>[-unsigned].apk, signed when the injected
// signing properties arrived (as -P arguments or ORG_GRADLE_PROJECT_* variables), plus R8's mapping.txt.
// The version comes from the shipfleetVersionCode/shipfleetVersionName properties.
// Controls: SHIPFLEET_GRADLE_FAIL=1 fails the build; SHIPFLEET_GRADLE_NO_MAPPING=1 writes no mapping.txt;
// SHIPFLEET_GRADLE_NATIVE_SYMBOLS=1 writes native-debug-symbols.zip; SHIPFLEET_STANDIN_ECHO_ENV=A,B prints those variables.
const fs = require('fs');
const path = require('path');
const { record, echoRequestedEnv } = require('../record');
const { buildApk, buildAab, signApk, signAab, applicationId, run } = require('./android-outputs');

const args = process.argv.slice(2);
record('gradle', args);
echoRequestedEnv();

const root = process.cwd();
const rootName = path.basename(root);

function fail(lines) {
  console.error(['', 'FAILURE: Build failed with an exception.', '', '* What went wrong:', ...lines, '', '* Try:', '> Run with --stacktrace option to get the stack trace.', '', 'BUILD FAILED in 1s'].join('\n'));
  process.exit(1);
}

/** Project properties: ORG_GRADLE_PROJECT_<name> variables, then -P<name>=<value> arguments (which win, as in Gradle). */
const properties = {};
for (const [name, value] of Object.entries(process.env)) if (name.startsWith('ORG_GRADLE_PROJECT_')) properties[name.slice('ORG_GRADLE_PROJECT_'.length)] = value;
for (const arg of args) {
  const m = /^-P([^=]+)=(.*)$/s.exec(arg);
  if (m) properties[m[1]] = m[2];
}

const tasks = args.filter((a) => !a.startsWith('-'));
if (!tasks.length) {
  console.log('> Task :help\n\nWelcome to Gradle.\n\nBUILD SUCCESSFUL in 1s');
  process.exit(0);
}
if (process.env.SHIPFLEET_GRADLE_FAIL) fail([`Execution failed for task '${tasks[0].replace(/:[^:]*$/, '')}:compileReleaseKotlin'.`, '> A failure occurred while executing org.jetbrains.kotlin.compilerRunner.GradleCompilerRunnerWithWorkers$GradleKotlinCompilerWorkAction', '   > Compilation error. See log for more details']);

const lcfirst = (s) => s.charAt(0).toLowerCase() + s.slice(1);
const buildFileOf = (dir) => ['build.gradle.kts', 'build.gradle'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));

const injected = (name) => properties[`android.injected.signing.${name}`];
const signing = ['store.file', 'store.password', 'key.alias', 'key.password'].map(injected);
if (signing.some(Boolean) && !signing.every(Boolean)) fail(['The injected signing config is incomplete: android.injected.signing.store.file, .store.password, .key.alias and .key.password are all needed.']);
const signed = signing.every(Boolean);
if (signed && !fs.existsSync(injected('store.file'))) fail([`Keystore file '${injected('store.file')}' not found for signing config 'externalOverride'.`]);

const versionCode = properties.shipfleetVersionCode || '1';
const versionName = properties.shipfleetVersionName || '1.0';

for (const task of tasks) {
  const m = /^:?((?:[\w-]+:)*)(bundle|assemble)([A-Z]\w*)$/.exec(task);
  const modulePath = m ? m[1].replace(/:$/, '') : '';
  const moduleDir = modulePath ? path.join(root, ...modulePath.split(':')) : root;
  if (!m || !buildFileOf(moduleDir)) {
    fail(m ? [`Project '${modulePath}' not found in root project '${rootName}'.`] : [`Task '${task}' not found in root project '${rootName}'.`]);
  }
  const moduleName = modulePath ? modulePath.split(':').pop() : rootName;
  const variantCap = m[3];
  const split = /^(.*?)([A-Z][a-z0-9]*)$/.exec(variantCap);
  const flavor = split[1] ? lcfirst(split[1]) : undefined;
  const buildType = lcfirst(split[2]);
  const variant = lcfirst(variantCap);
  const outputs = path.join(moduleDir, 'build', 'outputs');
  const packageName = applicationId(fs.readFileSync(buildFileOf(moduleDir), 'utf8'));
  const stem = `${moduleName}-${flavor ? `${flavor}-` : ''}${buildType}`;
  console.log(`> Task :${modulePath ? `${modulePath}:` : ''}pre${variantCap}Build UP-TO-DATE`);
  try {
    if (m[2] === 'bundle') {
      const aab = path.join(outputs, 'bundle', variant, `${stem}.aab`);
      buildAab({ out: aab, packageName, versionCode, versionName });
      if (signed) signAab({ aab, keystore: injected('store.file'), alias: injected('key.alias'), storePassword: injected('store.password'), keyPassword: injected('key.password') });
    } else {
      const dir = path.join(outputs, 'apk', ...(flavor ? [flavor] : []), buildType);
      const apk = path.join(dir, signed ? `${stem}.apk` : `${stem}-unsigned.apk`);
      const main = path.join(moduleDir, 'src', 'main');
      if (!fs.existsSync(path.join(main, 'AndroidManifest.xml'))) fail([`Execution failed for task ':${modulePath}:process${variantCap}MainManifest'.`, `> Manifest file does not exist: ${path.join(main, 'AndroidManifest.xml')}`]);
      buildApk({ manifest: path.join(main, 'AndroidManifest.xml'), res: path.join(main, 'res'), out: apk, packageName, versionCode, versionName });
      if (signed) signApk({ apk, keystore: injected('store.file'), alias: injected('key.alias'), storePassword: injected('store.password'), keyPassword: injected('key.password') });
    }
  } catch (err) {
    fail([`Execution failed for task '${task}'.`, `> ${err.message}`]);
  }
  if (!process.env.SHIPFLEET_GRADLE_NO_MAPPING) {
    const mapping = path.join(outputs, 'mapping', variant, 'mapping.txt');
    fs.mkdirSync(path.dirname(mapping), { recursive: true });
    fs.writeFileSync(mapping, `# compiler: R8\n${packageName}.MainActivity -> ${packageName}.MainActivity:\n`);
  }
  if (process.env.SHIPFLEET_GRADLE_NATIVE_SYMBOLS) {
    const dir = path.join(outputs, 'native-debug-symbols', variant);
    fs.mkdirSync(path.join(dir, 'arm64-v8a'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'arm64-v8a', 'libapp.so.sym'), 'symbols');
    fs.rmSync(path.join(dir, 'native-debug-symbols.zip'), { force: true });
    run('zip', ['-q', '-r', 'native-debug-symbols.zip', 'arm64-v8a'], { cwd: dir });
    fs.rmSync(path.join(dir, 'arm64-v8a'), { recursive: true, force: true });
  }
  console.log(`> Task ${task}`);
}
console.log('\nBUILD SUCCESSFUL in 1s');
console.log(`${tasks.length * 2} actionable tasks: ${tasks.length * 2} executed`);
