// The options of a webhook action: where to POST, and the bearer token by env var name.
import { requiredOption, secretFromEnv, urlOption } from '@shipfleet/core';
import { positiveDuration } from '../option-values';
import { ActionParseContext, TrafficActionType } from './action-type';
import { WebhookAction, WebhookActionSpec } from './webhook';

export const WEBHOOK_ACTION_DEFAULTS = { timeout: '10s' } as const;

const TOKEN = 'the webhook\'s bearer token';

function parseWebhookAction(a: Record<string, unknown>, ctx: ActionParseContext): WebhookActionSpec {
  const url = requiredOption('action.url', urlOption('action.url', a.url, { example: 'https://deploy.example.com/canary' }), 'Give the URL to POST {action, weight, canary} to, e.g. https://deploy.example.com/canary');
  // Read now so that a missing token stops the run before any traffic moves; only its name is kept.
  const token = secretFromEnv('action.tokenEnv', a.tokenEnv, { env: ctx.env, what: TOKEN });
  return {
    type: 'webhook',
    url,
    ...(token ? { tokenEnv: a.tokenEnv as string } : {}),
    timeoutMs: positiveDuration('action.timeout', a.timeout, WEBHOOK_ACTION_DEFAULTS.timeout, '10s'),
  };
}

/** POSTs each move to a deploy service. */
export const webhookActionType: TrafficActionType<WebhookActionSpec> = {
  type: 'webhook',
  example: '{"type": "webhook", "url": "https://deploy.example.com/canary", "tokenEnv": "DEPLOY_TOKEN"}',
  parse: parseWebhookAction,
  create: (spec, run) => {
    const token = secretFromEnv('action.tokenEnv', spec.tokenEnv, { env: run.env, what: TOKEN });
    return { action: new WebhookAction(spec, { canary: run.canary, token: token?.text }), secrets: token?.mask ?? [] };
  },
};
