// A local stand-in for the part of the Google Play Developer API v3
// (androidpublisher) that publishing uses: edits, bundle/APK uploads (simple,
// multipart and resumable), deobfuscation files, tracks and releases,
// validate and commit with Play's review answers, plus the OAuth token
// endpoint (service-account JWT grant) and the STS token exchange (workload
// identity federation). In memory, on 127.0.0.1.
//
//   const play = await startPlayApi({ apps: { 'com.acme.app': { review: 'manual' } } });
//   … play.url, play.tokenUrl, play.serviceAccountKey(), play.app('com.acme.app'), play.requests …
//   await play.close();
//
//   node -r @swc-node/register tools/play-api/server.ts --port 0   # prints the URL and a key file
import { createHash, randomBytes, randomInt } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer, IncomingMessage, ServerResponse } from 'http';
import { AddressInfo, Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { readApkIdentity, readBundleIdentity } from './artefacts';
import { badRequest, callerHasNoPermission, forbidden, GoogleApiError, insufficientScopes, notFound, sendError, sendJson, tooManyRequests, unauthenticated } from './google-error';
import { OAuthError, PLAY_SCOPE, TokenAuthority } from './oauth';
import { checkReleaseSet, Track, TrackRelease, validateTrack } from './releases';
import { parseContentRange, UploadOutcome, UploadSession } from './resumable';

export type { LocalizedText, Track, TrackRelease } from './releases';
export { CHUNK_GRANULARITY } from './resumable';
export { readBundleIdentity, readApkIdentity, readZipEntries } from './artefacts';

export interface PlayAppState {
  bundles: Array<{ versionCode: number; sha1: string; sha256: string }>;
  apks: Array<{ versionCode: number; binary: { sha1: string; sha256: string } }>;
  deobfuscationFiles: Array<{ versionCode: number; type: 'proguard' | 'nativeCode'; bytes: number }>;
  tracks: Record<string, { track: string; releases: TrackRelease[] }>;
  /** Closed-testing tracks that exist besides production, beta, alpha and internal. */
  customTracks: string[];
  /** Form factors whose tracks (`wear:production`, `automotive:beta`, `tv:internal`, …) exist. */
  formFactors: Array<'wear' | 'automotive' | 'tv'>;
  /** 'manual': a commit must say changesNotSentForReview=true; 'automatic': it must not. */
  review: 'automatic' | 'manual';
  commits: number;
}

export interface PlayFaults {
  /** The next N upload chunks (PUT to a resumable session) answer 503. */
  chunkServerErrors?: number;
  /** The next N API calls answer 429 with Retry-After: 1. */
  tooManyRequests?: number;
  /** After a review-flag refusal the edit is deleted. */
  discardEditOnReviewError?: boolean;
  /** The app's review mode flips after each review-flag refusal. */
  flipReviewAfterRefusal?: boolean;
  /** The edit is deleted right after the next successful call of that kind (once). */
  deleteEditAfter?: 'upload' | 'tracks';
  /** 403 "The caller does not have permission" on every API call, or on paths containing the string. */
  forbidden?: boolean | string;
}

export interface PlayApiOptions {
  port?: number;
  host?: string;
  /** Apps by package name; default: one app 'com.acme.app'. */
  apps?: Record<string, Partial<PlayAppState>>;
  faults?: PlayFaults;
}

export interface PlayApiStandIn {
  /** http://127.0.0.1:PORT; API root `${url}/androidpublisher/v3`, uploads `${url}/upload/androidpublisher/v3`. */
  url: string;
  /** `${url}/token`: the OAuth 2.0 JWT-bearer grant. */
  tokenUrl: string;
  /** `${url}/v1/token`: the STS token exchange. */
  stsUrl: string;
  serviceAccountKey(): Record<string, string>;
  externalAccountConfig(subjectTokenFile: string): Record<string, unknown>;
  /** The subject token (a CI OIDC token) the STS accepts. */
  oidcToken: string;
  /** Access tokens issued so far. */
  accessTokens: string[];
  /** The committed state of an app (live: tests may change `review` and the rest). */
  app(packageName: string): PlayAppState;
  requests: Array<{ method: string; path: string; query: Record<string, string>; status: number }>;
  setFaults(f: Partial<PlayFaults>): void;
  close(): Promise<void>;
}

export const DEFAULT_PACKAGE = 'com.acme.app';
const STANDARD_TRACKS = ['production', 'beta', 'alpha', 'internal'];
const API_PREFIX = '/androidpublisher/v3/applications/';
const UPLOAD_PREFIX = '/upload/androidpublisher/v3/applications/';
const EDIT_LIFETIME_SECONDS = 3600;
const MAX_BODY = 1024 * 1024 * 1024;

const REVIEW_REFUSAL = {
  manual:
    'Changes cannot be sent for review automatically. Please set the query parameter changesNotSentForReview to true. Once committed, the changes in this edit can be sent for review from the Google Play Console UI.',
  automatic: 'Changes are sent for review automatically. The query parameter changesNotSentForReview must not be set.',
};

interface Edit {
  id: string;
  packageName: string;
  expiryTimeSeconds: string;
  state: 'open' | 'deleted' | 'committed';
  bundles: PlayAppState['bundles'];
  apks: PlayAppState['apks'];
  deobfuscationFiles: PlayAppState['deobfuscationFiles'];
  tracks: Record<string, Track>;
}

type UploadKind = 'bundles' | 'apks' | 'deobfuscationFiles';
interface UploadTarget {
  packageName: string;
  editId: string;
  kind: UploadKind;
  deobfuscation?: { versionCode: number; type: 'proguard' | 'nativeCode' };
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const digest = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest('hex');

function trackNames(app: PlayAppState): string[] {
  const names = [...STANDARD_TRACKS, ...app.customTracks];
  for (const ff of app.formFactors) for (const t of STANDARD_TRACKS) names.push(`${ff}:${t}`);
  return names;
}

function appState(seed: Partial<PlayAppState>): PlayAppState {
  const s = clone(seed);
  const app: PlayAppState = {
    bundles: s.bundles ?? [],
    apks: s.apks ?? [],
    deobfuscationFiles: s.deobfuscationFiles ?? [],
    tracks: s.tracks ?? {},
    customTracks: s.customTracks ?? [],
    formFactors: s.formFactors ?? [],
    review: s.review ?? 'automatic',
    commits: s.commits ?? 0,
  };
  for (const name of trackNames(app)) app.tracks[name] = app.tracks[name] ?? { track: name, releases: [] };
  return app;
}

/** A Track as the API shows it: no `releases` field when there are none (Google leaves empty lists out). */
const trackView = (t: Track) => (t.releases.length ? { track: t.track, releases: clone(t.releases) } : { track: t.track });
const editView = (e: Edit) => ({ id: e.id, expiryTimeSeconds: e.expiryTimeSeconds });

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new GoogleApiError(413, 'Request body too large.', 'uploadTooLarge'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('Invalid JSON payload received.', 'parseError');
  }
}

/** The media part of a `multipart/related` upload (metadata part first, then the file). */
function multipartMedia(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw badRequest('Multipart upload without a boundary.');
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next < 0) break;
    parts.push(body.subarray(at + delimiter.length, next));
    at = next;
  }
  const media = parts[1];
  if (!media) throw badRequest('Multipart upload without a media part.');
  const headerEnd = media.indexOf('\r\n\r\n');
  if (headerEnd < 0) throw badRequest('Malformed multipart media part.');
  let content = media.subarray(headerEnd + 4);
  if (content.subarray(-2).toString() === '\r\n') content = content.subarray(0, -2);
  return content;
}

export function startPlayApi(options: PlayApiOptions = {}): Promise<PlayApiStandIn> {
  const { port = 0, host = '127.0.0.1' } = options;
  const apps = new Map<string, PlayAppState>();
  for (const [pkg, seed] of Object.entries(options.apps ?? { [DEFAULT_PACKAGE]: {} })) apps.set(pkg, appState(seed));
  let faults: PlayFaults = { ...(options.faults ?? {}) };
  const requests: PlayApiStandIn['requests'] = [];
  const edits = new Map<string, Edit>();
  const sessions = new Map<string, UploadSession>();
  let baseUrl = '';
  let authority: TokenAuthority;

  const appOf = (pkg: string): PlayAppState => {
    const app = apps.get(pkg);
    if (!app) throw notFound(`Package not found: ${pkg}.`, 'applicationNotFound');
    return app;
  };

  const openEdit = (pkg: string, id: string): Edit => {
    appOf(pkg);
    const edit = edits.get(id);
    if (!edit || edit.packageName !== pkg) throw notFound(`Edit not found: ${id}.`, 'editNotFound', 'androidpublisher');
    if (edit.state === 'deleted') throw notFound('This Edit has been deleted.', 'editDeleted', 'androidpublisher');
    if (edit.state === 'committed') throw badRequest('This edit has already been successfully committed, please create a new Edit.', 'editAlreadyCommitted', 'androidpublisher');
    if (Number(edit.expiryTimeSeconds) * 1000 < Date.now()) throw badRequest('This edit has expired, please create a new Edit.', 'editExpired', 'androidpublisher');
    return edit;
  };

  const versionCodeKnown = (app: PlayAppState, edit: Edit, code: number) =>
    [...app.bundles, ...edit.bundles, ...app.apks, ...edit.apks].some((a) => a.versionCode === code);

  const trackOf = (app: PlayAppState, edit: Edit, name: string): Track => {
    if (!trackNames(app).includes(name)) throw notFound(`Track not found: ${name}`, 'trackNotFound', 'androidpublisher');
    edit.tracks[name] = edit.tracks[name] ?? { track: name, releases: [] };
    return edit.tracks[name];
  };

  /** Stores an uploaded file in the edit and returns the resource Play answers with. */
  const storeUpload = async (target: UploadTarget, file: Buffer): Promise<unknown> => {
    const app = appOf(target.packageName);
    const edit = openEdit(target.packageName, target.editId);
    if (target.kind === 'deobfuscationFiles') {
      const { versionCode, type } = target.deobfuscation!;
      if (!versionCodeKnown(app, edit, versionCode)) throw notFound(`APK or bundle with version code ${versionCode} not found in this app or edit.`, 'apkNotFound', 'androidpublisher');
      if (file.length === 0) throw badRequest('The deobfuscation file is empty.');
      edit.deobfuscationFiles = edit.deobfuscationFiles.filter((d) => !(d.versionCode === versionCode && d.type === type));
      edit.deobfuscationFiles.push({ versionCode, type, bytes: file.length });
      return { deobfuscationFile: { symbolType: type } };
    }
    const isBundle = target.kind === 'bundles';
    let identity;
    try {
      identity = isBundle ? readBundleIdentity(file) : await readApkIdentity(file);
    } catch (e) {
      throw badRequest(`${isBundle ? 'The Android App Bundle' : 'The APK'} could not be read: ${(e as Error).message}.`, isBundle ? 'bundleInvalid' : 'apkInvalid', 'androidpublisher');
    }
    if (identity.packageName !== target.packageName)
      throw forbidden(`${isBundle ? 'Bundle' : 'APK'} has the wrong package name: ${identity.packageName} (expected ${target.packageName}).`, isBundle ? 'bundleWrongPackage' : 'apkWrongPackage');
    if (versionCodeKnown(app, edit, identity.versionCode))
      throw forbidden(isBundle ? `Version code ${identity.versionCode} has already been used.` : 'APK specifies a version code that has already been used.', 'apkUpgradeVersionConflict');
    const sha1 = digest('sha1', file);
    const sha256 = digest('sha256', file);
    let resource: unknown;
    if (isBundle) {
      edit.bundles.push({ versionCode: identity.versionCode, sha1, sha256 });
      resource = { versionCode: identity.versionCode, sha1, sha256 };
    } else {
      edit.apks.push({ versionCode: identity.versionCode, binary: { sha1, sha256 } });
      resource = { versionCode: identity.versionCode, binary: { sha1, sha256 } };
    }
    if (faults.deleteEditAfter === 'upload') {
      faults.deleteEditAfter = undefined;
      edit.state = 'deleted';
    }
    return resource;
  };

  const commit = (app: PlayAppState, edit: Edit, query: Record<string, string>) => {
    const flagSet = query.changesNotSentForReview === 'true';
    const refused = (app.review === 'manual' && !flagSet) || (app.review === 'automatic' && flagSet);
    if (refused) {
      const message = REVIEW_REFUSAL[app.review];
      if (faults.flipReviewAfterRefusal) app.review = app.review === 'manual' ? 'automatic' : 'manual';
      if (faults.discardEditOnReviewError) edit.state = 'deleted';
      throw badRequest(message);
    }
    validate(app, edit);
    app.bundles.push(...edit.bundles);
    app.apks.push(...edit.apks);
    for (const d of edit.deobfuscationFiles) {
      app.deobfuscationFiles = app.deobfuscationFiles.filter((x) => !(x.versionCode === d.versionCode && x.type === d.type));
      app.deobfuscationFiles.push(d);
    }
    app.tracks = clone(edit.tracks);
    app.commits += 1;
    edit.state = 'committed';
    return editView(edit);
  };

  /** What `:validate` and `:commit` check: every release's version codes exist. */
  const validate = (app: PlayAppState, edit: Edit) => {
    for (const t of Object.values(edit.tracks))
      for (const r of t.releases)
        for (const code of r.versionCodes ?? [])
          if (!versionCodeKnown(app, edit, Number(code))) throw badRequest(`Track ${t.track}: version code ${code} could not be found.`, 'versionCodeNotFound');
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, path: string, query: Record<string, string>, body: Buffer) => {
    const m = /^\/androidpublisher\/v3\/applications\/([^/]+)\/edits(?:\/([^/:]+)(?::(validate|commit))?(?:\/(.*))?)?$/.exec(path);
    if (!m) throw notFound(`Method not found: ${req.method} ${path}`);
    const pkg = decodeURIComponent(m[1]);
    const app = appOf(pkg);
    const [id, action, rest] = [m[2] && decodeURIComponent(m[2]), m[3], m[4]];
    const method = req.method ?? 'GET';
    if (!id) {
      if (method !== 'POST') throw notFound(`Method not found: ${method} ${path}`);
      const edit: Edit = {
        id: String(randomInt(10 ** 9, 10 ** 10 - 1)) + String(randomInt(10 ** 9, 10 ** 10 - 1)),
        packageName: pkg,
        expiryTimeSeconds: String(Math.floor(Date.now() / 1000) + EDIT_LIFETIME_SECONDS),
        state: 'open',
        bundles: [],
        apks: [],
        deobfuscationFiles: [],
        tracks: clone(app.tracks),
      };
      edits.set(edit.id, edit);
      return sendJson(res, 200, editView(edit));
    }
    const edit = openEdit(pkg, id);
    if (action) {
      if (method !== 'POST' || rest) throw notFound(`Method not found: ${method} ${path}`);
      if (action === 'validate') {
        validate(app, edit);
        return sendJson(res, 200, editView(edit));
      }
      return sendJson(res, 200, commit(app, edit, query));
    }
    if (!rest) {
      if (method === 'GET') return sendJson(res, 200, editView(edit));
      if (method === 'DELETE') {
        edit.state = 'deleted';
        res.writeHead(204).end();
        return;
      }
      throw notFound(`Method not found: ${method} ${path}`);
    }
    if (rest === 'bundles' && method === 'GET') {
      const bundles = [...app.bundles, ...edit.bundles].map(clone);
      return sendJson(res, 200, bundles.length ? { kind: 'androidpublisher#bundlesListResponse', bundles } : { kind: 'androidpublisher#bundlesListResponse' });
    }
    if (rest === 'apks' && method === 'GET') {
      const apks = [...app.apks, ...edit.apks].map(clone);
      return sendJson(res, 200, apks.length ? { kind: 'androidpublisher#apksListResponse', apks } : { kind: 'androidpublisher#apksListResponse' });
    }
    if (rest === 'tracks' && method === 'GET') {
      return sendJson(res, 200, { kind: 'androidpublisher#tracksListResponse', tracks: trackNames(app).map((t) => trackView(trackOf(app, edit, t))) });
    }
    const t = /^tracks\/([^/]+)$/.exec(rest);
    if (t) {
      const name = decodeURIComponent(t[1]);
      const track = trackOf(app, edit, name);
      if (method === 'GET') return sendJson(res, 200, trackView(track));
      if (method === 'PUT' || method === 'PATCH') {
        const releases = validateTrack(name, parseJson(body), (code) => versionCodeKnown(app, edit, code));
        checkReleaseSet(releases);
        track.releases = releases;
        const answer = trackView(track);
        if (faults.deleteEditAfter === 'tracks') {
          faults.deleteEditAfter = undefined;
          edit.state = 'deleted';
        }
        return sendJson(res, 200, answer);
      }
    }
    throw notFound(`Method not found: ${method} ${path}`);
  };

  const answerUpload = (res: ServerResponse, outcome: UploadOutcome) => {
    if (outcome.status === 308) {
      res.writeHead(308, { 'content-length': '0', ...outcome.headers });
      res.end();
    } else sendJson(res, outcome.status, outcome.body, outcome.headers);
  };

  const finish = async (session: UploadSession | undefined, target: UploadTarget, file: Buffer): Promise<UploadOutcome> => {
    let outcome: UploadOutcome;
    try {
      outcome = { status: 200, body: await storeUpload(target, file) };
    } catch (e) {
      if (!(e instanceof GoogleApiError)) throw e;
      outcome = { status: e.code, body: e.body(), headers: e.headers };
    }
    if (session) session.finished = outcome;
    return outcome;
  };

  const handleUpload = async (req: IncomingMessage, res: ServerResponse, path: string, query: Record<string, string>, body: Buffer) => {
    const m = /^\/upload\/androidpublisher\/v3\/applications\/([^/]+)\/edits\/([^/]+)\/(bundles|apks|apks\/([^/]+)\/deobfuscationFiles\/([^/]+))$/.exec(path);
    if (!m) throw notFound(`Method not found: ${req.method} ${path}`);
    const target: UploadTarget = { packageName: decodeURIComponent(m[1]), editId: decodeURIComponent(m[2]), kind: m[3].includes('/deobfuscationFiles/') ? 'deobfuscationFiles' : (m[3] as UploadKind) };
    if (target.kind === 'deobfuscationFiles') {
      const type = decodeURIComponent(m[5]);
      if (type !== 'proguard' && type !== 'nativeCode') throw new GoogleApiError(400, `Invalid value at 'deobfuscation_file_type' (TYPE_ENUM), "${type}"`, 'invalid');
      if (!/^\d+$/.test(m[4])) throw new GoogleApiError(400, `Invalid value at 'apk_version_code' (TYPE_INT32), "${decodeURIComponent(m[4])}"`, 'invalid');
      target.deobfuscation = { versionCode: Number(m[4]), type };
    }
    const method = req.method ?? 'GET';
    openEdit(target.packageName, target.editId);

    if (query.upload_id !== undefined) {
      const session = sessions.get(query.upload_id);
      if (!session || session.path !== path || method !== 'PUT') throw notFound('No upload session with this id.', 'notFound');
      if (session.finished) return answerUpload(res, session.finished);
      const range = parseContentRange(req.headers['content-range'] as string | undefined, body.length);
      if (range.kind === 'query') return answerUpload(res, session.incomplete());
      if ((faults.chunkServerErrors ?? 0) > 0) {
        faults.chunkServerErrors! -= 1;
        throw new GoogleApiError(503, 'Service temporarily unavailable; query the upload offset and resume.', 'backendError');
      }
      const file = session.accept(range, body);
      return answerUpload(res, file ? await finish(session, target, file) : session.incomplete());
    }

    if (method !== 'POST') throw notFound(`Method not found: ${method} ${path}`);
    const uploadType = query.uploadType;
    if (uploadType === 'media') return answerUpload(res, await finish(undefined, target, body));
    if (uploadType === 'multipart') return answerUpload(res, await finish(undefined, target, multipartMedia(body, String(req.headers['content-type'] ?? ''))));
    if (uploadType === 'resumable') {
      const declared = req.headers['x-upload-content-length'];
      if (declared !== undefined && !/^\d+$/.test(String(declared))) throw badRequest('Invalid X-Upload-Content-Length header.');
      const id = randomBytes(24).toString('base64url');
      const session = new UploadSession(id, path, declared === undefined ? undefined : Number(declared));
      sessions.set(id, session);
      const location = `${baseUrl}${path}?uploadType=resumable&upload_id=${id}`;
      res.writeHead(200, { location, 'x-guploader-uploadid': id, 'content-length': '0' });
      res.end();
      return;
    }
    throw badRequest('Upload requests must include an uploadType URL parameter and a URL path beginning with /upload/', 'wrongUrlForUpload');
  };

  const handleToken = (res: ServerResponse, body: Buffer, contentType: string, grant: (form: URLSearchParams) => Record<string, unknown>) => {
    let form: URLSearchParams;
    if (contentType.includes('application/json')) {
      const json = parseJson(body) as Record<string, unknown> | undefined;
      form = new URLSearchParams(Object.entries(json ?? {}).map(([k, v]): [string, string] => [k, String(v)]));
    } else form = new URLSearchParams(body.toString('utf8'));
    try {
      sendJson(res, 200, grant(form), { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache' });
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e;
      sendJson(res, e.status, e.body());
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, entry: PlayApiStandIn['requests'][number]) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname;
    const query = entry.query;
    const body = await readBody(req);
    const method = req.method ?? 'GET';

    if (path === '/token' && method === 'POST') return handleToken(res, body, String(req.headers['content-type'] ?? ''), (f) => authority.jwtBearerGrant(f));
    if (path === '/v1/token' && method === 'POST') return handleToken(res, body, String(req.headers['content-type'] ?? ''), (f) => authority.tokenExchange(f));
    const isApi = path.startsWith(API_PREFIX);
    const isUpload = path.startsWith(UPLOAD_PREFIX);
    if (!isApi && !isUpload) throw notFound(`Not Found: ${path}`);

    const isChunk = isUpload && query.upload_id !== undefined;
    if (!isChunk && (faults.tooManyRequests ?? 0) > 0) {
      faults.tooManyRequests! -= 1;
      throw tooManyRequests();
    }
    const auth = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const token = auth ? authority.lookup(auth[1]) : undefined;
    if (!token) throw unauthenticated(Boolean(auth));
    if (!token.scopes.includes(PLAY_SCOPE)) throw insufficientScopes();
    if (faults.forbidden === true || (typeof faults.forbidden === 'string' && faults.forbidden && path.includes(faults.forbidden))) throw callerHasNoPermission();

    if (isApi) return handleApi(req, res, path, query, body);
    return handleUpload(req, res, path, query, body);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const entry = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    handle(req, res, entry).catch((e: unknown) => {
      if (res.headersSent) return;
      if (e instanceof GoogleApiError) sendError(res, e);
      else sendError(res, new GoogleApiError(500, `Internal error: ${(e as Error).message}`, 'backendError'));
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      baseUrl = `http://${host}:${(server.address() as AddressInfo).port}`;
      const tokenUrl = `${baseUrl}/token`;
      const stsUrl = `${baseUrl}/v1/token`;
      authority = new TokenAuthority(tokenUrl);
      resolve({
        url: baseUrl,
        tokenUrl,
        stsUrl,
        serviceAccountKey: () => authority.serviceAccountKey(),
        externalAccountConfig: (file) => authority.externalAccountConfig(stsUrl, file),
        oidcToken: authority.oidcToken,
        accessTokens: authority.issued,
        app: (pkg) => {
          const app = apps.get(pkg);
          if (!app) throw new Error(`the stand-in has no app ${pkg}`);
          return app;
        },
        requests,
        setFaults(f) {
          faults = { ...faults, ...f };
        },
        close() {
          for (const s of sockets) s.destroy();
          return new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}

/** `node -r @swc-node/register tools/play-api/server.ts --port 0 [--host H] [--package P …] [--review manual]`: runs until SIGINT/SIGTERM. */
function main(args: string[]): void {
  const arg = (name: string, fallback?: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const packages = args.flatMap((a, i) => (a === '--package' && args[i + 1] ? [args[i + 1]] : []));
  const review = arg('review', 'automatic') === 'manual' ? 'manual' : 'automatic';
  const apps = Object.fromEntries((packages.length ? packages : [DEFAULT_PACKAGE]).map((p) => [p, { review } as Partial<PlayAppState>]));
  startPlayApi({ port: Number(arg('port', '0')), host: arg('host', '127.0.0.1'), apps })
    .then((play) => {
      const dir = mkdtempSync(join(tmpdir(), 'play-api-stand-in-'));
      const keyFile = join(dir, 'service-account.json');
      writeFileSync(keyFile, JSON.stringify(play.serviceAccountKey(), null, 2), { mode: 0o600 });
      process.stdout.write(`${play.url}\nservice account key: ${keyFile}\ntoken url: ${play.tokenUrl}\n`);
      const stop = () =>
        play.close().then(() => {
          rmSync(dir, { recursive: true, force: true });
          process.exit(0);
        });
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    })
    .catch((e: Error) => {
      process.stderr.write(`${e.stack}\n`);
      process.exit(1);
    });
}

if (require.main === module) main(process.argv.slice(2));
