// The registry's contract: each platform is recognised from its own example project, its targets are
// registered executors documented in the README, and the workspace-wide lists come from the registry.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';
import { ciSecrets, PLATFORMS } from '.';
import { inferTargets } from '../inference/infer-targets';
import { markerGlob, projectRootOf } from './markers';

const readme = readFileSync(resolve(__dirname, '../../../../README.md'), 'utf8');
const executors = Object.keys(JSON.parse(readFileSync(resolve(__dirname, '../../executors.json'), 'utf8')).executors);

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}
const anchors = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));

function exampleWorkspace(files: Record<string, string>, root = 'apps/example'): string {
  const ws = mkdtempSync(join(tmpdir(), 'shipfleet-platform-'));
  for (const [file, content] of Object.entries({ 'project.json': '{}', ...files })) {
    mkdirSync(dirname(join(ws, root, file)), { recursive: true });
    writeFileSync(join(ws, root, file), content);
  }
  return ws;
}

describe.each(PLATFORMS.map((p) => [p.id, p] as const))('platform %s', (_id, platform) => {
  const ws = exampleWorkspace(platform.example);
  const targets = inferTargets([platform], ws, 'apps/example', {}, 'default');

  it('is recognised from its example project, through each marker file it holds', () => {
    expect(Object.keys(targets).length).toBeGreaterThan(0);
    const markers = Object.keys(platform.example).filter((f) => platform.markers.some((m) => new RegExp(`^${m.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`).test(f)));
    expect(markers.length).toBeGreaterThan(0);
    for (const marker of markers) expect(projectRootOf(`apps/example/${marker}`, PLATFORMS)).toBe('apps/example');
  });

  it('infers only registered executors, each linked to a README heading that exists', () => {
    for (const [name, target] of Object.entries(targets)) {
      expect(executors).toContain(target.executor!.replace('@shipfleet/nx:', ''));
      const url = (target.metadata as { url: string }).url;
      expect({ name, anchor: url.split('#')[1], exists: anchors.has(url.split('#')[1]) }).toMatchObject({ exists: true });
    }
  });

  it('is not recognised in a project that has none of its files', () => {
    expect(inferTargets([platform], exampleWorkspace({ 'README.md': '# nothing' }), 'apps/example', {}, 'default')).toEqual({});
  });
});

describe('the registry', () => {
  it('gives every platform target executor a registration, and registers nothing no platform uses', () => {
    const ws = exampleWorkspace(Object.assign({}, ...PLATFORMS.map((p) => p.example)));
    const used = new Set(Object.values(inferTargets(PLATFORMS, ws, 'apps/example', {}, 'default')).map((t) => t.executor!.replace('@shipfleet/nx:', '')));
    expect([...used].sort()).toEqual([...executors].sort());
  });

  it('chains deploys in registry order, on macOS when any part needs it', () => {
    const ws = exampleWorkspace({ ...PLATFORMS.find((p) => p.id === 'kubernetes')!.example, ...PLATFORMS.find((p) => p.id === 'canary')!.example, ...PLATFORMS.find((p) => p.id === 'tizen')!.example });
    const t = inferTargets(PLATFORMS, ws, 'apps/example', { targetNames: { 'k8s-deploy': 'rollout' } }, 'default');
    expect(t.deploy.options).toEqual({ targets: ['package-tizen', 'rollout', 'canary-monitor'] });
    expect(t.deploy.metadata).toMatchObject({ runner: 'linux' });
    const mac = inferTargets(PLATFORMS, exampleWorkspace({ ...PLATFORMS.find((p) => p.id === 'apple')!.example, 'vercel.json': '{}' }), 'apps/example', {}, 'default');
    expect(mac.deploy.metadata).toMatchObject({ runner: 'macos' });
  });

  it('builds the createNodes glob and the CI secret list from the descriptors', () => {
    const glob = markerGlob(PLATFORMS);
    for (const p of PLATFORMS) for (const m of p.markers) expect(glob).toContain(m);
    expect(ciSecrets()).toEqual([...new Set(PLATFORMS.flatMap((p) => p.ciSecrets))]);
    expect(ciSecrets()).toEqual(expect.arrayContaining(['VERCEL_TOKEN', 'TIZEN_AUTHOR_P12', 'IOS_P12']));
  });
});
