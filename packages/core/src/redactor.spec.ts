import { MASK, RedactingLineBuffer, Redactor } from './redactor';

describe('Redactor', () => {
  const secret = 'p@ss w0rd/+=&x';
  const r = new Redactor([secret]);

  it('masks the raw value wherever it appears', () => {
    expect(r.redact(`password is ${secret}!`)).toBe(`password is ${MASK}!`);
  });

  it('masks base64 and base64url forms', () => {
    const b64 = Buffer.from(secret).toString('base64');
    expect(r.redact(`Authorization: Basic ${b64}`)).not.toContain(b64);
    const url = b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(r.redact(url)).toBe(MASK);
  });

  it('masks the secret inside a larger base64 payload at every byte offset', () => {
    for (const prefix of ['', 'u', 'us', 'user:']) {
      const encoded = Buffer.from(`${prefix}${secret}-and-more`).toString('base64');
      const redacted = r.redact(encoded);
      expect(redacted).toContain(MASK);
      // What is left cannot be decoded back to the secret.
      expect(Buffer.from(redacted.replace(MASK, ''), 'base64').toString()).not.toContain(secret);
    }
  });

  it('masks URL-encoded forms', () => {
    expect(r.redact(`https://x/?p=${encodeURIComponent(secret)}`)).toBe(`https://x/?p=${MASK}`);
    expect(r.redact(`p=${encodeURIComponent(secret).replace(/%20/g, '+')}`)).toBe(`p=${MASK}`);
  });

  it('masks each line of a multi-line secret such as a PEM key', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    const rp = new Redactor([pem]);
    expect(rp.redact('line: MIIEvQIBADANBgkqhkiG9w0BAQEFAASC')).toBe(`line: ${MASK}`);
  });

  it('ignores empty secrets and masks nothing else', () => {
    const empty = new Redactor(['', undefined]);
    expect(empty.redact('nothing to hide')).toBe('nothing to hide');
  });

  it('redacts every string of nested data', () => {
    expect(r.redactDeep({ a: [`x${secret}`], b: { c: secret }, n: 3 })).toEqual({ a: [`x${MASK}`], b: { c: MASK }, n: 3 });
  });
});

describe('RedactingLineBuffer', () => {
  const secret = 'hunter2-very-secret';
  it('masks a secret split across chunks', () => {
    const lines: string[] = [];
    const buf = new RedactingLineBuffer(new Redactor([secret]), (l) => lines.push(l));
    for (const ch of `token=${secret}\nnext line\n`) buf.push(ch);
    buf.end();
    expect(lines).toEqual([`token=${MASK}`, 'next line']);
  });

  it('flushes very long lines in pieces without cutting a secret', () => {
    const lines: string[] = [];
    const buf = new RedactingLineBuffer(new Redactor([secret]), (l) => lines.push(l), 32);
    const text = 'a'.repeat(30) + secret + 'b'.repeat(50) + secret;
    for (let i = 0; i < text.length; i += 7) buf.push(text.slice(i, i + 7));
    buf.end();
    const all = lines.join('');
    expect(all).not.toContain(secret);
    expect(all).toBe('a'.repeat(30) + MASK + 'b'.repeat(50) + MASK);
  });
});
