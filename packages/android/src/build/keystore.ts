import { randomBytes } from 'crypto';
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { cleanupStep, Step, taskStep } from '@shipfleet/core';
import { ResolvedSigning } from './signing-options';

/** Where the build finds the keystore, and the steps that put it there (none for a keystore file given by path). */
export interface StagedKeystore {
  path: string;
  steps: Step[];
}

/**
 * A keystore given as base64 in a variable is decoded into a private folder
 * when the plan runs: created with mode 0700 (failing if anything is already
 * there, as mkdtemp does), the file written 0600, and removed by a cleanup
 * step after success, failure or interruption. The folder's random name is
 * chosen with the plan, so the plan shows the real path the tools receive;
 * nothing is written before the plan runs (a dry run writes nothing).
 */
export function stageKeystore(signing: ResolvedSigning): StagedKeystore {
  const keystore = signing.keystore;
  if ('path' in keystore) return { path: keystore.path, steps: [] };
  const dir = join(tmpdir(), `shipfleet-keystore-${randomBytes(12).toString('hex')}`);
  const path = join(dir, 'upload.keystore');
  return {
    path,
    steps: [
      // Registered first: it runs even when writing the keystore fails half-way.
      cleanupStep('Remove the decoded upload keystore', { kind: 'task', description: `Delete ${dir} and the keystore in it`, run: () => rmSync(dir, { recursive: true, force: true }) }),
      taskStep('Decode the upload keystore', `Decode ${keystore.source} (base64) into ${path}: a new folder of mode 0700, the file mode 0600`, () => {
        mkdirSync(dir, { mode: 0o700 });
        writeFileSync(path, keystore.bytes, { mode: 0o600, flag: 'wx' });
      }),
    ],
  };
}
