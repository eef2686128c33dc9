import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse as parseYaml } from 'yaml';
import { isPlainObject, UserError } from '@shipfleet/core';

/** electron-builder's lookup, in its order: the `build` key of package.json, then these files in the project folder. */
export const CONFIG_FILES = ['electron-builder.yml', 'electron-builder.yaml', 'electron-builder.json', 'electron-builder.json5', 'electron-builder.toml', 'electron-builder.js', 'electron-builder.cjs', 'electron-builder.ts'];

/** Formats electron-builder evaluates or parses with its own parsers; shipfleet reads only their presence. */
const OPAQUE = /\.(json5|toml|js|cjs|mjs|ts)$/;

export interface ElectronBuilderConfig {
  /** Where it was found: "package.json (build)" or the file's name relative to the project. */
  source: string;
  /** The configuration, when shipfleet can read it (JSON, YAML, package.json); undefined for code and TOML/JSON5 files. */
  config?: Record<string, unknown>;
}

/** Reads a file relative to the project folder; undefined when absent. */
export type ProjectReader = (path: string) => string | undefined;

export function fsReader(projectDir: string): ProjectReader {
  return (path) => {
    const full = join(projectDir, path);
    return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
  };
}

function parseFile(option: string, name: string, text: string): Record<string, unknown> | undefined {
  if (OPAQUE.test(name)) {
    // JSON5 is mostly plain JSON: read it when it is.
    if (name.endsWith('.json5')) {
      try {
        const doc = JSON.parse(text);
        if (isPlainObject(doc)) return doc as Record<string, unknown>;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
  let doc: unknown;
  try {
    doc = name.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new UserError(option, `${name} is not valid ${name.endsWith('.json') ? 'JSON' : 'YAML'} (${(e as Error).message.split('\n')[0]})`, 'Fix the file; electron-builder reads the same file');
  }
  if (!isPlainObject(doc)) throw new UserError(option, `${name} does not hold a map of settings`, 'electron-builder expects an object such as {"appId": "com.example.app"}');
  return doc as Record<string, unknown>;
}

/**
 * The electron-builder configuration of a project, found as electron-builder finds it
 * (`configFile` given: that file), or undefined when it has none.
 */
export function readElectronBuilderConfig(read: ProjectReader, configFile?: string): ElectronBuilderConfig | undefined {
  if (configFile !== undefined) {
    const text = read(configFile);
    if (text === undefined) throw new UserError('config', `${configFile} does not exist`, 'Point "config" at the electron-builder configuration file, relative to the workspace root');
    return { source: configFile, config: parseFile('config', configFile, text) };
  }
  const pkgText = read('package.json');
  if (pkgText !== undefined) {
    let pkg: unknown;
    try {
      pkg = JSON.parse(pkgText);
    } catch (e) {
      throw new UserError('projectDir', `package.json is not valid JSON (${(e as Error).message})`, 'Fix package.json');
    }
    const build = isPlainObject(pkg) ? (pkg as Record<string, unknown>).build : undefined;
    if (build !== undefined && build !== null) {
      if (!isPlainObject(build)) throw new UserError('projectDir', 'the "build" key of package.json is not a map of electron-builder settings', 'Write it as an object, e.g. "build": {"appId": "com.example.app"}');
      return { source: 'package.json (build)', config: build as Record<string, unknown> };
    }
  }
  for (const name of CONFIG_FILES) {
    const text = read(name);
    if (text !== undefined) return { source: name, config: parseFile('config', name, text) };
  }
  return undefined;
}

/** A nested value of a config: at(config, 'mac', 'target'). */
export function configAt(config: Record<string, unknown> | undefined, ...keys: string[]): unknown {
  let value: unknown = config;
  for (const key of keys) {
    if (!isPlainObject(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
