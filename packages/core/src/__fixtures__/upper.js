// Test output formatter: prints its stdin upper-cased, prefixed, line by line.
let buf = '';
process.stdin.on('data', (c) => (buf += c));
process.stdin.on('end', () => process.stdout.write(buf.split('\n').filter(Boolean).map((l) => `FMT ${l.toUpperCase()}\n`).join('')));
