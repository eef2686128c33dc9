import { MASK, MIN_SECRET_LENGTH, RedactingLineBuffer, Redactor } from './redactor';

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

  it('masks JSON-escaped forms, as each common serializer writes them', () => {
    const tricky = 'pa"ss\\w\u00e9rd\nline-two';
    const rj = new Redactor([tricky]);
    expect(rj.redact(JSON.stringify({ password: tricky }))).toBe(`{"password":"${MASK}"}`);
    // Python's json.dumps and .NET escape non-ASCII as \uXXXX, in lower or upper case.
    const ascii = JSON.stringify(tricky).slice(1, -1).replace('\u00e9', '\\u00e9');
    expect(rj.redact(`"${ascii}"`)).toBe(`"${MASK}"`);
    expect(rj.redact(`"${ascii.replace('u00e9', 'u00E9')}"`)).toBe(`"${MASK}"`);
    // JSON inside a JSON string escapes twice.
    expect(rj.redact(JSON.stringify({ body: JSON.stringify({ password: tricky }) }))).not.toMatch(/line-two|ss\\/);
  });

  it('masks shell-quoted forms', () => {
    const quoted = "it's-a-secret";
    const rs = new Redactor([quoted]);
    expect(rs.redact(`security import -P 'it'\\''s-a-secret'`)).toBe(`security import -P '${MASK}'`);
    expect(rs.redact(`-P 'it'"'"'s-a-secret'`)).toBe(`-P '${MASK}'`);
    const dq = new Redactor(['cost$HOME"`x`']);
    expect(dq.redact('X="cost\\$HOME\\"\\`x\\`"')).toBe(`X="${MASK}"`);
  });

  it('masks the hex form in lower and upper case', () => {
    const hex = Buffer.from(secret).toString('hex');
    expect(r.redact(`key=${hex}`)).toBe(`key=${MASK}`);
    expect(r.redact(`KEY=${hex.toUpperCase()}`)).toBe(`KEY=${MASK}`);
  });

  it('masks base64 wrapped at 64 or 76 columns line by line, as PEM and MIME print it', () => {
    const long = 'wrapped-secret-'.repeat(9);
    const rw = new Redactor([long]);
    for (const text of [long, `${long}\n`]) {
      const b64 = Buffer.from(text).toString('base64');
      for (const width of [64, 76]) {
        const lines = b64.match(new RegExp(`.{1,${width}}`, 'g'))!;
        expect(lines.length).toBeGreaterThan(1);
        // Only the padding and the characters that also encode what follows the secret are left.
        for (const line of lines) expect(rw.redact(line)).toMatch(/^\*\*\*[A-Za-z0-9+/=]{0,4}$/);
      }
    }
  });

  it('masks percent-encoded forms in lower case, and as URL and URLSearchParams write them', () => {
    const awkward = "it's (a) p@ss/w:rd ~100% \u00e9!";
    const ru = new Redactor([awkward]);
    const lower = encodeURIComponent(awkward).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
    expect(ru.redact(`?p=${lower}`)).toBe(`?p=${MASK}`);
    const url = new URL('https://deploy@example.com/');
    url.password = awkward;
    expect(ru.redact(url.href)).toBe(`https://deploy:${MASK}@example.com/`);
    expect(ru.redact(new URLSearchParams({ password: awkward, next: '/x' }).toString())).toBe(`password=${MASK}&next=%2Fx`);
  });

  it('masks overlapping occurrences of two secrets whole', () => {
    const two = new Redactor(['abcdefgh12', 'gh12345678']);
    expect(two.redact('<abcdefgh12345678>')).toBe(`<${MASK}>`);
  });

  it(`masks each line of a multi-line secret of at least ${MIN_SECRET_LENGTH} characters, shorter ones only within the whole`, () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nAbC1234\n-----END PRIVATE KEY-----';
    const rp = new Redactor([pem]);
    expect(rp.redact('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC')).toBe(MASK);
    expect(rp.redact('tail AbC1234')).toBe('tail AbC1234');
    // The armour lines are the same in every key: on their own they are not the secret.
    expect(rp.redact('-----END PRIVATE KEY-----')).toBe('-----END PRIVATE KEY-----');
    expect(rp.redact(`key: ${pem}`)).toBe(`key: ${MASK}`);
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

  it('decodes UTF-8 across chunks, so a character split between two chunks still matches', () => {
    const lines: string[] = [];
    const accented = 'caf\u00e9-secret-\u00e9t\u00e9';
    const buf = new RedactingLineBuffer(new Redactor([accented]), (l) => lines.push(l));
    for (const byte of Buffer.from(`token=${accented} done\n`)) buf.push(Buffer.from([byte]));
    buf.end();
    expect(lines).toEqual([`token=${MASK} done`]);
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
