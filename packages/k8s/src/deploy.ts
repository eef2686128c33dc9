import { DeployIO } from './deploy-io';
import { K8sDeployResult, workloadOutcome } from './deploy-result';
import { gatherReasons } from './gather-reasons';
import { RollbackOutcome, rollBackWorkloads } from './rollback';
import { isWorkload, K8sObject, ObjectRef, refKey, refOf } from './types';
import { WaitResult, waitForRollouts } from './wait-rollout';

export interface WaitStepOptions {
  timeoutSeconds: number;
  rollbackOnFailure: boolean;
  fieldManager: string;
}

/** Records why each failed workload did not roll out, and logs it. */
async function explainFailures(io: DeployIO, failures: WaitResult[], timeoutSeconds: number, result: K8sDeployResult): Promise<void> {
  for (const f of failures) {
    const o = workloadOutcome(result, f.ref);
    const reasons = f.object ? await gatherReasons(io.client, f.object, f.status) : { summary: f.status.message, details: [] };
    o.reason = f.outcome === 'timeout' ? `${reasons.summary} (not complete after ${timeoutSeconds}s: ${f.status.message})` : reasons.summary;
    o.details = reasons.details;
    io.log(`${o.workload} did not roll out: ${o.reason}`);
    for (const d of reasons.details) io.log(`  ${d}`);
  }
}

/** The error message of a failed deploy: each failed workload and what became of it, then the others rolled back. */
function failureSummary(failures: WaitResult[], rollback: RollbackOutcome, undoResults: WaitResult[], result: K8sDeployResult): string {
  const failedKeys = new Set(failures.map((f) => refKey(f.ref)));
  const undoResult = (ref: ObjectRef) => undoResults.find((u) => refKey(u.ref) === refKey(ref));
  const parts: string[] = [];
  for (const f of failures) {
    const o = workloadOutcome(result, f.ref);
    const u = undoResult(f.ref);
    if (u && u.outcome === 'done') {
      o.state = 'rolled-back';
      parts.push(`${o.workload} rolled back to revision ${o.rolledBackTo}: ${o.reason}`);
    } else if (u) {
      o.state = 'rollback-incomplete';
      parts.push(`${o.workload} rolled back to revision ${o.rolledBackTo}, but that rollout did not complete either (${u.status.message}): ${o.reason}`);
    } else {
      parts.push(`${o.workload} did not roll out (${rollback.notRolledBack.get(refKey(f.ref)) ?? 'not rolled back'}): ${o.reason}`);
    }
  }
  for (const r of rollback.rolledBack) {
    if (failedKeys.has(refKey(r.ref))) continue;
    const o = workloadOutcome(result, r.ref);
    const u = undoResult(r.ref);
    o.state = u?.outcome === 'done' ? 'rolled-back' : 'rollback-incomplete';
    parts.push(`${o.workload} also rolled back to revision ${r.toRevision}${u?.outcome === 'done' ? '' : ` (not complete: ${u?.status.message})`}`);
  }
  return parts.join('; ');
}

/**
 * Waits for every workload; when one fails or the time runs out, collects
 * the reasons, undoes every workload this deploy changed (unless
 * rollbackOnFailure is off), waits for the undo, and throws an Error that
 * names the workload, what happened and why.
 */
export async function waitAndRollback(io: DeployIO, applied: K8sObject[], opts: WaitStepOptions, result: K8sDeployResult): Promise<void> {
  const workloads = applied.filter(isWorkload);
  if (!workloads.length) {
    io.log('no Deployment, StatefulSet or DaemonSet to wait for');
    return;
  }
  const timeoutMs = opts.timeoutSeconds * 1000;
  const results = await waitForRollouts(io, workloads.map(refOf), timeoutMs);
  if (io.signal?.aborted) throw new Error('interrupted');
  for (const r of results) {
    const o = workloadOutcome(result, r.ref);
    o.message = r.status.message;
    o.state = r.outcome === 'done' ? (r.status.skipped ? 'skipped' : 'rolled-out') : r.outcome === 'failed' ? 'failed' : 'not-completed';
  }
  const failures = results.filter((r) => r.outcome === 'failed' || r.outcome === 'timeout');
  if (!failures.length) return;

  await explainFailures(io, failures, opts.timeoutSeconds, result);

  const rollback: RollbackOutcome = opts.rollbackOnFailure
    ? await rollBackWorkloads(io, workloads, new Set(failures.map((f) => refKey(f.ref))), opts.fieldManager, result)
    : { rolledBack: [], notRolledBack: new Map(failures.map((f) => [refKey(f.ref), 'left as it is: rollbackOnFailure is off'])) };

  let undoResults: WaitResult[] = [];
  if (rollback.rolledBack.length) {
    result.rolledBack = true;
    undoResults = await waitForRollouts(io, rollback.rolledBack.map((r) => r.ref), timeoutMs);
    if (io.signal?.aborted) throw new Error('interrupted');
  }

  result.failed = true;
  result.reason = failureSummary(failures, rollback, undoResults, result);
  throw new Error(result.reason);
}
