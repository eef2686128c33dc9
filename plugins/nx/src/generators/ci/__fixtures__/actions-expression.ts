/**
 * The part of the GitHub Actions expression language a workflow's job
 * conditions use: literals, context paths (needs.<job>.result), ! && || == !=,
 * parentheses and status functions. Comparisons of strings ignore case and
 * a missing property is null, as on GitHub.
 */

export type Value = string | number | boolean | null;

export interface ExpressionContext {
  /** A context path such as needs.build.outputs.matrix; undefined for an unknown root, which is an error. */
  lookup(path: string[]): Value | undefined;
  call(fn: string): Value;
}

type Token = { kind: 'op' | 'string' | 'number' | 'name' | 'end'; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const op = /^(&&|\|\||==|!=|<=|>=|[!()<>.[\],])/.exec(rest);
    const string = /^'((?:[^']|'')*)'/.exec(rest);
    const number = /^-?\d+(\.\d+)?/.exec(rest);
    const name = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(rest);
    if (string) tokens.push({ kind: 'string', text: string[1].replace(/''/g, "'") });
    else if (op) tokens.push({ kind: 'op', text: op[0] });
    else if (number) tokens.push({ kind: 'number', text: number[0] });
    else if (name) tokens.push({ kind: 'name', text: name[0] });
    else throw new Error(`unexpected "${rest}" in expression "${source}"`);
    i += (string ?? op ?? number ?? name)![0].length;
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

export function truthy(v: Value): boolean {
  return v !== null && v !== false && v !== 0 && v !== '';
}

function equal(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

/** The value of an expression (without its ${{ }}). */
export function evaluate(source: string, ctx: ExpressionContext): Value {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (text?: string): Token => {
    const t = tokens[pos];
    if (text !== undefined && t.text !== text) throw new Error(`expected "${text}" at "${t.text}" in "${source}"`);
    pos++;
    return t;
  };

  const primary = (): Value => {
    const t = take();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    if (t.kind === 'op' && t.text === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (t.kind === 'op' && t.text === '!') return !truthy(primary());
    if (t.kind !== 'name') throw new Error(`unexpected "${t.text}" in "${source}"`);
    if (t.text === 'true' || t.text === 'false') return t.text === 'true';
    if (t.text === 'null') return null;
    if (peek().text === '(') {
      take('(');
      take(')');
      return ctx.call(t.text);
    }
    const path = [t.text];
    while (peek().text === '.') {
      take('.');
      path.push(take().text);
    }
    const v = ctx.lookup(path);
    if (v === undefined) throw new Error(`unknown context ${path.join('.')} in "${source}"`);
    return v;
  };
  const comparison = (): Value => {
    let left = primary();
    while (peek().text === '==' || peek().text === '!=') {
      const op = take().text;
      const right = primary();
      left = op === '==' ? equal(left, right) : !equal(left, right);
    }
    return left;
  };
  const and = (): Value => {
    let left = comparison();
    while (peek().text === '&&') {
      take();
      const right = comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  const or = (): Value => {
    let left = and();
    while (peek().text === '||') {
      take();
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  };

  const value = or();
  if (peek().kind !== 'end') throw new Error(`unexpected "${peek().text}" in "${source}"`);
  return value;
}
