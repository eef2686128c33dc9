/**
 * Shell blocks the workflow uses in more than one step. Values from the
 * workflow reach every script through env and are quoted: a script never
 * holds a `${{ }}` expression, so nothing in a ledger record, a project name
 * or a step output is read as shell code.
 */

export const LEDGER_REF = 'refs/shipfleet/ledger';

/** Authenticates this step's git commands with GITHUB_TOKEN through its environment; nothing is written to .git/config. */
export const GIT_AUTH = `# The token reaches git through this step's environment only, never through .git/config.
basic=$(printf 'x-access-token:%s' "$GITHUB_TOKEN" | base64 | tr -d '\\n')
echo "::add-mask::$basic"
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0="http.$SERVER_URL/.extraheader" GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $basic"
unset GITHUB_TOKEN`;

/** Fetches the git ledger; only "no such ref on origin" (a first deploy) lets the job go on without it. */
export const FETCH_LEDGER = `# Before the first deploy origin has no ledger (ls-remote exits 2); any other failure stops the job.
status=0
git ls-remote --exit-code origin ${LEDGER_REF} > /dev/null || status=$?
if [ "$status" -eq 0 ]; then
  git fetch --no-tags origin +${LEDGER_REF}:${LEDGER_REF} || { echo "::error::Could not fetch the deploy ledger ${LEDGER_REF} from origin"; exit 1; }
elif [ "$status" -ne 2 ]; then
  echo "::error::Could not read the deploy ledger ${LEDGER_REF} from origin (git ls-remote exited $status); check the network and the job's contents permission"
  exit 1
fi`;

/** Computes the base commit of an environment: from the ledger, or the first commit when nothing is deployed there yet. */
export function baseScript(env: string): string {
  return `status=0
base=$(npx shipfleet base --env=${env} --ledger=git) || status=$?
if [ "$status" -eq 2 ]; then
  # Nothing is deployed to ${env} yet: everything since the first commit is new there.
  base=$(git rev-list --max-parents=0 HEAD | tail -n 1)
elif [ "$status" -ne 0 ]; then
  echo "::error::shipfleet base failed (exit $status): what is live in ${env} is unknown"
  exit 1
fi
if ! [[ "$base" =~ ^[0-9a-f]{40}([0-9a-f]{24})?$ ]]; then
  echo "::error::shipfleet base did not print a commit id; check the deploy ledger ${LEDGER_REF}"
  exit 1
fi
echo "base=$base" >> "$GITHUB_OUTPUT"`;
}

export const MATRIX_SCRIPT = `matrix=$(npx shipfleet matrix --base="$BASE" --head="$HEAD_SHA")
if [[ "$matrix" != \\[*\\] || "$matrix" == *$'\\n'* ]]; then
  echo "::error::shipfleet matrix did not print a JSON list on one line"
  exit 1
fi
echo "matrix=$matrix" >> "$GITHUB_OUTPUT"`;

export function deployScript(env: string): string {
  return `${GIT_AUTH}
${FETCH_LEDGER}
# A deploy split by runner deploys only this row's part (PART is empty for the others).
npx nx run "$PROJECT:deploy" --env=${env} --ledger=git --ledgerRemote=origin \${PART:+"--part=$PART"}`;
}

/** The lines of a block, each indented by that many spaces (for a YAML `run: |` literal). */
export function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((line) => (line ? ' '.repeat(spaces) + line : ''))
    .join('\n');
}
