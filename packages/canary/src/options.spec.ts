import { thrownUserError, UserError } from '@shipfleet/core';
import { mkdirSync, mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { normalizeCanaryOptions } from './options';
import { CanaryOptions } from './types';

const ROOT = '/work/apps/web';
const env = { DEPLOY_TOKEN: 'tok-1234567', PROM_TOKEN: 'prom-token-value', SLACK_URL: 'https://hooks.slack.com/services/T000/B000/secretpart' };
const selectors = { canary: 'app="web",version="canary"', baseline: 'app="web",version="stable"' };
const slo: Partial<CanaryOptions> = {
  preset: 'slo-1pct-500ms',
  prometheus: { url: 'https://prometheus.example.com/' },
  selectors,
  action: { type: 'command', setWeight: ['./set-weight.sh', '--weight={{weight}}'] },
};
const errorMetric = { name: 'error-rate', numerator: 'sum(rate(http_requests_total{{{selector}},code=~"5.."}[{{interval}}]))', denominator: 'sum(rate(http_requests_total{{{selector}}}[{{interval}}]))', failure: '> 0.05' };

/** The UserError a call throws (fails the test when it throws nothing). */
function problem(raw: Partial<CanaryOptions> | unknown, e: NodeJS.ProcessEnv = env): UserError {
  return thrownUserError(() => normalizeCanaryOptions(raw as Partial<CanaryOptions>, ROOT, e));
}

describe('normalizeCanaryOptions', () => {
  it('reads the slo-1pct-500ms preset: its thresholds, its 30 s checks and its 10-minute limit', () => {
    const o = normalizeCanaryOptions(slo, ROOT, env);
    expect(o.preset).toBe('slo-1pct-500ms');
    expect(o.name).toBe('web');
    expect(o.steps).toEqual([5, 25, 50, 100].map((weight) => ({ weight, pauseMs: 120_000 })));
    expect(o).toMatchObject({ intervalMs: 30_000, windowMs: 60_000, deadlineMs: 600_000, policy: { failureLimit: 0, consecutiveErrorLimit: 4 } });
    expect(o.metrics.map((m) => [m.name, m.success?.text, m.failure?.text, m.direction])).toEqual([
      ['error-rate', '< 0.01', '> 0.05', 'increase'],
      ['latency-p95-ms', '< 500', '> 2000', 'increase'],
      ['availability', '> 0.999', '< 0.95', 'decrease'],
    ]);
    // The floor is far below the success threshold, so the comparison can fail what the thresholds pass.
    expect(o.metrics.map((m) => [m.floor, m.tolerance.text])).toEqual([[0.001, '+20%'], [50, '+20%'], [undefined, '+20%']]);
    expect(o.judge).toEqual({ thresholds: { holdOnSharedFailure: true }, comparison: undefined, minRequests: 50 });
    expect(o.prometheus).toEqual({ url: 'https://prometheus.example.com', timeoutMs: 10_000 });
    expect(o.action).toMatchObject({ type: 'command', cwd: ROOT, timeoutMs: 60_000 });
  });

  it('lets every option given win over the preset', () => {
    const o = normalizeCanaryOptions({ ...slo, steps: [{ weight: 10, pause: '1m' }, { weight: 100 }], interval: '1m', failureLimit: 2, comparison: { confidence: 0.99 } }, ROOT, env);
    expect(o.steps).toEqual([{ weight: 10, pauseMs: 60_000 }, { weight: 100, pauseMs: 120_000 }]);
    expect(o.intervalMs).toBe(60_000);
    expect(o.policy.failureLimit).toBe(2);
    expect(o.judge.comparison).toEqual({ confidence: 0.99, pass: 95, marginal: 75 });
    // 15 s scrapes: 30 s samples (two scrapes even where a range excludes its start), 4 of them: 2 minutes.
    expect(o.sampling).toEqual({ stepMs: 30_000, lookbackMs: 30_000, scrapeMs: 15_000, rangeMs: 120_000 });
  });

  it('sizes the comparison samples to the scrape interval, and refuses a lookback that would hold one scrape', () => {
    const sampling = (comparison: object) => normalizeCanaryOptions({ ...slo, comparison }, ROOT, env).sampling;
    expect(sampling({ scrapeInterval: '5s' })).toEqual({ stepMs: 15_000, lookbackMs: 15_000, scrapeMs: 5_000, rangeMs: 60_000 });
    expect(sampling({ scrapeInterval: '1m' })).toEqual({ stepMs: 120_000, lookbackMs: 120_000, scrapeMs: 60_000, rangeMs: 480_000 });
    expect(sampling({ step: '15s' })).toEqual({ stepMs: 15_000, lookbackMs: 30_000, scrapeMs: 15_000, rangeMs: 60_000 });
    expect(() => sampling({ lookback: '15s' })).toThrow(
      'Option "comparison.lookback": 15s holds fewer than 2 scrapes of 15s when a range excludes its start (as Prometheus 3 does): rate() and increase() would give nothing. Use at least 30s, or leave it out (it is then the larger of the step and twice the scrape interval)',
    );
    expect(() => sampling({ scrapeInterval: 'often' })).toThrow(/Option "comparison.scrapeInterval"/);
  });

  it('reads tolerances, units and floors of metrics, and says what is wrong with a bad one', () => {
    const metric = (m: object) => normalizeCanaryOptions({ ...slo, comparison: true, metrics: [{ name: 'm', query: 'q{{{selector}}}', ...m }] }, ROOT, env).metrics[0];
    expect(metric({ tolerance: '+50ms' }).tolerance).toEqual({ kind: 'absolute', amount: 50, text: '+50ms' });
    expect(metric({ tolerance: '+50ms', unit: 's' }).tolerance).toEqual({ kind: 'absolute', amount: 0.05, text: '+50ms' });
    expect(metric({ tolerance: '+0.5pp' }).tolerance).toEqual({ kind: 'absolute', amount: 0.005, text: '+0.5pp' });
    expect(metric({ tolerance: '+0.5pp', unit: 'percent' }).tolerance).toEqual({ kind: 'absolute', amount: 0.5, text: '+0.5pp' });
    expect(metric({ tolerance: 0.1 }).tolerance).toEqual({ kind: 'relative', amount: 0.1, text: '+10%' });
    expect(metric({ tolerance: '25%' }).tolerance).toEqual({ kind: 'relative', amount: 0.25, text: '+25%' });
    expect(metric({ success: '< 0.02', floor: 0.005 }).floor).toBe(0.005);
    expect(() => metric({ tolerance: 'a little' })).toThrow(/^Option "metrics\[0\].tolerance": "a little" is not a tolerance\. Write "\+20%" \(relative\), "\+50ms"/);
    expect(() => metric({ tolerance: '+50ms', unit: 'ratio' })).toThrow('Option "metrics[0].tolerance": +50ms is a duration, but the metric\'s unit is ratio');
    expect(() => metric({ tolerance: '+1pp', unit: 'ms' })).toThrow('Option "metrics[0].tolerance": +1pp is in percentage points, but the metric\'s unit is ms');
    expect(() => metric({ tolerance: -0.1 })).toThrow(/Option "metrics\[0\].tolerance": -0.1 is not a fraction from 0 to 10/);
    expect(() => metric({ unit: 'hours' })).toThrow(/Option "metrics\[0\].unit"/);
  });

  it('takes steps presets, durations in several forms and an evaluation time', () => {
    const o = normalizeCanaryOptions({ ...slo, steps: 'cautious', pause: 90, evaluationTime: '2024-01-01T00:10:00Z' }, ROOT, env);
    expect(o.steps.map((s) => s.weight)).toEqual([1, 5, 10, 25, 50, 100]);
    expect(o.steps[0].pauseMs).toBe(90_000);
    expect(o.evaluationTime).toBe(Date.UTC(2024, 0, 1, 0, 10));
    expect(normalizeCanaryOptions({ ...slo, evaluationTime: 1704067800 }, ROOT, env).evaluationTime).toBe(1704067800_000);
    expect(normalizeCanaryOptions({ ...slo, pause: '1h30m', deadline: '2h' }, ROOT, env).steps[0].pauseMs).toBe(5_400_000);
  });

  it.each<[string, Partial<CanaryOptions> | unknown, string, RegExp]>([
    ['not an object', 'fast', 'options', /must be an object/],
    ['an unknown preset', { ...slo, preset: 'slo-9pct' }, 'preset', /"slo-9pct" is not a preset.*slo-1pct-500ms/],
    ['an unknown steps preset', { ...slo, steps: 'yolo' }, 'steps', /"yolo" is not a steps preset.*standard, cautious, fast/],
    ['empty steps', { ...slo, steps: [] }, 'steps', /non-empty list/],
    ['weights that do not increase', { ...slo, steps: [{ weight: 25 }, { weight: 25 }] }, 'steps[1].weight', /25 does not increase on the previous step's 25/],
    ['a weight above 100', { ...slo, steps: [{ weight: 50 }, { weight: 150 }] }, 'steps[1].weight', /150 is not a percentage above 0 and at most 100/],
    ['a weight of 0', { ...slo, steps: [{ weight: 0 }] }, 'steps[0].weight', /0 is not a percentage/],
    ['a weight that is not a number', { ...slo, steps: [{ weight: '10%' }] }, 'steps[0].weight', /"10%" is not a percentage/],
    ['a pause that is not a duration', { ...slo, steps: [{ weight: 10, pause: 'five minutes' }] }, 'steps[0].pause', /"five minutes" is not a duration/],
    ['an interval that is not a duration', { ...slo, interval: '30 secs' }, 'interval', /is not a duration/],
    ['a zero interval', { ...slo, interval: '0s' }, 'interval', /longer than 0/],
    ['a deadline shorter than a pause', { ...slo, deadline: '1m' }, 'deadline', /leaves no time for an analysis after the longest pause \(2m\)/],
    ['a negative failure limit', { ...slo, failureLimit: -1 }, 'failureLimit', /not a whole number of at least 0/],
    ['no metrics', { ...slo, preset: undefined, metrics: [] }, 'metrics', /at least one metric/],
    ['an unknown provider', { ...slo, metrics: [{ name: 'x', provider: 'graphite', query: 'q' }] }, 'metrics[0].provider', /"graphite" is not a metric provider/],
    ['an unknown placeholder', { ...slo, metrics: [{ ...errorMetric, denominator: 'sum(rate(x{{{version}}}[1m]))' }] }, 'metrics[0].denominator', /unknown placeholder \{\{version\}\}/],
    ['a malformed placeholder', { ...slo, metrics: [{ ...errorMetric, numerator: 'sum(rate(x{{{selector}[1m]))' }] }, 'metrics[0].numerator', /malformed placeholder/],
    ['a selector placeholder outside braces', { ...slo, metrics: [{ ...errorMetric, numerator: 'sum(rate(x{{{selector}}[1m]))' }] }, 'metrics[0].numerator', /a "\)" where "\}" was expected once its placeholders are filled in/],
    ['a quote left open', { ...slo, metrics: [{ ...errorMetric, numerator: 'sum(rate(x{{{selector}},code="5..}[1m]))' }] }, 'metrics[0].numerator', /unclosed string "/],
    ['a query that never selects the canary', { ...slo, metrics: [{ name: 'x', query: 'sum(rate(x[1m]))', failure: '> 1' }] }, 'metrics[0].query', /neither \{\{selector\}\} nor \{\{canary\}\}/],
    ['a query and a ratio at once', { ...slo, metrics: [{ ...errorMetric, query: 'q{{{selector}}}' }] }, 'metrics[0]', /either "query", or "numerator" and "denominator"/],
    ['half a ratio', { ...slo, metrics: [{ name: 'x', numerator: 'a{{{selector}}}', failure: '> 1' }] }, 'metrics[0].denominator', /required with a ratio/],
    ['a malformed condition', { ...slo, metrics: [{ ...errorMetric, failure: 'above 5%' }] }, 'metrics[0].failure', /"above 5%" is not a condition/],
    ['overlapping conditions', { ...slo, metrics: [{ ...errorMetric, success: '< 0.05', failure: '> 0.01' }] }, 'metrics[0].failure', /overlaps the success condition/],
    ['conditions in the same direction', { ...slo, metrics: [{ ...errorMetric, success: '< 0.01', failure: '< 0.05' }] }, 'metrics[0].failure', /overlaps/],
    ['a metric nothing judges', { ...slo, metrics: [{ ...errorMetric, failure: undefined }] }, 'metrics[0]', /no success or failure condition/],
    ['two metrics of one name', { ...slo, metrics: [errorMetric, errorMetric] }, 'metrics[1].name', /used by another metric/],
    ['a bad direction', { ...slo, metrics: [{ ...errorMetric, direction: 'up' }] }, 'metrics[0].direction', /"up" is not one of increase, decrease, either/],
    ['an http metric without a url', { ...slo, metrics: [{ name: 'h', provider: 'http', measure: 'latency', failure: '> 1' }] }, 'metrics[0].url', /is required/],
    ['an http metric measuring nothing known', { ...slo, metrics: [{ name: 'h', provider: 'http', url: 'https://c.example.com/healthz', measure: 'cpu', failure: '> 1' }] }, 'metrics[0].measure', /"cpu" is not one of errorRate, availability, latency/],
    ['a prometheus option on an http metric', { ...slo, metrics: [{ name: 'h', provider: 'http', url: 'http://c/', measure: 'latency', query: 'q' }] }, 'metrics[0].query', /only applies to the prometheus provider/],
    ['no Prometheus URL', { ...slo, prometheus: undefined }, 'prometheus.url', /required for Prometheus metrics/],
    ['a Prometheus URL with credentials', { ...slo, prometheus: { url: 'https://u:p@prom.example.com' } }, 'prometheus.url', /user name or password/],
    ['a Prometheus URL in plain http to another machine', { ...slo, prometheus: { url: 'http://prometheus.monitoring:9090' } }, 'prometheus.url', /plain http to prometheus\.monitoring, which is not this machine/],
    ['a token over plain http to another machine', { ...slo, prometheus: { url: 'http://prometheus.monitoring:9090', allowHttp: true, tokenEnv: 'PROM_TOKEN' } }, 'prometheus.tokenEnv', /bearer token over plain http/],
    ['a Prometheus timeout that is not a duration', { ...slo, prometheus: { url: 'https://prometheus.example.com', timeout: 'soon' } }, 'prometheus.timeout', /"soon" is not a duration/],
    ['an http option on a Prometheus metric', { ...slo, metrics: [{ ...errorMetric, timeout: '5s' }] }, 'metrics[0].timeout', /only applies to the http provider/],
    ['an http metric in plain http to another machine', { ...slo, metrics: [{ name: 'h', provider: 'http', url: 'http://canary.internal/healthz', measure: 'latency', failure: '> 1' }] }, 'metrics[0].url', /plain http/],
    ['no canary selector', { ...slo, selectors: { baseline: selectors.baseline } }, 'selectors.canary', /required/],
    ['a selector in braces', { ...slo, selectors: { canary: '{version="canary"}' } }, 'selectors.canary', /not a list of PromQL label matchers.*without braces/],
    ['the comparison without a baseline selector', { ...slo, selectors: { canary: selectors.canary }, comparison: true }, 'selectors.baseline', /baseline comparison/],
    ['a comparison query without {{selector}}', { ...slo, comparison: true, metrics: [{ name: 'x', query: 'q{{{canary}}}' }] }, 'metrics[0].query', /must use \{\{selector\}\}/],
    ['comparison samples holding one scrape', { ...slo, comparison: { lookback: '10s', scrapeInterval: '10s' } }, 'comparison.lookback', /10s holds fewer than 2 scrapes of 10s/],
    ['a marginal above pass', { ...slo, comparison: { pass: 70, marginal: 80 } }, 'comparison.marginal', /above the pass score/],
    ['a confidence of 1', { ...slo, comparison: { confidence: 1 } }, 'comparison.confidence', /from 0.5 to 1/],
    ['minRequests without a request count', { ...slo, preset: undefined, metrics: [errorMetric], minRequests: 100 }, 'minRequests', /needs a requestCount query/],
    ['holdOnSharedFailure without a baseline', { ...slo, selectors: { canary: selectors.canary }, thresholds: { holdOnSharedFailure: true } }, 'thresholds.holdOnSharedFailure', /needs the stable version/],
    ['a bad evaluation time', { ...slo, evaluationTime: 'yesterday' }, 'evaluationTime', /not a time/],
    ['no action', { ...slo, action: undefined }, 'action', /is required/],
    ['an unknown action type', { ...slo, action: { type: 'ssh' } }, 'action.type', /"ssh" is not an action type/],
    ['a command without {{weight}}', { ...slo, action: { type: 'command', setWeight: ['./set-weight.sh', '25'] } }, 'action.setWeight', /never uses \{\{weight\}\}/],
    ['a command as a shell string', { ...slo, action: { type: 'command', setWeight: './set-weight.sh {{weight}}' } }, 'action.setWeight', /list of arguments/],
    ['a command with another placeholder', { ...slo, action: { type: 'command', setWeight: ['x', '{{weight}}'], rollback: ['x', '{{version}}'] } }, 'action.rollback', /other than \{\{weight\}\}/],
    ['a webhook without a URL', { ...slo, action: { type: 'webhook' } }, 'action.url', /is required/],
    ['a webhook URL that is not http(s)', { ...slo, action: { type: 'webhook', url: 'ftp://deploy.example.com' } }, 'action.url', /not an http\(s\) URL/],
    ['a command env map with a bad name', { ...slo, action: { type: 'command', setWeight: ['x', '{{weight}}'], envVars: { 'NOT-A-NAME': 'x' } } }, 'action.envVars', /map of variable names/],
    ['a webhook token that is not set', { ...slo, action: { type: 'webhook', url: 'https://d/x', tokenEnv: 'MISSING_TOKEN' } }, 'action.tokenEnv', /MISSING_TOKEN is not set/],
    ['an unknown kubernetes mode', { ...slo, action: { type: 'kubernetes', mode: 'istio' } }, 'action.mode', /"istio" is not one of ingress-nginx, replicas/],
    ['a bad Ingress name', { ...slo, action: { type: 'kubernetes', mode: 'ingress-nginx', ingress: 'Web_Canary' } }, 'action.ingress', /not a Kubernetes object name/],
    ['one replica', { ...slo, action: { type: 'kubernetes', mode: 'replicas', canary: 'web-canary', stable: 'web', replicas: 1 } }, 'action.replicas', /at least 2/],
    ['a notify variable that is not set', { ...slo, notify: { webhookEnv: 'NOPE' } }, 'notify.webhookEnv', /NOPE is not set/],
  ])('rejects %s', (_what, raw, option, message) => {
    const err = problem(raw);
    expect(err.option).toBe(option);
    expect(err.message).toMatch(message);
    expect(err.fix.length).toBeGreaterThan(10);
  });

  it('reads an in-cluster Prometheus over plain http only when allowHttp says so', () => {
    const o = normalizeCanaryOptions({ ...slo, prometheus: { url: 'http://prometheus.monitoring:9090', allowHttp: true } }, ROOT, env);
    expect(o.prometheus!.url).toBe('http://prometheus.monitoring:9090');
  });

  it('never quotes a secret value in an error', () => {
    const err = problem({ ...slo, notify: { webhookEnv: 'SLACK_URL' } }, { SLACK_URL: 'not-a-url-but-secret-xyz' });
    expect(err.option).toBe('notify.webhookEnv');
    expect(err.message).not.toContain('secret-xyz');
  });

  it('accepts the three kinds of action', () => {
    expect(normalizeCanaryOptions({ ...slo, action: { type: 'webhook', url: 'https://deploy.example.com/canary', tokenEnv: 'DEPLOY_TOKEN' } }, ROOT, env).action).toEqual({
      type: 'webhook',
      url: 'https://deploy.example.com/canary',
      tokenEnv: 'DEPLOY_TOKEN',
      timeoutMs: 10_000,
    });
    expect(normalizeCanaryOptions({ ...slo, action: { type: 'kubernetes', mode: 'replicas', canary: 'web-canary', stable: 'web', replicas: 10, namespace: 'prod' } }, ROOT, env).action).toEqual({
      type: 'kubernetes',
      mode: 'replicas',
      canary: 'web-canary',
      stable: 'web',
      replicas: 10,
      namespace: 'prod',
    });
    const cmd = normalizeCanaryOptions({ ...slo, action: { type: 'command', setWeight: ['x', '{{weight}}'], cwd: 'deploy', rollback: ['undo'] } }, ROOT, env).action;
    expect(cmd).toMatchObject({ cwd: '/work/apps/web/deploy', rollback: ['undo'] });
  });

  it('still accepts the name earlier versions gave slo-1pct-500ms, with a warning naming the new one', () => {
    // Built from parts: the name earlier versions used.
    const earlierName = ['se', 'ed-000'].join('');
    const warnings: string[] = [];
    const o = normalizeCanaryOptions({ ...slo, preset: earlierName }, ROOT, env, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([`Option "preset": "${earlierName}" is deprecated: write "preset": "slo-1pct-500ms" instead — the old name will be removed`]);
    expect(o).toEqual(normalizeCanaryOptions(slo, ROOT, env, { warn: () => undefined }));
  });

  it('reads a command action\'s envVars, and its old name env with a warning', () => {
    const command = { type: 'command' as const, setWeight: ['x', '{{weight}}'] };
    expect(normalizeCanaryOptions({ ...slo, action: { ...command, envVars: { KUBECONFIG: '/k' } } }, ROOT, env).action).toMatchObject({ env: { KUBECONFIG: '/k' } });
    const warnings: string[] = [];
    const old = normalizeCanaryOptions({ ...slo, action: { ...command, env: { KUBECONFIG: '/k' } } }, ROOT, env, { warn: (m) => warnings.push(m) });
    expect(old.action).toMatchObject({ env: { KUBECONFIG: '/k' } });
    expect(warnings).toEqual(['Option "action.env" is deprecated: write "action.envVars" instead — the old name will be removed']);
    const both = problem({ ...slo, action: { ...command, env: { A: '1' }, envVars: { A: '2' } } });
    expect(both.option).toBe('action.env');
    expect(both.message).toMatch(/old name of "action.envVars"/);
  });

  it('reads a command action\'s cwd from the workspace root, and from the project root with a warning', () => {
    const ws = mkdtempSync(join(tmpdir(), 'shipfleet-canary-ws-'));
    mkdirSync(join(ws, 'apps/web/deploy'), { recursive: true });
    mkdirSync(join(ws, 'scripts'), { recursive: true });
    const warnings: string[] = [];
    const context = { workspaceRoot: ws, warn: (m: string) => warnings.push(m) };
    const cwd = (value: string) => normalizeCanaryOptions({ ...slo, action: { type: 'command', setWeight: ['x', '{{weight}}'], cwd: value } }, join(ws, 'apps/web'), env, context).action;
    expect(cwd('scripts')).toMatchObject({ cwd: join(ws, 'scripts') });
    expect(cwd('{projectRoot}/deploy')).toMatchObject({ cwd: join(ws, 'apps/web/deploy') });
    expect(warnings).toEqual([]);
    expect(cwd('deploy')).toMatchObject({ cwd: join(ws, 'apps/web/deploy') });
    expect(warnings).toEqual(['Option "action.cwd": "deploy" is resolved against the project root; write "apps/web/deploy" (paths are relative to the workspace root) — the old reading will be removed']);
  });

  it('accepts http metrics and derives the direction and floor from the conditions', () => {
    const o = normalizeCanaryOptions(
      {
        action: slo.action,
        steps: 'fast',
        metrics: [
          { name: 'health-latency', provider: 'http', url: 'https://canary.example.com/healthz', baselineUrl: 'https://www.example.com/healthz', measure: 'latency', success: '< 300', failure: '> 1000' },
          { name: 'health-up', provider: 'http', url: 'https://canary.example.com/healthz', measure: 'availability', failure: '< 0.9' },
        ],
      },
      ROOT,
      env,
    );
    expect(o.prometheus).toBeUndefined();
    expect(o.metrics[0]).toMatchObject({ direction: 'increase', floor: 30, source: { provider: 'http', measure: 'latency', samples: 10, spacingMs: 200, timeoutMs: 5000, quantile: 0.95, okStatus: [200, 399] } });
    expect(o.metrics[1]).toMatchObject({ direction: 'decrease', floor: undefined });
    expect(o.judge.thresholds).toEqual({ holdOnSharedFailure: true });
  });
});
