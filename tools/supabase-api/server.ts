// A stand-in for the part of the Supabase Management API that `supabase functions deploy --use-api`
// calls (the CLI reaches it through a profile whose api_url points here: `--profile <file>`).
// Shapes from the API reference (v1-deploy-a-function, v1-bulk-update-functions,
// v1-list-all-functions, v1-get-project) and the CLI's generated client types.
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { randomUUID } from 'crypto';

export interface StoredFunction {
  id: string;
  slug: string;
  name: string;
  version: number;
  status: 'ACTIVE' | 'REMOVED' | 'THROTTLED';
  entrypoint_path?: string;
  import_map_path?: string;
  import_map?: boolean;
  verify_jwt?: boolean;
  created_at: number;
  updated_at: number;
  /** The file names the last deploy uploaded (form parts named "file"). */
  files: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  userAgent?: string;
  status: number;
}

export interface SupabaseApiStandIn {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: RecordedRequest[];
  /** Functions per project ref. */
  functions: Map<string, Map<string, StoredFunction>>;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Projects are the refs given; every request needs `Authorization: Bearer <token>` (else 401
 * {"message":"Unauthorized"}, as the API answers); an unknown ref is 404.
 */
export async function startSupabaseApi(o: { token: string; projects: string[] }): Promise<SupabaseApiStandIn> {
  const functions = new Map<string, Map<string, StoredFunction>>(o.projects.map((p) => [p, new Map()]));
  const requests: RecordedRequest[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (req.headers.authorization !== `Bearer ${o.token}`) {
      json(res, 401, { message: 'Unauthorized' });
      return 401;
    }
    const m = /^\/v1\/projects\/([^/]+)(\/functions(?:\/(deploy|[^/]+))?)?$/.exec(url.pathname);
    const project = m && functions.get(m[1]);
    if (!m || !project) {
      json(res, 404, { message: m ? 'Project not found' : 'Not found' });
      return 404;
    }
    const ref = m[1];
    if (!m[2] && req.method === 'GET') {
      json(res, 200, { id: ref, ref, organization_id: 'stand-in-org', name: ref, region: 'eu-central-1', created_at: '2024-01-01T00:00:00Z', status: 'ACTIVE_HEALTHY' });
      return 200;
    }
    if (m[2] === '/functions' && req.method === 'GET') {
      json(res, 200, [...project.values()].map(({ files: _files, ...f }) => f));
      return 200;
    }
    if (m[3] === 'deploy' && req.method === 'POST') {
      const slug = url.searchParams.get('slug');
      const type = req.headers['content-type'] ?? '';
      if (!slug || !type.startsWith('multipart/form-data')) {
        json(res, 400, { message: 'slug query parameter and a multipart/form-data body are required' });
        return 400;
      }
      const form = await new Response(await readBody(req), { headers: { 'content-type': type } }).formData();
      const metaText = form.get('metadata');
      let meta: { entrypoint_path?: string; import_map_path?: string; name?: string; verify_jwt?: boolean };
      try {
        meta = JSON.parse(typeof metaText === 'string' ? metaText : '');
      } catch {
        json(res, 400, { message: 'metadata must be JSON' });
        return 400;
      }
      const files = form.getAll('file').map((f) => (typeof f === 'string' ? '(text)' : f.name));
      if (!meta.entrypoint_path || !files.includes(meta.entrypoint_path)) {
        json(res, 400, { message: `entrypoint ${meta.entrypoint_path ?? '(none)'} is not among the uploaded files` });
        return 400;
      }
      const now = Date.now();
      const previous = project.get(slug);
      const fn: StoredFunction = {
        id: previous?.id ?? randomUUID(), slug, name: meta.name ?? slug, version: (previous?.version ?? 0) + 1, status: 'ACTIVE',
        entrypoint_path: meta.entrypoint_path, import_map_path: meta.import_map_path || undefined, import_map: !!meta.import_map_path,
        verify_jwt: meta.verify_jwt ?? true, created_at: previous?.created_at ?? now, updated_at: now, files,
      };
      // bundleOnly: the bundle is returned, not activated; the bulk update activates it.
      if (!['1', 'true'].includes(url.searchParams.get('bundleOnly') ?? '')) project.set(slug, fn);
      const { files: _files, ...body } = fn;
      json(res, 201, body);
      return 201;
    }
    if (m[2] === '/functions' && req.method === 'PUT') {
      const body = JSON.parse((await readBody(req)).toString('utf8')) as Array<Partial<StoredFunction> & { slug: string }>;
      for (const f of body) project.set(f.slug, { files: [], created_at: Date.now(), updated_at: Date.now(), status: 'ACTIVE', version: 1, id: randomUUID(), name: f.slug, ...f } as StoredFunction);
      json(res, 200, { functions: body });
      return 200;
    }
    if (m[3] && m[3] !== 'deploy' && req.method === 'DELETE') {
      if (!project.delete(m[3])) {
        json(res, 404, { message: 'Function not found' });
        return 404;
      }
      json(res, 200, { message: 'Successfully deleted' });
      return 200;
    }
    json(res, 404, { message: 'Not found' });
    return 404;
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    handle(req, res)
      .catch((err: Error) => { json(res, 500, { message: err.message }); return 500; })
      .then((status) => requests.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization, userAgent: req.headers['user-agent'], status }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    functions,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
