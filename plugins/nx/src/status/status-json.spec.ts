import { buildFleetStatus } from './fleet-status';
import { COMMIT_A, deployed, DIGEST, NOW } from './__fixtures__/status-records';
import { statusJson } from './status-json';

describe('statusJson', () => {
  it('every field present, null where the ledger has no value; state, live, latest and history', () => {
    const s = buildFleetStatus(
      [deployed('tv', 'staging', 60, { version: '1.0.0', commit: COMMIT_A, durationMs: 9000, artifactDigest: DIGEST }), deployed('tv', 'staging', 2, { result: 'failed' })],
      '.shipfleet/ledger',
    );
    s.cells[0].change = { changed: true };
    const j = JSON.parse(JSON.stringify(statusJson(s, NOW)));
    expect(j).toEqual({
      formatVersion: 1,
      generatedAt: '2026-05-01T12:00:00.000Z',
      ledger: '.shipfleet/ledger',
      head: null,
      environments: ['staging'],
      cells: [
        {
          project: 'tv',
          target: 'deploy',
          environment: 'staging',
          state: 'failed',
          live: { result: 'succeeded', time: '2026-05-01T11:00:00.000Z', ageSeconds: 3600, version: '1.0.0', commit: COMMIT_A, shortCommit: 'aaaaaaa', durationMs: 9000, artifactDigest: DIGEST, inputHash: 'abc123' },
          latest: { result: 'failed', time: '2026-05-01T11:58:00.000Z', ageSeconds: 120, version: null, commit: null, shortCommit: null, durationMs: null, artifactDigest: null, inputHash: 'abc123' },
          changedSinceLive: true,
          changeNote: null,
          history: [expect.objectContaining({ result: 'failed' }), expect.objectContaining({ result: 'succeeded', version: '1.0.0' })],
        },
      ],
    });
  });

  it('a cell whose change could not be told says why', () => {
    const s = buildFleetStatus([deployed('tv', 'staging', 1)], 'ledger');
    s.cells[0].change = { changed: null, why: 'its live deploy recorded no commit' };
    const cell = statusJson(s, NOW).cells[0];
    expect([cell.state, cell.changedSinceLive, cell.changeNote]).toEqual(['live', null, 'its live deploy recorded no commit']);
  });
});
