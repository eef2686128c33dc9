// The services the demo deploys to, run inside the demo process as the e2e suites run them: the
// Vercel, Kubernetes, Google Play and GitHub API stand-ins, and a real Prometheus when it is installed.
import { GithubApiStandIn, startGithubApi } from '../github-api/server';
import { K8sApi, startK8sApi } from '../k8s-api/server';
import { PlayApiStandIn, startPlayApi } from '../play-api/server';
import { prometheusMissing, PrometheusServer, startPrometheus } from '../prometheus/server';
import { scenarioHistory, SCENARIOS } from '../prometheus/scenarios';
import type { VercelApi } from '../vercel-api/server';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startVercelApi } = require('../vercel-api/server.js') as typeof import('../vercel-api/server');

export const VERCEL_TOKEN = 'demo-vercel-Tok3n-never-printed';
export const ANDROID_PACKAGE = 'com.acme.phone';
export const GITHUB_TOKEN = 'github_pat_demoRelease-never-printed-0042';
export const GITHUB_REPO = 'acme/fleet';

export interface DemoServices {
  vercel: VercelApi;
  k8s: K8sApi;
  play: PlayApiStandIn;
  github: GithubApiStandIn;
  /** A real Prometheus holding the canary's metric history, when prometheus and promtool are installed. */
  prometheus?: PrometheusServer;
  /** Why there is no Prometheus, when there is none. */
  prometheusMissing?: string;
  close(): Promise<void>;
}

/** The metric history the canary is judged on: the healthy scenario of the canary suite. */
export const CANARY_SCENARIO = SCENARIOS.find((s) => s.name === 'healthy')!;

export async function startServices(): Promise<DemoServices> {
  const started: Array<{ close(): Promise<void> }> = [];
  const close = async () => {
    for (const s of started.reverse()) await s.close().catch(() => undefined);
  };
  try {
    const vercel = await startVercelApi({ port: 0, token: VERCEL_TOKEN });
    started.push(vercel);
    const k8s = await startK8sApi({ port: 0 });
    started.push(k8s);
    const play = await startPlayApi({ apps: { [ANDROID_PACKAGE]: {} } });
    started.push(play);
    const github = await startGithubApi({ tokens: [GITHUB_TOKEN], repos: [GITHUB_REPO] });
    started.push(github);
    const missing = prometheusMissing();
    let prometheus: PrometheusServer | undefined;
    if (!missing) {
      prometheus = await startPrometheus([scenarioHistory([CANARY_SCENARIO])]);
      started.push({ close: () => prometheus!.stop() });
    }
    return { vercel, k8s, play, github, prometheus, prometheusMissing: missing, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** What the services hold after the deploys, one line each, and what is missing from it. */
export function serviceState(s: DemoServices): { lines: string[]; problems: string[] } {
  const problems: string[] = [];
  const deployments = [...s.vercel.deployments.values()].filter((d) => d.readyState === 'READY');
  const image = s.k8s.get('Deployment', 'default', 'api')?.spec?.template?.spec?.containers?.[0]?.image;
  const internal = s.play.app(ANDROID_PACKAGE).tracks.internal?.releases ?? [];
  const lines = [
    `Vercel: ${deployments.length} READY deployments of prj_web (${deployments.map((d) => d.url).join(', ')})`,
    `Kubernetes: deployment/api runs ${image ?? 'nothing'}`,
    `Google Play: ${ANDROID_PACKAGE} internal track: ${internal.map((r) => `${r.status} [${(r.versionCodes ?? []).join(', ')}]`).join('; ') || 'no release'}`,
  ];
  if (deployments.length !== 2) problems.push(`Vercel holds ${deployments.length} READY deployments (expected 2: the first run and the change)`);
  // The digest container-image pushed, not the tag the manifests name.
  if (!/^registry\.example\.com\/api@sha256:[0-9a-f]{64}$/.test(image ?? '')) problems.push(`deployment/api runs ${image ?? 'nothing'} (expected the digest container-image pushed)`);
  if (!internal.some((r) => r.status === 'completed')) problems.push('no completed release on the Play internal track');
  const releases = s.github.releases.filter((r) => !r.draft);
  lines.push(`GitHub: ${GITHUB_REPO} releases ${releases.map((r) => `${r.tag_name} [${r.assets.map((a) => a.name).join(', ')}]`).join('; ') || 'none published'}`);
  if (releases.length !== 1 || !releases[0].assets.some((a) => a.name.endsWith('.zip'))) problems.push(`GitHub holds ${releases.length} published releases (expected 1 with the desktop app's zip)`);
  if (s.prometheus) {
    const replicas = (name: string) => s.k8s.get('Deployment', 'default', name)?.spec?.replicas;
    lines.push(`canary: api-canary ${replicas('api-canary')} replicas, api-stable ${replicas('api-stable')} (promoted after 4 steps judged on Prometheus)`);
    if (replicas('api-canary') !== 10) problems.push(`api-canary has ${replicas('api-canary')} replicas (expected 10 after the promotion)`);
  }
  return { lines, problems };
}
