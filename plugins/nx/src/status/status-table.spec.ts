import { buildFleetStatus } from './fleet-status';
import { COMMIT_A, COMMIT_B, deployed, DIGEST, NOW } from './__fixtures__/status-records';
import { renderStatusTable } from './status-table';

describe('renderStatusTable', () => {
  const status = () => {
    const s = buildFleetStatus(
      [
        deployed('tv', 'staging', 180, { version: '1.4.0', commit: COMMIT_A, durationMs: 12_000, artifactDigest: DIGEST }),
        deployed('lg', 'staging', 120, { version: '2.0.0', commit: COMMIT_A, durationMs: 65_000 }),
        deployed('lg', 'staging', 3, { version: '2.1.0', commit: COMMIT_B, durationMs: 4_000, result: 'failed' }),
        deployed('web', 'production', 2 * 24 * 60, { version: '0.3.1', commit: COMMIT_A }),
      ],
      '.shipfleet/ledger',
    );
    s.head = COMMIT_B;
    return s;
  };

  it('one section per environment: version, short commit, relative and UTC time, duration, digest, result', () => {
    const s = status();
    s.cells.find((c) => c.project === 'tv')!.change = { changed: true };
    s.cells.find((c) => c.project === 'lg')!.change = { changed: false };
    s.cells.find((c) => c.project === 'web')!.change = { changed: null, why: 'commit aaaaaaa is not in this clone (fetch more history)' };
    const text = renderStatusTable(s, NOW);
    expect(text).toBe(
      [
        'production: 1 project',
        'PROJECT  VERSION  COMMIT   DEPLOYED  (UTC)             TOOK  DIGEST    RESULT',
        'web ?    0.3.1    aaaaaaa  2 d ago   2026-04-29 12:00  —     —         ✔ live',
        '',
        'staging: 2 projects',
        'PROJECT  VERSION  COMMIT   DEPLOYED  (UTC)             TOOK  DIGEST    RESULT',
        'lg       2.0.0    aaaaaaa  2 h ago   2026-05-01 10:00  1m5s  —         ✖ failed',
        '  ↳ last deploy failed 3 min ago (2026-05-01 11:57), at bbbbbbb, version 2.1.0, after 4s',
        'tv *     1.4.0    aaaaaaa  3 h ago   2026-05-01 09:00  12s   9f86d081  ✔ live',
        '',
        '* changed since its live commit (nx affected from that commit to the working tree)',
        '? web in production: commit aaaaaaa is not in this clone (fetch more history)',
        '— DIGEST: the deploy reported no artefact file, so none is recorded',
        'Ledger: .shipfleet/ledger; HEAD bbbbbbb',
        '',
      ].join('\n'),
    );
  });

  it('a project that never went live shows its failure and no live columns', () => {
    const s = buildFleetStatus([deployed('ios', 'staging', 10, { result: 'failed', durationMs: 1500 })], 'ledger');
    const text = renderStatusTable(s, NOW);
    expect(text).toMatch(/^ios +— +— +— +— +— +✖ never live$/m);
    expect(text).toContain('  ↳ last deploy failed 10 min ago (2026-05-01 11:50), after 2s');
  });

  it('fits 100 columns when names and versions are long, cutting them with …', () => {
    const long = 'a-project-with-a-very-long-name-from-a-monorepo-that-likes-long-names';
    const s = buildFleetStatus([deployed(`@acme/${long}`, 'staging', 1, { version: `1.0.0-${'rc'.repeat(40)}`, commit: COMMIT_A, artifactDigest: DIGEST, durationMs: 3_723_000 })], 'ledger');
    const lines = renderStatusTable(s, NOW).split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    expect(lines[2]).toMatch(/^@acme\/a-project-.*… +1\.0\.0-rcrc.*… +aaaaaaa +1 min ago +2026-05-01 11:59 +1h2m3s +9f86d081 +✔ live$/);
  });

  it('shows a deploy target other than deploy after the project, and never prints control characters', () => {
    const s = buildFleetStatus([deployed('tv', 'staging', 1, { target: 'deploy-eu', version: '1.0\u001b[31m' })], 'ledger');
    const text = renderStatusTable(s, NOW);
    expect(text).toContain('tv:deploy-eu');
    expect(text).toContain('1.0?[31m');
    expect(text).not.toContain('\u001b');
  });

  it('says so when the ledger is empty', () => {
    expect(renderStatusTable(buildFleetStatus([], '.shipfleet/ledger'), NOW)).toBe('No deploy is recorded in .shipfleet/ledger.\n');
  });
});
