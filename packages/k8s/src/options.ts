import { accessSync, constants, statSync } from 'fs';
import { delimiter, join } from 'path';
import { booleanOption, deprecatedOption, durationOption, pathOption, plainObjectOption, UserError } from '@shipfleet/core';
import { readImageOptions } from './image-options';
import { KubeconfigTarget, resolveKubeconfig } from './kubeconfig';
import { LoadedManifests, loadManifests } from './manifests';
import { isDns1123Label, labelKeyProblem, labelValueProblem } from './metadata';
import { RenderedManifests, renderManifests } from './render';
import { parseLabelSelector } from './selectors';
import { K8sAction, K8sBlueGreenSettings, K8sStrategy, PREVIEW_URL_FIX, readBlueGreenSettings } from './blue-green/options';
import { findBlueGreenTarget } from './blue-green/target';

export const FIELD_MANAGER = 'shipfleet';
export const VERSION_LABEL = 'app.kubernetes.io/version';
export const PROJECT_LABEL = 'shipfleet.dev/project';
export const PROJECT_ANNOTATION = 'shipfleet.dev/project';
export const COMMIT_ANNOTATION = 'shipfleet.dev/commit';
/**
 * How long rollouts are waited for when `timeout` is left out. Stated in the
 * schema's description, not as a schema default: Nx would fill that in and
 * clash with the old name `timeoutSeconds`.
 */
export const DEFAULT_TIMEOUT = '5m';

/** What k8s-deploy uses for an option left out; its schema.json states the same defaults. */
export const K8S_DEPLOY_DEFAULTS = {
  serverDryRun: false,
  forceConflicts: false,
  prune: false,
  rollbackOnFailure: true,
  diff: false,
  kubectl: 'kubectl',
} as const;

/** Options of a Kubernetes deploy, as a user writes them (paths relative to the workspace root). */
export interface K8sDeployOptions {
  /** Manifest files and folders (multi-document YAML or JSON), or one kustomization folder. */
  manifests: string | string[];
  /**
   * Image name (no tag) → new tag (`1.4.2`) or digest (`sha256:…`), set on every matching container and init
   * container; or the same as a `name=tag,name2@sha256:…` string (the command line cannot give a map).
   */
  images?: Record<string, string> | string;
  /** Image references to set, `name:tag` or `name@sha256:…`: one, several separated by commas, or a list. Added to `images`. */
  image?: string | string[];
  /** Namespace for namespaced objects that name none (objects naming another one are an error). */
  namespace?: string;
  /** Labels added to every object and to workload pod templates. */
  labels?: Record<string, string>;
  /** Annotations added to every object. */
  annotations?: Record<string, string>;
  /** Version deployed: label app.kubernetes.io/version. */
  version?: string;
  /** Commit deployed: annotation shipfleet.dev/commit. */
  commit?: string;
  /** Nx project: label shipfleet.dev/project (made a valid label value), annotation with the exact name. */
  project?: string;
  /** Kubeconfig file (default: KUBECONFIG, else ~/.kube/config, else in-cluster). */
  kubeconfig?: string;
  /** Kubeconfig context (default: its current-context). */
  context?: string;
  /** How long to wait for the rollouts (and again for a rollback): "5m", "90s", or a number of seconds. Default 5m. */
  timeout?: string | number;
  /** @deprecated the old name of timeout (seconds). */
  timeoutSeconds?: number;
  /** Apply with dryRun=All: the API server validates and admits, nothing is stored. */
  serverDryRun?: boolean;
  /** Take over fields another field manager owns (server-side apply force=true). */
  forceConflicts?: boolean;
  /** After a successful rollout, delete objects matching `pruneSelector` that the manifests no longer hold. */
  prune?: boolean;
  /** Label selector of the objects prune may delete (default: shipfleet.dev/project=<project>). */
  pruneSelector?: string;
  /** Undo workloads that do not roll out (default true). */
  rollbackOnFailure?: boolean;
  /** Show what the apply would change (a server dry run of each object, diffed against the live one) and change nothing. */
  diff?: boolean;
  /** kubectl binary used to render a kustomization (default "kubectl"). */
  kubectl?: string;
  /** A plan dry run: no kubeconfig is required. */
  dryRun?: boolean;
  /** rolling (default): apply and wait, undoing a failed rollout; blue-green: the Deployment as <name>-blue / <name>-green behind a Service switch. */
  strategy?: K8sStrategy;
  /** deploy (default); rollback (blue-green): the live Service back to the other colour in one switch. */
  action?: K8sAction;
  /** strategy blue-green: core's blue-green options {check, keepPrevious, postSwitchCheck}. */
  blueGreen?: unknown;
  /** strategy blue-green: the Service users reach (default: the Service of the manifests that selects the Deployment). */
  activeService?: string;
  /** strategy blue-green: the Service that selects the new colour before the switch (default <activeService>-preview). */
  previewService?: string;
  /** strategy blue-green: where this machine reaches the preview Service, a URL template with {service}, {namespace}, {color}, {port}. */
  previewUrl?: string;
}

export interface NormalizedK8sOptions {
  projectRoot: string;
  manifestPaths: string[];
  manifests: LoadedManifests;
  /** Rendered at normalize time for manifest files; undefined for a kustomization (rendered when the plan runs). */
  rendered?: RenderedManifests;
  images: Record<string, string>;
  /** Image name → the option that set it, for messages. */
  imageSources: Record<string, string>;
  /** Image settings an option of higher precedence replaced (`image` over `images`), for the plan. */
  imagesReplaced: string[];
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Undefined only in a plan dry run where no kubeconfig exists. */
  kubeconfig?: KubeconfigTarget;
  /** The rollout wait (the `timeout` option), in seconds. */
  timeoutSeconds: number;
  serverDryRun: boolean;
  forceConflicts: boolean;
  rollbackOnFailure: boolean;
  /** Diff against the live objects instead of deploying. */
  diff: boolean;
  prune?: { selector: string };
  kubectl: string;
  fieldManager: string;
  /** Values to mask in every output of the run (Secret data, kubeconfig credentials). */
  secrets: string[];
  /** strategy blue-green (undefined: a rolling deploy). */
  blueGreen?: K8sBlueGreenSettings;
}

/** Where the options are read. Paths are relative to the workspace root (default: the project root itself). */
export interface K8sOptionsContext {
  workspaceRoot?: string;
  /** Told about renamed options and paths read the old way. */
  warn?: (message: string) => void;
}

function stringMap(raw: Record<string, unknown>, name: string, example: string): Record<string, string> {
  const map = plainObjectOption(name, raw[name], { what: 'a map of keys to string values', example }) ?? {};
  for (const [k, value] of Object.entries(map)) {
    if (typeof value !== 'string') throw new UserError(name, `the value of "${k}" is ${JSON.stringify(value)}, not a string`, 'Quote it, e.g. "1.0" instead of 1.0');
  }
  return map as Record<string, string>;
}

/** `command` is a name looked up on PATH, or an absolute path. */
export function commandExists(command: string, env: NodeJS.ProcessEnv): boolean {
  const executable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/')) return executable(command);
  return (env.PATH ?? '').split(delimiter).some((dir) => dir && executable(join(dir, command)));
}

/** A name made into a valid label value (63 characters of letters, digits, -, _ and ., alphanumeric at both ends). */
export function toLabelValue(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/**
 * Checks every option and reads the manifests before anything runs; each
 * problem is a UserError naming the option. Manifest files are rendered here
 * (so a dry run shows them); a kustomization is rendered when the plan runs.
 */
export function normalizeK8sOptions(given: K8sDeployOptions, projectRoot: string, env: NodeJS.ProcessEnv = process.env, context: K8sOptionsContext = {}): NormalizedK8sOptions {
  const warn = context.warn ?? (() => undefined);
  const paths = { workspaceRoot: context.workspaceRoot ?? projectRoot, projectRoot, warn };
  const raw = deprecatedOption(given, 'timeoutSeconds', 'timeout', warn);
  const r = raw as unknown as Record<string, unknown>;
  if (r.manifests === undefined || r.manifests === null || r.manifests === '' || (Array.isArray(r.manifests) && !r.manifests.length)) {
    throw new UserError('manifests', 'is required', 'List the manifest files or folders (or one kustomization folder) to apply, e.g. "manifests": ["{projectRoot}/k8s"]');
  }
  const list = Array.isArray(r.manifests) ? r.manifests : [r.manifests];
  if (list.some((m) => typeof m !== 'string' || !m.trim())) throw new UserError('manifests', 'must be a path or a list of paths', 'Example: "manifests": ["{projectRoot}/k8s/base", "{projectRoot}/k8s/service.yaml"]');
  const manifestPaths = (list as string[]).map((m) => pathOption('manifests', m, paths)!);

  const { images, sources: imageSources, replaced } = readImageOptions({ images: r.images, image: r.image });
  const imagesReplaced = replaced.map(({ setting, by }) => `${by.option} ${by.given} replaces ${setting.option} ${setting.given}`);

  let namespace: string | undefined;
  if (r.namespace !== undefined && r.namespace !== null) {
    if (typeof r.namespace !== 'string' || !isDns1123Label(r.namespace)) {
      throw new UserError('namespace', `${JSON.stringify(r.namespace)} is not a valid namespace name`, 'Use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit');
    }
    namespace = r.namespace;
  }

  const labels = { ...stringMap(r, 'labels', '{"team": "payments"}') };
  const annotations = { ...stringMap(r, 'annotations', '{"example.com/owner": "payments"}') };
  for (const [k, v] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(k);
    if (keyProblem) throw new UserError('labels', `key "${k}" ${keyProblem}`, 'Use a key like "team" or "example.com/team"');
    const valueProblem = labelValueProblem(v);
    if (valueProblem) throw new UserError('labels', `value "${v}" of "${k}" ${valueProblem}`, 'Label values are at most 63 letters, digits, "-", "_" and "."; put free text in annotations');
  }
  for (const k of Object.keys(annotations)) {
    const keyProblem = labelKeyProblem(k);
    if (keyProblem) throw new UserError('annotations', `key "${k}" ${keyProblem}`, 'Use a key like "example.com/owner"');
  }
  if (r.version !== undefined && r.version !== null) {
    if (typeof r.version !== 'string' || !r.version) throw new UserError('version', 'must be a non-empty string', 'Example: "version": "1.4.2"');
    const problem = labelValueProblem(r.version);
    if (problem) throw new UserError('version', `"${r.version}" ${problem} (it becomes the ${VERSION_LABEL} label)`, 'Use a version without "+" or other characters labels refuse, e.g. 1.4.2 or 1.4.2-rc.1');
    labels[VERSION_LABEL] = r.version;
  }
  if (r.commit !== undefined && r.commit !== null) {
    if (typeof r.commit !== 'string' || !/^[0-9A-Za-z._/-]{1,255}$/.test(r.commit)) throw new UserError('commit', `${JSON.stringify(r.commit)} is not a commit id`, 'Give the commit SHA (git rev-parse HEAD)');
    annotations[COMMIT_ANNOTATION] = r.commit;
  }
  let projectLabel: string | undefined;
  if (r.project !== undefined && r.project !== null) {
    if (typeof r.project !== 'string' || !r.project) throw new UserError('project', 'must be a non-empty string', 'The Nx project name');
    projectLabel = toLabelValue(r.project);
    if (!projectLabel) throw new UserError('project', `"${r.project}" has no letters or digits to use as a label value`, 'Use a project name with letters or digits');
    labels[PROJECT_LABEL] = projectLabel;
    annotations[PROJECT_ANNOTATION] = r.project;
  }

  const timeoutMs = durationOption('timeout', r.timeout ?? DEFAULT_TIMEOUT, { min: 1000, example: DEFAULT_TIMEOUT });
  const flag = (name: keyof typeof K8S_DEPLOY_DEFAULTS & string) => booleanOption(name, r[name]) ?? (K8S_DEPLOY_DEFAULTS[name] as boolean);
  const serverDryRun = flag('serverDryRun');
  const forceConflicts = flag('forceConflicts');
  const rollbackOnFailure = flag('rollbackOnFailure');
  const diff = flag('diff');
  const dryRun = booleanOption('dryRun', r.dryRun) ?? false;
  let prune: { selector: string } | undefined;
  if (flag('prune')) {
    const selector = r.pruneSelector ?? (projectLabel ? `${PROJECT_LABEL}=${projectLabel}` : undefined);
    if (selector === undefined) throw new UserError('prune', 'needs a label selector', 'Set pruneSelector (e.g. "app.kubernetes.io/part-of=shop") or project, whose label is used by default');
    if (typeof selector !== 'string' || !selector.trim()) throw new UserError('pruneSelector', 'is empty', 'Give a label selector such as "app.kubernetes.io/part-of=shop"; an empty one would select everything');
    const parsed = parseLabelSelector(selector);
    if ('error' in parsed) throw new UserError('pruneSelector', `"${selector}": ${parsed.error}`, 'Use kubectl label selector syntax: key=value, key!=value, key in (a,b), key, !key');
    prune = { selector };
  } else if (r.pruneSelector !== undefined && r.pruneSelector !== null) {
    if (typeof r.pruneSelector !== 'string') throw new UserError('pruneSelector', 'must be a label selector string', 'Example: "pruneSelector": "app=api"');
  }
  if (r.kubectl !== undefined && (typeof r.kubectl !== 'string' || !r.kubectl)) throw new UserError('kubectl', 'must be the name or path of the kubectl binary', 'Leave it out to use kubectl from PATH');
  for (const name of ['kubeconfig', 'context'] as const) {
    if (r[name] !== undefined && r[name] !== null && typeof r[name] !== 'string') throw new UserError(name, 'must be a string', name === 'kubeconfig' ? 'Give the path of a kubeconfig file' : 'Give the name of a kubeconfig context');
  }

  const kubectlOption = (r.kubectl as string | undefined) ?? K8S_DEPLOY_DEFAULTS.kubectl;
  // A name is looked up on PATH; a path is read like every other path.
  const kubectl = kubectlOption.includes('/') ? pathOption('kubectl', kubectlOption, paths)! : kubectlOption;
  // "~/…" is the user's home, and a blank value gets resolveKubeconfig's own message.
  const kubeconfigOption = raw.kubeconfig ?? undefined;
  const kubeconfigPath = kubeconfigOption?.trim() && !/^~(\/|$)/.test(kubeconfigOption) ? pathOption('kubeconfig', kubeconfigOption, paths) : kubeconfigOption;
  const kubeconfig = resolveKubeconfig({ kubeconfig: kubeconfigPath, context: raw.context ?? undefined }, projectRoot, env, { required: !dryRun });
  const manifests = loadManifests(manifestPaths, 'manifests');
  if (manifests.kind === 'kustomize' && !dryRun && !commandExists(kubectl, env)) {
    throw new UserError('kubectl', `${kubectl} is not ${kubectl.includes('/') ? 'an executable file' : 'on PATH'}; it renders the kustomization in ${manifests.dir}`, 'Install kubectl (Debian: apt-get install kubernetes-client), or set kubectl to its path');
  }
  const blueGreen = readBlueGreenSettings(r, { diff, serverDryRun, prune: !!prune });
  const renderOptions = { images, imageSources, namespace, labels, annotations };
  const rendered = manifests.kind === 'files' ? renderManifests(manifests.objects, renderOptions) : undefined;
  if (blueGreen && rendered) {
    // Known before anything runs for manifest files; a kustomization is checked once rendered.
    const target = findBlueGreenTarget(rendered.objects, blueGreen);
    if (blueGreen.action === 'deploy' && !blueGreen.previewUrl && !target.previewIngressUrl && !kubeconfig?.inCluster) {
      throw new UserError('previewUrl', `is required: the manifests hold no Ingress for the preview Service ${target.previewName}, and the deploy does not run inside the cluster`, PREVIEW_URL_FIX);
    }
  }
  return {
    projectRoot,
    manifestPaths,
    manifests,
    rendered,
    images,
    imageSources,
    imagesReplaced,
    namespace,
    labels,
    annotations,
    kubeconfig,
    timeoutSeconds: timeoutMs! / 1000,
    serverDryRun,
    forceConflicts,
    rollbackOnFailure,
    diff,
    prune,
    kubectl,
    fieldManager: FIELD_MANAGER,
    secrets: [...(rendered?.secrets ?? []), ...(kubeconfig?.secrets ?? [])],
    ...(blueGreen ? { blueGreen } : {}),
  };
}
