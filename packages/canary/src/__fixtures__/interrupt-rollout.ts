// Run by plan.spec.ts: a rollout on the real runner and the system clock whose traffic moves are
// commands appending to a file. The test sends SIGINT while the canary is at 25 %.
import { runPlan } from '@shipfleet/core';
import { buildCanaryPlan, MetricProvider, normalizeCanaryOptions } from '../index';

const [record] = process.argv.slice(2);
const append = (what: string) => [process.execPath, '-e', 'require("fs").appendFileSync(process.argv[1], process.argv[2] + "\\n")', record, what];

const options = normalizeCanaryOptions(
  {
    steps: [{ weight: 5, pause: '0.3s' }, { weight: 25, pause: '60s' }, { weight: 100 }],
    interval: '100ms',
    window: '1m',
    prometheus: { url: 'http://127.0.0.1:9' },
    selectors: { canary: 'version="canary"' },
    metrics: [{ name: 'error-rate', query: 'sum(rate(errors{{{selector}}}[{{interval}}]))', failure: '> 0.05' }],
    action: { type: 'command', setWeight: append('{{weight}}'), rollback: append('rollback-{{weight}}') },
  },
  process.cwd(),
);
const healthy: MetricProvider = {
  type: 'prometheus',
  describe: () => 'fake',
  measure: async (_m, r) => ({ outcome: 'value', value: 0.001, query: 'fake', time: r.time }),
};
const { plan } = buildCanaryPlan(options, { providers: { prometheus: healthy } });
runPlan(plan, { stepSummaryFile: '/dev/null' }).then(() => process.exit(0));
