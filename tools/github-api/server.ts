// A stand-in for the part of the GitHub REST API that publishing a release uses: releases (list,
// get, get by tag, create, update), release assets (list, get, download, delete) and uploads on the
// uploads host, in memory on 127.0.0.1. Shapes follow docs.github.com/en/rest/releases (see README.md).
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { createHash, randomBytes } from 'crypto';

export interface StoredAsset {
  id: number;
  name: string;
  label: string | null;
  /** `uploaded` once the bytes are in; `starter` is what a failed upload can leave behind. */
  state: 'uploaded' | 'starter';
  content_type: string;
  data: Buffer;
  created_at: string;
  updated_at: string;
}

export interface StoredRelease {
  id: number;
  owner: string;
  repo: string;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  created_at: string;
  published_at: string | null;
  assets: StoredAsset[];
}

export interface RecordedRequest {
  /** Which host answered: the REST API or the uploads host. */
  host: 'api' | 'uploads';
  method: string;
  path: string;
  query: Record<string, string>;
  /** Headers without Authorization. */
  headers: Record<string, string>;
  /** How the request authenticated: `token`, `Bearer`, or undefined when it did not. */
  authScheme?: string;
  bodySize: number;
  status: number;
}

export interface UploadFault {
  /** Only uploads of this asset name (default: any). */
  name?: string;
  /** Status to answer (default 502, which GitHub documents for an upstream failure). */
  status?: number;
  /** How many uploads fail this way (default 1). */
  times?: number;
  /** Leave an asset of that name in state `starter`, as GitHub warns a 502 can. */
  leaveStarter?: boolean;
}

export interface GithubApiOptions {
  /** Accepted tokens (as `Authorization: token …` or `Bearer …`). */
  tokens: string[];
  /** Repositories that exist, "owner/repo". */
  repos: string[];
  /** GitHub Enterprise Server layout: one host, the API under /api/v3 and uploads under /api/uploads. Default: github.com's, two hosts. */
  enterprise?: boolean;
  faults?: { upload?: UploadFault[] };
}

export interface GithubApiStandIn {
  /** The base URL a client is given: http://127.0.0.1:<port> (github.com layout) or …/api/v3 (enterprise). */
  url: string;
  /** Where uploads go: a second host, or …/api/uploads (enterprise). */
  uploadsUrl: string;
  requests: RecordedRequest[];
  releases: StoredRelease[];
  /** Tags that exist (created when a release is published). */
  tags: Map<string, string>;
  /** A release put in place before a test (as an earlier run or a person would have left it). */
  seedRelease(r: { repo: string; tag: string; draft?: boolean; name?: string; assets?: Array<{ name: string; data: string | Buffer; state?: 'uploaded' | 'starter' }> }): StoredRelease;
  setFaults(faults: GithubApiOptions['faults']): void;
  /** Called as each request arrives, before it is answered (a test puts another client's action at an exact moment). */
  onRequest(hook: ((r: RecordedRequest) => void) | undefined): void;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const base = { 'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(), 'x-github-api-version-selected': '2022-11-28', ...headers };
  if (body === undefined) {
    res.writeHead(status, base);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...base });
  res.end(text);
}

/** GitHub's error body: message, documentation_url and (since 2023) the status as a string. */
const errorBody = (status: number, message: string, doc = DOCS, errors?: unknown[]) => ({ message, ...(errors ? { errors } : {}), documentation_url: doc, status: String(status) });

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** GitHub renames asset names with characters other than these (spaces and the like become dots). */
const githubAssetName = (name: string) => name.replace(/[^A-Za-z0-9._+-]/g, '.').replace(/^\.+|\.+$/g, '');

export async function startGithubApi(o: GithubApiOptions): Promise<GithubApiStandIn> {
  const requests: RecordedRequest[] = [];
  const releases: StoredRelease[] = [];
  const tags = new Map<string, string>();
  let faults = o.faults ?? {};
  let nextId = 1000;
  const uploadFaultsLeft = new Map<UploadFault, number>();
  const repos = new Set(o.repos.map((r) => r.toLowerCase()));

  const servers: Server[] = [];
  const listen = (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
    new Promise<string>((resolve) => {
      const server = createServer(handler);
      servers.push(server);
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    });

  let apiUrl = '';
  let uploadsUrl = '';

  const releaseJson = (r: StoredRelease) => {
    const api = `${apiUrl}/repos/${r.owner}/${r.repo}`;
    return {
      url: `${api}/releases/${r.id}`,
      html_url: `https://github.example/${r.owner}/${r.repo}/releases/${r.draft ? `tag/untagged-${r.id}` : `tag/${r.tag_name}`}`,
      assets_url: `${api}/releases/${r.id}/assets`,
      upload_url: `${uploadsUrl}/repos/${r.owner}/${r.repo}/releases/${r.id}/assets{?name,label}`,
      tarball_url: r.draft ? null : `${api}/tarball/${r.tag_name}`,
      zipball_url: r.draft ? null : `${api}/zipball/${r.tag_name}`,
      id: r.id,
      node_id: Buffer.from(`Release${r.id}`).toString('base64'),
      tag_name: r.tag_name,
      target_commitish: r.target_commitish,
      name: r.name,
      body: r.body,
      draft: r.draft,
      prerelease: r.prerelease,
      created_at: r.created_at,
      published_at: r.published_at,
      author: { login: 'release-bot', id: 1, type: 'Bot' },
      assets: r.assets.map((a) => assetJson(r, a)),
    };
  };

  const assetJson = (r: StoredRelease, a: StoredAsset) => ({
    url: `${apiUrl}/repos/${r.owner}/${r.repo}/releases/assets/${a.id}`,
    browser_download_url: `https://github.example/${r.owner}/${r.repo}/releases/download/${r.tag_name}/${a.name}`,
    id: a.id,
    node_id: Buffer.from(`ReleaseAsset${a.id}`).toString('base64'),
    name: a.name,
    label: a.label,
    state: a.state,
    content_type: a.content_type,
    size: a.data.length,
    digest: a.state === 'uploaded' ? `sha256:${createHash('sha256').update(a.data).digest('hex')}` : null,
    download_count: 0,
    created_at: a.created_at,
    updated_at: a.updated_at,
    uploader: { login: 'release-bot', id: 1, type: 'Bot' },
  });

  function authenticate(req: IncomingMessage): { ok: boolean; scheme?: string; missing: boolean } {
    const header = req.headers.authorization;
    if (!header) return { ok: false, missing: true };
    const m = /^(token|bearer)\s+(\S+)$/i.exec(header);
    if (!m) return { ok: false, missing: false };
    return { ok: o.tokens.includes(m[2]), scheme: m[1], missing: false };
  }

  function findRepo(owner: string, repo: string) {
    return repos.has(`${owner}/${repo}`.toLowerCase());
  }

  let requestHook: ((r: RecordedRequest) => void) | undefined;
  const handler = (host: 'api' | 'uploads', prefix: string) => async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const body = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (k !== 'authorization' && typeof v === 'string') headers[k] = v;
    const auth = authenticate(req);
    const record: RecordedRequest = { host, method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers, authScheme: auth.ok ? auth.scheme : undefined, bodySize: body.length, status: 0 };
    requests.push(record);
    requestHook?.(record);
    const reply = (status: number, payload?: unknown, extra?: Record<string, string>) => {
      record.status = status;
      send(res, status, payload, extra);
    };
    try {
      if (!auth.ok) return reply(401, errorBody(401, auth.missing ? 'Requires authentication' : 'Bad credentials'));
      if (!url.pathname.startsWith(`${prefix}/`)) return reply(404, errorBody(404, 'Not Found'));
      const path = url.pathname.slice(prefix.length);
      const method = record.method;
      const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(path);
      if (!repoMatch) return reply(404, errorBody(404, 'Not Found'));
      const [, owner, repo, rest] = repoMatch;
      if (!findRepo(owner, repo)) return reply(404, errorBody(404, 'Not Found', `${DOCS}/releases/releases`));
      const ofRepo = releases.filter((r) => r.owner.toLowerCase() === owner.toLowerCase() && r.repo.toLowerCase() === repo.toLowerCase());
      const byId = (id: string) => ofRepo.find((r) => String(r.id) === id);
      let m: RegExpExecArray | null;

      if (host === 'uploads') {
        m = /^\/releases\/(\d+)\/assets$/.exec(rest);
        if (method !== 'POST' || !m) return reply(404, errorBody(404, 'Not Found'));
        const release = byId(m[1]);
        if (!release) return reply(404, errorBody(404, 'Not Found', `${DOCS}/releases/assets#upload-a-release-asset`));
        const given = url.searchParams.get('name');
        if (!given) return reply(422, errorBody(422, 'Validation Failed', `${DOCS}/releases/assets#upload-a-release-asset`, [{ resource: 'ReleaseAsset', code: 'missing_field', field: 'name' }]));
        const contentType = req.headers['content-type'];
        if (!contentType) return reply(422, errorBody(422, 'Bad Content-Type header value', `${DOCS}/releases/assets#upload-a-release-asset`));
        const length = req.headers['content-length'];
        if (length === undefined || Number(length) !== body.length) return reply(400, errorBody(400, 'Content-Length does not match the body', `${DOCS}/releases/assets#upload-a-release-asset`));
        const name = githubAssetName(given);
        const now = new Date().toISOString();
        for (const f of faults.upload ?? []) {
          if (f.name !== undefined && f.name !== name) continue;
          const left = uploadFaultsLeft.get(f) ?? f.times ?? 1;
          if (left <= 0) continue;
          uploadFaultsLeft.set(f, left - 1);
          if (f.leaveStarter && !release.assets.some((a) => a.name === name)) {
            release.assets.push({ id: nextId++, name, label: null, state: 'starter', content_type: contentType, data: Buffer.alloc(0), created_at: now, updated_at: now });
          }
          return reply(f.status ?? 502, errorBody(f.status ?? 502, 'Server Error'));
        }
        if (release.assets.some((a) => a.name === name)) {
          return reply(422, errorBody(422, 'Validation Failed', `${DOCS}/releases/assets#upload-a-release-asset`, [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }]));
        }
        const asset: StoredAsset = { id: nextId++, name, label: url.searchParams.get('label') || null, state: 'uploaded', content_type: contentType, data: body, created_at: now, updated_at: now };
        release.assets.push(asset);
        return reply(201, assetJson(release, asset));
      }

      if (rest === '/releases' && method === 'GET') {
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30) || 30);
        const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
        const sorted = [...ofRepo].sort((a, b) => b.id - a.id);
        const slice = sorted.slice((page - 1) * perPage, page * perPage);
        const link: Record<string, string> = {};
        if (page * perPage < sorted.length) {
          const next = new URL(`${apiUrl}${path}`);
          next.searchParams.set('per_page', String(perPage));
          next.searchParams.set('page', String(page + 1));
          link.link = `<${next.href}>; rel="next"`;
        }
        return reply(200, slice.map(releaseJson), link);
      }
      if (rest === '/releases' && method === 'POST') {
        let input: Record<string, unknown>;
        try {
          input = JSON.parse(body.toString('utf8'));
        } catch {
          return reply(400, errorBody(400, 'Problems parsing JSON'));
        }
        if (typeof input.tag_name !== 'string' || !input.tag_name) {
          return reply(422, errorBody(422, 'Validation Failed', `${DOCS}/releases/releases#create-a-release`, [{ resource: 'Release', code: 'missing_field', field: 'tag_name' }]));
        }
        const draft = input.draft === true;
        if (!draft && ofRepo.some((r) => !r.draft && r.tag_name === input.tag_name)) {
          return reply(422, errorBody(422, 'Validation Failed', `${DOCS}/releases/releases#create-a-release`, [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]));
        }
        const now = new Date().toISOString();
        const release: StoredRelease = {
          id: nextId++,
          owner,
          repo,
          tag_name: input.tag_name,
          target_commitish: typeof input.target_commitish === 'string' ? input.target_commitish : 'main',
          name: typeof input.name === 'string' ? input.name : null,
          body: typeof input.body === 'string' ? input.body : null,
          draft,
          prerelease: input.prerelease === true,
          created_at: now,
          published_at: draft ? null : now,
          assets: [],
        };
        if (!draft) tags.set(`${owner}/${repo}@${release.tag_name}`, release.target_commitish);
        releases.push(release);
        return reply(201, releaseJson(release), { location: `${apiUrl}/repos/${owner}/${repo}/releases/${release.id}` });
      }
      if ((m = /^\/releases\/tags\/(.+)$/.exec(rest)) && method === 'GET') {
        // Drafts have no tag yet: this endpoint sees published releases only.
        const tag = decodeURIComponent(m[1]);
        const release = ofRepo.find((r) => !r.draft && r.tag_name === tag);
        return release ? reply(200, releaseJson(release)) : reply(404, errorBody(404, 'Not Found', `${DOCS}/releases/releases#get-a-release-by-tag-name`));
      }
      if ((m = /^\/releases\/assets\/(\d+)$/.exec(rest))) {
        const release = ofRepo.find((r) => r.assets.some((a) => String(a.id) === m![1]));
        const asset = release?.assets.find((a) => String(a.id) === m![1]);
        if (!release || !asset) return reply(404, errorBody(404, 'Not Found', `${DOCS}/releases/assets`));
        if (method === 'DELETE') {
          release.assets = release.assets.filter((a) => a !== asset);
          return reply(204);
        }
        if (method === 'GET') {
          if ((req.headers.accept ?? '').includes('application/octet-stream')) {
            record.status = 200;
            res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(asset.data.length) });
            res.end(asset.data);
            return;
          }
          return reply(200, assetJson(release, asset));
        }
      }
      if ((m = /^\/releases\/(\d+)\/assets$/.exec(rest)) && method === 'GET') {
        const release = byId(m[1]);
        if (!release) return reply(404, errorBody(404, 'Not Found', `${DOCS}/releases/assets#list-release-assets`));
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30) || 30);
        const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
        return reply(200, release.assets.slice((page - 1) * perPage, page * perPage).map((a) => assetJson(release, a)));
      }
      if ((m = /^\/releases\/(\d+)$/.exec(rest))) {
        const release = byId(m[1]);
        if (!release) return reply(404, errorBody(404, 'Not Found', `${DOCS}/releases/releases`));
        if (method === 'GET') return reply(200, releaseJson(release));
        if (method === 'DELETE') {
          releases.splice(releases.indexOf(release), 1);
          return reply(204);
        }
        if (method === 'PATCH') {
          let input: Record<string, unknown>;
          try {
            input = JSON.parse(body.toString('utf8') || '{}');
          } catch {
            return reply(400, errorBody(400, 'Problems parsing JSON'));
          }
          if (typeof input.tag_name === 'string') release.tag_name = input.tag_name;
          if (typeof input.target_commitish === 'string') release.target_commitish = input.target_commitish;
          if (typeof input.name === 'string') release.name = input.name;
          if (typeof input.body === 'string') release.body = input.body;
          if (typeof input.prerelease === 'boolean') release.prerelease = input.prerelease;
          if (input.draft === false && release.draft) {
            if (ofRepo.some((r) => r !== release && !r.draft && r.tag_name === release.tag_name)) {
              return reply(422, errorBody(422, 'Validation Failed', `${DOCS}/releases/releases#update-a-release`, [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]));
            }
            release.draft = false;
            release.published_at = new Date().toISOString();
            tags.set(`${owner}/${repo}@${release.tag_name}`, release.target_commitish);
          } else if (input.draft === true) release.draft = true;
          return reply(200, releaseJson(release));
        }
      }
      return reply(404, errorBody(404, 'Not Found'));
    } catch (err) {
      return reply(500, errorBody(500, `stand-in error: ${(err as Error).message}`));
    }
  };

  if (o.enterprise) {
    const api = handler('api', '/api/v3');
    const uploads = handler('uploads', '/api/uploads');
    const base = await listen((req, res) => ((req.url ?? '').startsWith('/api/uploads/') ? uploads(req, res) : api(req, res)));
    apiUrl = `${base}/api/v3`;
    uploadsUrl = `${base}/api/uploads`;
  } else {
    apiUrl = await listen(handler('api', ''));
    uploadsUrl = await listen(handler('uploads', ''));
  }

  return {
    url: apiUrl,
    uploadsUrl,
    requests,
    releases,
    tags,
    seedRelease(r) {
      const [owner, repo] = r.repo.split('/');
      const now = new Date().toISOString();
      const release: StoredRelease = {
        id: nextId++,
        owner,
        repo,
        tag_name: r.tag,
        target_commitish: 'main',
        name: r.name ?? r.tag,
        body: null,
        draft: r.draft ?? true,
        prerelease: false,
        created_at: now,
        published_at: r.draft === false ? now : null,
        assets: (r.assets ?? []).map((a) => ({ id: nextId++, name: a.name, label: null, state: a.state ?? 'uploaded', content_type: 'application/octet-stream', data: Buffer.from(a.data), created_at: now, updated_at: now })),
      };
      releases.push(release);
      return release;
    },
    setFaults(f) {
      faults = f ?? {};
      uploadFaultsLeft.clear();
    },
    onRequest(hook) {
      requestHook = hook;
    },
    close: () => Promise.all(servers.map((s) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); }))).then(() => undefined),
  };
}
