import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { thrownUserError } from '../errors';
import { secretsFromEnv } from '../secrets';
import { MIN_SECRET_LENGTH } from '../redactor';
import { decodeBase64Strict, secretFromEnv, secretFromFile } from './index';

const SECRET = 'hunter2!s3cr3t-value';
const PEM = '-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQg+/ab=\n-----END PRIVATE KEY-----\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');

const userError = thrownUserError;

describe('secretFromEnv', () => {
  const env = { TOKEN: SECRET, KEY_B64: b64(PEM), KEY_PEM: PEM, EMPTY: '', NOT_B64: SECRET };

  it('reads the variable as it is by default, with the forms to mask', () => {
    const s = secretFromEnv('tokenEnv', 'TOKEN', { env })!;
    expect(s).toMatchObject({ text: SECRET, decoded: false, source: '$TOKEN', mask: [SECRET] });
    expect(secretFromEnv('tokenEnv', undefined, { env })).toBeUndefined();
  });

  it('decodes base64, masking both forms', () => {
    const s = secretFromEnv('apiKeyEnv', 'KEY_B64', { env, decode: 'base64' })!;
    expect(s.text).toBe(PEM);
    expect(s.decoded).toBe(true);
    expect(s.mask).toEqual([b64(PEM), PEM]);
  });

  it('auto decodes clean base64 (also wrapped, or base64url) and keeps anything else as it is', () => {
    expect(secretFromEnv('apiKeyEnv', 'KEY_B64', { env, decode: 'auto' })!.text).toBe(PEM);
    expect(secretFromEnv('apiKeyEnv', 'KEY_PEM', { env, decode: 'auto' })).toMatchObject({ text: PEM, decoded: false });
    const wrapped = b64(PEM).replace(/(.{20})/g, '$1\n');
    expect(secretFromEnv('apiKeyEnv', 'W', { env: { W: wrapped }, decode: 'auto' })!.text).toBe(PEM);
    const binary = Buffer.from([0xfb, 0xff, 0xfe, 0x01, 0xfb, 0xff, 0xfe, 0x01]);
    expect(secretFromEnv('k', 'U', { env: { U: binary.toString('base64url') }, decode: 'auto' })!.bytes).toEqual(binary);
  });

  it('decodeBase64Strict refuses mixed alphabets, bad padding and spaces', () => {
    expect(decodeBase64Strict('aGVsbG8=')?.toString()).toBe('hello');
    for (const bad of ['aGVs bG8=', 'a+b-cdef', 'aGVsbG8==x', 'aGVsbG9=', 'a', '']) expect(decodeBase64Strict(bad)).toBeUndefined();
  });

  it('every error names the option and the variable, never the value', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => secretFromEnv('tokenEnv', 'MISSING', { env }), /environment variable MISSING is not set/],
      [() => secretFromEnv('tokenEnv', 'EMPTY', { env }), /environment variable EMPTY is not set/],
      [() => secretFromEnv('tokenEnv', 'bad-name', { env }), /"bad-name" is not an environment variable name/],
      [() => secretFromEnv('certificateEnv', 'NOT_B64', { env, decode: 'base64', what: 'the .p12' }), /\$NOT_B64 is not base64/],
    ];
    for (const [fn, message] of cases) {
      const err = userError(fn);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain(SECRET);
      expect(err.message).not.toContain(b64(SECRET));
    }
  });
});

describe(`secrets shorter than ${MIN_SECRET_LENGTH} characters`, () => {
  const SHORT = 'abc1234';

  it('are refused when read, naming the option and the variable, never the value', () => {
    const env = { SHORT, PADDED: `  ${SHORT}\n`, SHORT_B64: b64(SHORT), LONG: 'abcd1234' };
    expect(secretFromEnv('tokenEnv', 'LONG', { env })!.text).toBe('abcd1234');
    const cases: Array<[() => unknown, string, RegExp]> = [
      [() => secretFromEnv('tokenEnv', 'SHORT', { env, what: 'the deploy token' }), 'tokenEnv', /\$SHORT holds fewer than 8 characters, too few to mask reliably in output\. Use a secret of at least 8 characters for the deploy token/],
      [() => secretFromEnv('tokenEnv', 'PADDED', { env }), 'tokenEnv', /\$PADDED holds fewer than 8 characters/],
      [() => secretFromEnv('keyEnv', 'SHORT_B64', { env, decode: 'base64' }), 'keyEnv', /\$SHORT_B64 decodes to fewer than 8 characters/],
      [() => secretsFromEnv('secretEnv', ['LONG', 'SHORT'], env), 'secretEnv', /\$SHORT holds fewer than 8 characters/],
    ];
    for (const [fn, option, message] of cases) {
      const err = userError(fn);
      expect(err.option).toBe(option);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain(SHORT);
    }
  });

  it('are refused in a file, naming the file, never its content', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'shipfleet-secret-')), 'password.txt');
    writeFileSync(path, `${SHORT}\n`);
    const err = userError(() => secretFromFile('passwordFile', path));
    expect(err.message).toMatch(/password\.txt holds fewer than 8 characters/);
    expect(err.message).not.toContain(SHORT);
  });
});

describe('secretFromFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipfleet-secret-'));
  const file = (name: string, content: string | Buffer) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };

  it('reads and decodes a file, with the forms to mask', () => {
    expect(secretFromFile('apiKeyPath', file('key.p8', PEM))).toMatchObject({ text: PEM, source: join(dir, 'key.p8'), mask: [PEM] });
    expect(secretFromFile('apiKeyPath', file('key.b64', b64(PEM) + '\n'), { decode: 'auto' })!.text).toBe(PEM);
    expect(secretFromFile('apiKeyPath', undefined)).toBeUndefined();
  });

  it('a binary file keeps its bytes and has no text form to mask', () => {
    const bytes = Buffer.from([0x30, 0x82, 0xff, 0x00]);
    const s = secretFromFile('certificate', file('c.p12', bytes))!;
    expect(s.bytes).toEqual(bytes);
    expect(s.mask).toEqual([]);
  });

  it('a missing, empty or undecodable file is an error naming the file, not its content', () => {
    expect(userError(() => secretFromFile('apiKeyPath', join(dir, 'nope.p8'))).message).toMatch(/nope\.p8 is not a readable file/);
    expect(userError(() => secretFromFile('apiKeyPath', dir)).message).toMatch(/is not a readable file/);
    expect(userError(() => secretFromFile('apiKeyPath', file('empty', ''))).message).toMatch(/empty is empty/);
    const err = userError(() => secretFromFile('apiKeyPath', file('plain', SECRET), { decode: 'base64' }));
    expect(err.message).toMatch(/plain is not base64/);
    expect(err.message).not.toContain(SECRET);
  });
});

describe('secretsFromEnv (the secretEnv list)', () => {
  it('reads each named variable; a bad or unset name is an error naming the option', () => {
    expect(secretsFromEnv('secretEnv', ['A', 'B'], { A: 'one-secret', B: 'two-secret' })).toEqual(['one-secret', 'two-secret']);
    expect(secretsFromEnv('secretEnv', undefined, {})).toEqual([]);
    expect(userError(() => secretsFromEnv('secretEnv', 'A' as never, {})).message).toMatch(/must be a list of environment variable names/);
    expect(userError(() => secretsFromEnv('secretEnv', ['A B'], {})).message).toMatch(/"A B" is not an environment variable name/);
    const unset = userError(() => secretsFromEnv('secretEnv', ['A', 'NOPE'], { A: 'one-secret' }));
    expect(unset.option).toBe('secretEnv');
    expect(unset.message).toMatch(/NOPE is not set/);
    expect(unset.message).not.toContain('one-secret');
  });
});
