/**
 * The forms a secret takes when a tool prints it: escaped, quoted, encoded or
 * wrapped. Each is derived once per secret; the redactor masks them all.
 */

/** The shortest secret the runner accepts, and the shortest line of a multi-line secret masked on its own. */
export const MIN_SECRET_LENGTH = 8;

/** Encodings of a whole secret shorter than this are not masked (they would match ordinary text). */
const MIN_FORM_LENGTH = 4;

/** Widths at which PEM (64) and MIME or `base64` (76) wrap base64. */
const BASE64_WRAP_WIDTHS = [64, 76];

const PEM_ARMOUR = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/;

/** The base64 characters that depend only on the secret, for each of the 3 byte alignments. */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    cores.push(encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6)));
  }
  return cores;
}

function base64Forms(bytes: Buffer): string[] {
  const cores = base64Cores(bytes);
  // The aligned form with its padding, as a standalone encoding prints it.
  const forms = [...cores, bytes.toString('base64')];
  return forms.flatMap((f) => [f, f.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')]);
}

/** The aligned core cut as a wrapping encoder cuts it: each line is masked as it is printed. */
function wrappedBase64Lines(bytes: Buffer): string[] {
  const core = base64Cores(bytes)[0];
  const lines: string[] = [];
  for (const width of BASE64_WRAP_WIDTHS) {
    if (core.length <= width) continue;
    for (let i = 0; i < core.length; i += width) lines.push(core.slice(i, i + width));
  }
  return lines;
}

function hex4(code: number, upper: boolean): string {
  const h = code.toString(16).padStart(4, '0');
  return `\\u${upper ? h.toUpperCase() : h}`;
}

const JSON_SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

interface JsonStyle {
  /** Escape everything outside printable ASCII as \uXXXX (Python, .NET). */
  ascii?: boolean;
  upperHex?: boolean;
  /** More characters written as \uXXXX (Go: <>&, .NET: also '+`). */
  unicode?: string;
  /** `/` written `\/` (PHP). */
  slash?: boolean;
}

/** The inside of a JSON string holding `value`, as a given serializer writes it. */
function jsonEscape(value: string, style: JsonStyle = {}): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const code = value.charCodeAt(i);
    if (JSON_SHORT[ch]) out += JSON_SHORT[ch];
    else if (code < 0x20 || (style.ascii && code > 0x7e) || style.unicode?.includes(ch) || code === 0x2028 || code === 0x2029) out += hex4(code, !!style.upperHex);
    else if (style.slash && ch === '/') out += '\\/';
    else out += ch;
  }
  return out;
}

function jsonForms(value: string): string[] {
  const js = jsonEscape(value);
  return [
    js,
    jsonEscape(value, { ascii: true }),
    jsonEscape(value, { ascii: true, upperHex: true }),
    jsonEscape(value, { unicode: '<>&' }),
    jsonEscape(value, { ascii: true, upperHex: true, unicode: `<>&'+\`` }),
    jsonEscape(value, { ascii: true, slash: true }),
    // JSON inside a JSON string.
    jsonEscape(js),
  ];
}

function shellForms(value: string): string[] {
  return [
    value.replace(/'/g, `'\\''`),
    value.replace(/'/g, `'"'"'`),
    value.replace(/[\\"$`]/g, '\\$&'),
    value.replace(/[^A-Za-z0-9_\-.,:/@%+=]/g, '\\$&'),
  ];
}

/**
 * Percent-encodes the UTF-8 bytes of `value`: controls and non-ASCII always,
 * and the printable ASCII characters in `set`.
 */
function percentEncode(value: string, set: (ch: string) => boolean, space = '%20'): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (byte === 0x20) out += space;
    else if (byte < 0x20 || byte > 0x7e || set(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

const inSet = (chars: string) => (ch: string) => chars.includes(ch);
const UNRESERVED_COMPONENT = /[A-Za-z0-9\-_.!~*'()]/;
const UNRESERVED_FORM = /[A-Za-z0-9*\-._]/;

function urlForms(value: string): string[] {
  const forms = [
    // encodeURIComponent, and with + for space as many query builders write it.
    percentEncode(value, (ch) => !UNRESERVED_COMPONENT.test(ch)),
    percentEncode(value, (ch) => !UNRESERVED_COMPONENT.test(ch), '+'),
    // URLSearchParams and HTML forms (application/x-www-form-urlencoded).
    percentEncode(value, (ch) => !UNRESERVED_FORM.test(ch), '+'),
    // URL.username / URL.password, URL.pathname, URL.search, URL.hash.
    percentEncode(value, inSet('"#<>?`{}/:;=@[\\]^|')),
    percentEncode(value, inSet('"#<>?`{}')),
    percentEncode(value, inSet(`"#<>'`)),
    percentEncode(value, inSet('"<>`')),
    escape(value),
  ];
  return forms.flatMap((f) => [f, f.replace(/%(u[0-9A-F]{4}|[0-9A-F]{2})/g, (m) => m.toLowerCase())]);
}

/** Each line of a multi-line secret long enough to be masked alone; PEM armour lines are the same in every key. */
function secretLines(value: string): string[] {
  if (!/[\r\n]/.test(value)) return [];
  return value
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line.length >= MIN_SECRET_LENGTH && !PEM_ARMOUR.test(line));
}

/** Every form of `value` to mask: the value itself first, then its encodings and, for a long secret, its printed pieces. */
export function secretVariants(value: string): string[] {
  if (!value) return [];
  const bytes = Buffer.from(value, 'utf8');
  const variants = new Set<string>([value]);
  const whole = [...base64Forms(bytes), bytes.toString('hex'), bytes.toString('hex').toUpperCase(), ...jsonForms(value), ...shellForms(value), ...urlForms(value)];
  for (const form of whole) if (form.length >= MIN_FORM_LENGTH) variants.add(form);
  for (const piece of [...secretLines(value), ...wrappedBase64Lines(bytes)]) if (piece.length >= MIN_SECRET_LENGTH) variants.add(piece);
  return [...variants];
}
