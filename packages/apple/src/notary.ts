import { isPlainObject } from '@shipfleet/core';

export interface NotarySubmission {
  id: string;
  status: string;
  message?: string;
  name?: string;
}

export interface NotaryIssue {
  severity?: string;
  path?: string;
  message: string;
  docUrl?: string;
  architecture?: string;
}

export interface NotaryLog {
  status?: string;
  statusSummary?: string;
  issues: NotaryIssue[];
}

/** Every JSON object in the text: the whole text, else each line that is one. */
function jsonObjects(text: string): Record<string, unknown>[] {
  const trimmed = text.trim();
  try {
    const whole = JSON.parse(trimmed);
    if (isPlainObject(whole)) return [whole];
  } catch {
    /* several lines */
  }
  const out: Record<string, unknown>[] = [];
  for (const line of trimmed.split('\n')) {
    const l = line.trim();
    if (!l.startsWith('{')) continue;
    try {
      const v = JSON.parse(l);
      if (isPlainObject(v)) out.push(v);
    } catch {
      /* not JSON */
    }
  }
  return out;
}

/**
 * Reads `notarytool submit --wait --output-format json`: the last object with
 * an id. notarytool exits 0 whatever the verdict, so the status must be read:
 * only "Accepted" is a pass ("Invalid", "Rejected", "In Progress" are not).
 */
export function parseNotarySubmission(stdout: string): NotarySubmission {
  const found = jsonObjects(stdout).filter((o) => typeof o.id === 'string').pop();
  if (!found) throw new Error(`notarytool printed no submission result${stdout.trim() ? `: ${stdout.trim().split('\n')[0].slice(0, 200)}` : ''}`);
  return {
    id: String(found.id),
    status: typeof found.status === 'string' ? found.status : 'unknown',
    message: typeof found.message === 'string' ? found.message : undefined,
    name: typeof found.name === 'string' ? found.name : undefined,
  };
}

/** Reads the notarization log (`notarytool log <id>`): status, summary and each issue. */
export function parseNotaryLog(text: string): NotaryLog {
  const data = jsonObjects(text)[0];
  if (!data) return { issues: [] };
  const issues = Array.isArray(data.issues)
    ? data.issues.filter(isPlainObject).map((i) => ({
        severity: typeof i.severity === 'string' ? i.severity : undefined,
        path: typeof i.path === 'string' ? i.path : undefined,
        message: typeof i.message === 'string' ? i.message : JSON.stringify(i),
        docUrl: typeof i.docUrl === 'string' ? i.docUrl : undefined,
        architecture: typeof i.architecture === 'string' ? i.architecture : undefined,
      }))
    : [];
  return {
    status: typeof data.status === 'string' ? data.status : undefined,
    statusSummary: typeof data.statusSummary === 'string' ? data.statusSummary : undefined,
    issues,
  };
}

export function formatNotaryFailure(sub: NotarySubmission, log: NotaryLog | undefined): string {
  const lines = [`notarization ${sub.id} finished with status ${sub.status}${log?.statusSummary ? `: ${log.statusSummary}` : sub.message ? `: ${sub.message}` : ''}`];
  for (const i of log?.issues ?? []) {
    lines.push(`  - ${i.severity ?? 'issue'}: ${i.path ?? '(no path)'}${i.architecture ? ` [${i.architecture}]` : ''}: ${i.message}${i.docUrl ? ` (${i.docUrl})` : ''}`);
  }
  if (log && !log.issues.length) lines.push('  (the notarization log lists no issues)');
  return lines.join('\n');
}
