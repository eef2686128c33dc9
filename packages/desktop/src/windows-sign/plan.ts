import { randomBytes } from 'crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, statSync } from 'fs';
import { basename, dirname, join } from 'path';
import { cleanupStep, Plan, runStep, Step, taskStep, writeStep } from '@shipfleet/core';
import { NormalizedSignWindowsOptions } from './options';
import { osslsigncodeSignArgs, osslsigncodeVerifyArgs } from './osslsigncode';
import { commandArgv, writesCopy } from './sign-command';
import { SigntoolCertificate, signtoolSignArgs, signtoolVerifyArgs } from './signtool';

export interface SignWindowsPlan {
  plan: Plan;
  /** Values to mask in every output of the run: pass them to runPlan's `secrets`. */
  secrets: string[];
  /** The private folder for key material, when the plan needs one (removed by a cleanup). */
  workDir?: string;
  files: string[];
}

/** Where osslsigncode writes a signed copy: beside the file (same file system, so the rename is atomic), hidden, unique. */
export function signingOutputPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.signing`);
}

/** Renames the verified signed copy over the file, keeping the file's mode (an atomic rename on one file system). */
function replaceStep(output: string, file: string): Step {
  return taskStep(`Replace ${basename(file)} with its signed copy`, `rename ${output} → ${file} (keeping the file's mode)`, () => {
    chmodSync(output, statSync(file).mode & 0o7777);
    renameSync(output, file);
  });
}

/**
 * Signs each file in place and verifies it. osslsigncode writes a signed copy
 * that is verified before it replaces the file, so a failed or interrupted run
 * leaves the original as it was. Key material (a .p12 given as base64, the
 * password file osslsigncode reads with -readpass) lives in a private 0700
 * folder whose removal is registered before anything is written into it.
 */
export function signWindowsPlan(o: NormalizedSignWindowsOptions): SignWindowsPlan {
  const steps: Step[] = [];
  const needsPasswordFile = o.method === 'osslsigncode' && o.password !== undefined;
  const needsP12File = !!o.p12?.bytes;
  const workDir = needsPasswordFile || needsP12File ? o.workDir : undefined;

  if (workDir) {
    steps.push(
      cleanupStep(`Remove ${workDir}`, { kind: 'task', description: `rm -rf ${workDir} (the decoded .p12 and the password file)`, run: () => rmSync(workDir, { recursive: true, force: true }) }),
      taskStep('Create a private folder for the signing key', `mkdir -m 0700 ${workDir}`, () => {
        mkdirSync(workDir, { recursive: true, mode: 0o700 });
        chmodSync(workDir, 0o700);
      }),
    );
  }
  // In a dry run without the .p12, its placeholder stands where the file would be.
  let p12Path = o.p12?.path ?? o.p12?.label;
  if (workDir && o.p12?.bytes) {
    p12Path = join(workDir, 'certificate.p12');
    steps.push(writeStep(`Decode the .p12 from ${o.p12.label}`, p12Path, o.p12.bytes, { mode: 0o600, secret: true }));
  }
  let passwordFile: string | undefined;
  if (workDir && needsPasswordFile) {
    passwordFile = join(workDir, 'p12-password');
    // osslsigncode reads it with -readpass: the password never reaches a command line.
    steps.push(writeStep('Write the .p12 password for osslsigncode -readpass', passwordFile, o.password!, { mode: 0o600, secret: true }));
  }

  const verifyStep = (file: string, shown: string) =>
    o.verifier === 'signtool'
      ? runStep(`Verify the signature of ${shown}`, o.signtoolPath, signtoolVerifyArgs(file), { timeoutMs: o.timeoutMs })
      : runStep(`Verify the signature of ${shown}`, o.osslsigncodePath, osslsigncodeVerifyArgs(file, o.caFile), { timeoutMs: o.timeoutMs });

  for (const file of o.files) {
    const name = basename(file);
    if (o.method === 'osslsigncode') {
      const output = signingOutputPath(file);
      steps.push(
        cleanupStep(`Remove ${output} if left`, { kind: 'task', description: `rm -f ${output}`, run: () => rmSync(output, { force: true }) }),
        runStep(
          `Sign ${name}`,
          o.osslsigncodePath,
          osslsigncodeSignArgs({ p12: p12Path!, passwordFile, timestampUrls: o.timestampUrls, description: o.description, descriptionUrl: o.descriptionUrl, input: file, output }),
          { timeoutMs: o.timeoutMs },
        ),
      );
      if (o.verifier) steps.push(verifyStep(output, `the signed copy of ${name}`));
      steps.push(replaceStep(output, file));
    } else if (o.method === 'signtool') {
      const certificate: SigntoolCertificate = o.certificateSha1
        ? { kind: 'store', sha1: o.certificateSha1, store: o.certificateStore, machineStore: o.machineStore }
        : { kind: 'file', p12: p12Path!, password: o.password };
      steps.push(runStep(`Sign ${name}`, o.signtoolPath, signtoolSignArgs({ certificate, timestampUrl: o.timestampUrls[0], description: o.description, descriptionUrl: o.descriptionUrl, file }), { timeoutMs: o.timeoutMs }));
      if (o.verifier) steps.push(verifyStep(file, name));
    } else {
      const output = writesCopy(o.command!) ? signingOutputPath(file) : undefined;
      const [program, ...args] = commandArgv(o.command!, file, output);
      if (output) steps.push(cleanupStep(`Remove ${output} if left`, { kind: 'task', description: `rm -f ${output}`, run: () => rmSync(output, { force: true }) }));
      steps.push(runStep(`Sign ${name} with ${basename(program)}`, program, args, { timeoutMs: o.timeoutMs, ...(o.secretEnv.length ? { secretEnv: o.secretEnv } : {}) }));
      if (o.verifier) steps.push(verifyStep(output ?? file, output ? `the signed copy of ${name}` : name));
      if (output) steps.push(replaceStep(output, file));
    }
  }

  const how = o.method === 'command' ? basename(o.command![0]) : o.method;
  return {
    plan: {
      title: `Sign ${o.files.length === 1 ? basename(o.files[0]) : `${o.files.length} files`} for Windows (Authenticode, ${how})`,
      steps,
      outputs: { signedFiles: o.files.join(', ') },
    },
    secrets: o.secrets,
    workDir,
    files: o.files,
  };
}
