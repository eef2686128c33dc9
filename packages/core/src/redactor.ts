import { StringDecoder } from 'string_decoder';
import { LiteralMatcher } from './literal-matcher';
import { secretVariants } from './secret-forms';

export { MIN_SECRET_LENGTH, secretVariants } from './secret-forms';

/**
 * Masks secret values as *** in any text, in every form secretVariants
 * derives: raw, base64 at any byte offset (also wrapped), hex, URL-encoded,
 * JSON-escaped, shell-quoted, and each long line of a multi-line secret.
 */
export const MASK = '***';

export class Redactor {
  private variants = new Set<string>();
  private matcher = new LiteralMatcher([]);
  private longestVariant = 0;

  constructor(secrets: Iterable<string | undefined> = []) {
    this.add(...secrets);
  }

  add(...secrets: (string | undefined)[]): this {
    for (const s of secrets) if (s) for (const v of secretVariants(s)) this.variants.add(v);
    this.matcher = new LiteralMatcher(this.variants);
    this.longestVariant = [...this.variants].reduce((max, v) => Math.max(max, v.length), 0);
    return this;
  }

  /** Length of the longest form masked: a stream must hold back this many chars minus one. */
  get longest(): number {
    return this.longestVariant;
  }

  get size(): number {
    return this.variants.size;
  }

  redact(text: string): string {
    const spans = this.matcher.spans(text);
    if (!spans.length) return text;
    let out = '';
    let from = 0;
    for (const [start, end] of spans) {
      out += text.slice(from, start) + MASK;
      from = end;
    }
    return out + text.slice(from);
  }

  /** Start/end of each secret occurrence (overlapping ones merged), for stream splitting. */
  matches(text: string): Array<[number, number]> {
    return this.matcher.spans(text);
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
 * Turns one output stream's chunks into redacted lines. Bytes are decoded as
 * a stream, so a character split across chunks stays whole; a secret split
 * across chunks is still masked because only whole lines are redacted; a very
 * long line without a newline is flushed in pieces, never cutting through a secret.
 */
export class RedactingLineBuffer {
  private buffer = '';
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly redactor: Redactor,
    private readonly emit: (line: string) => void,
    private readonly maxBuffered = 64 * 1024,
  ) {}

  push(chunk: string | Buffer): void {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
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
    this.buffer += this.decoder.end();
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
