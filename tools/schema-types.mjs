// Writes each executor's schema.d.ts from its schema.json, so the options type cannot drift from the schema.
//   node tools/schema-types.mjs            regenerate every plugins/nx/src/executors/*/schema.d.ts
//   node tools/schema-types.mjs --check    list the schema.d.ts files that differ from their schema.json; exit 1 if any
//   node tools/schema-types.mjs --print <schema.json>   print what would be written
// Handles the JSON-schema subset executor schemas use: string, number, integer, boolean, array, object,
// enum, const, oneOf/anyOf, type lists, and additionalProperties maps. Anything else is an error.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { basename, dirname, join } from 'path';
import { fileURLToPath } from 'url';

const EXECUTORS = join(dirname(fileURLToPath(import.meta.url)), '..', 'plugins', 'nx', 'src', 'executors');
const SCALARS = { string: 'string', number: 'number', integer: 'number', boolean: 'boolean', null: 'null' };
const SHAPES = ['type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'oneOf', 'anyOf'];
// Keywords that annotate or constrain values without changing their TypeScript type.
const ANNOTATIONS = ['$schema', '$id', 'version', 'title', 'description', 'default', 'examples', 'x-priority', 'x-prompt', 'x-deprecated', 'alias', 'aliases', 'minimum', 'maximum', 'minItems', 'maxItems', 'pattern'];
const KNOWN = new Set([...SHAPES, ...ANNOTATIONS]);

/** build-ios → BuildIosExecutorOptions */
function interfaceName(executor) {
  return `${executor.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('')}ExecutorOptions`;
}

const propertyKey = (name) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name));
const union = (types) => [...new Set(types)].join(' | ');
const isUnion = (schema) => !!(schema.oneOf || schema.anyOf || (schema.enum && schema.enum.length > 1) || (Array.isArray(schema.type) && schema.type.length > 1));

function jsdoc(schema, indent) {
  const lines = [];
  if (schema.description) lines.push(...schema.description.split('\n'));
  if (schema.default !== undefined) lines.push(`@default ${JSON.stringify(schema.default)}`);
  if (schema['x-deprecated']) lines.push(`@deprecated ${schema['x-deprecated'] === true ? '' : schema['x-deprecated']}`.trimEnd());
  if (!lines.length) return '';
  const text = lines.map((l) => l.replace(/\*\//g, '*\\/'));
  if (text.length === 1) return `${indent}/** ${text[0]} */\n`;
  return `${indent}/**\n${text.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

function objectBody(schema, where, indent) {
  const required = new Set(schema.required ?? []);
  const inner = `${indent}  `;
  let body = '';
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    body += jsdoc(property, inner);
    body += `${inner}${propertyKey(name)}${required.has(name) ? '' : '?'}: ${typeOf(property, `${where}.${name}`, inner)};\n`;
  }
  const extra = schema.additionalProperties;
  if (extra !== undefined && extra !== false) body += `${inner}[key: string]: ${extra === true ? 'unknown' : typeOf(extra, `${where}[key]`, inner)};\n`;
  return `{\n${body}${indent}}`;
}

function objectType(schema, where, indent) {
  const extra = schema.additionalProperties;
  if (!schema.properties || !Object.keys(schema.properties).length) {
    if (extra === false) return 'Record<string, never>';
    return `Record<string, ${extra === undefined || extra === true ? 'unknown' : typeOf(extra, `${where}[key]`, indent)}>`;
  }
  return objectBody(schema, where, indent);
}

function typeOf(schema, where, indent = '') {
  if (typeof schema !== 'object' || schema === null) throw new Error(`${where}: a schema must be an object`);
  for (const key of Object.keys(schema)) if (!KNOWN.has(key)) throw new Error(`${where}: "${key}" is not supported by tools/schema-types.mjs`);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return union(schema.enum.map((v) => JSON.stringify(v)));
  const choices = schema.oneOf ?? schema.anyOf;
  // A branch without a type inherits the parent's, as Nx reads them.
  if (choices) return union(choices.map((c, i) => typeOf({ ...(schema.type && !c.type ? { type: schema.type } : {}), ...c }, `${where}/${i}`, indent)));
  if (Array.isArray(schema.type)) return union(schema.type.map((t) => typeOf({ ...schema, type: t }, where, indent)));
  if (schema.type === undefined) return 'unknown';
  if (SCALARS[schema.type]) return SCALARS[schema.type];
  if (schema.type === 'array') {
    if (Array.isArray(schema.items)) return `[${schema.items.map((s, i) => typeOf(s, `${where}[${i}]`, indent)).join(', ')}]`;
    if (!schema.items) return 'unknown[]';
    const item = typeOf(schema.items, `${where}[]`, indent);
    return isUnion(schema.items) ? `(${item})[]` : `${item}[]`;
  }
  if (schema.type === 'object') return objectType(schema, where, indent);
  throw new Error(`${where}: type "${schema.type}" is not a JSON-schema type`);
}

/** The text of schema.d.ts for an executor's schema. */
function schemaTypes(schema, executor) {
  if (schema.type !== 'object') throw new Error(`${executor}: the schema's top level must be "type": "object"`);
  const header = '// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.\n\n';
  return `${header}${jsdoc(schema, '')}export interface ${interfaceName(executor)} ${objectBody(schema, executor, '')}\n`;
}

function generate(schemaFile) {
  return schemaTypes(JSON.parse(readFileSync(schemaFile, 'utf8')), basename(dirname(schemaFile)));
}

function executorSchemas() {
  return readdirSync(EXECUTORS)
    .map((name) => join(EXECUTORS, name, 'schema.json'))
    .filter((file) => existsSync(file));
}

function main(args) {
  if (args[0] === '--print') {
    if (!args[1]) throw new Error('--print needs the path of a schema.json');
    process.stdout.write(generate(args[1]));
    return 0;
  }
  const check = args[0] === '--check';
  const stale = [];
  for (const schemaFile of executorSchemas()) {
    const target = join(dirname(schemaFile), 'schema.d.ts');
    const text = generate(schemaFile);
    if (existsSync(target) && readFileSync(target, 'utf8') === text) continue;
    stale.push(target);
    if (!check) writeFileSync(target, text);
  }
  for (const file of stale) console.log(`${check ? 'out of date' : 'wrote'}: ${file}`);
  if (check && stale.length) console.log('Run `node tools/schema-types.mjs` to regenerate them.');
  return check && stale.length ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(`schema-types: ${e.message}`);
    process.exitCode = 2;
  }
}
