// Shared by the docker, podman and buildah stand-ins: flag parsing as the real CLIs document it,
// a digest derived from the Dockerfile and the flags (a stand-in builds nothing), and the
// manifest lists podman/buildah keep in local storage (a JSON file here).
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

/** Parses `argv` against value flags and boolean flags; aliases map short to long. Unknown flags are an error, as with the real CLIs. */
function parseFlags(argv, { values, booleans, aliases = {} }) {
  const flags = {};
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    let value;
    const eq = arg.indexOf('=');
    if (eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const name = aliases[arg] || arg;
    if (values.includes(name)) {
      if (value === undefined) {
        value = argv[++i];
        if (value === undefined) return { error: `flag needs an argument: ${arg}` };
      }
      (flags[name] = flags[name] || []).push(value);
    } else if (booleans.includes(name)) {
      flags[name] = [value === undefined ? 'true' : value];
    } else {
      return { error: `unknown flag: ${arg}` };
    }
  }
  return { flags, positional };
}

/** --secret id=<id>[,src=<file>][,env=<NAME>][,type=file|env]: the value must be readable, as the engines check before building. */
function checkSecrets(specs) {
  for (const spec of specs || []) {
    const fields = Object.fromEntries(spec.split(',').map((kv) => kv.split('=')));
    if (!fields.id) return `secret id is required: ${spec}`;
    if (fields.env !== undefined && process.env[fields.env] === undefined) return `secret env ${fields.env}: not set`;
    if (fields.src !== undefined && !fs.existsSync(fields.src)) return `secret src ${fields.src}: no such file`;
  }
  return undefined;
}

function fakeDigest(parts) {
  return `sha256:${crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex')}`;
}

function stateFile(envName, fallback) {
  const log = process.env.SHIPFLEET_STANDIN_LOG || path.join(process.cwd(), 'standin-calls.jsonl');
  return process.env[envName] || path.join(path.dirname(log), fallback);
}

function readState(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return { lists: {} };
  }
}

function writeState(file, state) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(state, null, 2));
}

module.exports = { parseFlags, checkSecrets, fakeDigest, readState, writeState, stateFile };
