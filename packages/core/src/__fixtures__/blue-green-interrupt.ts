// Run by blue-green/interrupt.spec.ts: a blue-green deploy of the fake platform on the real runner.
// `before`: waitReady blocks (before the switch); `switch`: switchTo blocks; `after`: the keepPrevious wait of 60 s.
// The test sends SIGINT once the record file shows the wait.
import { appendFileSync } from 'fs';
import { blueGreenOptions, blueGreenSteps } from '../blue-green';
import { runPlan } from '../runner';
import { sleep } from '../sleep';
import { fakeAdapter, startPreviewServer } from './blue-green-fake';

const [record, mode] = process.argv.slice(2);

void (async () => {
  const server = await startPreviewServer();
  const { adapter } = fakeAdapter({ previewUrl: `${server.url}/healthy`, live: 'deployment api-blue', recordFile: record, ...(mode === 'before' ? { block: 'waitReady' } : mode === 'switch' ? { block: 'switchTo' } : {}) });
  const options = blueGreenOptions({ check: { attempts: 1 }, keepPrevious: '60s' });
  const steps = blueGreenSteps(adapter, options, {
    sleep: async (ms, signal) => {
      if (ms === 60_000) appendFileSync(record, 'keepPrevious waiting\n');
      await sleep(ms, signal);
    },
  });
  await runPlan({ title: 'blue-green api', steps }, { stepSummaryFile: '/dev/null' });
  process.exit(0);
})();
