// Runs a package-electron plan in a process of its own: electron-builder loads ESM modules with
// import(), which jest's CommonJS sandbox refuses. Prints the run as JSON on the last line.
// argv: <workspace root> <project root> <options as JSON>
import { memoryLogger, runPlan } from '@shipfleet/core';
import { buildPackageElectronPlan, resolvePackageElectronOptions } from '../index';

async function main() {
  const [workspaceRoot, projectRoot, json] = process.argv.slice(2);
  const { logger, lines } = memoryLogger();
  const resolved = resolvePackageElectronOptions(JSON.parse(json), { workspaceRoot, projectRoot }, process.env, (m) => lines.push(`warning: ${m}`));
  const { plan, secrets, result } = buildPackageElectronPlan(resolved);
  const report = await runPlan(plan, { secrets, logger, handleSignals: false });
  process.stdout.write(`\n${JSON.stringify({ report, result, lines })}\n`);
  // electron-builder's download machinery can keep sockets and timers open after a failure.
  process.exit(0);
}

void main();
