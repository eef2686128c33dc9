import { runCaptured } from '../spawn';
import { gitRefOption, gitRemoteOption } from './git-options';
import { COMMIT_SHA } from './names';
import { LedgerBackend, LedgerRecord, parseLedger, serializeLedger } from './record';

const FILE = 'ledger.json';
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0' };

/** git's messages may quote a configured remote's URL: never show its credentials. */
function withoutCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1***@');
}

/** An object id git printed, checked before it goes back on a command line. */
function objectId(text: string, what: string): string {
  if (!COMMIT_SHA.test(text)) throw new Error(`git gave no object id for ${what}`);
  return text;
}

/**
 * The ledger kept in git, so CI machines share it: a chain of commits on a
 * ref (default refs/shipfleet/ledger) whose tree holds ledger.json. Updates
 * are compare-and-swap (`git update-ref <ref> <new> <old>`), retried on a
 * race; with a remote, the ref is fetched first and pushed after, and a
 * rejected push (someone else deployed) is merged and retried. The remote
 * and ref are checked here too, and every git call ends its options before
 * them, so neither can be read as an option.
 */
export class GitLedger implements LedgerBackend {
  private readonly ref: string;
  private readonly remote?: string;

  constructor(
    private readonly repoDir: string,
    ref = 'refs/shipfleet/ledger',
    remote?: string,
    private readonly attempts = 10,
  ) {
    this.ref = gitRefOption('ledgerRef', ref)!;
    this.remote = gitRemoteOption('ledgerRemote', remote);
  }

  get where(): string {
    return `git ${this.ref}${this.remote ? ` (remote ${this.remote})` : ''} in ${this.repoDir}`;
  }

  private run(args: string[], input?: string) {
    return runCaptured('git', args, { cwd: this.repoDir, input, env: GIT_ENV });
  }

  private async git(args: string[], input?: string): Promise<string> {
    const r = await this.run(args, input);
    if (r.exitCode !== 0) throw new Error(`git ${args[0]} failed for the deploy ledger (${this.where}): ${withoutCredentials(r.stderr.trim())}`);
    return r.stdout.trim();
  }

  private async head(): Promise<string | undefined> {
    const r = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${this.ref}^{commit}`]);
    return r.exitCode === 0 ? objectId(r.stdout.trim(), this.ref) : undefined;
  }

  private async recordsAt(commit: string | undefined): Promise<LedgerRecord[]> {
    return commit ? parseLedger(await this.git(['show', '--end-of-options', `${commit}:${FILE}`]), this.where) : [];
  }

  /**
   * The remote ledger's head, or undefined when the remote has no ledger yet.
   * A fetch that fails for another reason (unreachable, no access) is an
   * error: answering from the local ledger alone would redeploy everything
   * or give a wrong base.
   */
  private async fetch(): Promise<string | undefined> {
    if (!this.remote) return undefined;
    const tracking = `${this.ref}.remote`;
    for (let tries = 1; ; tries++) {
      const fetched = await this.run(['fetch', '--quiet', '--', this.remote, `+${this.ref}:${tracking}`]);
      if (fetched.exitCode === 0) return objectId(await this.git(['rev-parse', '--verify', '--end-of-options', `${tracking}^{commit}`]), tracking);
      const probe = await this.run(['ls-remote', '--exit-code', '--', this.remote, this.ref]);
      if (probe.exitCode === 2) return undefined; // Reachable, no such ref: nobody has deployed through this remote yet.
      // Exit 0: the ref appeared between the two calls (a first deploy elsewhere); fetch again once.
      if (probe.exitCode !== 0 || tries >= 2) {
        throw new Error(`cannot fetch the deploy ledger from ${this.remote} (${this.ref}): ${withoutCredentials((fetched.stderr || probe.stderr).trim())}`);
      }
    }
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
      const blob = objectId(await this.git(['hash-object', '-w', '--stdin'], serializeLedger(records)), FILE);
      const tree = objectId(await this.git(['mktree'], `100644 blob ${blob}\t${FILE}\n`), 'the ledger tree');
      const parents = [localHead, remoteHead].filter((p, i, all): p is string => !!p && all.indexOf(p) === i);
      // commit-tree takes no "--"; its only positional argument is the tree id git just printed.
      const commit = objectId(
        await this.git(['-c', 'user.name=shipfleet', '-c', 'user.email=shipfleet@localhost', 'commit-tree', ...parents.flatMap((p) => ['-p', p]), '-m', `deploy ${record.project}:${record.target} to ${record.environment}: ${record.result}`, tree]),
        'the ledger commit',
      );
      const cas = await this.run(['update-ref', '--', this.ref, commit, localHead ?? '']);
      if (cas.exitCode !== 0) {
        if (attempt >= this.attempts) throw new Error(`could not update the deploy ledger ${this.where} after ${attempt} attempts: ${cas.stderr.trim()}`);
        continue;
      }
      if (!this.remote) return;
      const push = await this.run(['push', '--quiet', '--', this.remote, `${this.ref}:${this.ref}`]);
      if (push.exitCode === 0) return;
      if (attempt >= this.attempts) throw new Error(`could not push the deploy ledger to ${this.remote} after ${attempt} attempts: ${withoutCredentials(push.stderr.trim())}`);
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
 * Only full commit ids are accepted: they come from ledger records.
 */
export async function baseCommit(repoDir: string, commits: string[]): Promise<string | undefined> {
  const invalid = commits.findIndex((c) => !COMMIT_SHA.test(c));
  if (invalid >= 0) throw new Error(`deployed commit ${invalid + 1} of ${commits.length} is not a full commit id`);
  if (!commits.length) return undefined;
  if (commits.length === 1) return commits[0];
  const r = await runCaptured('git', ['merge-base', '--octopus', '--', ...commits], { cwd: repoDir });
  if (r.exitCode !== 0) throw new Error(`git merge-base failed: ${r.stderr.trim() || 'the deployed commits have no common ancestor here (fetch more history?)'}`);
  return r.stdout.trim();
}
