// A reader for the block-style YAML subset that apply patches and manifests
// use: mappings, sequences, plain / single / double-quoted scalars, | and >
// block scalars, one-line flow collections ([a, b], {a: b}) and comments.
// Anchors, aliases, tags and multi-line flow collections are not supported;
// the first document of a stream is returned.
import { Json } from './types';

interface Line {
  indent: number;
  /** Without its comment and surrounding blanks. */
  text: string;
  raw: string;
}

function stripComment(line: string): string {
  let inSingle = false;
  let inDouble = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'" && !inDouble) inSingle = !inSingle;
    else if (c === '"' && !inSingle && line[i - 1] !== '\\') inDouble = !inDouble;
    else if (c === '#' && !inSingle && !inDouble && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

function plainScalar(text: string): Json {
  const s = text.trim();
  if (s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
  if (/^(true|True|TRUE)$/.test(s)) return true;
  if (/^(false|False|FALSE)$/.test(s)) return false;
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(s)) return Number(s);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s, 16);
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s)) return Number(s);
  if (/^[-+]?\.(inf|Inf|INF)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(s)) return NaN;
  return s;
}

function doubleQuoted(s: string): string {
  // JSON's escapes are a subset of YAML's; the rest are mapped onto them.
  const body = s
    .slice(1, -1)
    .replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')
    .replace(/\\ /g, ' ')
    .replace(/\\\//g, '/')
    .replace(/\\0/g, '\\u0000')
    .replace(/\\e/g, '\\u001b')
    .replace(/\\a/g, '\\u0007')
    .replace(/\\v/g, '\\u000b');
  return JSON.parse(`"${body.replace(/\t/g, '\\t')}"`);
}

function scalar(text: string): Json {
  const s = text.trim();
  if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) return doubleQuoted(s);
  if (s.startsWith("'") && s.endsWith("'") && s.length >= 2) return s.slice(1, -1).replace(/''/g, "'");
  if (s.startsWith('[') || s.startsWith('{')) return flow(s);
  return plainScalar(s);
}

/** Parses a one-line flow collection. */
function flow(text: string): Json {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (stops: string): Json => {
    ws();
    const c = text[i];
    if (c === '[') {
      i++;
      const out: Json[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value(',]'));
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === ']') {
            i++;
            return out;
          }
          continue;
        }
        if (text[i] === ']') {
          i++;
          return out;
        }
        throw new Error(`unterminated flow sequence: ${text}`);
      }
    }
    if (c === '{') {
      i++;
      const out: Record<string, Json> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        const key = value(':,}');
        ws();
        let v: Json = null;
        if (text[i] === ':') {
          i++;
          v = value(',}');
        }
        out[String(key)] = v;
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === '}') {
            i++;
            return out;
          }
          continue;
        }
        if (text[i] === '}') {
          i++;
          return out;
        }
        throw new Error(`unterminated flow mapping: ${text}`);
      }
    }
    if (c === '"' || c === "'") {
      const quote = c;
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === quote) {
          if (quote === "'" && text[j + 1] === "'") {
            j += 2;
            continue;
          }
          break;
        }
        if (quote === '"' && text[j] === '\\') j++;
        j++;
      }
      const raw = text.slice(i, j + 1);
      i = j + 1;
      return scalar(raw);
    }
    let j = i;
    while (j < text.length && !stops.includes(text[j])) {
      if (text[j] === ':' && stops.includes(':') && !/\s|,|}|]/.test(text[j + 1] ?? ' ')) {
        j++;
        continue;
      }
      j++;
    }
    const raw = text.slice(i, j);
    i = j;
    return plainScalar(raw);
  };
  return value('');
}

/** Splits `key: rest` at the first unquoted ": " (or a trailing ":"); undefined when the line is not a mapping entry. */
function splitKey(text: string): { key: string; rest: string } | undefined {
  let inSingle = false;
  let inDouble = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" && !inDouble) inSingle = !inSingle;
    else if (c === '"' && !inSingle && text[i - 1] !== '\\') inDouble = !inDouble;
    else if (c === ':' && !inSingle && !inDouble && (i === text.length - 1 || text[i + 1] === ' ' || text[i + 1] === '\t')) {
      if (i === 0) return undefined;
      if ((text[0] === '[' || text[0] === '{') && !/^["']/.test(text)) return undefined;
      return { key: String(scalar(text.slice(0, i))), rest: text.slice(i + 1).trim() };
    }
  }
  return undefined;
}

/** The lines of the first document, with their indentation. */
function documentLines(source: string): Line[] {
  const rawLines = String(source).replace(/\r\n?/g, '\n').split('\n');
  const lines: Line[] = [];
  let started = false;
  for (const raw of rawLines) {
    if (/^---(\s|$)/.test(raw)) {
      if (started) break;
      started = true;
      const rest = raw.slice(3).trim();
      if (rest) lines.push({ indent: 0, text: rest, raw: rest });
      continue;
    }
    if (/^\.\.\.(\s|$)/.test(raw)) break;
    if (/^%/.test(raw) && !started) continue;
    started = true;
    lines.push({ indent: raw.length - raw.trimStart().length, text: stripComment(raw).trimEnd().trim(), raw });
  }
  return lines;
}

export function parseYaml(source: string): unknown {
  const lines = documentLines(source);
  let pos = 0;
  const skipBlank = () => {
    while (pos < lines.length && lines[pos].text === '') pos++;
  };

  function blockScalar(header: string, parentIndent: number): string {
    const folded = header.startsWith('>');
    const chomp = header.includes('-') ? 'strip' : header.includes('+') ? 'keep' : 'clip';
    const explicit = /[1-9]/.exec(header);
    const collected: string[] = [];
    let indent = explicit ? parentIndent + Number(explicit[0]) : -1;
    while (pos < lines.length) {
      const { raw } = lines[pos];
      if (raw.trim() === '') {
        collected.push('');
        pos++;
        continue;
      }
      const ind = raw.length - raw.trimStart().length;
      if (indent === -1) indent = ind;
      if (ind < indent || ind <= parentIndent) break;
      collected.push(raw.slice(indent));
      pos++;
    }
    let trailing = 0;
    while (collected.length && collected[collected.length - 1] === '') {
      collected.pop();
      trailing++;
    }
    let text: string;
    if (folded) {
      text = '';
      collected.forEach((l, idx) => {
        if (idx === 0) text = l;
        else if (l === '' || /^\s/.test(l) || /^\s/.test(collected[idx - 1]) || collected[idx - 1] === '') text += `\n${l}`;
        else text += ` ${l}`;
      });
    } else {
      text = collected.join('\n');
    }
    if (chomp === 'clip' && collected.length) text += '\n';
    if (chomp === 'keep') text += '\n'.repeat(trailing + (collected.length ? 1 : 0));
    return text;
  }

  /** A value that follows "key:" or "- " on the same line (rest) or on the lines below. */
  function valueAfter(rest: string, parentIndent: number): Json {
    if (rest === '') {
      skipBlank();
      if (pos >= lines.length) return null;
      const next = lines[pos];
      if (next.indent > parentIndent) return block(next.indent);
      if ((next.indent === parentIndent && next.text.startsWith('- ')) || (next.indent === parentIndent && next.text === '-')) return block(next.indent);
      return null;
    }
    if (/^[|>][-+0-9]*$/.test(rest)) return blockScalar(rest, parentIndent);
    // A plain scalar may continue on more-indented lines.
    let text = rest;
    if (!/^["'[{]/.test(rest)) {
      while (pos < lines.length && lines[pos].text !== '' && lines[pos].indent > parentIndent && !splitKey(lines[pos].text) && !lines[pos].text.startsWith('- ')) {
        text += ` ${lines[pos].text}`;
        pos++;
      }
    }
    return scalar(text);
  }

  function block(indent: number): Json {
    skipBlank();
    if (pos >= lines.length) return null;
    const first = lines[pos];
    if (first.text === '-' || first.text.startsWith('- ')) {
      const out: Json[] = [];
      while (pos < lines.length) {
        skipBlank();
        if (pos >= lines.length) break;
        const line = lines[pos];
        if (line.indent !== indent || !(line.text === '-' || line.text.startsWith('- '))) break;
        const rest = line.text === '-' ? '' : line.text.slice(2).trim();
        if (rest && (splitKey(rest) || rest === '-' || rest.startsWith('- '))) {
          // "- key: value" opens a mapping (and "- - x" a sequence) whose other entries sit at that column.
          const itemIndent = indent + (line.text.length - line.text.slice(1).trimStart().length);
          lines[pos] = { indent: itemIndent, text: rest, raw: ' '.repeat(itemIndent) + rest };
          out.push(block(itemIndent));
        } else {
          pos++;
          out.push(valueAfter(rest, indent));
        }
      }
      return out;
    }
    if (splitKey(first.text)) {
      const out: Record<string, Json> = {};
      while (pos < lines.length) {
        skipBlank();
        if (pos >= lines.length) break;
        const line = lines[pos];
        if (line.indent !== indent) break;
        const kv = splitKey(line.text);
        if (!kv) break;
        pos++;
        out[kv.key] = valueAfter(kv.rest, indent);
      }
      return out;
    }
    pos++;
    return valueAfter(first.text, indent - 1);
  }

  skipBlank();
  if (pos >= lines.length) return null;
  const result = block(lines[pos].indent);
  skipBlank();
  if (pos < lines.length) throw new Error(`cannot parse YAML near line: ${lines[pos].raw}`);
  return result;
}
