// A client of the OCI Distribution API (https://github.com/opencontainers/distribution-spec):
// blob HEAD/GET, cross-repository mount, monolithic and chunked uploads, manifest GET/PUT, with
// anonymous, Basic and Bearer-token auth. Every request goes through core's HttpClient (timeouts,
// retries, no credential in a message, secret headers dropped on a redirect to another host,
// a private CA trusted for the registry's host).
import { createReadStream } from 'fs';
import { Readable, Transform } from 'stream';
import { HttpCallOptions, HttpClient, HttpClientOptions, HttpError, HttpResponse, RetryPolicy, UserError } from '@shipfleet/core';
import { Digest, isDigest, sha256Digest } from './digest';
import { RegistryCredentials } from './docker-config';
import { MANIFEST_ACCEPT } from './media-types';
import { isLoopbackRegistry, registryApiHost, registryHostname } from './reference';
import { Challenge, parseChallenges } from './www-authenticate';

export interface RegistryStats {
  requests: number;
  retries: number;
  /** Blobs the registry already had in the repository (HEAD 200): nothing sent. */
  blobsPresent: number;
  /** Blobs mounted from another repository of the same registry: nothing sent. */
  blobsMounted: number;
  blobsUploaded: number;
  /** Bytes of blob content sent (retried chunks counted again). */
  bytesUploaded: number;
  manifestsPushed: number;
}

export function emptyRegistryStats(): RegistryStats {
  return { requests: 0, retries: 0, blobsPresent: 0, blobsMounted: 0, blobsUploaded: 0, bytesUploaded: 0, manifestsPushed: 0 };
}

export interface RegistryClientOptions {
  /** As in an image reference: docker.io, ghcr.io, 127.0.0.1:5000. */
  registry: string;
  credentials?: RegistryCredentials;
  /** Registries spoken to over plain http (besides loopback ones, which fall back to http when https does not answer). */
  insecureRegistries?: readonly string[];
  /**
   * PEM of the CA that signed the registry's certificate, trusted besides the public CAs for the
   * registry's host: its API, redirects from it, and a token service (bearer realm) on the same host
   * name. A realm on another host is checked against the public CAs only.
   */
  ca?: string;
  /** Where `ca` comes from, for messages (caFile, /etc/docker/certs.d/…). */
  caSource?: string;
  /** Token scopes asked for at once, e.g. repository:acme/api:pull,push and repository:library/node:pull. */
  scopes?: readonly string[];
  retry?: Partial<RetryPolicy>;
  /** Per request (default 30 s); blob uploads and downloads get uploadTimeoutMs. */
  timeoutMs?: number;
  /** Per blob request that carries content (default 10 min). */
  uploadTimeoutMs?: number;
  /** Blobs larger than this go up in PATCH chunks of this size (default 64 MiB); smaller ones in one PUT. */
  chunkSize?: number;
  signal?: AbortSignal;
  /** Retries and notable events (masked by the caller's log). */
  log?: (line: string) => void;
  /** Called with each token learnt at run time, so the run masks it. */
  addSecret?: (value: string) => void;
  stats?: RegistryStats;
}

export interface FetchedManifest {
  mediaType: string;
  bytes: Buffer;
  /** sha256 of the bytes (checked against Docker-Content-Digest). */
  digest: Digest;
}

/** Where a blob's bytes are read from, for uploads that may be retried or chunked. */
export interface BlobSource {
  digest: Digest;
  size: number;
  /** A stream of bytes [start, end) of the blob. */
  open(start: number, end: number): Readable;
}

export function fileBlobSource(path: string, digest: Digest, size: number): BlobSource {
  return { digest, size, open: (start, end) => createReadStream(path, { start, end: end - 1 }) };
}

export function bufferBlobSource(bytes: Buffer, digest = sha256Digest(bytes)): BlobSource {
  return { digest, size: bytes.length, open: (start, end) => Readable.from([bytes.subarray(start, end)]) };
}

const DEFAULT_CHUNK = 64 * 2 ** 20;
const MAX_MANIFEST_BYTES = 4 * 2 ** 20;
const UPLOAD_ATTEMPTS = 4;
// Token lifetimes are cut short by this much, so a token never expires in flight.
const TOKEN_MARGIN_MS = 30_000;

interface Token {
  value: string;
  expiresAt: number;
}

/** The registry's own error list ({"errors":[{"code","message"}]}), one line. */
function registryErrors(res: HttpResponse): string {
  const data = res.data() as { errors?: Array<{ code?: string; message?: string }> } | undefined;
  if (data && Array.isArray(data.errors) && data.errors.length) return data.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  return res.statusText || `HTTP ${res.status}`;
}

export class RegistryClient {
  readonly registry: string;
  readonly stats: RegistryStats;
  private readonly http: HttpClient;
  /** For a token realm on another host: without the registry's CA. */
  private readonly publicHttp: HttpClient;
  private base?: string;
  private challenge?: Challenge;
  private scopes: Set<string>;
  private token?: Token;
  private basic?: string;

  constructor(private readonly o: RegistryClientOptions) {
    this.registry = o.registry;
    this.stats = o.stats ?? emptyRegistryStats();
    this.scopes = new Set(o.scopes ?? []);
    const defaults: HttpClientOptions = {
      timeoutMs: o.timeoutMs ?? 30_000,
      retry: o.retry,
      signal: o.signal,
      onAttempt: () => { this.stats.requests++; },
      onRetry: (e) => {
        this.stats.retries++;
        o.log?.(`retrying ${e.method} ${e.url} (${e.response ? e.response.status : e.error?.code ?? e.error?.kind}), attempt ${e.attempt + 1} of ${e.attempts}, in ${e.delayMs} ms`);
      },
    };
    this.http = new HttpClient({ ...defaults, ca: o.ca });
    this.publicHttp = o.ca ? new HttpClient(defaults) : this.http;
    const c = o.credentials;
    if (c?.username !== undefined && c.password !== undefined) this.basic = `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
  }

  /** Scopes to include from now on (a mount source's pull, say). */
  addScopes(scopes: string[]): void {
    for (const s of scopes) this.scopes.add(s);
  }

  /** GET /v2/: which scheme answers and which auth it asks for. */
  async ping(): Promise<void> {
    if (this.base) return;
    const host = registryApiHost(this.registry);
    const insecure = (this.o.insecureRegistries ?? []).includes(this.registry);
    const schemes = insecure ? ['http'] : isLoopbackRegistry(this.registry) ? ['https', 'http'] : ['https'];
    let lastError: unknown;
    for (const scheme of schemes) {
      try {
        const res = await this.http.request('GET', `${scheme}://${host}/v2/`, { throwHttpErrors: false, retry: scheme !== schemes[schemes.length - 1] ? { attempts: 1 } : undefined });
        this.base = `${scheme}://${host}`;
        if (res.status === 401) this.challenge = this.pickChallenge(res);
        else if (res.status !== 200) throw new HttpError({ kind: 'status', method: 'GET', url: `${scheme}://${host}/v2/`, detail: `${res.status}: not an OCI registry API (${registryErrors(res)})`, status: res.status, retryable: false });
        return;
      } catch (err) {
        if (err instanceof HttpError && err.kind === 'tls') throw this.untrusted(err);
        lastError = err;
        if (!(err instanceof HttpError) || err.kind !== 'network') throw err;
      }
    }
    throw lastError;
  }

  private untrusted(err: HttpError): UserError {
    const fix = this.o.ca
      ? `Check that ${this.o.caSource ?? 'caFile'} holds the CA that signed the certificate of ${this.registry}, and that the certificate names this host and is in date`
      : `If ${this.registry} uses a private CA, give its certificate (PEM) in caFile, or put it at /etc/docker/certs.d/${this.registry}/ca.crt`;
    return new UserError('caFile', `${this.registry}: ${err.detail}`, fix);
  }

  private pickChallenge(res: HttpResponse): Challenge | undefined {
    const challenges = parseChallenges(res.headers['www-authenticate']);
    return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
  }

  private async authorization(): Promise<string | undefined> {
    const c = this.challenge;
    if (!c) return undefined;
    if (c.scheme === 'basic') {
      if (!this.basic) throw this.noCredentials();
      return this.basic;
    }
    if (!this.token || Date.now() >= this.token.expiresAt) this.token = await this.fetchToken(c);
    return `Bearer ${this.token.value}`;
  }

  private noCredentials(): UserError {
    return new UserError('usernameEnv', `${this.registry} asks for credentials and none were found`, `Log in with docker login ${this.registry} (or a credential helper in the Docker config), or set usernameEnv and passwordEnv to the names of variables that hold them`);
  }

  /** The token flow of the Docker registry token spec: GET realm?service&scope with Basic credentials, or POST an OAuth2 refresh token. */
  private async fetchToken(c: Challenge): Promise<Token> {
    const realm = c.params.realm;
    if (!realm) throw new UserError('registry', `${this.registry} asks for a bearer token without naming a realm`, 'Check the registry address');
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new UserError('registry', `${this.registry} names a token realm that is not a URL`, 'Check the registry address');
    }
    const insecure = (this.o.insecureRegistries ?? []).includes(registryHostname(url.host)) || (this.o.insecureRegistries ?? []).includes(url.host);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (isLoopbackRegistry(url.host) || insecure))) {
      throw new UserError('insecureRegistries', `${this.registry} sends credentials to a token realm over plain http (${url.host})`, `Use https for the token service, or list ${url.host} in insecureRegistries if it is a trusted local one`);
    }
    const scopes = [...new Set([...(c.params.scope ? c.params.scope.split(' ') : []), ...this.scopes])].sort();
    const id = this.o.credentials?.identityToken;
    const http = registryHostname(url.host).toLowerCase() === registryHostname(registryApiHost(this.registry)).toLowerCase() ? this.http : this.publicHttp;
    let res: HttpResponse;
    if (id) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: id, client_id: 'shipfleet', ...(c.params.service ? { service: c.params.service } : {}), scope: scopes.join(' ') });
      res = await http.request('POST', realm, { body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, throwHttpErrors: false });
    } else {
      const query = new URLSearchParams();
      if (c.params.service) query.set('service', c.params.service);
      for (const s of scopes) query.append('scope', s);
      if (this.o.credentials?.username) query.set('account', this.o.credentials.username);
      url.search = query.toString();
      res = await http.request('GET', url.href, { headers: this.basic ? { authorization: this.basic } : {}, throwHttpErrors: false });
    }
    if (res.status === 401 || res.status === 403) {
      if (!this.basic && !id) throw this.noCredentials();
      throw new UserError('usernameEnv', `the token service of ${this.registry} refused the credentials from ${this.o.credentials?.source} (${res.status})`, 'Check the user name and password (or token), or log in again');
    }
    if (res.status < 200 || res.status >= 300) throw new HttpError({ kind: 'status', method: id ? 'POST' : 'GET', url: `${url.origin}${url.pathname}`, detail: `${res.status} from the token service`, status: res.status, retryable: false });
    const body = res.json<{ token?: string; access_token?: string; expires_in?: number }>();
    const value = body.token || body.access_token;
    if (!value) throw new HttpError({ kind: 'status', method: 'GET', url: `${url.origin}${url.pathname}`, detail: 'the token service answered without a token', status: res.status, retryable: false });
    this.o.addSecret?.(value);
    // The spec's default lifetime is 60 s when expires_in is absent.
    const life = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60) * 1000;
    return { value, expiresAt: Date.now() + Math.max(life - TOKEN_MARGIN_MS, life / 2) };
  }

  /** One request with auth; a 401 gets a fresh token (with the scope the registry asks for) once. */
  private async send(method: string, path: string, options: HttpCallOptions = {}): Promise<HttpResponse> {
    await this.ping();
    const url = /^https?:\/\//.test(path) ? path : `${this.base}${path}`;
    for (let round = 0; ; round++) {
      const auth = await this.authorization();
      const res = await this.http.request(method, url, { ...options, headers: { ...options.headers, ...(auth ? { authorization: auth } : {}) }, throwHttpErrors: false });
      if (res.status !== 401 || round > 0) return res;
      const challenge = this.pickChallenge(res);
      if (!challenge) return res;
      if (challenge.scheme === 'bearer' && challenge.params.scope) this.addScopes(challenge.params.scope.split(' '));
      this.challenge = challenge;
      this.token = undefined;
    }
  }

  private fail(method: string, path: string, res: HttpResponse, what: string): never {
    if (res.status === 401 || res.status === 403) {
      throw new UserError('usernameEnv', `${this.registry} refused ${what} (${res.status}: ${registryErrors(res)})${this.o.credentials ? ` with the credentials from ${this.o.credentials.source}` : ' without credentials'}`, 'Check that the account may push to (and pull from) this repository, or log in again');
    }
    throw new HttpError({ kind: 'status', method, url: `${this.base}${path.split('?')[0]}`, detail: `${res.status} ${registryErrors(res)} (${what})`, status: res.status, retryable: res.status >= 500 });
  }

  async hasBlob(repository: string, digest: Digest): Promise<boolean> {
    const path = `/v2/${repository}/blobs/${digest}`;
    const res = await this.send('HEAD', path);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    return this.fail('HEAD', path, res, `the check for blob ${digest}`);
  }

  /** Mounts a blob from another repository of this registry: true when mounted; false (and an upload session) when the registry would not. */
  async mountBlob(repository: string, digest: Digest, from: string): Promise<{ mounted: true } | { mounted: false; location?: string }> {
    this.addScopes([`repository:${from}:pull`]);
    const path = `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const res = await this.send('POST', path, { retry: { attempts: 1 } });
    if (res.status === 201) return { mounted: true };
    if (res.status === 202) return { mounted: false, location: res.headers.location };
    return this.fail('POST', path, res, `the mount of ${digest} from ${from}`);
  }

  private absolute(location: string): string {
    return new URL(location, `${this.base}/`).href;
  }

  private async startUpload(repository: string): Promise<string> {
    const path = `/v2/${repository}/blobs/uploads/`;
    const res = await this.send('POST', path);
    if (res.status !== 202 || !res.headers.location) return this.fail('POST', path, res, 'the start of an upload');
    return this.absolute(res.headers.location);
  }

  private body(source: BlobSource, start: number, end: number, onBytes?: (n: number) => void) {
    return () => {
      const counter = new Transform({
        transform: (chunk: Buffer, _enc, done) => {
          this.stats.bytesUploaded += chunk.length;
          onBytes?.(chunk.length);
          done(null, chunk);
        },
      });
      const raw = source.open(start, end);
      raw.on('error', (err) => counter.destroy(err));
      return { data: raw.pipe(counter), length: end - start };
    };
  }

  private withDigest(location: string, digest: Digest): string {
    const url = new URL(location);
    url.searchParams.set('digest', digest);
    return url.href;
  }

  private checkDigest(res: HttpResponse, expected: Digest, what: string): void {
    const got = res.headers['docker-content-digest'];
    if (got && got !== expected) throw new Error(`${this.registry} stored ${what} as ${got}, not ${expected}: the content changed on the way`);
  }

  /**
   * Uploads a blob the repository lacks: one PUT (after the POST that opens the session) up to
   * chunkSize, else PATCH chunks with Content-Range, resumed from the registry's Range after a
   * failed chunk. A failed session is started again, up to 4 times.
   */
  async uploadBlob(repository: string, source: BlobSource, options: { location?: string; onBytes?: (n: number) => void } = {}): Promise<void> {
    const chunk = this.o.chunkSize ?? DEFAULT_CHUNK;
    const timeoutMs = this.o.uploadTimeoutMs ?? 600_000;
    const octets = { 'content-type': 'application/octet-stream' };
    let location = options.location ? this.absolute(options.location) : undefined;
    for (let attempt = 1; ; attempt++) {
      let sent = 0;
      try {
        location ??= await this.startUpload(repository);
        if (source.size > chunk) {
          let offset = 0;
          let failures = 0;
          while (offset < source.size) {
            const end = Math.min(offset + chunk, source.size);
            let res: HttpResponse | undefined;
            let error: unknown;
            try {
              res = await this.send('PATCH', location, { body: this.body(source, offset, end, (n) => { sent += n; options.onBytes?.(n); }), headers: { ...octets, 'content-range': `${offset}-${end - 1}` }, timeoutMs, retry: { attempts: 1 } });
            } catch (err) {
              error = err;
            }
            if (res && res.status === 202 && res.headers.location) {
              location = this.absolute(res.headers.location);
              offset = end;
              failures = 0;
              continue;
            }
            if (res && res.status < 500 && res.status !== 408 && res.status !== 416) this.fail('PATCH', new URL(location).pathname, res, `a chunk of ${source.digest}`);
            if (++failures >= UPLOAD_ATTEMPTS) throw error ?? new Error(`${this.registry} kept failing a chunk of ${source.digest} (${res?.status})`);
            // Where the registry has got to: GET on the session answers 204 with Range: 0-<last byte>.
            const status = await this.send('GET', location);
            if (status.status !== 204) this.fail('GET', new URL(location).pathname, status, `the state of the upload of ${source.digest}`);
            const range = /^(?:bytes=)?0-(\d+)$/.exec(status.headers.range ?? '');
            offset = range ? Number(range[1]) + 1 : 0;
            if (status.headers.location) location = this.absolute(status.headers.location);
            this.o.log?.(`resuming the upload of ${source.digest} at byte ${offset}`);
          }
          const done = await this.send('PUT', this.withDigest(location, source.digest), { headers: { ...octets, 'content-length': '0' }, body: '', retry: { attempts: 1 } });
          if (done.status !== 201) this.fail('PUT', new URL(location).pathname, done, `the end of the upload of ${source.digest}`);
          this.checkDigest(done, source.digest, 'a blob');
        } else {
          const res = await this.send('PUT', this.withDigest(location, source.digest), { body: this.body(source, 0, source.size, (n) => { sent += n; options.onBytes?.(n); }), headers: octets, timeoutMs, retry: { attempts: 1 } });
          if (res.status !== 201) this.fail('PUT', new URL(location).pathname, res, `the upload of ${source.digest}`);
          this.checkDigest(res, source.digest, 'a blob');
        }
        this.stats.blobsUploaded++;
        return;
      } catch (err) {
        const retryable = (err instanceof HttpError && err.retryable) || (err instanceof HttpError && err.kind === 'status' && (err.status ?? 0) >= 500);
        if (!retryable || attempt >= UPLOAD_ATTEMPTS || this.o.signal?.aborted) throw err;
        options.onBytes?.(-sent);
        this.o.log?.(`the upload of ${source.digest} failed (${(err as Error).message}); starting it again (attempt ${attempt + 1} of ${UPLOAD_ATTEMPTS})`);
        location = undefined;
      }
    }
  }

  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const path = `/v2/${repository}/manifests/${reference}`;
    const res = await this.send('GET', path, { headers: { accept: MANIFEST_ACCEPT }, maxResponseBytes: MAX_MANIFEST_BYTES });
    if (res.status === 404) throw new UserError('baseImage', `${this.registry}/${repository}:${reference} was not found (${registryErrors(res)})`, 'Check the image name and tag');
    if (res.status !== 200) return this.fail('GET', path, res, `manifest ${reference}`);
    const digest = sha256Digest(res.body);
    if (isDigest(reference) && digest !== reference) throw new Error(`${this.registry}/${repository}@${reference} answered content whose sha256 is ${digest}`);
    this.checkDigest(res, digest, `manifest ${reference}`);
    let mediaType = (res.headers['content-type'] ?? '').split(';')[0].trim();
    try {
      const parsed = JSON.parse(res.body.toString('utf8')) as { mediaType?: string };
      if (parsed.mediaType) mediaType = parsed.mediaType;
    } catch {
      throw new Error(`${this.registry}/${repository}:${reference} answered a manifest that is not JSON`);
    }
    return { mediaType, bytes: res.body, digest };
  }

  /** A blob, checked against its digest. */
  async getBlob(repository: string, digest: Digest, size: number): Promise<Buffer> {
    const path = `/v2/${repository}/blobs/${digest}`;
    const res = await this.send('GET', path, { maxResponseBytes: size + 1, timeoutMs: this.o.uploadTimeoutMs ?? 600_000 });
    if (res.status !== 200) return this.fail('GET', path, res, `blob ${digest}`);
    const got = sha256Digest(res.body);
    if (got !== digest) throw new Error(`${this.registry}/${repository} answered blob ${digest} with content whose sha256 is ${got}`);
    return res.body;
  }

  /** PUT a manifest or index; returns the registry's digest, checked against the local sha256. */
  async putManifest(repository: string, reference: string, manifest: { mediaType: string; bytes: Buffer; digest: Digest }): Promise<Digest> {
    const path = `/v2/${repository}/manifests/${reference}`;
    const res = await this.send('PUT', path, { body: manifest.bytes, headers: { 'content-type': manifest.mediaType } });
    if (res.status !== 201 && res.status !== 200) return this.fail('PUT', path, res, `manifest ${reference}`);
    this.checkDigest(res, manifest.digest, `manifest ${reference}`);
    this.stats.manifestsPushed++;
    return res.headers['docker-content-digest'] ?? manifest.digest;
  }
}
