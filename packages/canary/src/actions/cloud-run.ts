import { AccessTokenProvider, createAccessTokenProvider, PlayCredentials } from '@shipfleet/android';
import { CLOUD_PLATFORM_SCOPE, CloudRunClient, CloudRunTrafficControl, MoveContext } from '@shipfleet/cloud-run';
import { formatDuration, RetryPolicy } from '@shipfleet/core';
import { ActionContext, ActionKind, TrafficAction } from './action';

export interface CloudRunActionSpec {
  type: 'cloud-run';
  /** The Google Cloud project id. */
  project: string;
  region: string;
  service: string;
  /** The canary revision (default: the service's latest ready revision, read at the first move). */
  revision?: string;
  /** Name of the env var holding a service-account key or external_account JSON (default: application default credentials). */
  credentialsEnv?: string;
  apiUrl: string;
  tokenUrl: string;
  /** Longest wait for each traffic change to be served. */
  waitTimeoutMs: number;
}

/**
 * A Cloud Run revision as the canary: a weight is its percent of the service's traffic, the rest
 * going to the revisions that served before it in their proportions; promote gives it 100 %;
 * rollback gives it 0 % and everything back to them. Each move is one services.patch of the
 * traffic (guarded by the service's etag) and a wait on its operation.
 */
export class CloudRunAction implements TrafficAction {
  private current?: ActionContext;
  private readonly auth: AccessTokenProvider;
  private readonly control: CloudRunTrafficControl;

  constructor(
    readonly spec: CloudRunActionSpec,
    credentials: PlayCredentials,
    private readonly deps: { retry?: Partial<RetryPolicy>; pollIntervalMs?: number } = {},
  ) {
    // One token provider for the run; what it learns is masked through the context of the move under way.
    this.auth = createAccessTokenProvider(credentials, { tokenUrl: spec.tokenUrl, scope: CLOUD_PLATFORM_SCOPE, api: 'the Cloud Run Admin API', onSecret: (v) => this.current?.addSecret(v) });
    this.control = new CloudRunTrafficControl(spec.revision);
  }

  describe(kind: ActionKind, weight: number): string {
    const s = this.spec;
    const patch = `PATCH ${s.apiUrl}/v2/projects/${s.project}/locations/${s.region}/services/${s.service}?updateMask=traffic, waiting up to ${formatDuration(s.waitTimeoutMs)} for it to serve`;
    const canary = s.revision ? `revision ${s.revision}` : 'the latest ready revision';
    if (kind === 'promote' || (kind === 'setWeight' && weight >= 100)) return `${patch}: ${canary} 100 %`;
    if (kind === 'rollback') return `${patch}: ${canary} 0 %, the revisions that served before it back to their shares`;
    return `${patch}: ${canary} ${weight} %, the rest to the revisions that served before it, in their proportions`;
  }

  private context(ctx: ActionContext): MoveContext {
    this.current = ctx;
    const { project, region, service, apiUrl, waitTimeoutMs } = this.spec;
    const client = new CloudRunClient({ apiUrl, project, region, auth: this.auth, retry: this.deps.retry, signal: ctx.signal, onRetry: ctx.log });
    return { client, project, region, service, waitTimeoutMs, log: ctx.log, signal: ctx.signal, pollIntervalMs: this.deps.pollIntervalMs };
  }

  setWeight(weight: number, ctx: ActionContext): Promise<void> {
    return this.control.setWeight(weight, this.context(ctx));
  }

  promote(ctx: ActionContext): Promise<void> {
    return this.control.promote(this.context(ctx));
  }

  rollback(ctx: ActionContext): Promise<void> {
    return this.control.rollback(this.context(ctx));
  }
}
