// Runs a sign-windows plan in its own process, so a test can send it SIGINT.
// argv: <workspace root> <options as JSON> <file to write the plan's private folder to>
import { writeFileSync } from 'fs';
import { runPlan } from '@shipfleet/core';
import { normalizeSignWindowsOptions, signWindowsPlan } from '../index';

const [root, json, workDirFile] = process.argv.slice(2);
const built = signWindowsPlan(normalizeSignWindowsOptions(JSON.parse(json), root));
writeFileSync(workDirFile, built.workDir ?? '');
void runPlan(built.plan, { secrets: built.secrets, killGraceMs: 1000 });
