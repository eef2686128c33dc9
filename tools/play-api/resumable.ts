// Google's resumable upload protocol, server side: a session opened with
// `POST …?uploadType=resumable` (answered with its URI in `Location`), chunks
// sent with `PUT <session URI>` and `Content-Range: bytes a-b/total` (308 with
// `Range: bytes=0-n` until the last one, which gets the resource), and
// `Content-Range: bytes */total` to ask how much was kept.
import { badRequest, GoogleApiError } from './google-error';

/** Bytes of a non-final chunk are kept in whole multiples of this, as Google documents. */
export const CHUNK_GRANULARITY = 256 * 1024;

export type ContentRange = { kind: 'query'; total?: number } | { kind: 'chunk'; start: number; end: number; total?: number };

export function parseContentRange(header: string | undefined, bodyLength: number): ContentRange {
  // No header: the body is the whole file.
  if (header === undefined) return bodyLength === 0 ? { kind: 'query' } : { kind: 'chunk', start: 0, end: bodyLength - 1, total: bodyLength };
  const m = /^bytes (?:(\*)|(\d+)-(\d+))\/(\*|\d+)$/.exec(header.trim());
  if (!m) throw badRequest(`Failed to parse Content-Range header: ${header}`);
  const total = m[4] === '*' ? undefined : Number(m[4]);
  if (m[1]) return { kind: 'query', total };
  const start = Number(m[2]);
  const end = Number(m[3]);
  if (end < start || (total !== undefined && end >= total)) throw badRequest(`Invalid Content-Range header: ${header}`);
  return { kind: 'chunk', start, end, total };
}

export interface UploadOutcome {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export class UploadSession {
  private data = Buffer.alloc(0);
  finished?: UploadOutcome;

  constructor(
    readonly id: string,
    readonly path: string,
    readonly declaredTotal: number | undefined,
  ) {}

  get received(): number {
    return this.data.length;
  }

  /** The 308 answer: how many bytes are kept. */
  incomplete(): UploadOutcome {
    return { status: 308, body: undefined, headers: this.received > 0 ? { range: `bytes=0-${this.received - 1}` } : {} };
  }

  /**
   * Takes one chunk; returns the whole file when it is complete, else
   * undefined (answer `incomplete()`).
   */
  accept(range: Extract<ContentRange, { kind: 'chunk' }>, body: Buffer): Buffer | undefined {
    if (body.length !== range.end - range.start + 1) throw badRequest(`The request body has ${body.length} bytes but Content-Range says ${range.end - range.start + 1}.`);
    const total = range.total ?? this.declaredTotal;
    if (range.total !== undefined && this.declaredTotal !== undefined && range.total !== this.declaredTotal)
      throw badRequest(`Content-Range total ${range.total} does not match X-Upload-Content-Length ${this.declaredTotal}.`);
    if (range.start > this.received)
      throw new GoogleApiError(400, `Content-Range starts at byte ${range.start} but only ${this.received} bytes were received; ask for the offset with Content-Range: bytes */${total ?? '*'}.`, 'badContent');
    const fresh = body.subarray(this.received - range.start);
    this.data = Buffer.concat([this.data, fresh]);
    const final = range.total !== undefined && range.end + 1 === range.total;
    if (final) return this.data;
    const keep = Math.floor(this.data.length / CHUNK_GRANULARITY) * CHUNK_GRANULARITY;
    this.data = this.data.subarray(0, keep);
    return undefined;
  }
}
