import { errorMessage, httpRequest, HttpError, isPlainObject, RetryPolicy, secretFromEnv, UserError, urlOption } from '@shipfleet/core';

export const NOTIFY_TIMEOUT_MS = 5000;

const WHAT = 'the Slack-compatible incoming-webhook URL';

/**
 * `notify`: the name of the environment variable holding the webhook URL. The
 * URL is a secret (its path carries the webhook's token): it is checked, but
 * never quoted in a message.
 */
export function notifyOption(raw: unknown, env: NodeJS.ProcessEnv): { webhookEnv: string } | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) throw new UserError('notify', 'must be an object {webhookEnv}', 'Example: {"webhookEnv": "SLACK_WEBHOOK_URL"}');
  const secret = secretFromEnv('notify.webhookEnv', raw.webhookEnv, { env, what: WHAT });
  if (!secret) throw new UserError('notify.webhookEnv', 'is required', 'Give the NAME of the environment variable that holds the webhook URL, e.g. "SLACK_WEBHOOK_URL"');
  try {
    urlOption('notify.webhookEnv', secret.text, { example: 'https://hooks.slack.com/services/…' });
  } catch {
    throw new UserError('notify.webhookEnv', `the value of ${raw.webhookEnv as string} is not an https URL (or http to this machine) without credentials`, 'Set it to the incoming-webhook URL, e.g. https://hooks.slack.com/services/…');
  }
  return { webhookEnv: raw.webhookEnv as string };
}

/**
 * Posts {text} to a Slack-compatible incoming webhook. A notification never
 * changes the outcome of a rollout: failures are returned for the log, not
 * thrown. Neither shows the URL, which is a secret.
 */
export async function notifyWebhook(url: string, text: string, options: { timeoutMs?: number; retry?: Partial<RetryPolicy> } = {}): Promise<string | undefined> {
  try {
    await httpRequest({ url, method: 'POST', json: { text }, timeoutMs: options.timeoutMs ?? NOTIFY_TIMEOUT_MS, retry: options.retry });
    return undefined;
  } catch (err) {
    if (err instanceof HttpError) return err.detail;
    return errorMessage(err).split(url).join('***');
  }
}
