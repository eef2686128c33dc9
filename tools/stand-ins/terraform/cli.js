// Stand-in for the Terraform and OpenTofu CLIs (run as bin/terraform or bin/tofu): init, workspace
// select|show|list, plan -out, show -json, apply <planfile>, version -json. Flags are parsed the
// way Go's flag package does and checked against each command's documented flags
// (developer.hashicorp.com/terraform/cli/commands/*); `show -json` prints the plan in the JSON
// output format (format_version 1.2) from a fixture. See tools/stand-ins/README.md.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { echoRequestedEnv } = require('../record');

const tool = path.basename(process.argv[1]) === 'tofu' ? 'tofu' : 'terraform';
const Product = tool === 'tofu' ? 'OpenTofu' : 'Terraform';
const version = process.env.SHIPFLEET_TERRAFORM_VERSION || (tool === 'tofu' ? '1.8.5' : '1.9.8');
const registryHost = tool === 'tofu' ? 'registry.opentofu.org' : 'registry.terraform.io';
const fixturesDir = path.join(__dirname, 'fixtures');
const argv = process.argv.slice(2);
const env = process.env;
const dataDir = env.TF_DATA_DIR || '.terraform';

/** Names whose values are never written to the call log. */
const SECRETISH = /^TF_VAR_|SECRET|PASSWORD|TOKEN|_KEY$|ACCESS_KEY|CREDENTIALS|CONN_STR|AUTH/i;

function record() {
  const file = env.SHIPFLEET_STANDIN_LOG || path.join(process.cwd(), 'standin-calls.jsonl');
  const shown = {};
  for (const [k, v] of Object.entries(env)) shown[k] = SECRETISH.test(k) ? '<set>' : v;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, JSON.stringify({ tool, argv, cwd: process.cwd(), env: shown, time: new Date().toISOString() }) + '\n');
}

/** A diagnostic as Terraform prints it with -no-color. */
function diag(severity, summary, detail) {
  process.stderr.write(`\n${severity}: ${summary}\n${detail ? `\n${detail}\n` : ''}\n`);
}
function fail(summary, detail, code = 1) {
  diag('Error', summary, detail);
  process.exit(code);
}

// ---- flags (Go's flag package: -f, --f, -f=v, -f v; booleans take no separate value) ----
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$/;
const COMMON_OP = { bools: ['no-color', 'input', 'lock', 'compact-warnings', 'json', 'refresh', 'destroy', 'refresh-only'], values: ['lock-timeout', 'parallelism', 'var', 'var-file', 'target', 'replace', 'state'] };
const FLAGS = {
  init: { bools: ['no-color', 'input', 'backend', 'cloud', 'get', 'force-copy', 'lock', 'reconfigure', 'migrate-state', 'upgrade', 'ignore-remote-version', 'json', 'compact-warnings'], values: ['backend-config', 'from-module', 'lock-timeout', 'lockfile', 'plugin-dir', 'var', 'var-file', 'test-directory'] },
  plan: { bools: [...COMMON_OP.bools, 'detailed-exitcode'], values: [...COMMON_OP.values, 'out', 'generate-config-out'] },
  apply: { bools: [...COMMON_OP.bools, 'auto-approve'], values: [...COMMON_OP.values, 'state-out', 'backup'] },
  show: { bools: ['no-color', 'json'], values: [] },
  version: { bools: ['json'], values: [] },
  'workspace select': { bools: ['no-color', 'or-create'], values: [] },
  'workspace show': { bools: ['no-color'], values: [] },
  'workspace list': { bools: ['no-color'], values: [] },
};

function parseFlags(command, args) {
  const spec = FLAGS[command];
  const flags = {};
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === '--') { i++; break; }
    if (!a.startsWith('-') || a === '-') break;
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    let value = eq < 0 ? undefined : body.slice(eq + 1);
    if (spec.bools.includes(name)) {
      if (value === undefined) value = 'true';
      if (!['true', 'false', '1', '0', 't', 'f', 'TRUE', 'FALSE', 'True', 'False'].includes(value)) return { error: `invalid boolean value "${value}" for -${name}: parse error` };
      flags[name] = [...(flags[name] || []), /^(true|1|t)$/i.test(value) ? 'true' : 'false'];
    } else if (spec.values.includes(name)) {
      if (value === undefined) {
        if (i + 1 >= args.length) return { error: `flag needs an argument: -${name}` };
        value = args[++i];
      }
      if (name === 'lock-timeout' && !GO_DURATION.test(value)) return { error: `invalid value "${value}" for flag -${name}: parse error` };
      flags[name] = [...(flags[name] || []), value];
    } else {
      return { error: `flag provided but not defined: -${name}` };
    }
  }
  return { flags, positional: args.slice(i) };
}

/** A flag error as each command reports it: the newer commands as a diagnostic, workspace commands as one line. */
function flagError(command, error) {
  if (command.startsWith('workspace')) {
    process.stderr.write(`Error parsing command-line flags: ${error}\n\n`);
    process.exit(1);
  }
  diag('Error', 'Failed to parse command-line flags', error);
  process.stderr.write(`For more help on using this command, run:\n  ${tool} ${command} -help\n`);
  process.exit(1);
}

const last = (flags, name) => (flags[name] ? flags[name][flags[name].length - 1] : undefined);
const isTrue = (flags, name, dflt) => (flags[name] ? last(flags, name) === 'true' : dflt);

// ---- configuration (read crudely: enough for providers, backend and variables) ----
function tfFiles() {
  return fs.readdirSync('.').filter((f) => f.endsWith('.tf')).map((f) => fs.readFileSync(f, 'utf8'));
}
function block(text, start) {
  const open = text.indexOf('{', start);
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}
function readConfig() {
  const providers = [];
  const variables = {};
  let backend;
  for (const text of tfFiles()) {
    const rp = text.indexOf('required_providers');
    if (rp >= 0) {
      for (const m of block(text, rp).matchAll(/([A-Za-z0-9_-]+)\s*=\s*\{([^{}]*)\}/g)) {
        const source = /source\s*=\s*"([^"]+)"/.exec(m[2]);
        const constraint = /version\s*=\s*"([^"]+)"/.exec(m[2]);
        if (source) providers.push({ source: source[1].includes('/') && source[1].split('/').length === 2 ? `${registryHost}/${source[1]}` : source[1], constraint: constraint ? constraint[1] : undefined });
      }
    }
    const b = /backend\s+"([a-z0-9_]+)"\s*\{/.exec(text);
    if (b) backend = b[1];
    for (const m of text.matchAll(/variable\s+"([A-Za-z_][A-Za-z0-9_-]*)"\s*\{/g)) {
      const body = block(text, m.index);
      const dflt = /(^|\n)\s*default\s*=\s*(.+)/.exec(body);
      let value;
      try {
        value = dflt ? JSON.parse(dflt[2].trim()) : undefined;
      } catch {
        value = dflt[2].trim();
      }
      variables[m[1]] = { hasDefault: !!dflt, default: value, sensitive: /(^|\n)\s*sensitive\s*=\s*true/.test(body) };
    }
  }
  return { providers, variables, backend };
}

// ---- state ----
const workspace = () => env.TF_WORKSPACE || (fs.existsSync(path.join(dataDir, 'environment')) ? fs.readFileSync(path.join(dataDir, 'environment'), 'utf8').trim() : 'default');
const statePath = (ws) => (ws === 'default' ? 'terraform.tfstate' : path.join('terraform.tfstate.d', ws, 'terraform.tfstate'));
function readState(ws) {
  try {
    return JSON.parse(fs.readFileSync(statePath(ws), 'utf8'));
  } catch {
    return undefined;
  }
}
function writeState(ws, state) {
  fs.mkdirSync(path.dirname(path.resolve(statePath(ws))), { recursive: true });
  fs.writeFileSync(statePath(ws), JSON.stringify(state, null, 2) + '\n');
}
function emptyState() {
  return { version: 4, terraform_version: version, serial: 0, lineage: crypto.randomUUID(), outputs: {}, resources: [], check_results: null };
}
const plansFile = () => path.join(dataDir, 'shipfleet-standin-plans.json');
function plansWritten() {
  try {
    return JSON.parse(fs.readFileSync(plansFile(), 'utf8'));
  } catch {
    return {};
  }
}
const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

function requireInit() {
  const config = readConfig();
  if (!fs.existsSync(dataDir)) {
    if (config.backend) fail(`Backend initialization required, please run "${tool} init"`, `Reason: Initial configuration of the requested backend "${config.backend}"`);
    if (config.providers.length) {
      fail('Inconsistent dependency lock file', `The following dependency selections recorded in the lock file are inconsistent with the current configuration:\n${config.providers.map((p) => `  - provider ${p.source}: required by this configuration but no version is selected`).join('\n')}\n\nTo make the initial dependency selections that will initialize the dependency lock file, run:\n  ${tool} init`);
    }
  }
  return config;
}

// ---- plan documents ----
function fixtureDocument() {
  let choice = env.SHIPFLEET_TERRAFORM_PLAN;
  if (!choice && fs.existsSync('.shipfleet-terraform-plan')) choice = fs.readFileSync('.shipfleet-terraform-plan', 'utf8').trim();
  choice = choice || 'creates';
  const text = choice.startsWith('{') ? choice : fs.readFileSync(/^[a-z-]+$/.test(choice) ? path.join(fixturesDir, `${choice}.json`) : path.resolve(choice), 'utf8');
  return JSON.parse(text);
}

function parseTfvars(file) {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return JSON.parse(text);
  const out = {};
  for (const m of text.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.+?)\s*$/gm)) out[m[1]] = JSON.parse(m[2]);
  return out;
}

function collectVariables(flags, config) {
  const values = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('TF_VAR_')) values[k.slice(7)] = v;
  for (const file of flags['var-file'] || []) {
    if (!fs.existsSync(file)) fail('Failed to read variables file', `Given variables file ${file} does not exist.`);
    let parsed;
    try {
      parsed = parseTfvars(file);
    } catch (e) {
      fail('Failed to read variables file', `${file}: ${e.message}`);
    }
    for (const [k, v] of Object.entries(parsed)) {
      if (!config.variables[k]) diag('Warning', 'Value for undeclared variable', `The root module does not declare a variable named "${k}" but a value was found in file "${file}". If you meant to use this value, add a "variable" block to the configuration.\n\nTo silence these warnings, use TF_VAR_... environment variables to provide certain "global" settings to all configurations in your organization. To reduce the verbosity of these warnings, use the -compact-warnings option.`);
      values[k] = v;
    }
  }
  for (const kv of flags.var || []) {
    const eq = kv.indexOf('=');
    const name = kv.slice(0, eq);
    if (!config.variables[name]) fail('Value for undeclared variable', `A variable named "${name}" was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a "variable" block to the configuration.`);
    values[name] = kv.slice(eq + 1);
  }
  for (const [name, v] of Object.entries(config.variables)) {
    if (!v.hasDefault && !(name in values)) fail('No value for required variable', `The root module input variable "${name}" is not set, and has no default value. Use a -var or -var-file command line argument to provide a value for this variable.`);
  }
  const shown = {};
  for (const [name, v] of Object.entries(config.variables)) if (name in values || v.hasDefault) shown[name] = { value: name in values ? values[name] : v.default };
  return shown;
}

const HEADLINE = {
  create: 'will be created', update: 'will be updated in-place', delete: 'will be destroyed', read: 'will be read during apply',
};
function changeKind(actions) {
  const k = actions.join(',');
  if (k === 'delete,create') return { symbol: '-/+', text: 'must be replaced' };
  if (k === 'create,delete') return { symbol: '+/-', text: 'must be replaced' };
  if (k === 'create') return { symbol: '+', text: HEADLINE.create };
  if (k === 'update') return { symbol: '~', text: HEADLINE.update };
  if (k === 'delete') return { symbol: '-', text: HEADLINE.delete };
  if (k === 'read') return { symbol: '<=', text: HEADLINE.read };
  return undefined;
}
function counts(doc) {
  let add = 0, change = 0, destroy = 0;
  for (const rc of doc.resource_changes || []) {
    const a = rc.change.actions;
    if (a.includes('create')) add++;
    if (a.includes('delete')) destroy++;
    if (a.length === 1 && a[0] === 'update') change++;
  }
  return { add, change, destroy };
}
function printPlanText(doc, out) {
  const changes = (doc.resource_changes || []).filter((rc) => changeKind(rc.change.actions));
  if (!changes.length) {
    console.log('\nNo changes. Your infrastructure matches the configuration.\n');
    console.log(`${Product} has compared your real infrastructure against your configuration and found no differences, so no changes are needed.`);
    return;
  }
  console.log(`\n${Product} used the selected providers to generate the following execution\nplan. Resource actions are indicated with the following symbols:`);
  const symbols = new Set(changes.map((rc) => changeKind(rc.change.actions).symbol));
  const legend = { '+': '  + create', '~': '  ~ update in-place', '-/+': '-/+ destroy and then create replacement', '+/-': '+/- create replacement and then destroy', '-': '  - destroy', '<=': ' <= read (data resources)' };
  for (const s of ['+', '~', '-/+', '+/-', '-', '<=']) if (symbols.has(s)) console.log(legend[s]);
  console.log(`\n${Product} will perform the following actions:\n`);
  for (const rc of changes) {
    const k = changeKind(rc.change.actions);
    console.log(`  # ${rc.address} ${k.text}`);
    if (rc.action_reason === 'delete_because_no_resource_config') console.log(`  # (because ${rc.address} is not in configuration)`);
    console.log(`${k.symbol.padStart(3)} ${rc.mode === 'data' ? 'data' : 'resource'} "${rc.type}" "${rc.name}" {`);
    const before = rc.change.before || {};
    const after = rc.change.after || {};
    const sensitive = rc.change.after_sensitive || {};
    const forced = new Set((rc.change.replace_paths || []).map((p) => p[0]));
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
      const b = JSON.stringify(before[key]);
      const a = sensitive[key] === true ? '(sensitive value)' : JSON.stringify(after[key]);
      if (rc.change.actions[0] === 'delete' && rc.change.actions.length === 1) console.log(`      - ${key} = ${b} -> null`);
      else if (!(key in before)) console.log(`      + ${key} = ${a}`);
      else if (b !== JSON.stringify(after[key])) console.log(`      ~ ${key} = ${b} -> ${a}${forced.has(key) ? ' # forces replacement' : ''}`);
    }
    console.log('    }\n');
  }
  const c = counts(doc);
  console.log(`Plan: ${c.add} to add, ${c.change} to change, ${c.destroy} to destroy.`);
  console.log('\n' + '─'.repeat(77) + '\n');
  console.log(`Saved the plan to: ${out}\n`);
  console.log(`To perform exactly these actions, run the following command to apply:\n    ${tool} apply "${out}"`);
}

function loadPlanFile(file) {
  try {
    const plan = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8'));
    if (plan.kind !== 'shipfleet-standin-tfplan') throw new Error('not a plan');
    return plan;
  } catch {
    return undefined;
  }
}

// ---- commands ----
function cmdVersion(flags) {
  if (isTrue(flags, 'json', false)) console.log(JSON.stringify({ terraform_version: version, platform: `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`, provider_selections: {}, terraform_outdated: false }, null, 2));
  else console.log(`${Product} v${version}\non ${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`);
}

function lockFileText(providers) {
  const lines = [`# This file is maintained automatically by "${tool} init".`, '# Manual edits may be lost in future updates.', ''];
  for (const p of providers) {
    const v = ((p.constraint || '').match(/\d+(\.\d+)*/) || ['1.0.0'])[0].split('.').concat(['0', '0']).slice(0, 3).join('.');
    const seed = sha256(`${p.source}@${v}`);
    lines.push(`provider "${p.source}" {`, `  version     = "${v}"`, ...(p.constraint ? [`  constraints = "${p.constraint}"`] : []), '  hashes = [', `    "h1:${Buffer.from(seed, 'hex').toString('base64')}",`, `    "zh:${seed}",`, '  ]', '}', '');
  }
  return lines.join('\n');
}

function cmdInit(flags) {
  const files = tfFiles();
  if (!files.length) {
    console.log(`${Product} initialized in an empty directory!\n\nThe directory has no ${Product} configuration files. You may begin working\nwith ${Product} immediately by creating ${Product} configuration files.`);
    return;
  }
  const config = readConfig();
  const backendConfig = {};
  for (const bc of flags['backend-config'] || []) {
    const eq = bc.indexOf('=');
    if (eq < 0) {
      if (!fs.existsSync(bc)) fail('Failed to read file', `The file "${bc}" could not be read.`);
      Object.assign(backendConfig, parseTfvars(bc));
    } else backendConfig[bc.slice(0, eq)] = bc.slice(eq + 1);
  }
  if (Object.keys(backendConfig).length && !config.backend) {
    diag('Warning', 'Missing backend configuration', `-backend-config was used without a "backend" block in the configuration.\n\nIf you intended to override the default local backend configuration,\nno action is required, but you may add an explicit backend block to your\nconfiguration to clear this warning:\n\n${tool} {\n  backend "local" {}\n}\n\nHowever, if you intended to override a defined backend, please verify that\nthe backend configuration is present and valid.`);
  }
  console.log(`\nInitializing the backend...`);
  if (config.backend) console.log(`\nSuccessfully configured the backend "${config.backend}"! ${Product} will automatically\nuse this backend unless the backend configuration changes.`);
  fs.mkdirSync(path.join(dataDir, 'providers'), { recursive: true });
  if (config.backend) fs.writeFileSync(path.join(dataDir, 'terraform.tfstate'), JSON.stringify({ version: 3, terraform_version: version, backend: { type: config.backend, config: backendConfig, hash: 1 } }, null, 2) + '\n');
  console.log('\nInitializing provider plugins...');
  if (config.providers.length) {
    const lockPath = '.terraform.lock.hcl';
    const existing = fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : '';
    const missing = config.providers.filter((p) => !existing.includes(`provider "${p.source}"`));
    for (const p of config.providers) console.log(`- Finding ${p.source.replace(`${registryHost}/`, '')} versions matching "${p.constraint || '*'}"...`);
    if (missing.length && last(flags, 'lockfile') === 'readonly') {
      fail('Provider dependency changes detected', `Changes to the required provider dependencies were detected, but the lock file is read-only. To use and record these requirements, run "${tool} init" without the "-lockfile=readonly" flag.`);
    }
    for (const p of config.providers) console.log(`- Installing ${p.source.replace(`${registryHost}/`, '')}...`);
    if (missing.length) {
      fs.writeFileSync(lockPath, lockFileText(config.providers));
      console.log(`\n${Product} has created a lock file .terraform.lock.hcl to record the provider\nselections it made above. Include this file in your version control repository\nso that ${Product} can guarantee to make the same selections by default when\nyou run "${tool} init" in the future.`);
    }
  }
  console.log(`\n${Product} has been successfully initialized!`);
}

function cmdWorkspace(sub, flags, positional) {
  requireInit();
  const dirs = fs.existsSync('terraform.tfstate.d') ? fs.readdirSync('terraform.tfstate.d') : [];
  const all = ['default', ...dirs.sort()];
  if (sub === 'show') return console.log(workspace());
  if (sub === 'list') return all.forEach((w) => console.log(`${w === workspace() ? '*' : ' '} ${w}`));
  if (positional.length !== 1) {
    process.stderr.write('Expected a single argument: NAME.\n\n');
    process.exit(1);
  }
  if (env.TF_WORKSPACE) {
    process.stderr.write(`\nThe selected workspace is currently overridden using the TF_WORKSPACE\nenvironment variable.\n\nTo select a new workspace, either update this environment variable or unset\nit and then run this command again.\n`);
    process.exit(1);
  }
  const name = positional[0];
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.includes('/')) {
    process.stderr.write(`\nThe workspace name "${name}" is not allowed. The name must contain only URL safe\ncharacters, contain no path separators, and not be an empty string.\n`);
    process.exit(1);
  }
  if (name === workspace()) return;
  if (!all.includes(name)) {
    if (!isTrue(flags, 'or-create', false)) {
      process.stderr.write(`\nWorkspace "${name}" doesn't exist.\n\nYou can create this workspace with the "new" subcommand\nor include the "-or-create" flag with the "select" subcommand.\n`);
      process.exit(1);
    }
    fs.mkdirSync(path.join('terraform.tfstate.d', name), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'environment'), name);
    console.log(`Created and switched to workspace "${name}"!\n\nYou're now on a new, empty workspace. Workspaces isolate their state,\nso if you run "${tool} plan" ${Product} will not see any existing state\nfor this configuration.`);
    return;
  }
  fs.writeFileSync(path.join(dataDir, 'environment'), name);
  console.log(`Switched to workspace "${name}".`);
}

function cmdPlan(flags, positional) {
  if (positional.length) fail('Too many command line arguments', `To specify a working directory for the plan, use the global -chdir flag.`);
  const config = requireInit();
  const variables = collectVariables(flags, config);
  echoRequestedEnv();
  const ws = workspace();
  const state = readState(ws) || emptyState();
  const doc = fixtureDocument();
  const out = last(flags, 'out');
  if (env.SHIPFLEET_TERRAFORM_FAIL === 'plan') fail('creating S3 Bucket (acme-site-staging): operation error S3: CreateBucket, https response error StatusCode: 403, api error AccessDenied: Access Denied');
  if (!out) {
    printPlanText(doc, '(not saved)');
    console.log(`\nNote: You didn't use the -out option to save this plan, so ${Product} can't\nguarantee to take exactly these actions if you run "${tool} apply" now.`);
    return;
  }
  const plan = { kind: 'shipfleet-standin-tfplan', tool, workspace: ws, lineage: state.lineage, serial: state.serial, created: new Date().toISOString(), nonce: crypto.randomBytes(8).toString('hex'), document: doc, variables };
  const bytes = zlib.gzipSync(Buffer.from(JSON.stringify(plan)));
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, bytes);
  const written = plansWritten();
  written[path.resolve(out)] = sha256(bytes);
  fs.writeFileSync(plansFile(), JSON.stringify(written, null, 2));
  if (!readState(ws)) writeState(ws, state);
  if (env.SHIPFLEET_TERRAFORM_CONCURRENT_APPLY) writeState(ws, { ...state, serial: state.serial + 1 });
  printPlanText(doc, out);
  if (isTrue(flags, 'detailed-exitcode', false) && counts(doc).add + counts(doc).change + counts(doc).destroy > 0) process.exit(2);
}

function cmdShow(flags, positional) {
  if (!isTrue(flags, 'json', false)) fail('The stand-in prints plans and state as JSON only', 'Run show -json.');
  if (!positional.length) {
    const state = readState(workspace());
    console.log(JSON.stringify({ format_version: '1.0', terraform_version: version, ...(state ? { values: { root_module: { resources: state.resources } } } : {}) }));
    return;
  }
  const plan = loadPlanFile(positional[0]);
  if (!plan) fail('Failed to read the given file as a state or plan file', `State read error: Error loading statefile: open ${positional[0]}: no such file or directory\n\nPlan read error: couldn't load the provided path as either a local plan file or a saved cloud plan`);
  requireInit();
  console.log(JSON.stringify({ ...plan.document, terraform_version: version, variables: plan.variables, timestamp: plan.created, applyable: counts(plan.document).add + counts(plan.document).change + counts(plan.document).destroy > 0, complete: true, errored: false }));
}

function cmdApply(flags, positional) {
  if (!positional.length) fail('The stand-in applies saved plans only', `Run ${tool} plan -out=FILE, then ${tool} apply FILE.`);
  if (positional.length > 1) fail('Too many command line arguments', 'Expected at most one positional argument.');
  if ((flags.var || []).length || (flags['var-file'] || []).length) fail("Can't set variables when applying a saved plan", 'The -var and -var-file options cannot be used when applying a saved plan file, because a saved plan includes the variable values that were set when it was created.');
  const file = positional[0];
  const plan = fs.existsSync(file) ? loadPlanFile(file) : undefined;
  if (!plan) fail(`Failed to load "${file}" as a plan file`, `Error: stat ${file}: no such file or directory`);
  requireInit();
  const ws = workspace();
  const state = readState(ws) || emptyState();
  const recorded = plansWritten()[path.resolve(file)];
  if ((recorded && recorded !== sha256(fs.readFileSync(file))) || plan.lineage !== state.lineage || plan.serial !== state.serial || plan.workspace !== ws) {
    fail('Saved plan is stale', 'The given plan file can no longer be applied because the state was changed by another operation after the plan was created.');
  }
  if (env.SHIPFLEET_TERRAFORM_FAIL === 'apply') fail('creating EC2 Instance: operation error EC2: RunInstances, https response error StatusCode: 400, api error InvalidAMIID.NotFound');
  const present = new Set(state.resources.map((r) => r.address));
  for (const rc of plan.document.resource_changes || []) {
    const a = rc.change.actions.join(',');
    const id = `id=${sha256(rc.address).slice(0, 12)}`;
    if (a.startsWith('delete')) {
      console.log(`${rc.address}: Destroying... [${id}]`);
      console.log(`${rc.address}: Destruction complete after 1s`);
      present.delete(rc.address);
    }
    if (a.includes('create')) {
      console.log(`${rc.address}: Creating...`);
      console.log(`${rc.address}: Creation complete after 1s [${id}]`);
      present.add(rc.address);
    }
    if (a === 'update') {
      console.log(`${rc.address}: Modifying... [${id}]`);
      console.log(`${rc.address}: Modifications complete after 1s [${id}]`);
    }
    if (a === 'create,delete') {
      console.log(`${rc.address} (deposed object ${id.slice(3, 11)}): Destroying... [${id}]`);
      console.log(`${rc.address}: Destruction complete after 1s`);
    }
  }
  writeState(ws, { ...state, terraform_version: version, serial: state.serial + 1, resources: [...present].sort().map((address) => ({ address })) });
  const c = counts(plan.document);
  console.log(`\nApply complete! Resources: ${c.add} added, ${c.change} changed, ${c.destroy} destroyed.`);
}

// ---- main ----
record();
const global = [];
while (argv.length && argv[0].startsWith('-')) global.push(argv.shift());
for (const g of global) {
  const m = /^-chdir=(.+)$/.exec(g);
  if (m) process.chdir(m[1]);
  else if (g !== '-version' && g !== '--version' && g !== '-v' && g !== '-help' && g !== '-h') {
    process.stderr.write(`${Product} has no command named "${g}".\n\nTo see all of ${Product}'s top-level commands, run:\n  ${tool} -help\n\n`);
    process.exit(1);
  }
}
let command = argv.shift();
if (!command && global.some((g) => /version|^-v$/.test(g))) command = 'version';
if (command === 'workspace') command = `workspace ${argv.shift() || ''}`;
if (!FLAGS[command]) {
  process.stderr.write(`${Product} has no command named "${command}".\n\nTo see all of ${Product}'s top-level commands, run:\n  ${tool} -help\n\n`);
  process.exit(1);
}
// -or-create arrived in Terraform 1.4: older releases reject it as an unknown flag.
const [major, minor] = version.split('.').map(Number);
if (tool === 'terraform' && (major < 1 || (major === 1 && minor < 4))) FLAGS['workspace select'].bools = ['no-color'];
const parsed = parseFlags(command, argv);
if (parsed.error) flagError(command, parsed.error);
if (env.SHIPFLEET_TERRAFORM_FAIL === command && command !== 'plan' && command !== 'apply') fail(`${command} failed (SHIPFLEET_TERRAFORM_FAIL)`);
switch (command) {
  case 'version': cmdVersion(parsed.flags); break;
  case 'init': cmdInit(parsed.flags); break;
  case 'plan': cmdPlan(parsed.flags, parsed.positional); break;
  case 'show': cmdShow(parsed.flags, parsed.positional); break;
  case 'apply': cmdApply(parsed.flags, parsed.positional); break;
  default: cmdWorkspace(command.split(' ')[1], parsed.flags, parsed.positional);
}
