import { Clock } from '../clock';
import { FetchFn, HttpRequestError, httpRequest, snippet } from '../http';
import { ActionContext, ActionKind, TrafficAction } from './action';

export interface WebhookActionSpec {
  type: 'webhook';
  url: string;
  /** Name of the environment variable holding a bearer token (sent as Authorization). */
  tokenEnv?: string;
  timeoutMs: number;
}

/** The JSON body of every webhook call. */
export interface WebhookBody {
  action: ActionKind;
  /** Percentage of traffic for the canary after this call. */
  weight: number;
  canary: string;
}

const ATTEMPTS = 3;

/**
 * POSTs {action, weight, canary} as JSON. A 2xx answer is success; 5xx and
 * no answer are retried (3 attempts, 0.5 s then 1 s apart); 4xx fails at once.
 */
export class WebhookAction implements TrafficAction {
  constructor(
    readonly spec: WebhookActionSpec,
    private readonly deps: { canary: string; token?: string; fetch?: FetchFn; clock: Clock },
  ) {}

  body(kind: ActionKind, weight: number): WebhookBody {
    return { action: kind, weight, canary: this.deps.canary };
  }

  describe(kind: ActionKind, weight: number): string {
    return `POST ${this.spec.url} ${JSON.stringify(this.body(kind, weight))}${this.spec.tokenEnv ? ` (Authorization: Bearer $${this.spec.tokenEnv})` : ''}`;
  }

  private async send(kind: ActionKind, weight: number, ctx: ActionContext): Promise<void> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.deps.token) headers.Authorization = `Bearer ${this.deps.token}`;
    const body = JSON.stringify(this.body(kind, weight));
    for (let attempt = 1; ; attempt++) {
      let problem: string;
      try {
        const answer = await httpRequest(this.deps.fetch ?? fetch, this.spec.url, { method: 'POST', headers, body, timeoutMs: this.spec.timeoutMs, signal: ctx.signal });
        if (answer.status >= 200 && answer.status < 300) {
          ctx.log(`POST ${this.spec.url} ${body} → ${answer.status}`);
          return;
        }
        problem = `HTTP ${answer.status}${answer.body ? `: ${snippet(answer.body)}` : ''}`;
        if (answer.status < 500) throw new Error(`webhook ${this.spec.url} refused ${kind} ${weight}%: ${problem}`);
      } catch (err) {
        if (!(err instanceof HttpRequestError)) throw err;
        problem = err.message;
      }
      if (attempt >= ATTEMPTS) throw new Error(`webhook ${this.spec.url} failed ${ATTEMPTS} times for ${kind} ${weight}%: ${problem}`);
      ctx.log(`POST ${this.spec.url}: ${problem}; retrying (attempt ${attempt + 1} of ${ATTEMPTS})`);
      await this.deps.clock.sleep(500 * attempt, ctx.signal);
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
