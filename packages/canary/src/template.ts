/**
 * Query templates: PromQL (or a URL) with placeholders the monitor fills in.
 *
 *   {{selector}}  label matchers of the version being measured (canary, or stable for the baseline)
 *   {{canary}}    label matchers of the canary
 *   {{baseline}}  label matchers of the stable version
 *   {{interval}}  the lookback as a PromQL duration (the analysis window; the sample step for range queries)
 *
 * Matchers are inserted without braces: `http_requests_total{{{selector}},code=~"5.."}`.
 */
export const PLACEHOLDERS = ['selector', 'canary', 'baseline', 'interval'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The placeholders a template uses, or the problem with it (an unknown name, a brace left open). */
export function templatePlaceholders(template: string): { used: Set<Placeholder> } | { problem: string } {
  const used = new Set<Placeholder>();
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      return { problem: `uses the unknown placeholder {{${name}}}; known placeholders are ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}` };
    }
    used.add(name as Placeholder);
  }
  const rest = template.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    return { problem: 'has a malformed placeholder (a "{{" or "}}" that is not part of {{name}})' };
  }
  const unbalanced = bracketProblem(template.replace(PLACEHOLDER, (_, name: string) => (name === 'interval' ? '1m' : 'a="b"')));
  if (unbalanced) return { problem: `${unbalanced} once its placeholders are filled in (a selector goes inside braces: metric{{{selector}}})` };
  return { used };
}

/** The first unbalanced bracket of a PromQL expression (string literals skipped), or undefined. */
function bracketProblem(expr: string): string | undefined {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== ch) j += expr[j] === '\\' && ch !== '`' ? 2 : 1;
      if (j >= expr.length) return `has an unclosed string ${ch}`;
      i = j;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') stack.push(ch);
    else if (ch in pairs) {
      const open = stack.pop();
      if (!open) return `has a "${ch}" that closes nothing`;
      if (open !== pairs[ch]) return `has a "${ch}" where "${{ '(': ')', '[': ']', '{': '}' }[open]}" was expected`;
    }
  }
  return stack.length ? `has an unclosed "${stack[stack.length - 1]}"` : undefined;
}

export function resolveTemplate(template: string, values: Partial<Record<Placeholder, string>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => values[name as Placeholder] ?? whole);
}

/** Label matchers as written inside PromQL braces: name="value", name=~"re", separated by commas. */
const MATCHER = String.raw`\s*[A-Za-z_][A-Za-z0-9_]*\s*(?:=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*`;
const MATCHERS = new RegExp(`^${MATCHER}(?:,${MATCHER})*,?\\s*$`);

export function isLabelMatchers(text: string): boolean {
  return MATCHERS.test(text);
}

/** A duration in PromQL's syntax ("1m", "90s", "1500ms"): what {{interval}} resolves to. */
export function promDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${Math.round(ms)}ms`;
}
