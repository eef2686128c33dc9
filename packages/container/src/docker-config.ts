// Registry credentials the way docker and podman find them in a Docker config.json:
// `auths.<registry>.auth` (base64 user:password) or `identitytoken`, else a credential helper
// from `credHelpers.<registry>` or `credsStore`: `docker-credential-<name> get` with the registry
// on stdin, answering {"ServerURL","Username","Secret"} (Username "<token>" means Secret is an
// identity token).
import { existsSync, readFileSync } from 'fs';
import { homedir } from 'os';
import { join } from 'path';
import { isPlainObject, runCaptured, UserError } from '@shipfleet/core';
import { DOCKER_HUB_API } from './reference';

export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (docker login to some registries stores one instead of a password). */
  identityToken?: string;
  /** Where they came from, for messages: "DOCKER_CONFIG/config.json auths", "docker-credential-ecr-login"… never the values. */
  source: string;
}

export interface DockerConfig {
  path: string;
  auths: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers: Record<string, string>;
  credsStore?: string;
}

/** $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json');
}

export function readDockerConfig(path: string): DockerConfig | undefined {
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new UserError('dockerConfig', `${path} is not valid JSON`, 'Fix the file (docker login rewrites it) or point dockerConfig at another one');
  }
  if (!isPlainObject(raw)) throw new UserError('dockerConfig', `${path} does not hold a JSON object`, 'Fix the file (docker login rewrites it)');
  const auths = isPlainObject(raw.auths) ? (raw.auths as DockerConfig['auths']) : {};
  const credHelpers = isPlainObject(raw.credHelpers) ? (raw.credHelpers as Record<string, string>) : {};
  const credsStore = typeof raw.credsStore === 'string' && raw.credsStore ? raw.credsStore : undefined;
  return { path, auths, credHelpers, credsStore };
}

/** The keys config.json may use for a registry: docker writes Docker Hub as https://index.docker.io/v1/. */
function keysFor(registry: string): string[] {
  if (registry === 'docker.io' || registry === DOCKER_HUB_API) return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

function lookup<T>(map: Record<string, T>, registry: string): [string, T] | undefined {
  for (const key of keysFor(registry)) if (map[key] !== undefined) return [key, map[key]];
  return undefined;
}

/** Runs `docker-credential-<helper> get`; undefined when the helper has no credentials for the registry. */
async function fromHelper(helper: string, registry: string, timeoutMs: number): Promise<RegistryCredentials | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) throw new UserError('dockerConfig', `credential helper "${helper}" is not a valid helper name`, 'Fix credHelpers/credsStore in the Docker config');
  const file = `docker-credential-${helper}`;
  const server = registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
  let result;
  try {
    result = await runCaptured(file, ['get'], { input: server, timeoutMs });
  } catch (err) {
    throw new UserError('dockerConfig', `the credential helper ${file} could not be run (${(err as Error).message})`, `Install ${file} on PATH, or remove "${helper}" from credHelpers/credsStore in the Docker config`);
  }
  if (result.exitCode !== 0) {
    // The helpers' documented answer for a registry they hold nothing for.
    if (/credentials not found/i.test(result.stdout + result.stderr)) return undefined;
    // Helper output is not shown: it may echo what it was given.
    throw new UserError('dockerConfig', `${file} get failed for ${registry} (exit ${result.exitCode})`, `Run \`echo ${server} | ${file} get\` to see why, or log in again`);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(result.stdout);
  } catch {
    throw new UserError('dockerConfig', `${file} get answered with something that is not JSON`, 'Check the helper version (it must answer {"ServerURL","Username","Secret"})');
  }
  if (!isPlainObject(answer) || typeof answer.Secret !== 'string') throw new UserError('dockerConfig', `${file} get answered without a Secret`, 'Log in again with docker login');
  const username = typeof answer.Username === 'string' ? answer.Username : '';
  return username === '<token>' ? { identityToken: answer.Secret, source: file } : { username, password: answer.Secret, source: file };
}

/**
 * Credentials for `registry` from a Docker config: credHelpers first (as docker does), then
 * auths, then credsStore. Undefined when the config has none (the registry is used anonymously).
 */
export async function credentialsFromDockerConfig(config: DockerConfig, registry: string, timeoutMs = 30_000): Promise<RegistryCredentials | undefined> {
  const helper = lookup(config.credHelpers, registry);
  if (helper) return fromHelper(helper[1], registry, timeoutMs);
  const entry = lookup(config.auths, registry);
  if (entry) {
    const [key, a] = entry;
    const source = `${config.path} auths["${key}"]`;
    if (a.identitytoken) return { identityToken: a.identitytoken, source };
    if (a.auth) {
      const decoded = Buffer.from(a.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new UserError('dockerConfig', `${source}.auth is not base64 of user:password`, 'Log in again with docker login');
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
    }
    if (a.username && a.password) return { username: a.username, password: a.password, source };
    // An empty entry next to a credsStore: docker's way of listing a registry held by the store.
  }
  if (config.credsStore) return fromHelper(config.credsStore, registry, timeoutMs);
  return undefined;
}
