import { FetchFn, HttpRequestError, httpRequest, snippet } from './http';

/**
 * Posts {text} to a Slack-compatible incoming webhook. A notification never
 * changes the outcome of a rollout: failures are returned for the log, not thrown.
 */
export async function notifyWebhook(url: string, text: string, options: { fetch?: FetchFn; timeoutMs?: number } = {}): Promise<string | undefined> {
  try {
    const answer = await httpRequest(options.fetch ?? fetch, url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text }),
      timeoutMs: options.timeoutMs ?? 5000,
    });
    if (answer.status >= 200 && answer.status < 300) return undefined;
    return `HTTP ${answer.status}${answer.body ? `: ${snippet(answer.body)}` : ''}`;
  } catch (err) {
    if (err instanceof HttpRequestError) return err.message;
    return err instanceof Error ? err.message : String(err);
  }
}
