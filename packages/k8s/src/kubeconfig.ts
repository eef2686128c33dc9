import { existsSync, readFileSync, statSync } from 'fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'path';
import { parse } from 'yaml';
import { displayUrl, UserError } from '@shipfleet/core';
import { isPlainObject } from './types';

/** Which cluster a deploy talks to, resolved (and checked) before anything runs. */
export interface KubeconfigTarget {
  /** Kubeconfig files, merged in order (first wins), as kubectl merges KUBECONFIG. Empty when in-cluster. */
  paths: string[];
  /** The service account of the pod this runs in (no kubeconfig found, KUBERNETES_SERVICE_HOST set). */
  inCluster: boolean;
  context?: string;
  cluster?: string;
  /** The API server URL as messages show it: no user name, password or query. */
  server?: string;
  /** The context's default namespace. */
  namespace?: string;
  user?: string;
  /** kubectl's `tokenFile` of the user (absolute): read at each request, since such tokens rotate. */
  tokenFile?: string;
  /**
   * Credentials found in the kubeconfig and the files it names (token files,
   * client keys), to mask should they ever reach output. Those an exec plugin
   * issues are only known at run time: the connection reports them then.
   */
  secrets: string[];
}

/** Where a pod's service account token is mounted. */
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** The trimmed content of a credential file, or undefined when it cannot be read now (the connection reads it again, and reports what it sends). */
function readCredentialFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

interface Named { name: string; [k: string]: unknown }

function readKubeconfig(file: string, option: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(option, `${file} is not valid YAML (${(e as Error).message.split('\n')[0]})`, 'Point it at a kubeconfig file (kubectl config view --raw shows one)');
  }
  if (doc === null || doc === undefined) return {};
  if (!isPlainObject(doc)) throw new UserError(option, `${file} is not a kubeconfig`, 'A kubeconfig is a YAML mapping with clusters, contexts and users');
  return doc;
}

const named = (v: unknown): Named[] => (Array.isArray(v) ? (v.filter((x) => isPlainObject(x) && typeof x.name === 'string') as Named[]) : []);

function expandHome(p: string, env: NodeJS.ProcessEnv): string {
  return p === '~' || p.startsWith('~/') ? join(env.HOME ?? '', p.slice(1)) : p;
}

/**
 * Finds the kubeconfig the way kubectl does: the `kubeconfig` option
 * (relative to `baseDir`), else
 * the files listed in KUBECONFIG, else ~/.kube/config, else the in-cluster
 * service account; then checks that the context (the option, else
 * current-context) exists and names a known cluster.
 */
export function resolveKubeconfig(
  opts: { kubeconfig?: string; context?: string },
  baseDir: string,
  env: NodeJS.ProcessEnv,
  { required = true, serviceAccountToken = SERVICE_ACCOUNT_TOKEN }: { required?: boolean; serviceAccountToken?: string } = {},
): KubeconfigTarget | undefined {
  let paths: string[];
  let origin: string;
  if (opts.kubeconfig !== undefined) {
    if (typeof opts.kubeconfig !== 'string' || !opts.kubeconfig.trim()) throw new UserError('kubeconfig', 'is empty', 'Give the path of a kubeconfig file, or leave it out to use KUBECONFIG or ~/.kube/config');
    const file = resolve(baseDir, expandHome(opts.kubeconfig, env));
    if (!existsSync(file) || !statSync(file).isFile()) throw new UserError('kubeconfig', `${file} does not exist`, 'Point it at a kubeconfig file, or leave it out to use KUBECONFIG or ~/.kube/config');
    paths = [file];
    origin = file;
  } else if (env.KUBECONFIG) {
    // Relative entries are read from the current directory, as kubectl and @kubernetes/client-node read them.
    paths = env.KUBECONFIG.split(delimiter).filter(Boolean).map((p) => (isAbsolute(p) ? p : resolve(p))).filter((p) => existsSync(p));
    if (!paths.length) throw new UserError('kubeconfig', `none of the files in KUBECONFIG (${env.KUBECONFIG}) exists`, 'Fix KUBECONFIG or set the kubeconfig option');
    origin = `KUBECONFIG (${paths.join(delimiter)})`;
  } else {
    const home = join(env.HOME ?? '', '.kube', 'config');
    if (env.HOME && existsSync(home)) {
      paths = [home];
      origin = home;
    } else if (env.KUBERNETES_SERVICE_HOST) {
      if (opts.context) throw new UserError('context', `"${opts.context}" was given but no kubeconfig was found (running in-cluster)`, 'Set kubeconfig to the file that defines this context');
      const token = readCredentialFile(serviceAccountToken);
      return { paths: [], inCluster: true, secrets: token ? [token] : [] };
    } else {
      if (!required) return undefined;
      throw new UserError('kubeconfig', 'no kubeconfig found: KUBECONFIG is not set and ~/.kube/config does not exist', 'Set the kubeconfig option (or KUBECONFIG) to the kubeconfig of the target cluster');
    }
  }

  const contexts = new Map<string, Named>();
  const clusters = new Map<string, Named>();
  const users = new Map<string, Named>();
  // Relative paths in a user are read from the folder of the file that defines it, as kubectl reads them.
  const userDirs = new Map<string, string>();
  let currentContext: string | undefined;
  for (const file of paths) {
    const doc = readKubeconfig(file, 'kubeconfig');
    for (const c of named(doc.contexts)) if (!contexts.has(c.name)) contexts.set(c.name, c);
    for (const c of named(doc.clusters)) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of named(doc.users)) {
      if (users.has(u.name)) continue;
      users.set(u.name, u);
      userDirs.set(u.name, dirname(file));
    }
    if (!currentContext && typeof doc['current-context'] === 'string' && doc['current-context']) currentContext = doc['current-context'];
  }
  const available = [...contexts.keys()];
  const list = available.length ? `contexts there: ${available.join(', ')}` : 'it defines no context';
  if (opts.context !== undefined && (typeof opts.context !== 'string' || !opts.context)) throw new UserError('context', 'is empty', `Name a context of ${origin}: ${list}`);
  const contextName = opts.context ?? currentContext;
  if (!contextName) throw new UserError('context', `${origin} has no current-context`, `Set context to one of its contexts (${list})`);
  const context = contexts.get(contextName);
  if (!context) {
    throw new UserError(opts.context ? 'context' : 'kubeconfig', `"${contextName}" is not a context in ${origin}; ${list}`, opts.context ? 'Use one of those names' : 'Set the context option, or fix current-context');
  }
  const ctx = (isPlainObject(context.context) ? context.context : {}) as Record<string, unknown>;
  const clusterName = typeof ctx.cluster === 'string' ? ctx.cluster : undefined;
  const cluster = clusterName ? clusters.get(clusterName) : undefined;
  if (!cluster) throw new UserError('kubeconfig', `context "${contextName}" names cluster "${clusterName ?? ''}", which ${origin} does not define`, 'Fix the kubeconfig (kubectl config view shows it)');
  const server = getString(cluster.cluster, 'server');
  if (!server) throw new UserError('kubeconfig', `cluster "${clusterName}" in ${origin} has no server`, 'Fix the kubeconfig');
  const userName = typeof ctx.user === 'string' ? ctx.user : undefined;
  const secrets: string[] = [];
  let tokenFile: string | undefined;
  const user = userName ? users.get(userName) : undefined;
  if (user && isPlainObject(user.user)) {
    const u = user.user;
    const inUserDir = (key: string) => {
      const file = getString(u, key);
      return file ? resolve(userDirs.get(user.name)!, expandHome(file, env)) : undefined;
    };
    for (const key of ['token', 'password']) {
      const v = getString(u, key);
      if (v) secrets.push(v);
    }
    tokenFile = inUserDir('tokenFile');
    for (const file of [tokenFile, inUserDir('token-file'), inUserDir('client-key')]) {
      const v = file && readCredentialFile(file);
      if (v) secrets.push(v);
    }
    const keyData = getString(u, 'client-key-data');
    if (keyData) secrets.push(keyData, Buffer.from(keyData, 'base64').toString('utf8'));
    const providerConfig = isPlainObject(u['auth-provider']) && isPlainObject(u['auth-provider'].config) ? u['auth-provider'].config : {};
    for (const key of ['id-token', 'refresh-token', 'access-token', 'client-secret']) {
      const v = getString(providerConfig, key);
      if (v) secrets.push(v);
    }
  }
  return {
    paths,
    inCluster: false,
    context: contextName,
    cluster: clusterName,
    server: displayUrl(server).replace(/\/+$/, ''),
    namespace: typeof ctx.namespace === 'string' && ctx.namespace ? ctx.namespace : undefined,
    user: userName,
    tokenFile,
    secrets,
  };
}

function getString(obj: unknown, key: string): string | undefined {
  if (!isPlainObject(obj)) return undefined;
  const v = obj[key];
  return typeof v === 'string' && v ? v : undefined;
}
