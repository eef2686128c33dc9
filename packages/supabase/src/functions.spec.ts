// `supabase functions deploy` and its token: the real CLI, pointed at a local stand-in of the
// Management API (tools/supabase-api) through a CLI profile (`--profile`, whose api_url the CLI
// honours; SUPABASE_API_URL is not read by 2.117.0's functions deploy).
import { readFileSync } from 'fs';
import { join } from 'path';
import { startSupabaseApi, SupabaseApiStandIn } from '../../../tools/supabase-api/server';
import { deploySupabase, removeSupabaseProjects, supabaseProject } from './__fixtures__/workspace';

const REF = 'abcdefghijklmnopqrst';
const TOKEN = 'sbp_0123456789abcdef0123456789abcdef01234567';
let api: SupabaseApiStandIn;

beforeAll(async () => {
  api = await startSupabaseApi({ token: TOKEN, projects: [REF] });
});
afterAll(async () => {
  await api?.close();
  removeSupabaseProjects();
});

const functions = {
  hello: 'Deno.serve(() => new Response("hello"));\n',
  'stripe-webhook': 'Deno.serve(async (req) => new Response(await req.text()));\n',
};

describe('edge functions through the real CLI', () => {
  it('deploys the named function with the token from the variable accessTokenEnv names', async () => {
    const dir = supabaseProject({ functions });
    const run = await deploySupabase(dir, { migrations: false, functions: ['hello'], projectRef: REF, accessTokenEnv: 'SUPABASE_TOKEN_STAGING', apiUrl: api.url }, { env: { SUPABASE_TOKEN_STAGING: TOKEN } });
    expect(run.report.status).toBe('succeeded');
    const deployed = api.functions.get(REF)!;
    expect([...deployed.keys()]).toEqual(['hello']);
    expect(deployed.get('hello')).toMatchObject({ version: 1, entrypoint_path: 'supabase/functions/hello/index.ts', files: ['supabase/functions/hello/index.ts'] });
    expect(api.requests.filter((r) => r.method === 'POST')).toEqual([expect.objectContaining({ path: `/v1/projects/${REF}/functions/deploy`, query: { slug: 'hello' }, authorization: `Bearer ${TOKEN}`, status: 201 })]);
    expect(api.requests.every((r) => r.authorization === `Bearer ${TOKEN}` && /^SupabaseCLI\//.test(r.userAgent ?? ''))).toBe(true);
    expect(run.output).toContain(`Deployed Functions on project ${REF}: hello`);
    // The CLI got its token in SUPABASE_ACCESS_TOKEN; the plan shows it masked, no output has it.
    expect(JSON.parse(run.planJson).steps.find((s: { title: string }) => /edge function hello/.test(s.title))).toMatchObject({
      command: [expect.stringMatching(/supabase$/), '--profile', join(dir, 'work', 'api-profile.yaml'), 'functions', 'deploy', 'hello', '--project-ref', REF, '--use-api', '--yes'],
      env: { SUPABASE_ACCESS_TOKEN: '***' },
    });
    expect(run.output).not.toContain(TOKEN);
    expect(readFileSync(join(dir, 'work', 'api-profile.yaml'), 'utf8')).toContain(`api_url: ${api.url}`);
  });

  it('deploys every function (bundled, then activated in one bulk update)', async () => {
    const dir = supabaseProject({ functions });
    const before = api.requests.length;
    const run = await deploySupabase(dir, { migrations: false, functions: true, noVerifyJwt: true, projectRef: REF, apiUrl: api.url }, { env: { SUPABASE_ACCESS_TOKEN: TOKEN } });
    expect(run.report.status).toBe('succeeded');
    const calls = api.requests.slice(before).map((r) => `${r.method} ${r.path}${r.query.slug ? `?slug=${r.query.slug}` : ''} ${r.status}`);
    expect(calls).toEqual(expect.arrayContaining([`POST /v1/projects/${REF}/functions/deploy?slug=hello 201`, `POST /v1/projects/${REF}/functions/deploy?slug=stripe-webhook 201`, `PUT /v1/projects/${REF}/functions 200`]));
    expect(api.functions.get(REF)!.get('stripe-webhook')).toMatchObject({ verify_jwt: false });
    expect(JSON.parse(run.planJson).steps[1]).toMatchObject({ env: { SUPABASE_ACCESS_TOKEN: '***' } });
    expect(run.output).not.toContain(TOKEN);
  });

  it('a token the API refuses fails the deploy, without showing it', async () => {
    const dir = supabaseProject({ functions });
    const wrong = 'sbp_ffffffffffffffffffffffffffffffffffffffff';
    const run = await deploySupabase(dir, { migrations: false, functions: ['hello'], projectRef: REF, apiUrl: api.url }, { env: { SUPABASE_ACCESS_TOKEN: wrong } });
    expect(run.report.status).toBe('failed');
    expect(run.output).toMatch(/401|Unauthorized/);
    expect(run.output).not.toContain(wrong);
  });
});
