import { UserError } from '@shipfleet/core';
import { PlanSummary } from './plan-summary';

export interface GuardRules {
  allowDestroy: boolean;
  /** Addresses whose replacement is accepted (exact instance addresses, as the plan writes them). */
  allowReplace: string[];
}

export interface GuardVerdict {
  /** Destroys and replaces the options do not allow; empty when the plan may be applied. */
  blockedDestroys: string[];
  blockedReplaces: string[];
  /** Replaces and destroys the options allow, for the summary. */
  allowed: string[];
}

export function judgePlan(summary: PlanSummary, rules: GuardRules): GuardVerdict {
  if (rules.allowDestroy) return { blockedDestroys: [], blockedReplaces: [], allowed: [...summary.destroys, ...summary.replaces] };
  const allowed = summary.replaces.filter((a) => rules.allowReplace.includes(a));
  return { blockedDestroys: [...summary.destroys], blockedReplaces: summary.replaces.filter((a) => !allowed.includes(a)), allowed };
}

const list = (addresses: string[]) => addresses.join(', ');

/** One line for the step summary: what is blocked and which option would allow it, or what was allowed. */
export function verdictText(v: GuardVerdict): string | undefined {
  if (v.blockedDestroys.length || v.blockedReplaces.length) {
    const parts = [
      v.blockedDestroys.length ? `destroys ${list(v.blockedDestroys)}` : '',
      v.blockedReplaces.length ? `replaces ${list(v.blockedReplaces)}` : '',
    ].filter(Boolean);
    const fix = v.blockedDestroys.length ? '`allowDestroy: true`' : `\`allowDestroy: true\` or \`allowReplace: ${JSON.stringify(v.blockedReplaces)}\``;
    return `**Not applied:** the plan ${parts.join(' and ')}. To apply it, set ${fix}.`;
  }
  if (v.allowed.length) return `Destroys and replaces allowed by the options: ${list(v.allowed)}.`;
  return undefined;
}

/** The error that stops a run before apply; undefined when the plan may be applied. */
export function guardError(v: GuardVerdict, summaryFile: string): UserError | undefined {
  if (v.blockedDestroys.length) {
    const also = v.blockedReplaces.length ? ` and replaces ${list(v.blockedReplaces)}` : '';
    return new UserError('allowDestroy', `the plan destroys ${list(v.blockedDestroys)}${also}, and destroys are not allowed`, `Read the plan in ${summaryFile}; if it is what you mean, set "allowDestroy": true and run again. Nothing was applied`);
  }
  if (v.blockedReplaces.length) {
    return new UserError('allowReplace', `the plan replaces ${list(v.blockedReplaces)} (deleted and created again), and ${v.blockedReplaces.length === 1 ? 'it is' : 'they are'} not in allowReplace`, `Read the plan in ${summaryFile}; if it is what you mean, add ${JSON.stringify(v.blockedReplaces)} to "allowReplace" (or set "allowDestroy": true) and run again. Nothing was applied`);
  }
  return undefined;
}
