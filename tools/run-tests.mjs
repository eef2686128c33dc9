// `npm test`: builds and packs the packages (the e2e suite installs the tarballs), runs every jest
// project, and ends with one plain line "N passed, N failed" counted from jest's JSON results.
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'fs';
import { join } from 'path';

const root = new URL('..', import.meta.url).pathname;
const results = join(root, 'reports', 'jest-results.json');
const env = { ...process.env, NX_SKIP_FORMAT: 'true', NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const extra = process.argv.slice(2);

const pack = spawnSync('node', [join(root, 'tools', 'package.mjs')], { cwd: root, stdio: 'inherit', env });
if (pack.status !== 0) {
  console.log('0 passed, 1 failed');
  console.error('npm run package failed: no test was run');
  process.exit(1);
}

mkdirSync(join(root, 'reports'), { recursive: true });
rmSync(results, { force: true });
const jest = spawnSync(join(root, 'node_modules', '.bin', 'jest'), ['--json', `--outputFile=${results}`, ...extra], { cwd: root, stdio: 'inherit', env });

if (!existsSync(results)) {
  console.log('0 passed, 1 failed');
  console.error('jest wrote no results: it did not run');
  process.exit(1);
}
const r = JSON.parse(readFileSync(results, 'utf8'));
// Suites that failed to run at all (syntax error, missing module) count as failures too.
const brokenSuites = r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
console.log(`${r.numPassedTests} passed, ${r.numFailedTests + brokenSuites} failed${r.numPendingTests ? `, ${r.numPendingTests} skipped` : ''}`);
process.exit(jest.status === 0 && r.numTotalTests > 0 ? 0 : 1);
