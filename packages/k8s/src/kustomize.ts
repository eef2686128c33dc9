import { errorMessage, Redactor, runCaptured, TaskContext, UserError } from '@shipfleet/core';
import { checkDuplicates, parseManifests } from './manifests';
import { commandExists, NormalizedK8sOptions } from './options';
import { RenderedManifests, renderManifests } from './render';

/** Runs a command with its output captured: the plan's `ctx.exec`, or core's spawn module outside a plan. */
export type CaptureExec = TaskContext['exec'];

/** How long `kubectl kustomize` may take when rendered for a dry run. */
const PREVIEW_TIMEOUT_MS = 120_000;

/** `kubectl kustomize <dir>`, rendered like manifest files (images, namespace, labels, Secret values masked for display). */
export async function renderKustomization(o: NormalizedK8sOptions, exec: CaptureExec): Promise<RenderedManifests> {
  if (o.manifests.kind !== 'kustomize') throw new Error('renderKustomization needs a kustomization');
  const { dir } = o.manifests;
  const r = await exec(o.kubectl, ['kustomize', dir], { cwd: o.projectRoot });
  if (r.exitCode !== 0) {
    throw new Error(`${o.kubectl} kustomize ${dir} exited with code ${r.exitCode}: ${r.stderr.trim().split('\n').slice(0, 5).join(' | ')}`);
  }
  const objects = parseManifests(r.stdout, `${o.kubectl} kustomize ${dir}`);
  checkDuplicates(objects);
  return renderManifests(objects, { images: o.images, imageSources: o.imageSources, namespace: o.namespace, labels: o.labels, annotations: o.annotations });
}

/** The environment without variables whose value is a secret of the run, as the runner hands it to commands. */
function withoutSecretValues(env: NodeJS.ProcessEnv, secrets: string[]): Record<string, string> {
  const values = new Set(secrets.map((s) => s.trim()));
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && !values.has(e[1].trim())));
}

/**
 * For a plan dry run: renders a kustomization now (`kubectl kustomize` only
 * reads local files and changes nothing), so the plan shows its objects like
 * manifest files, Secret values masked, and their values join the secrets to
 * mask. Without kubectl: a warning, and the plan says it renders at run time.
 * A kustomization kubectl cannot render is an error, as in a real run.
 */
export async function previewKustomization(o: NormalizedK8sOptions, context: { env?: NodeJS.ProcessEnv; warn: (message: string) => void; exec?: CaptureExec }): Promise<NormalizedK8sOptions> {
  if (o.manifests.kind !== 'kustomize') return o;
  const env = context.env ?? process.env;
  const { dir } = o.manifests;
  const missing = () => {
    context.warn(`${o.kubectl} is not ${o.kubectl.includes('/') ? 'an executable file' : 'on PATH'}: the kustomization in ${dir} is not rendered in this dry run (a real run needs kubectl)`);
    return o;
  };
  if (!context.exec && !commandExists(o.kubectl, env)) return missing();
  const exec: CaptureExec = context.exec ?? ((file, args, opts = {}) => runCaptured(file, args, { cwd: opts.cwd, inherit: withoutSecretValues(env, o.secrets), timeoutMs: PREVIEW_TIMEOUT_MS }));
  let rendered: RenderedManifests;
  try {
    rendered = await renderKustomization(o, exec);
  } catch (e) {
    if (e instanceof UserError) throw e;
    const message = new Redactor(o.secrets).redact(errorMessage(e));
    if (/^command not found/.test(message)) return missing();
    throw new UserError('manifests', message, `Fix the kustomization in ${dir}: "${o.kubectl} kustomize ${dir}" shows the same error`);
  }
  return { ...o, rendered, secrets: [...o.secrets, ...rendered.secrets] };
}
