import { runCaptured } from '../spawn';
import { LedgerBackend, LedgerRecord, parseLedger, serializeLedger } from './record';

const FILE = 'ledger.json';

/**
 * The ledger kept in git, so CI machines share it: a chain of commits on a
 * ref (default refs/shipfleet/ledger) whose tree holds ledger.json. Updates
 * are compare-and-swap (`git update-ref <ref> <new> <old>`), retried on a
 * race; with a remote, the ref is fetched first and pushed after, and a
 * rejected push (someone else deployed) is merged and retried.
 */
export class GitLedger implements LedgerBackend {
  constructor(
    private readonly repoDir: string,
    private readonly ref = 'refs/shipfleet/ledger',
    private readonly remote?: string,
    private readonly attempts = 10,
  ) {}

  get where(): string {
    return `git ${this.ref}${this.remote ? ` (remote ${this.remote})` : ''} in ${this.repoDir}`;
  }

  private async git(args: string[], input?: string): Promise<string> {
    const r = await runCaptured('git', args, { cwd: this.repoDir, input, env: { GIT_TERMINAL_PROMPT: '0' } });
    if (r.exitCode !== 0) throw new Error(`git ${args[0]} failed for the deploy ledger (${this.where}): ${r.stderr.trim()}`);
    return r.stdout.trim();
  }

  private async head(): Promise<string | undefined> {
    const r = await runCaptured('git', ['rev-parse', '--verify', '--quiet', this.ref], { cwd: this.repoDir });
    return r.exitCode === 0 ? r.stdout.trim() : undefined;
  }

  private async recordsAt(commit: string | undefined): Promise<LedgerRecord[]> {
    return commit ? parseLedger(await this.git(['show', `${commit}:${FILE}`]), this.where) : [];
  }

  private async fetch(): Promise<string | undefined> {
    if (!this.remote) return undefined;
    const r = await runCaptured('git', ['fetch', '--quiet', this.remote, `+${this.ref}:${this.ref}.remote`], { cwd: this.repoDir, env: { GIT_TERMINAL_PROMPT: '0' } });
    if (r.exitCode !== 0) return undefined; // No ledger on the remote yet.
    return this.git(['rev-parse', `${this.ref}.remote`]);
  }

  async read(): Promise<LedgerRecord[]> {
    const remote = await this.fetch();
    const local = await this.recordsAt(await this.head());
    return remote ? mergeRecords(local, await this.recordsAt(remote)) : local;
  }

  async append(record: LedgerRecord): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const remoteHead = await this.fetch();
      const localHead = await this.head();
      const records = mergeRecords(await this.recordsAt(localHead), await this.recordsAt(remoteHead));
      records.push(record);
      const blob = await this.git(['hash-object', '-w', '--stdin'], serializeLedger(records));
      const tree = await this.git(['mktree'], `100644 blob ${blob}\t${FILE}\n`);
      const parents = [localHead, remoteHead].filter((p, i, all): p is string => !!p && all.indexOf(p) === i);
      const commit = await this.git(
        ['-c', 'user.name=shipfleet', '-c', 'user.email=shipfleet@localhost', 'commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', `deploy ${record.project}:${record.target} to ${record.environment}: ${record.result}`],
      );
      const cas = await runCaptured('git', ['update-ref', this.ref, commit, localHead ?? ''], { cwd: this.repoDir });
      if (cas.exitCode !== 0) {
        if (attempt >= this.attempts) throw new Error(`could not update the deploy ledger ${this.where} after ${attempt} attempts: ${cas.stderr.trim()}`);
        continue;
      }
      if (!this.remote) return;
      const push = await runCaptured('git', ['push', '--quiet', this.remote, `${this.ref}:${this.ref}`], { cwd: this.repoDir, env: { GIT_TERMINAL_PROMPT: '0' } });
      if (push.exitCode === 0) return;
      if (attempt >= this.attempts) throw new Error(`could not push the deploy ledger to ${this.remote} after ${attempt} attempts: ${push.stderr.trim()}`);
    }
  }
}

/** Union of two ledgers, each record once (records are immutable; identity is their JSON). */
export function mergeRecords(a: LedgerRecord[], b: LedgerRecord[]): LedgerRecord[] {
  const seen = new Set<string>();
  const out: LedgerRecord[] = [];
  for (const r of [...a, ...b]) {
    const key = JSON.stringify(r);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(r);
    }
  }
  return out.sort((x, y) => (x.time < y.time ? -1 : x.time > y.time ? 1 : 0));
}

/**
 * The base commit for an environment: the newest commit that every
 * project's last successful deploy there includes, i.e. the merge base of
 * those commits. Changes after it are what some project has not deployed yet.
 */
export async function baseCommit(repoDir: string, commits: string[]): Promise<string | undefined> {
  if (!commits.length) return undefined;
  if (commits.length === 1) return commits[0];
  const r = await runCaptured('git', ['merge-base', '--octopus', ...commits], { cwd: repoDir });
  if (r.exitCode !== 0) throw new Error(`git merge-base failed: ${r.stderr.trim() || 'the deployed commits have no common ancestor here (fetch more history?)'}`);
  return r.stdout.trim();
}
