import { rmSync } from 'fs';
import { basename } from 'path';
import { pathOption, Plan, taskStep, TaskStep } from '@shipfleet/core';
import { checkWgt, describeWgtProblems } from './check-wgt';
import type { TvPathContext } from './tizen-plan';

const DESCRIPTION =
  'both signature files present; every file (dotfiles included) referenced by both signatures, author-signature.xml by the distributor one; no reference to a missing file; every digest, the #prop digests and the signature values checked';

/** The step that checks a package just written: a package with a problem fails the run and is removed, so no bad .wgt is left behind. */
export function checkWrittenWgtStep(wgtPath: string): TaskStep {
  return taskStep(`Check ${basename(wgtPath)}`, DESCRIPTION, async (ctx) => {
    const check = await checkWgt(wgtPath);
    if (!check.ok) {
      rmSync(wgtPath, { force: true });
      throw new Error(`${describeWgtProblems(wgtPath, check)}\nThe package was removed: a TV would refuse to install it.`);
    }
    ctx.log(`${basename(wgtPath)}: ${check.files} files, every one signed by both signatures (${check.digests.join(', ') || 'no'} digests)`);
  });
}

/** `package-tizen --verify=<file>`: checks an existing .wgt (from shipfleet or Tizen Studio) and packages nothing. */
export function buildVerifyWgtPlan(verify: string, workspaceRoot: string, paths: TvPathContext = {}): Plan {
  const wgtPath = pathOption('verify', verify, { workspaceRoot, ...paths, mustExist: 'file', fix: 'Give the path of a .wgt file, relative to the workspace root' })!;
  return {
    title: `package-tizen --verify ${basename(wgtPath)}`,
    outputs: { wgt: wgtPath },
    steps: [
      taskStep(`Check ${wgtPath}`, DESCRIPTION, async (ctx) => {
        const check = await checkWgt(wgtPath);
        if (!check.ok) throw new Error(describeWgtProblems(wgtPath, check));
        ctx.log(`${wgtPath}: ${check.files} files, every one signed by both signatures (${check.digests.join(', ') || 'no'} digests); certificate chains are left to the device`);
        ctx.setOutput('wgt', wgtPath);
      }),
    ],
  };
}
