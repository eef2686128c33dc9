import { buildFleetStatus, cellState } from './fleet-status';
import { COMMIT_A, COMMIT_B, deployed } from './__fixtures__/status-records';

describe('buildFleetStatus', () => {
  const records = [
    deployed('tv', 'staging', 120, { version: '1.0.0', commit: COMMIT_A }),
    deployed('tv', 'staging', 60, { version: '1.1.0', commit: COMMIT_B }),
    deployed('tv', 'staging', 5, { version: '1.2.0', result: 'failed' }),
    deployed('web', 'staging', 30, { result: 'failed' }),
    deployed('tv', 'production', 200, { version: '1.0.0' }),
    // Written later but finished earlier: order is by time.
    deployed('api', 'staging', 300, { version: '0.9.0' }),
    deployed('api', 'staging', 400, { version: '0.8.0' }),
  ];

  it('one cell per project × environment: the newest success is live, the newest of any result is latest', () => {
    const s = buildFleetStatus(records, '.shipfleet/ledger');
    expect(s.environments).toEqual(['production', 'staging']);
    expect(s.cells.map((c) => `${c.environment}/${c.project}:${cellState(c)}:${c.live?.version ?? '-'}:${c.latest.version ?? '-'}`)).toEqual([
      'production/tv:live:1.0.0:1.0.0',
      'staging/api:live:0.9.0:0.9.0',
      'staging/tv:failed:1.1.0:1.2.0',
      'staging/web:never-live:-:-',
    ]);
  });

  it('history is newest first and cut at the limit; --env keeps one environment', () => {
    const s = buildFleetStatus(records, 'ledger', { environment: 'staging', historyLimit: 2 });
    expect(s.environments).toEqual(['staging']);
    expect(s.cells.find((c) => c.project === 'tv')!.history.map((r) => r.version)).toEqual(['1.2.0', '1.1.0']);
    expect(s.cells.find((c) => c.project === 'api')!.history.map((r) => r.version)).toEqual(['0.9.0', '0.8.0']);
  });

  it('equal times keep ledger order', () => {
    const t = deployed('tv', 'staging', 1).time;
    const s = buildFleetStatus([deployed('tv', 'staging', 0, { time: t, version: 'first' }), deployed('tv', 'staging', 0, { time: t, version: 'second' })], 'ledger');
    expect(s.cells[0].live!.version).toBe('second');
  });
});
