import { alreadyDeployed, lastDeployedCommits, LedgerRecord, parseLedger, serializeLedger } from './index';

const SHA1 = 'a'.repeat(40);
const SHA256 = 'b'.repeat(64);
const good = (over: Partial<LedgerRecord> = {}): LedgerRecord => ({ project: 'tv', target: 'deploy', environment: 'staging', inputHash: '0123abcd', result: 'succeeded', time: '2026-01-01T00:00:00.000Z', commit: SHA1, ...over });

function parse(records: unknown[]): { records: LedgerRecord[]; warnings: string[] } {
  const warnings: string[] = [];
  return { records: parseLedger(serializeLedger(records as LedgerRecord[]), '/x/ledger', (line) => warnings.push(line)), warnings };
}

describe('ledger records read from a ledger', () => {
  it('keeps valid records, with a 40- or 64-hex commit and the names Nx accepts', () => {
    const valid = [good(), good({ commit: SHA256, project: '@acme/web-app', target: 'deploy:prod', environment: 'prod-eu-1' }), good({ commit: undefined, version: '1.2.3', artifactDigest: `sha256:${'c'.repeat(64)}`, durationMs: 12 })];
    expect(parse(valid)).toEqual({ records: valid, warnings: [] });
  });

  it.each([
    ['commit', { commit: '$(touch /tmp/pwned)' }],
    ['commit', { commit: 'abc123' }],
    ['commit', { commit: `-${'a'.repeat(39)}` }],
    ['project', { project: 'tv; rm -rf /' }],
    ['project', { project: '-tv' }],
    ['target', { target: 'deploy`id`' }],
    ['environment', { environment: 'Staging' }],
    ['environment', { environment: '$(id)' }],
    ['time', { time: 'yesterday' }],
    ['time', { time: '2026-13-45T00:00:00Z' }],
    ['inputHash', { inputHash: 'not-hex' }],
    ['inputHash', { inputHash: '' }],
    ['result', { result: 'rolled-back' }],
    ['durationMs', { durationMs: '12' }],
    ['artifactDigest', { artifactDigest: 'sha256:$(id)' }],
  ])('ignores a record whose %s is invalid, with a warning naming its index and the field but not the value', (field, over) => {
    const bad = { ...good(), ...over };
    const { records, warnings } = parse([good(), bad]);
    expect(records).toEqual([good()]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('record 1');
    expect(warnings[0]).toContain(`"${field}"`);
    expect(warnings[0]).toContain('/x/ledger');
    const value = String((over as Record<string, unknown>)[field]);
    if (value) expect(warnings[0]).not.toContain(value);
  });

  it('ignores entries that are not records at all', () => {
    const { records, warnings } = parse([null, 'x', good()]);
    expect(records).toEqual([good()]);
    expect(warnings.map((w) => /record (\d+)/.exec(w)?.[1])).toEqual(['0', '1']);
  });

  it('never uses an invalid record to skip a deploy or to compute a base, even when handed one directly', () => {
    const bad = { ...good({ time: '2026-02-01T00:00:00.000Z' }), commit: '$(touch /tmp/pwned)' } as LedgerRecord;
    const key = { project: 'tv', target: 'deploy', environment: 'staging' };
    expect([...lastDeployedCommits([good(), bad], 'staging').values()]).toEqual([SHA1]);
    expect(alreadyDeployed([good(), { ...bad, inputHash: 'ffff' }], key, 'ffff')).toBeUndefined();
  });
});
