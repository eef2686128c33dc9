// URLs reach messages without their query string or user name and password:
// a metric endpoint or a webhook may carry a token there.
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { formatPlan, memoryLogger, planToJson, Redactor, runPlan, UserError } from '@shipfleet/core';
import { normalizeCanaryOptions } from './options';
import { buildCanaryPlan } from './plan';
import { CanaryOptions } from './types';

const TOKEN = 's3cr3t-token-value';

const options = (metricUrl: string, actionUrl: string): Partial<CanaryOptions> => ({
  steps: [{ weight: 50, pause: 0 }, { weight: 100, pause: 0 }],
  interval: '30s',
  deadline: '1m',
  evaluationTime: Date.UTC(2024, 0, 1) / 1000,
  metrics: [{ name: 'health', provider: 'http', url: metricUrl, measure: 'errorRate', samples: 1, timeout: '2s', failure: '> 0.5' }],
  action: { type: 'webhook', url: actionUrl, timeout: '2s' },
});

/** A server answering every request with `status`. */
async function answering(status: number): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(status).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('URLs in messages', () => {
  it('a dry run shows the webhook URL without its query, and no token of the metric URL', () => {
    const o = normalizeCanaryOptions(options(`https://h.example.com/metrics?token=${TOKEN}`, `https://hooks.example.com/canary?token=${TOKEN}`), '/srv/web', {});
    const { plan, secrets } = buildCanaryPlan(o);
    const redactor = new Redactor(secrets);
    const text = formatPlan(plan, redactor);
    expect(text).toContain('POST https://hooks.example.com/canary {');
    expect(text).not.toContain(TOKEN);
    expect(JSON.stringify(planToJson(plan, redactor))).not.toContain(TOKEN);
  });

  it('an option error shows the URL without its query or credentials', () => {
    for (const url of [`http://h.example.com/metrics?token=${TOKEN}`, `https://user:${TOKEN}@h.example.com/metrics`, `ftp://h.example.com/metrics?token=${TOKEN}`]) {
      let error: unknown;
      try {
        normalizeCanaryOptions(options(url, 'https://hooks.example.com/canary'), '/srv/web', {});
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toMatch(/^Option "metrics\[0\]\.url"/);
      expect((error as UserError).message).not.toContain(TOKEN);
    }
  });

  it('a run whose metric endpoint and webhook fail never shows their query', async () => {
    const failing = await answering(500);
    try {
      const o = normalizeCanaryOptions(options(`${failing.url}/metrics?token=${TOKEN}`, `${failing.url}/canary?token=${TOKEN}`), '/srv/web', {});
      const built = buildCanaryPlan(o);
      const { logger, text } = memoryLogger();
      const report = await runPlan(built.plan, { logger, handleSignals: false, stepSummaryFile: '/dev/null', secrets: built.secrets });
      expect(report.status).toBe('failed');
      expect(report.error).toContain(`POST ${failing.url}/canary failed`);
      expect(text()).toContain(`${failing.url}/canary`);
      expect(text()).not.toContain(TOKEN);
      expect(JSON.stringify([report, built.result])).not.toContain(TOKEN);
    } finally {
      failing.server.close();
    }
  });

  it('a metric endpoint that cannot be reached is reported without its query', async () => {
    const metrics = await answering(200);
    const hooks = await answering(200);
    const closed = metrics.url;
    metrics.server.close();
    try {
      const o = normalizeCanaryOptions(options(`${closed}/metrics?token=${TOKEN}`, `${hooks.url}/canary?token=${TOKEN}`), '/srv/web', {});
      const built = buildCanaryPlan(o);
      const { logger, text } = memoryLogger();
      await runPlan(built.plan, { logger, handleSignals: false, stepSummaryFile: '/dev/null', secrets: built.secrets });
      expect(text()).toContain(`${closed}/metrics`);
      expect(text()).not.toContain(TOKEN);
      expect(JSON.stringify(built.result)).not.toContain(TOKEN);
    } finally {
      hooks.server.close();
    }
  });
});
