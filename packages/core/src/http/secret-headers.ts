import { Redactor } from '../redactor';

/** Headers whose values are always secret; a request may name more. */
export const SECRET_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];

export function secretHeaderNames(extra: readonly string[] = []): Set<string> {
  return new Set([...SECRET_HEADERS, ...extra.map((h) => h.toLowerCase())]);
}

/** A redactor for the values of the secret headers: whole, the credential after "Bearer "/"Basic ", and decoded Basic credentials. */
export function secretHeaderRedactor(headers: Record<string, string>, secret: Set<string>): Redactor {
  const values: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!secret.has(name) || !value) continue;
    values.push(value);
    const scheme = /^(\w+)\s+(.+)$/.exec(value);
    if (scheme) {
      values.push(scheme[2]);
      if (scheme[1].toLowerCase() === 'basic') {
        const decoded = Buffer.from(scheme[2], 'base64').toString('utf8');
        values.push(decoded, ...decoded.split(':').filter((part) => part.length >= 4));
      }
    }
  }
  return new Redactor(values);
}

// Visible ASCII, space and tab (and Latin-1 as HTTP allows): no line breaks, no control characters.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The name of the first header that cannot be sent, or undefined. Never looks at values beyond their characters. */
export function unsendableHeader(headers: Record<string, string>): string | undefined {
  return Object.entries(headers).find(([name, value]) => !HEADER_NAME.test(name) || !HEADER_VALUE.test(value))?.[0];
}
