import { Tree } from '@nx/devkit';
import { join } from 'path';
import { UserError } from '@shipfleet/core';
import { ciSecrets } from '../../platforms';
import { finish, writeTemplates } from '../../utils/generator-utils';
import { ENV_NAME } from '../../utils/ledger';
import { baseScript, deployScript, FETCH_LEDGER, GIT_AUTH, indent, LEDGER_REF, MATRIX_SCRIPT } from './workflow-scripts';

export interface CiSchema {
  /** Environments deployed in order (default staging, production); each is a GitHub Environment, so approvals apply. */
  environments?: string[];
  /** Branch that deploys (default main). */
  branch?: string;
  /** Names of repository secrets passed to deploys as env vars (default: every platform's, from the registry). */
  secrets?: string[];
  skipFormat?: boolean;
}

/** Variables the deploy step sets for its own script; a secret of the same name would clash. */
const STEP_VARIABLES = ['PROJECT', 'PART', 'GITHUB_TOKEN', 'SERVER_URL'];

/** A GitHub Actions workflow: per environment, the affected projects' deploy targets as a matrix by runner OS. */
export async function ciGenerator(tree: Tree, o: CiSchema = {}) {
  const environments = o.environments ?? ['staging', 'production'];
  if (!Array.isArray(environments) || !environments.length) throw new UserError('environments', 'names no environment', 'e.g. --environments=staging,production');
  for (const env of environments) if (!ENV_NAME.test(env)) throw new UserError('environments', `"${env}" is not an environment name`, 'Use lowercase letters, digits and -');
  const branch = o.branch ?? 'main';
  if (!/^[A-Za-z0-9._/-]+$/.test(branch)) throw new UserError('branch', `"${branch}" is not a branch name`, 'e.g. main');
  const secrets = o.secrets ?? ciSecrets();
  for (const s of secrets) if (!/^[A-Z_][A-Z0-9_]*$/.test(s)) throw new UserError('secrets', `"${s}" is not a secret name`, 'GitHub secret names are capital letters, digits and _');
  for (const s of secrets) if (STEP_VARIABLES.includes(s)) throw new UserError('secrets', `"${s}" is a variable the deploy step sets itself`, 'Store that secret under another name');
  writeTemplates(tree, join(__dirname, 'files'), '.', {
    dot: '.',
    environments,
    branch,
    secrets,
    ledgerRef: LEDGER_REF,
    gitAuth: GIT_AUTH,
    fetchLedger: FETCH_LEDGER,
    matrixScript: MATRIX_SCRIPT,
    baseScript,
    deployScript,
    indent,
  });
  await finish(tree, o.skipFormat);
}

export default ciGenerator;
