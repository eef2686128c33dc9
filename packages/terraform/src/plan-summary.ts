// What a saved plan will do, per resource address, from `terraform show -json <planfile>`
// (developer.hashicorp.com/terraform/internals/json-format: resource_changes[].change.actions).
// Only addresses and actions are kept: before/after values and "variables" may hold secrets.

export type ChangeAction = 'create' | 'update' | 'replace' | 'destroy' | 'read' | 'forget' | 'no-op';

export interface ResourceChange {
  /** The instance address, with " (deposed <key>)" for a deposed object. */
  address: string;
  action: ChangeAction;
  /** As Terraform wrote them: ["delete","create"] is destroy-then-create, ["create","delete"] create-before-destroy. */
  actions: string[];
  mode: 'managed' | 'data';
  /** action_reason, e.g. replace_because_cannot_update. */
  reason?: string;
  /** The attributes that force a replacement (replace_paths), as dotted paths. */
  replacePaths?: string[];
  /** The address before a `moved` block. */
  previousAddress?: string;
}

export interface PlanSummary {
  formatVersion: string;
  terraformVersion?: string;
  /** Every resource change except no-ops, in the plan's order. */
  changes: ResourceChange[];
  counts: Record<ChangeAction, number>;
  /** Addresses planned for deletion alone. */
  destroys: string[];
  /** Addresses planned for replacement (deleted and created again). */
  replaces: string[];
}

const ORDER: ChangeAction[] = ['create', 'update', 'replace', 'destroy', 'read', 'forget', 'no-op'];

/** The summary's action for one `change.actions` list; an unknown list with "delete" in it counts as a destroy (the guard must see it). */
export function classifyActions(actions: string[]): ChangeAction {
  const key = actions.join(',');
  switch (key) {
    case 'create': return 'create';
    case 'update': return 'update';
    case 'delete,create':
    case 'create,delete': return 'replace';
    case 'delete': return 'destroy';
    case 'read': return 'read';
    case 'no-op': return 'no-op';
    case 'forget': return 'forget';
    default:
      if (actions.includes('delete')) return actions.includes('create') ? 'replace' : 'destroy';
      if (actions.includes('create')) return 'create';
      return 'update';
  }
}

const pathText = (path: unknown): string => (Array.isArray(path) ? path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : String(path));

/**
 * Reads the plan JSON. Throws for a document that is not a plan of a supported format
 * (major version 1, as the format's compatibility rules ask).
 */
export function summarizePlanJson(text: string): PlanSummary {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error('terraform show -json did not print JSON');
  }
  const formatVersion = typeof doc?.format_version === 'string' ? doc.format_version : undefined;
  if (!formatVersion) throw new Error('the plan JSON has no format_version');
  if (formatVersion.split('.')[0] !== '1') throw new Error(`the plan JSON has format_version ${formatVersion}; this version reads 1.x`);
  const raw = doc.resource_changes ?? [];
  if (!Array.isArray(raw)) throw new Error('the plan JSON has a resource_changes that is not a list');
  const counts = Object.fromEntries(ORDER.map((a) => [a, 0])) as Record<ChangeAction, number>;
  const changes: ResourceChange[] = [];
  for (const rc of raw as Array<Record<string, unknown>>) {
    const change = (rc.change ?? {}) as Record<string, unknown>;
    const actions = Array.isArray(change.actions) ? change.actions.map(String) : [];
    if (typeof rc.address !== 'string' || !actions.length) throw new Error('the plan JSON has a resource change without address or actions');
    const action = classifyActions(actions);
    counts[action]++;
    if (action === 'no-op') continue;
    const entry: ResourceChange = {
      address: typeof rc.deposed === 'string' ? `${rc.address} (deposed ${rc.deposed})` : rc.address,
      action,
      actions,
      mode: rc.mode === 'data' ? 'data' : 'managed',
    };
    if (typeof rc.action_reason === 'string') entry.reason = rc.action_reason;
    if (Array.isArray(change.replace_paths) && change.replace_paths.length) entry.replacePaths = change.replace_paths.map(pathText);
    if (typeof rc.previous_address === 'string') entry.previousAddress = rc.previous_address;
    changes.push(entry);
  }
  return {
    formatVersion,
    terraformVersion: typeof doc.terraform_version === 'string' ? doc.terraform_version : undefined,
    changes,
    counts,
    destroys: changes.filter((c) => c.action === 'destroy').map((c) => c.address),
    replaces: changes.filter((c) => c.action === 'replace').map((c) => c.address),
  };
}

const SYMBOL: Record<ChangeAction, string> = { create: '+', update: '~', replace: '-/+', destroy: '-', read: '<=', forget: '.', 'no-op': ' ' };
const VERB: Record<ChangeAction, string> = { create: 'create', update: 'update', replace: 'replace', destroy: 'destroy', read: 'read', forget: 'forget', 'no-op': 'no change' };

/** "2 to create, 1 to replace" — the non-zero counts; "no changes" when there are none. */
export function countsLine(s: PlanSummary): string {
  const parts = ORDER.filter((a) => a !== 'no-op' && s.counts[a]).map((a) => `${s.counts[a]} to ${VERB[a]}`);
  return parts.length ? parts.join(', ') : 'no changes';
}

function detail(c: ResourceChange): string {
  const notes: string[] = [];
  if (c.action === 'replace') notes.push(c.actions[0] === 'create' ? 'create before destroy' : 'destroy then create');
  if (c.reason) notes.push(c.reason);
  if (c.replacePaths) notes.push(`forced by ${c.replacePaths.join(', ')}`);
  if (c.previousAddress) notes.push(`moved from ${c.previousAddress}`);
  return notes.length ? ` (${notes.join('; ')})` : '';
}

/** The lines printed on the terminal. */
export function formatPlanSummary(s: PlanSummary): string[] {
  const width = Math.max(...s.changes.map((c) => SYMBOL[c.action].length), 1);
  return [
    `Plan: ${countsLine(s)}`,
    ...s.changes.map((c) => `  ${SYMBOL[c.action].padStart(width)} ${VERB[c.action].padEnd(7)} ${c.address}${detail(c)}`),
  ];
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/`/g, "'").replace(/\n/g, ' ');

/** The GitHub step summary: a table of every change, then the guard's verdict when there is one. */
export function planSummaryMarkdown(s: PlanSummary, heading: string, verdict?: string): string {
  const lines = [`### ${cell(heading)}`, '', `**${countsLine(s)}**`, ''];
  if (s.changes.length) {
    lines.push('| Action | Resource | Details |', '| --- | --- | --- |');
    for (const c of s.changes) lines.push(`| ${VERB[c.action]} | \`${cell(c.address)}\` | ${cell(detail(c).replace(/^ \((.*)\)$/, '$1')) || ''} |`);
    lines.push('');
  }
  if (verdict) lines.push(verdict, '');
  return lines.join('\n') + '\n';
}
