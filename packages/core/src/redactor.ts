/**
 * Masks secret values as *** in any text: the raw value, its base64 and
 * base64url forms (also when embedded at any byte offset of a larger base64
 * payload), its URL-encoded forms, and each long line of a multi-line secret.
 */
export const MASK = '***';

const MIN_DERIVED_LENGTH = 4;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The base64 characters that depend only on the secret, for each of the 3 byte alignments. */
function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const start = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    cores.push(encoded.slice(start, end));
  }
  // The aligned form with its padding, as a standalone encoding prints it.
  cores.push(bytes.toString('base64'));
  return cores;
}

export function secretVariants(value: string): string[] {
  if (!value) return [];
  const variants = new Set<string>([value]);
  const derived: string[] = [];
  for (const core of base64Cores(value)) {
    derived.push(core, core.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  }
  derived.push(encodeURIComponent(value), encodeURIComponent(value).replace(/%20/g, '+'), escape(value));
  if (/[\r\n]/.test(value)) {
    for (const line of value.split(/\r?\n/)) if (line.trim().length >= 8) derived.push(line.trim());
  }
  for (const d of derived) if (d.length >= MIN_DERIVED_LENGTH) variants.add(d);
  return [...variants];
}

export class Redactor {
  private variants: string[] = [];
  private pattern: RegExp | null = null;

  constructor(secrets: Iterable<string | undefined> = []) {
    this.add(...secrets);
  }

  add(...secrets: (string | undefined)[]): this {
    const all = new Set(this.variants);
    for (const s of secrets) if (s) for (const v of secretVariants(s)) all.add(v);
    // Longest first so a longer form is masked whole before its parts.
    this.variants = [...all].sort((a, b) => b.length - a.length);
    this.pattern = this.variants.length ? new RegExp(this.variants.map(escapeRegExp).join('|'), 'g') : null;
    return this;
  }

  /** Length of the longest form masked: a stream must hold back this many chars minus one. */
  get longest(): number {
    return this.variants.length ? this.variants[0].length : 0;
  }

  get size(): number {
    return this.variants.length;
  }

  redact(text: string): string {
    return this.pattern ? text.replace(this.pattern, MASK) : text;
  }

  /** Start/end of each secret occurrence, for stream splitting. */
  matches(text: string): Array<[number, number]> {
    if (!this.pattern) return [];
    const out: Array<[number, number]> = [];
    for (const m of text.matchAll(this.pattern)) out.push([m.index ?? 0, (m.index ?? 0) + m[0].length]);
    return out;
  }

  /** Masks secrets in every string of a JSON-like value. */
  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as unknown as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as unknown as T;
    if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.redactDeep(v);
      return out as T;
    }
    return value;
  }
}

/**
 * Turns a stream of output chunks into redacted lines. A secret split across
 * chunks is still masked because only whole lines are redacted; a very long
 * line without a newline is flushed in pieces, never cutting through a secret.
 */
export class RedactingLineBuffer {
  private buffer = '';

  constructor(
    private readonly redactor: Redactor,
    private readonly emit: (line: string) => void,
    private readonly maxBuffered = 64 * 1024,
  ) {}

  push(chunk: string | Buffer): void {
    this.buffer += chunk.toString();
    let newline: number;
    while ((newline = this.buffer.search(/\r?\n|\r/)) !== -1) {
      const line = this.buffer.slice(0, newline);
      const sepLength = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + sepLength);
      if (line.length) this.emit(this.redactor.redact(line));
    }
    if (this.buffer.length > this.maxBuffered) this.flushPartial();
  }

  end(): void {
    if (this.buffer.length) this.emit(this.redactor.redact(this.buffer));
    this.buffer = '';
  }

  private flushPartial(): void {
    let cut = this.buffer.length - Math.max(0, this.redactor.longest - 1);
    for (const [start, end] of this.redactor.matches(this.buffer)) if (start < cut && cut < end) cut = start;
    if (cut <= 0) return;
    this.emit(this.redactor.redact(this.buffer.slice(0, cut)));
    this.buffer = this.buffer.slice(cut);
  }
}
