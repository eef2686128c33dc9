// Test stand-in in front of the real osslsigncode: appends its argv and environment as one JSON line
// to $SIGN_RECORD, then runs osslsigncode with the same argv. With $SIGN_SLOW_MARKER set it writes
// that file and half a signed copy at -out, and waits a minute instead (a test interrupts it).
const { appendFileSync, writeFileSync } = require('fs');
const { spawnSync } = require('child_process');

const args = process.argv.slice(2);
appendFileSync(process.env.SIGN_RECORD, JSON.stringify({ args, env: process.env }) + '\n');
if (process.env.SIGN_SLOW_MARKER && args[0] === 'sign') {
  writeFileSync(args[args.indexOf('-out') + 1], 'MZ partial');
  writeFileSync(process.env.SIGN_SLOW_MARKER, String(process.pid));
  setTimeout(() => process.exit(0), 60000);
} else {
  const r = spawnSync('osslsigncode', args, { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
