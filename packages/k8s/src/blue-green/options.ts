// The k8s-deploy options of the blue-green strategy: core's blueGreen options, the two Services and the preview URL.
import { blueGreenOptions, BlueGreenOptions, isAbsent, oneOfOption, showValue, urlOption, UserError } from '@shipfleet/core';

export type K8sStrategy = 'rolling' | 'blue-green';
export type K8sAction = 'deploy' | 'rollback';

export interface K8sBlueGreenSettings {
  action: K8sAction;
  /** The check, keepPrevious, postSwitchCheck (a rollback reads them, and switches without them). */
  options: BlueGreenOptions;
  activeService?: string;
  previewService?: string;
  /** The preview URL template as given ({service}, {namespace}, {color}, {port} are replaced at run time). */
  previewUrl?: string;
}

const SERVICE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const PLACEHOLDERS = ['service', 'namespace', 'color', 'port'] as const;
const SAMPLE: Record<(typeof PLACEHOLDERS)[number], string> = { service: 'api-preview', namespace: 'default', color: 'green', port: '80' };
const BLUE_GREEN_ONLY = ['blueGreen', 'activeService', 'previewService', 'previewUrl'] as const;

function serviceNameOption(option: string, value: unknown): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string' || value.length > 63 || !SERVICE_NAME.test(value)) {
    throw new UserError(option, `${showValue(value)} is not a Service name`, 'Use at most 63 lowercase letters, digits and "-", starting with a letter, e.g. "api"');
  }
  return value;
}

/** Fills a preview URL template; unknown placeholders were refused when the options were read. */
export function fillUrlTemplate(template: string, values: Record<(typeof PLACEHOLDERS)[number], string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => ((PLACEHOLDERS as readonly string[]).includes(key) ? encodeURIComponent(values[key as (typeof PLACEHOLDERS)[number]]) : whole));
}

function previewUrlOption(value: unknown): string | undefined {
  if (isAbsent(value)) return undefined;
  const example = 'https://{service}.preview.example.com or http://{service}.{namespace}.svc.cluster.local:{port}';
  if (typeof value !== 'string') throw new UserError('previewUrl', `${showValue(value)} is not a URL`, `Give a URL template such as ${example}`);
  const unknown = [...value.matchAll(/\{(\w*)\}/g)].map((m) => m[1]).find((k) => !(PLACEHOLDERS as readonly string[]).includes(k));
  if (unknown !== undefined) throw new UserError('previewUrl', `{${unknown}} is not a placeholder`, `Use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`);
  // The preview answers a health check without credentials: plain http (an in-cluster name) is fine.
  try {
    urlOption('previewUrl', fillUrlTemplate(value, SAMPLE), { example, allowHttp: true });
  } catch (e) {
    // Said of the template as written, not of the sample it was checked with.
    if (e instanceof UserError) throw new UserError('previewUrl', `"${value}" ${e.problem.replace(/^"[^"]*" /, '')}`, e.fix);
    throw e;
  }
  return value;
}

/**
 * Reads strategy, action and the blue-green options; undefined for a rolling
 * deploy. Options that only a blue-green deploy reads are refused with
 * another strategy, and modes that do not fit one (diff, serverDryRun,
 * prune) are refused with it.
 */
export function readBlueGreenSettings(raw: Record<string, unknown>, modes: { diff: boolean; serverDryRun: boolean; prune: boolean }): K8sBlueGreenSettings | undefined {
  const strategy = oneOfOption('strategy', raw.strategy, ['rolling', 'blue-green'] as const, { fix: 'Use rolling (default) or blue-green' }) ?? 'rolling';
  const action = oneOfOption('action', raw.action, ['deploy', 'rollback'] as const, { fix: 'Use deploy (default) or rollback' }) ?? 'deploy';
  if (strategy === 'rolling') {
    if (action === 'rollback') throw new UserError('action', 'rollback switches a blue-green Service back to its other colour; the strategy here is rolling', 'Set "strategy": "blue-green" (a rolling deploy undoes a rollout that fails by itself: rollbackOnFailure)');
    const given = BLUE_GREEN_ONLY.find((name) => !isAbsent(raw[name]));
    if (given) throw new UserError(given, 'applies to strategy blue-green (the strategy here is rolling)', 'Remove it, or set "strategy": "blue-green"');
    return undefined;
  }
  for (const mode of ['diff', 'serverDryRun', 'prune'] as const) {
    if (modes[mode]) throw new UserError(mode, 'does not apply to strategy blue-green', mode === 'prune' ? 'Leave prune off: a blue-green deploy keeps both colours and the preview Service, which the manifests do not hold' : `Leave ${mode} off for a blue-green deploy (a plan dry run, --dryRun, shows every stage)`);
  }
  // Read for a rollback too (a target's options serve both actions), though it switches back without a check.
  const options = blueGreenOptions(raw.blueGreen, 'blueGreen');
  return {
    action,
    options,
    activeService: serviceNameOption('activeService', raw.activeService),
    previewService: serviceNameOption('previewService', raw.previewService),
    previewUrl: previewUrlOption(raw.previewUrl),
  };
}

/**
 * Where the check reaches the preview Service: previewUrl filled in, else an
 * Ingress of the manifests for it, else (deploying from inside the cluster)
 * its cluster DNS name. Undefined when none applies.
 */
export function previewUrlFor(settings: K8sBlueGreenSettings, at: { service: string; namespace: string; color: string; port?: number; ingressUrl?: string; inCluster: boolean }): string | undefined {
  const port = String(at.port ?? 80);
  if (settings.previewUrl) return fillUrlTemplate(settings.previewUrl, { service: at.service, namespace: at.namespace, color: at.color, port });
  if (at.ingressUrl) return at.ingressUrl;
  if (at.inCluster) return `http://${at.service}.${at.namespace}.svc.cluster.local:${port}`;
  return undefined;
}

export const PREVIEW_URL_FIX = 'Give previewUrl, the URL where this machine reaches the preview Service (e.g. "https://{service}.preview.example.com" through an Ingress), or add to the manifests an Ingress whose backend is the preview Service';
