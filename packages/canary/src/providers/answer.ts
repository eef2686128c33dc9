// A metric source's HTTP answer, read once for the provider that asked: its JSON body, an excerpt
// for messages and the attempts it took. Every provider reports a refused or strange answer the
// same way: one line, secrets masked.
import type { HttpResponse, Redactor } from '@shipfleet/core';

export interface SourceAnswer {
  status: number;
  /** The JSON body; undefined when the body is empty or not JSON. */
  body: unknown;
  /** The start of the body on one line, without secrets, for a message. */
  excerpt: string;
  /** " (after 3 attempts)" when it took more than one, else "". */
  tries: string;
}

const EXCERPT_CHARS = 200;

export function readAnswer(answer: HttpResponse, redactor: Redactor): SourceAnswer {
  const data = answer.data();
  const flat = redactor.redact(answer.text().replace(/\s+/g, ' ').trim());
  return {
    status: answer.status,
    body: typeof data === 'string' ? undefined : data,
    excerpt: flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat,
    tries: answer.attempts > 1 ? ` (after ${answer.attempts} attempts)` : '',
  };
}
