#!/usr/bin/env node
// A local stand-in for the part of the Vercel REST API that a deploy uses:
// scope and project look-ups, file uploads by SHA-1, deployment creation that
// reports missing files, a build that progresses across polls, promote,
// rollback and aliases. Plain Node (http, crypto), no dependencies.
//
//   const api = await startVercelApi({ token: 't0k', faults: { serverErrors: 2 } });
//   … api.url, api.requests, api.files, api.deployments …
//   await api.close();
//
//   node tools/vercel-api/server.js --port 0 [--token T]   # prints the URL
'use strict';

const http = require('http');
const crypto = require('crypto');

const DEFAULT_TOKEN = 'vercel-stand-in-token';
const DEFAULT_USER = { id: 'user_standin', username: 'ci-bot', email: 'ci-bot@example.com', name: 'CI Bot' };
const DEFAULT_TEAMS = [{ id: 'team_standin', slug: 'acme', name: 'Acme' }];
const DEFAULT_PROJECTS = [
  { id: 'prj_web', name: 'web', accountId: 'user_standin', customEnvironments: ['staging'] },
  { id: 'prj_team_web', name: 'team-web', accountId: 'team_standin', customEnvironments: ['staging'] },
];

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;

function randomId(prefix, length = 24) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = crypto.randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return `${prefix}${out}`;
}

function slugPart(length = 9) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (const b of crypto.randomBytes(length)) out += alphabet[b % alphabet.length];
  return out;
}

/** Whether a fault rule applies to "METHOD /path" (substring or RegExp; no rule matches everything). */
function matches(rule, method, path) {
  if (rule === undefined || rule === null) return true;
  const line = `${method} ${path}`;
  return rule instanceof RegExp ? rule.test(line) : line.includes(String(rule));
}

function startVercelApi(options = {}) {
  const {
    port = 0,
    host = '127.0.0.1',
    token = DEFAULT_TOKEN,
    tokens,
    user = DEFAULT_USER,
    teams = DEFAULT_TEAMS,
    projects: projectSeeds = DEFAULT_PROJECTS,
    // GETs of a deployment it takes to go QUEUED → BUILDING → READY (or ERROR).
    pollsToReady = 2,
    // Each upload is held this long before it is answered (to observe parallelism).
    uploadDelayMs = 0,
  } = options;

  const accepted = new Set(tokens ?? [token]);
  let faults = { ...(options.faults ?? {}) };
  const requests = [];
  /** sha → Buffer of every uploaded file */
  const files = new Map();
  /** id → deployment (stored shape; responses are built from it) */
  const deployments = new Map();
  /** id → project */
  const projects = new Map();
  /** alias → deploymentId */
  const aliases = new Map();
  const stats = { uploadsInFlight: 0, maxConcurrentUploads: 0 };
  let lastCreated = 0;

  for (const seed of projectSeeds) {
    projects.set(seed.id, {
      id: seed.id,
      name: seed.name,
      accountId: seed.accountId ?? user.id,
      customEnvironments: seed.customEnvironments ?? [],
      createdAt: Date.now(),
      productionDeploymentId: null,
      lastAliasRequest: null,
    });
  }

  const now = () => {
    // Strictly increasing, so "newest first" is well defined within one millisecond.
    lastCreated = Math.max(Date.now(), lastCreated + 1);
    return lastCreated;
  };

  const send = (res, status, body, headers = {}) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const fail = (res, status, code, message, extra = {}, headers = {}) => send(res, status, { error: { code, message, ...extra } }, headers);

  const scopeOf = (query) => query.teamId || user.id;
  const teamById = (id) => teams.find((t) => t.id === id);
  const findProject = (idOrName, scope) => {
    for (const p of projects.values()) if ((p.id === idOrName || p.name === idOrName) && p.accountId === scope) return p;
    return undefined;
  };
  const scopeSlug = (scope) => teamById(scope)?.slug ?? user.username;

  const deploymentView = (d) => ({
    id: d.id,
    url: d.url,
    name: d.name,
    projectId: d.projectId,
    ownerId: d.ownerId,
    target: d.target,
    customEnvironment: d.customEnvironment,
    readyState: d.readyState,
    status: d.readyState,
    readyStateReason: d.readyStateReason,
    errorCode: d.errorCode,
    errorMessage: d.errorMessage,
    alias: [...d.alias],
    aliasAssigned: d.aliasAssigned,
    aliasError: null,
    meta: d.meta,
    inspectorUrl: d.inspectorUrl,
    createdAt: d.createdAt,
    buildingAt: d.buildingAt,
    ready: d.ready,
    creator: { uid: user.id, username: user.username },
    type: 'LAMBDAS',
    version: 2,
    prebuilt: d.prebuilt,
  });

  const legacyView = (d) => ({
    uid: d.id,
    name: d.name,
    url: d.url,
    created: d.createdAt,
    createdAt: d.createdAt,
    state: d.readyState,
    readyState: d.readyState,
    target: d.target,
    projectId: d.projectId,
    meta: d.meta,
    inspectorUrl: d.inspectorUrl,
    isRollbackCandidate: d.wasProduction && d.readyState === 'READY',
    creator: { uid: user.id, username: user.username },
    type: 'LAMBDAS',
  });

  const projectView = (p) => {
    const prod = p.productionDeploymentId ? deployments.get(p.productionDeploymentId) : undefined;
    return {
      id: p.id,
      name: p.name,
      accountId: p.accountId,
      createdAt: p.createdAt,
      framework: null,
      targets: prod ? { production: { id: prod.id, url: prod.url, alias: [...prod.alias], readyState: prod.readyState, createdAt: prod.createdAt } } : {},
      latestDeployments: [...deployments.values()].filter((d) => d.projectId === p.id).sort((a, b) => b.createdAt - a.createdAt).slice(0, 5).map((d) => ({ id: d.id, url: d.url, readyState: d.readyState, target: d.target, createdAt: d.createdAt })),
      lastAliasRequest: p.lastAliasRequest ? { ...p.lastAliasRequest } : null,
    };
  };

  /** Moves a build one step on each read: QUEUED → BUILDING → … → READY or ERROR. */
  const progress = (d) => {
    if (d.readyState === 'READY' || d.readyState === 'ERROR' || d.readyState === 'CANCELED') return;
    d.polls += 1;
    if (d.readyState === 'QUEUED') {
      d.readyState = 'BUILDING';
      d.buildingAt = Date.now();
    }
    if (d.polls < pollsToReady) return;
    if (d.failWith) {
      d.readyState = 'ERROR';
      d.errorCode = d.failWith.code;
      d.errorMessage = d.failWith.message;
      return;
    }
    d.readyState = 'READY';
    d.ready = Date.now();
    const project = projects.get(d.projectId);
    if (d.target === 'production' && project) {
      d.wasProduction = true;
      project.productionDeploymentId = d.id;
      const domain = `${project.name}.vercel.app`;
      aliases.set(domain, d.id);
      d.alias.push(domain);
    } else if (d.customEnvironment && project) {
      const domain = `${project.name}-env-${d.customEnvironment.slug}-${scopeSlug(d.ownerId)}.vercel.app`;
      aliases.set(domain, d.id);
      d.alias.push(domain);
    }
    d.aliasAssigned = true;
  };

  const readBody = (req) =>
    new Promise((resolve, reject) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const parseJson = (buf) => {
    if (!buf.length) return {};
    try {
      return JSON.parse(buf.toString('utf8'));
    } catch {
      return undefined;
    }
  };

  // ── handlers ──────────────────────────────────────────────────────────────

  const createDeployment = (req, res, query, body) => {
    if (body === undefined || typeof body !== 'object' || Array.isArray(body)) return fail(res, 400, 'bad_request', 'Invalid JSON body');
    const scope = scopeOf(query);
    if (typeof body.name !== 'string' || !body.name) return fail(res, 400, 'bad_request', 'Invalid request: missing required property `name`.');
    let project;
    if (body.project !== undefined) {
      project = findProject(String(body.project), scope);
      if (!project) return fail(res, 404, 'not_found', `Project "${body.project}" not found`);
    } else {
      project = findProject(body.name, scope);
      if (!project) {
        project = { id: randomId('prj_'), name: body.name, accountId: scope, customEnvironments: [], createdAt: Date.now(), productionDeploymentId: null, lastAliasRequest: null };
        projects.set(project.id, project);
      }
    }
    if (!Array.isArray(body.files) || body.files.length === 0) return fail(res, 400, 'bad_request', 'Invalid request: `files` must be a non-empty array.');
    if (body.target !== undefined && body.target !== null && body.target !== 'production' && body.target !== 'staging') {
      return fail(res, 400, 'bad_request', `Invalid request: \`target\` should be "production" or "staging", got "${body.target}".`);
    }
    let customEnvironment;
    if (body.customEnvironmentSlugOrId !== undefined) {
      if (!project.customEnvironments.includes(body.customEnvironmentSlugOrId)) {
        return fail(res, 404, 'custom_environment_not_found', `Custom environment "${body.customEnvironmentSlugOrId}" not found for project ${project.name}`);
      }
      customEnvironment = { id: `env_${body.customEnvironmentSlugOrId}`, slug: body.customEnvironmentSlugOrId, type: 'preview' };
    }
    if (body.meta !== undefined && (typeof body.meta !== 'object' || Array.isArray(body.meta) || Object.values(body.meta).some((v) => typeof v !== 'string'))) {
      return fail(res, 400, 'bad_request', 'Invalid request: `meta` values must be strings.');
    }
    const missing = new Set();
    const names = new Set();
    for (const f of body.files) {
      if (!f || typeof f.file !== 'string' || !f.file || f.file.startsWith('/') || f.file.split('/').includes('..')) {
        return fail(res, 400, 'bad_request', `Invalid file name ${JSON.stringify(f && f.file)}`);
      }
      if (names.has(f.file)) return fail(res, 400, 'bad_request', `File ${f.file} is listed twice`);
      names.add(f.file);
      if (typeof f.sha !== 'string' || !/^[0-9a-f]{40}$/.test(f.sha)) return fail(res, 400, 'bad_request', `Invalid sha for ${f.file}`);
      const stored = files.get(f.sha);
      if (!stored) missing.add(f.sha);
      else if (typeof f.size === 'number' && f.size !== stored.length) return fail(res, 400, 'bad_request', `Size of ${f.file} is ${f.size} but the uploaded file with that sha has ${stored.length} bytes`);
    }
    if (missing.size) return fail(res, 400, 'missing_files', 'Missing files', { missing: [...missing] });

    const prebuilt = body.files.some((f) => f.file.startsWith('.vercel/output/'));
    let failWith = faults.deploymentError ? { code: 'BUILD_FAILED', message: typeof faults.deploymentError === 'string' ? faults.deploymentError : 'Command "npm run build" exited with 1' } : undefined;
    if (prebuilt && !failWith) {
      const config = body.files.find((f) => f.file === '.vercel/output/config.json');
      const parsed = config ? parseJson(files.get(config.sha)) : undefined;
      if (!parsed || parsed.version !== 3) failWith = { code: 'INVALID_BUILD_OUTPUT', message: 'The Build Output API config.json is missing or is not version 3' };
    }
    const id = randomId('dpl_');
    const createdAt = now();
    const slug = scopeSlug(scope);
    const d = {
      id,
      url: `${project.name}-${slugPart()}-${slug}.vercel.app`,
      name: project.name,
      projectId: project.id,
      ownerId: scope,
      target: body.target === 'production' ? 'production' : body.target === 'staging' ? 'staging' : null,
      customEnvironment,
      readyState: 'QUEUED',
      readyStateReason: undefined,
      errorCode: undefined,
      errorMessage: null,
      alias: [],
      aliasAssigned: false,
      meta: body.meta ?? {},
      inspectorUrl: `https://vercel.com/${slug}/${project.name}/${id.slice(4)}`,
      createdAt,
      buildingAt: undefined,
      ready: undefined,
      files: body.files.map((f) => ({ file: f.file, sha: f.sha, size: f.size, mode: f.mode })),
      prebuilt,
      polls: 0,
      failWith,
      wasProduction: false,
    };
    deployments.set(id, d);
    return send(res, 200, deploymentView(d));
  };

  const uploadFile = async (req, res, query) => {
    const digest = req.headers['x-vercel-digest'] || req.headers['x-now-digest'];
    const data = await readBody(req);
    if (typeof digest !== 'string' || !/^[0-9a-f]{40}$/.test(digest)) return fail(res, 400, 'missing_digest', 'Missing or malformed x-vercel-digest header');
    const declared = req.headers['content-length'] ?? req.headers['x-now-size'];
    if (declared !== undefined && Number(declared) !== data.length) return fail(res, 400, 'invalid_size', `Content-Length says ${declared} bytes but ${data.length} arrived`);
    const actual = crypto.createHash('sha1').update(data).digest('hex');
    if (actual !== digest) return fail(res, 400, 'invalid_digest', `The SHA-1 of the body is ${actual}, not ${digest} as x-vercel-digest says`);
    stats.uploadsInFlight += 1;
    stats.maxConcurrentUploads = Math.max(stats.maxConcurrentUploads, stats.uploadsInFlight);
    try {
      if (uploadDelayMs) await new Promise((r) => setTimeout(r, uploadDelayMs));
      files.set(digest, data);
    } finally {
      stats.uploadsInFlight -= 1;
    }
    void query;
    return send(res, 200, {});
  };

  const getDeployment = (res, query, idOrUrl) => {
    const scope = scopeOf(query);
    const d = deployments.get(idOrUrl) ?? [...deployments.values()].find((x) => x.url === idOrUrl);
    if (!d || d.ownerId !== scope) return fail(res, 404, 'not_found', 'Deployment not found');
    progress(d);
    return send(res, 200, deploymentView(d));
  };

  const listDeployments = (res, query) => {
    const scope = scopeOf(query);
    let list = [...deployments.values()].filter((d) => d.ownerId === scope);
    if (query.projectId) {
      const p = findProject(query.projectId, scope);
      list = p ? list.filter((d) => d.projectId === p.id) : [];
    }
    if (query.target) list = list.filter((d) => (query.target === 'production' ? d.target === 'production' : d.target !== 'production'));
    if (query.state) {
      const states = String(query.state).split(',');
      list = list.filter((d) => states.includes(d.readyState));
    }
    if (query.until) list = list.filter((d) => d.createdAt < Number(query.until));
    list.sort((a, b) => b.createdAt - a.createdAt);
    const limit = Math.max(1, Math.min(100, Number(query.limit) || 20));
    const page = list.slice(0, limit);
    const next = list.length > limit ? page[page.length - 1].createdAt : null;
    return send(res, 200, { deployments: page.map(legacyView), pagination: { count: page.length, next, prev: null } });
  };

  const changeProduction = (res, query, projectId, deploymentId, type) => {
    const scope = scopeOf(query);
    const project = findProject(projectId, scope);
    if (!project) return fail(res, 404, 'not_found', 'Project not found');
    const d = deployments.get(deploymentId);
    if (!d || d.projectId !== project.id) return fail(res, 404, 'not_found', `Deployment ${deploymentId} not found in project ${project.name}`);
    if (d.readyState !== 'READY') return fail(res, 400, 'deployment_not_ready', `Deployment ${deploymentId} is ${d.readyState}, not READY`);
    if (type === 'rollback' && !d.wasProduction) return fail(res, 400, 'invalid_rollback_target', `Deployment ${deploymentId} was never a production deployment`);
    if (type === 'promote' && d.target !== 'production') return fail(res, 400, 'invalid_promote_target', `Deployment ${deploymentId} is not a production deployment`);
    const from = project.productionDeploymentId;
    project.productionDeploymentId = d.id;
    d.wasProduction = true;
    const domain = `${project.name}.vercel.app`;
    const previous = aliases.get(domain);
    if (previous && deployments.get(previous)) deployments.get(previous).alias = deployments.get(previous).alias.filter((a) => a !== domain);
    aliases.set(domain, d.id);
    if (!d.alias.includes(domain)) d.alias.push(domain);
    project.lastAliasRequest = { type, fromDeploymentId: from, toDeploymentId: d.id, jobStatus: 'in-progress', requestedAt: Date.now() };
    return type === 'promote' ? send(res, 201, undefined) : send(res, 201, {});
  };

  const assignAlias = (res, query, deploymentId, body) => {
    const scope = scopeOf(query);
    const d = deployments.get(deploymentId);
    if (!d || d.ownerId !== scope) return fail(res, 404, 'not_found', 'Deployment not found');
    if (!body || typeof body.alias !== 'string' || !HOSTNAME.test(body.alias)) return fail(res, 400, 'invalid_alias', `Invalid alias ${JSON.stringify(body && body.alias)}`);
    if (d.readyState !== 'READY') return fail(res, 400, 'deployment_not_ready', 'The deployment is not READY');
    const old = aliases.get(body.alias);
    if (old && deployments.get(old)) deployments.get(old).alias = deployments.get(old).alias.filter((a) => a !== body.alias);
    aliases.set(body.alias, d.id);
    if (!d.alias.includes(body.alias)) d.alias.push(body.alias);
    return send(res, 200, { uid: randomId('alias_'), alias: body.alias, created: new Date().toISOString(), oldDeploymentId: old ?? null });
  };

  // ── dispatch ──────────────────────────────────────────────────────────────

  const takeFault = (name, method, path) => {
    const n = faults[name];
    if (!n || n <= 0) return false;
    if (!matches(faults.match, method, path)) return false;
    faults[name] = n - 1;
    return true;
  };

  const handle = async (req, res, record) => {
    const { method, path, query } = record;

    if (takeFault('dropConnections', method, path)) {
      record.status = 'dropped';
      req.socket.destroy();
      return;
    }
    if (takeFault('serverErrors', method, path)) {
      await readBody(req);
      return fail(res, 500, 'internal_server_error', 'An unexpected internal error occurred');
    }
    if (method === 'POST' && path === '/v2/files' && faults.rateLimitFirst > 0) {
      faults.rateLimitFirst -= 1;
      await readBody(req);
      const retryAfter = faults.retryAfter ?? 1;
      return fail(res, 429, 'rate_limited', 'Rate limit exceeded', { limit: { remaining: 0, reset: Math.ceil(Date.now() / 1000) + retryAfter } }, { 'retry-after': String(retryAfter) });
    }
    for (const rule of faults.errors ?? []) {
      if ((rule.times ?? Infinity) > 0 && matches(rule.match, method, path)) {
        if (rule.times !== undefined) rule.times -= 1;
        await readBody(req);
        return fail(res, rule.status ?? 400, rule.code ?? 'bad_request', rule.message ?? 'Injected error');
      }
    }

    const auth = req.headers.authorization ?? '';
    const bearer = /^Bearer (.+)$/.exec(auth);
    if (!bearer || !accepted.has(bearer[1])) {
      await readBody(req);
      return fail(res, 401, 'unauthorized', 'The request is not authorized.');
    }
    if (query.teamId && !teamById(query.teamId)) {
      await readBody(req);
      return fail(res, 403, 'forbidden', `You don't have access to the team ${query.teamId}`);
    }

    let m;
    if (method === 'POST' && path === '/v2/files') return uploadFile(req, res, query);
    const body = method === 'POST' ? parseJson(await readBody(req)) : (await readBody(req), undefined);

    if (method === 'GET' && path === '/v2/user') return send(res, 200, { user: { ...user, defaultTeamId: null } });
    if (method === 'GET' && (m = /^\/v2\/teams\/([^/]+)$/.exec(path))) {
      const team = teamById(decodeURIComponent(m[1]));
      return team ? send(res, 200, { ...team }) : fail(res, 404, 'not_found', 'Team not found');
    }
    if (method === 'GET' && (m = /^\/v9\/projects\/([^/]+)$/.exec(path))) {
      const p = findProject(decodeURIComponent(m[1]), scopeOf(query));
      if (!p) return fail(res, 404, 'not_found', 'Project not found');
      const view = projectView(p);
      // An alias job finishes between two reads.
      if (p.lastAliasRequest && p.lastAliasRequest.jobStatus === 'in-progress') p.lastAliasRequest.jobStatus = 'succeeded';
      return send(res, 200, view);
    }
    if (method === 'POST' && path === '/v13/deployments') return createDeployment(req, res, query, body);
    if (method === 'GET' && (m = /^\/v13\/deployments\/([^/]+)$/.exec(path))) return getDeployment(res, query, decodeURIComponent(m[1]));
    if (method === 'GET' && path === '/v6/deployments') return listDeployments(res, query);
    if (method === 'POST' && (m = /^\/v10\/projects\/([^/]+)\/promote\/([^/]+)$/.exec(path))) return changeProduction(res, query, decodeURIComponent(m[1]), decodeURIComponent(m[2]), 'promote');
    if (method === 'POST' && (m = /^\/v9\/projects\/([^/]+)\/rollback\/([^/]+)$/.exec(path))) return changeProduction(res, query, decodeURIComponent(m[1]), decodeURIComponent(m[2]), 'rollback');
    if (method === 'POST' && (m = /^\/v2\/deployments\/([^/]+)\/aliases$/.exec(path))) return assignAlias(res, query, decodeURIComponent(m[1]), body);
    return fail(res, 404, 'not_found', `No route for ${method} ${path}`);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://stand-in');
    const headers = { ...req.headers };
    delete headers.authorization;
    const record = {
      time: Date.now(),
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      bodySize: 0,
      status: undefined,
    };
    requests.push(record);
    req.on('data', (c) => { record.bodySize += c.length; });
    res.on('finish', () => { record.status = res.statusCode; });
    handle(req, res, record).catch((err) => {
      if (!res.headersSent) fail(res, 500, 'internal_server_error', String(err && err.message));
    });
  });
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        url: `http://${host}:${address.port}`,
        token,
        requests,
        files,
        deployments,
        projects,
        aliases,
        stats,
        user,
        teams,
        /** The current production deployment of a project (id or name), as the stand-in tracks it. */
        production(projectIdOrName) {
          for (const p of projects.values()) if (p.id === projectIdOrName || p.name === projectIdOrName) return p.productionDeploymentId;
          return undefined;
        },
        setFaults(f) {
          faults = { ...(f ?? {}) };
        },
        close() {
          return new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          });
        },
      });
    });
  });
}

module.exports = { startVercelApi, DEFAULT_TOKEN };

if (require.main === module) {
  const args = process.argv.slice(2);
  const flag = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
  };
  startVercelApi({
    port: Number(flag('port', '0')),
    host: flag('host', '127.0.0.1'),
    token: flag('token', process.env.VERCEL_API_STAND_IN_TOKEN || DEFAULT_TOKEN),
  }).then((api) => {
    process.stdout.write(`${api.url}\n`);
    const stop = () => api.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }, (err) => {
    process.stderr.write(`vercel-api stand-in: ${err.message}\n`);
    process.exit(1);
  });
}
