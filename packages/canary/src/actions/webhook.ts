import { displayUrl, formatDuration, HttpAbortedError, HttpClient, HttpError, HttpRetryEvent, RetryPolicy } from '@shipfleet/core';
import { abortError } from '../clock';
import { ActionContext, ActionKind, TrafficAction } from './action';

export interface WebhookActionSpec {
  type: 'webhook';
  url: string;
  /** Name of the environment variable holding a bearer token (sent as Authorization). */
  tokenEnv?: string;
  /** Per attempt. */
  timeoutMs: number;
}

/** The JSON body of every webhook call. */
export interface WebhookBody {
  action: ActionKind;
  /** Percentage of traffic for the canary after this call. */
  weight: number;
  canary: string;
}

function retryLine(e: HttpRetryEvent): string {
  const problem = e.response ? `HTTP ${e.response.status}` : e.error?.detail ?? 'no answer';
  return `POST ${e.url}: ${problem}; retrying in ${formatDuration(e.delayMs)} (attempt ${e.attempt + 1} of ${e.attempts})`;
}

/**
 * POSTs {action, weight, canary} as JSON. A 2xx answer is success; no answer,
 * 408, 429 and 5xx are retried with the HTTP client's retry policy (setting a
 * weight twice is harmless); any other answer fails at once.
 */
export class WebhookAction implements TrafficAction {
  private readonly http: HttpClient;

  constructor(
    readonly spec: WebhookActionSpec,
    private readonly deps: { canary: string; token?: string; retry?: Partial<RetryPolicy> },
  ) {
    this.http = new HttpClient({ timeoutMs: spec.timeoutMs, retry: deps.retry, headers: deps.token ? { authorization: `Bearer ${deps.token}` } : {} });
  }

  body(kind: ActionKind, weight: number): WebhookBody {
    return { action: kind, weight, canary: this.deps.canary };
  }

  describe(kind: ActionKind, weight: number): string {
    return `POST ${displayUrl(this.spec.url)} ${JSON.stringify(this.body(kind, weight))}${this.spec.tokenEnv ? ` (Authorization: Bearer $${this.spec.tokenEnv})` : ''}`;
  }

  private async send(kind: ActionKind, weight: number, ctx: ActionContext): Promise<void> {
    const body = this.body(kind, weight);
    try {
      const answer = await this.http.request('POST', this.spec.url, { json: body, signal: ctx.signal, onRetry: (e) => ctx.log(retryLine(e)) });
      ctx.log(`POST ${displayUrl(this.spec.url)} ${JSON.stringify(body)} → ${answer.status}`);
    } catch (err) {
      if (err instanceof HttpAbortedError || ctx.signal.aborted) throw abortError();
      if (err instanceof HttpError && err.kind === 'status' && !err.retryable) throw new Error(`webhook refused ${kind} ${weight}%: ${err.message}`);
      if (err instanceof HttpError) throw new Error(`webhook failed for ${kind} ${weight}%: ${err.message}`);
      throw err;
    }
  }

  setWeight(weight: number, ctx: ActionContext): Promise<void> {
    return this.send('setWeight', weight, ctx);
  }

  promote(ctx: ActionContext): Promise<void> {
    return this.send('promote', 100, ctx);
  }

  rollback(ctx: ActionContext): Promise<void> {
    return this.send('rollback', 0, ctx);
  }
}
