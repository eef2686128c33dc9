// Shared by the stand-ins: one JSON line per call in $SHIPFLEET_STANDIN_LOG.
const fs = require('fs');
const path = require('path');

function record(tool, argv) {
  const file = process.env.SHIPFLEET_STANDIN_LOG || path.join(process.cwd(), 'standin-calls.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, JSON.stringify({ tool, argv, cwd: process.cwd(), env: process.env, time: new Date().toISOString() }) + '\n');
}

function echoRequestedEnv() {
  for (const name of (process.env.SHIPFLEET_STANDIN_ECHO_ENV || '').split(',').filter(Boolean)) {
    console.log(`[debug] ${name}=${process.env[name]}`);
  }
}

module.exports = { record, echoRequestedEnv };
