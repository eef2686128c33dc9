import { evaluate, truthy, Value } from './actions-expression';

export type JobResult = 'success' | 'failure' | 'skipped' | 'cancelled';

/** What a job does when it runs: its result and outputs. */
export interface JobOutcome {
  result: 'success' | 'failure';
  outputs?: Record<string, string>;
}

interface WorkflowJob {
  needs?: string | string[];
  if?: string;
}

const STATUS_FUNCTION = /\b(success|failure|always|cancelled)\s*\(/;

function needsOf(job: WorkflowJob): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

/**
 * Which jobs of a workflow run, and with what result, the way GitHub
 * decides it: in dependency order, a job's `if` is evaluated against its
 * needs; without a status function it is `success() && (if)`, and
 * success() requires every job it depends on, directly or not, to have
 * succeeded. A job that does not run is skipped.
 */
export function runJobs(jobs: Record<string, WorkflowJob>, outcomes: Record<string, JobOutcome>, opts: { cancelled?: boolean } = {}): Record<string, JobResult> {
  const results: Record<string, JobResult> = {};
  const outputs: Record<string, Record<string, string>> = {};
  const ancestors = new Map<string, Set<string>>();
  for (const [id, job] of Object.entries(jobs)) {
    const needs = needsOf(job);
    for (const n of needs) if (!(n in results)) throw new Error(`job ${id} needs ${n}, which is not an earlier job`);
    ancestors.set(id, new Set(needs.flatMap((n) => [n, ...ancestors.get(n)!])));
    const condition = (job.if ?? '').trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1').trim();
    const source = !condition ? 'success()' : STATUS_FUNCTION.test(condition) ? condition : `success() && (${condition})`;
    const all = [...ancestors.get(id)!].map((a) => results[a]);
    const runs = truthy(
      evaluate(source, {
        call: (fn) => {
          if (fn === 'success') return !opts.cancelled && all.every((r) => r === 'success');
          if (fn === 'failure') return all.some((r) => r === 'failure');
          if (fn === 'cancelled') return !!opts.cancelled;
          if (fn === 'always') return true;
          throw new Error(`unknown function ${fn}() in the if of ${id}`);
        },
        lookup: ([root, need, field, key]): Value | undefined => {
          if (root !== 'needs' || !needs.includes(need)) return undefined;
          if (field === 'result') return results[need];
          if (field === 'outputs') return outputs[need][key] ?? '';
          return undefined;
        },
      }),
    );
    const outcome = runs ? (outcomes[id] ?? { result: 'success' }) : undefined;
    results[id] = outcome ? outcome.result : opts.cancelled ? 'cancelled' : 'skipped';
    outputs[id] = outcome?.outputs ?? {};
  }
  return results;
}
