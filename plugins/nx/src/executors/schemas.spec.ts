import { execFileSync } from 'child_process';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import * as ts from 'typescript';
import { ANDROID_BUILD_DEFAULTS, DEPLOY_ANDROID_DEFAULTS } from '@shipfleet/android';
import { BUILD_IOS_DEFAULTS, DEPLOY_IOS_DEFAULTS, SIGN_MACOS_DEFAULTS } from '@shipfleet/apple';
import { CANARY_MONITOR_DEFAULTS } from '@shipfleet/canary';
import { CLOUD_RUN_DEFAULTS } from '@shipfleet/cloud-run';
import { CONTAINER_IMAGE_DEFAULTS } from '@shipfleet/container';
import { FASTLANE_LANE_DEFAULTS } from '@shipfleet/fastlane';
import { K8S_DEPLOY_DEFAULTS } from '@shipfleet/k8s';
import { GITHUB_RELEASE_DEFAULTS, SIGN_WINDOWS_DEFAULTS } from '@shipfleet/desktop';
import { SUPABASE_DEFAULTS } from '@shipfleet/supabase';
import { TERRAFORM_DEFAULTS } from '@shipfleet/terraform';
import { PACKAGE_TIZEN_DEFAULTS } from '@shipfleet/tv';
import { VERCEL_DEPLOY_DEFAULTS } from '@shipfleet/vercel';
import { DEPLOY_DEFAULTS } from './deploy/executor';

const root = resolve(__dirname, '../../../..');
const plugin = join(root, 'plugins/nx');
const executorsDir = join(plugin, 'src/executors');

interface Contract {
  /** The options type the code reads, as [file, exported type name]. */
  options: [string, string];
  /** The constant of defaults the code applies. */
  defaults: Readonly<Record<string, unknown>>;
  /** Options the executor reads itself rather than the library; schema.d.ts types them, so the compiler checks those reads. */
  executorOnly?: string[];
  /** Where the schema states the defaults: `default` (Nx applies it) or "(default X)" in the description. */
  statedIn?: 'default' | 'description';
}

const CONTRACTS: Record<string, Contract | { pending: string }> = {
  'build-ios': { options: ['packages/apple/src/build-ios.ts', 'BuildIosOptions'], defaults: BUILD_IOS_DEFAULTS },
  'deploy-ios': { options: ['packages/apple/src/deploy-ios.ts', 'DeployIosOptions'], defaults: DEPLOY_IOS_DEFAULTS },
  'sign-macos': { options: ['packages/apple/src/sign-macos.ts', 'SignMacosOptions'], defaults: SIGN_MACOS_DEFAULTS },
  'package-tizen': { options: ['packages/tv/src/tizen-plan.ts', 'PackageTizenOptions'], defaults: PACKAGE_TIZEN_DEFAULTS },
  // appDir, outputPath and exclude depend on the project: no fixed defaults.
  'package-webos': { options: ['packages/tv/src/webos-plan.ts', 'PackageWebosOptions'], defaults: {} },
  'k8s-deploy': { options: ['packages/k8s/src/options.ts', 'K8sDeployOptions'], defaults: K8S_DEPLOY_DEFAULTS },
  // A `default` in the schema would be filled in by Nx and override the preset and canary.json.
  'canary-monitor': { options: ['packages/canary/src/types.ts', 'CanaryOptions'], defaults: CANARY_MONITOR_DEFAULTS, executorOnly: ['config', 'kubeconfig', 'context'], statedIn: 'description' },
  'fastlane-lane': { options: ['packages/fastlane/src/options.ts', 'FastlaneLaneOptions'], defaults: FASTLANE_LANE_DEFAULTS },
  deploy: { options: ['plugins/nx/src/utils/ledger.ts', 'LedgerOptions'], defaults: DEPLOY_DEFAULTS, executorOnly: ['env', 'targets', 'force', 'version', 'part', 'parts'] },
  // Renamed options keep their old names, so a schema default would clash with an old name given: stated in the descriptions.
  'build-android': { options: ['packages/android/src/build/options.ts', 'AndroidBuildOptions'], defaults: ANDROID_BUILD_DEFAULTS, statedIn: 'description' },
  'deploy-android': { options: ['packages/android/src/play/deploy-android.ts', 'DeployAndroidOptions'], defaults: DEPLOY_ANDROID_DEFAULTS, statedIn: 'description' },
  'vercel-deploy': { options: ['packages/vercel/src/options.ts', 'VercelOptions'], defaults: VERCEL_DEPLOY_DEFAULTS, statedIn: 'description' },
  // The engines' options exclude each other (a Dockerfile build refuses kind, a daemonless one buildArgs): no schema defaults.
  'container-image': { options: ['packages/container/src/options.ts', 'ContainerOptions'], defaults: CONTAINER_IMAGE_DEFAULTS, statedIn: 'description' },
  // config (cloud-run.json) and the target options merge in the executor: a schema default would override the file.
  // The default workspace name and lockfile mode depend on the environment: stated in descriptions.
  // environments[env] overrides the top-level values: a schema default would win over it.
  'supabase-deploy': { options: ['packages/supabase/src/options.ts', 'SupabaseDeployOptions'], defaults: SUPABASE_DEFAULTS, statedIn: 'description' },
  // Every default comes from the project's electron-builder config or this machine.
  'package-electron': { options: ['packages/desktop/src/electron/options.ts', 'PackageElectronOptions'], defaults: {}, statedIn: 'description' },
  'sign-windows': { options: ['packages/desktop/src/windows-sign/options.ts', 'SignWindowsOptions'], defaults: SIGN_WINDOWS_DEFAULTS, statedIn: 'description' },
  'publish-github-release': { options: ['packages/desktop/src/github-release/options.ts', 'GithubReleaseOptions'], defaults: GITHUB_RELEASE_DEFAULTS, statedIn: 'description' },
  terraform: { options: ['packages/terraform/src/options.ts', 'TerraformOptions'], defaults: TERRAFORM_DEFAULTS, statedIn: 'description' },
  'cloud-run-deploy': { options: ['packages/cloud-run/src/options.ts', 'CloudRunOptions'], defaults: CLOUD_RUN_DEFAULTS, executorOnly: ['config'], statedIn: 'description' },
};

interface JsonSchema {
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
}

const registry: Record<string, { implementation: string; schema: string }> = JSON.parse(readFileSync(join(plugin, 'executors.json'), 'utf8')).executors;
const names = Object.keys(registry);
/** executors.json names the built files; their sources are under src/. */
const source = (path: string) => join(plugin, path.replace(/^\.\/dist\//, 'src/'));
const schemaOf = (name: string): JsonSchema => JSON.parse(readFileSync(join(executorsDir, name, 'schema.json'), 'utf8'));
const contracts = Object.entries(CONTRACTS).filter((e): e is [string, Contract] => !('pending' in e[1]));
const pending = Object.entries(CONTRACTS).filter((e): e is [string, { pending: string }] => 'pending' in e[1]);

/** Property names of exported interfaces and type aliases, inherited ones included, read with the compiler. */
function propertyNames(types: [string, string][]): Map<string, string[]> {
  const config = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram([...new Set(types.map(([file]) => join(root, file)))], options);
  const checker = program.getTypeChecker();
  const found = new Map<string, string[]>();
  for (const [file, typeName] of types) {
    const sourceFile = program.getSourceFile(join(root, file));
    if (!sourceFile) throw new Error(`${file} is not part of the program`);
    const declaration = sourceFile.statements.find((s): s is ts.InterfaceDeclaration | ts.TypeAliasDeclaration => (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name.text === typeName);
    if (!declaration) throw new Error(`${file} declares no type ${typeName}`);
    const type = checker.getTypeAtLocation(declaration.name);
    found.set(`${file}#${typeName}`, checker.getPropertiesOfType(type).map((p) => p.name));
  }
  return found;
}

const COMMON: [string, string] = ['plugins/nx/src/utils/run-executor-plan.ts', 'CommonExecutorOptions'];
let typesRead: Map<string, string[]> | undefined;
/** Property names of every contract's options type and of the options every executor shares; one compile for all. */
function optionTypes(): Map<string, string[]> {
  typesRead ??= propertyNames([COMMON, ...contracts.map(([, c]) => c.options)]);
  return typesRead;
}
const common = () => optionTypes().get(COMMON.join('#'))!;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The type of the default-exported executor function's options parameter, and where it is imported from. */
function optionsParameter(executorFile: string): { type?: string; from?: string } {
  const sourceFile = ts.createSourceFile(executorFile, readFileSync(executorFile, 'utf8'), ts.ScriptTarget.ES2022, true);
  const fn = sourceFile.statements.find(
    (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && !!s.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword),
  );
  const annotation = fn?.parameters[0]?.type;
  if (!annotation || !ts.isTypeReferenceNode(annotation) || !ts.isIdentifier(annotation.typeName)) return {};
  const type = annotation.typeName.text;
  const from = sourceFile.statements
    .filter(ts.isImportDeclaration)
    .find((i) => {
      const bindings = i.importClause?.namedBindings;
      return !!bindings && ts.isNamedImports(bindings) && bindings.elements.some((e) => e.name.text === type);
    });
  return { type, from: from && (from.moduleSpecifier as ts.StringLiteral).text };
}

describe('executors.json', () => {
  it.each(names)('%s: its implementation, schema.json and schema.d.ts exist', (name) => {
    const { implementation, schema } = registry[name];
    expect(existsSync(`${source(implementation)}.ts`)).toBe(true);
    expect(existsSync(source(schema))).toBe(true);
    expect(source(schema)).toBe(join(executorsDir, name, 'schema.json'));
    expect(existsSync(join(dirname(source(schema)), 'schema.d.ts'))).toBe(true);
  });

  it('registers every executor folder, and each has a contract', () => {
    const folders = readdirSync(executorsDir, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== '__fixtures__').map((d) => d.name).sort();
    expect([...names].sort()).toEqual(folders);
    expect(Object.keys(CONTRACTS).sort()).toEqual(folders);
  });
});

describe('schema.d.ts', () => {
  it.each(names)('%s: is what tools/schema-types.mjs generates from schema.json', (name) => {
    const generated = execFileSync(process.execPath, [join(root, 'tools/schema-types.mjs'), '--print', join(executorsDir, name, 'schema.json')], { encoding: 'utf8' });
    expect(readFileSync(join(executorsDir, name, 'schema.d.ts'), 'utf8')).toBe(generated);
  });

  it.each(names.filter((n) => !pending.some(([p]) => p === n)))('%s: types the executor options', (name) => {
    const schemaTypes = readFileSync(join(executorsDir, name, 'schema.d.ts'), 'utf8');
    const { type, from } = optionsParameter(join(executorsDir, name, 'executor.ts'));
    expect(from).toBe('./schema');
    expect(schemaTypes).toContain(`export interface ${type} `);
  });
});

describe('schema defaults match the defaults the code applies', () => {
  it.each(contracts.filter(([, c]) => c.statedIn !== 'description'))('%s', (name, contract) => {
    const stated = Object.fromEntries(
      Object.entries(schemaOf(name).properties ?? {})
        .filter(([option, p]) => p.default !== undefined && !common().includes(option))
        .map(([option, p]) => [option, p.default]),
    );
    expect(stated).toEqual({ ...contract.defaults });
  });

  it.each(contracts.filter(([, c]) => c.statedIn === 'description'))('%s: stated as "(default X)" in the descriptions, never as a schema default', (name, contract) => {
    const properties = schemaOf(name).properties ?? {};
    expect(Object.keys(properties).filter((option) => properties[option].default !== undefined && !common().includes(option))).toEqual([]);
    const states = (option: string, value: unknown) => new RegExp(`\\(default ${escapeRegExp(String(value))}\\b`).test(properties[option]?.description ?? '');
    const unstated = Object.entries(contract.defaults).filter(([option, value]) => !states(option, value));
    expect(unstated.map(([option, value]) => `${option}: "(default ${String(value)})"`)).toEqual([]);
  });

  for (const [name, p] of pending) it.todo(`${name}: ${p.pending}`);
});

describe('schemas declare exactly the options the code reads', () => {
  for (const [name, p] of pending) it.todo(`${name}: ${p.pending}`);

  it.each(contracts)('%s', (name, contract) => {
    const read = optionTypes().get(contract.options.join('#'))!;
    const declared = Object.keys(schemaOf(name).properties ?? {});
    const expected = contract.executorOnly ?? [];
    expect({ undeclared: read.filter((o) => !declared.includes(o)), unread: declared.filter((o) => !read.includes(o) && !common().includes(o) && !expected.includes(o)) }).toEqual({ undeclared: [], unread: [] });
    expect(expected.filter((o) => !declared.includes(o))).toEqual([]);
  });
});
