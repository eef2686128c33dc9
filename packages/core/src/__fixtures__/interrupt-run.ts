// Runs a plan whose second step sleeps for a minute; the test sends SIGINT to this process.
import { writeFileSync, existsSync } from 'fs';
import { join } from 'path';
import { runPlan, runStep, writeStep, cleanupStep, taskStep } from '../index';

const dir = process.argv[2];
const secretFile = join(dir, 'decoded.p12');
void runPlan(
  {
    title: 'interrupt me',
    steps: [
      cleanupStep('remove decoded certificate', { kind: 'task', description: 'rm', run: () => writeFileSync(join(dir, 'cleanup-ran'), String(existsSync(secretFile))) }),
      writeStep('decode certificate', secretFile, 'secret-bytes', { mode: 0o600 }),
      runStep('long build', process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(join(dir, 'child.pid'))}, String(process.pid)); setTimeout(() => {}, 60000)`]),
      taskStep('never reached', 'marks it ran', () => writeFileSync(join(dir, 'after-ran'), '1')),
    ],
  },
  { killGraceMs: 1000 },
);
