// Unified diffs of two texts (as `diff -u` writes them) for `k8s-deploy --diff`, through the `diff`
// package (jsdiff: Myers' algorithm, the hunks and headers of GNU diff).
import { structuredPatch } from 'diff';

/**
 * `old` and `next` as a unified diff (`diff -u`): a `---`/`+++` header, then
 * hunks with `context` lines around each change. Empty when they are equal.
 */
export function unifiedDiff(old: string, next: string, labels: { old: string; next: string }, context = 3): string[] {
  if (old === next) return [];
  const patch = structuredPatch(labels.old, labels.next, old, next, undefined, undefined, { context });
  if (!patch.hunks.length) return [];
  const out = [`--- ${labels.old}`, `+++ ${labels.next}`];
  for (const h of patch.hunks) {
    // As diff -u writes it: an empty side starts at the line before.
    out.push(`@@ -${h.oldLines ? h.oldStart : h.oldStart - 1},${h.oldLines} +${h.newLines ? h.newStart : h.newStart - 1},${h.newLines} @@`);
    // jsdiff marks a last line without a newline with "\ No newline at end of file", as diff does.
    out.push(...h.lines);
  }
  return out;
}
