import { CloudRunService } from './client';
import { allTo, baselineOf, promoted, readSplit, renderSplit, spread, withCandidate, withWeight } from './traffic';

const svc = (over: Partial<CloudRunService>): CloudRunService => ({ name: 'projects/p/locations/r/services/web', ...over });

describe('traffic splits', () => {
  it('reads what serves: trafficStatuses over traffic, LATEST resolved, zero percents left out by JSON counted as 0', () => {
    const split = readSplit(svc({
      latestReadyRevision: 'projects/p/locations/r/services/web/revisions/web-3',
      traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
      trafficStatuses: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 70 }, { revision: 'web-2', percent: 30, tag: 'old' }, { revision: 'web-1', tag: 'keep' }],
    }));
    expect([...split.percents]).toEqual([['web-3', 70], ['web-2', 30]]);
    expect([...split.tags]).toEqual([['old', 'web-2'], ['keep', 'web-1']]);
    expect(renderSplit(split)).toEqual([
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'web-3', percent: 70 },
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'web-2', percent: 30, tag: 'old' },
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'web-1', percent: 0, tag: 'keep' },
    ]);
  });

  it('spreads percents in proportion, adding up exactly', () => {
    expect([...spread(new Map([['a', 70], ['b', 30]]), 95)]).toEqual([['a', 67], ['b', 28]]);
    expect([...spread(new Map([['a', 1], ['b', 1], ['c', 1]]), 100)]).toEqual([['a', 34], ['b', 33], ['c', 33]]);
    expect(spread(new Map([['a', 50]]), 0).size).toBe(0);
  });

  it('moves a canary from 0 % through weights to promote, or back to its baseline', () => {
    const before = readSplit(svc({ trafficStatuses: [{ revision: 'web-1', percent: 80 }, { revision: 'web-2', percent: 20 }, { revision: 'web-0', tag: 'rev-0000000' }] }));
    const start = withCandidate(before, 'web-3', 'rev-3333333');
    expect([...start.percents]).toEqual([['web-1', 80], ['web-2', 20]]);
    const baseline = baselineOf(start, 'web-3');
    const at25 = withWeight(start, 'web-3', 25, baseline);
    expect([...at25.percents]).toEqual([['web-3', 25], ['web-1', 60], ['web-2', 15]]);
    expect([...withWeight(at25, 'web-3', 0, baseline).percents]).toEqual([['web-1', 80], ['web-2', 20]]);
    const done = promoted(at25, 'web-3');
    expect([...done.percents]).toEqual([['web-3', 100]]);
    // Tags earlier deploys gave are dropped; the candidate keeps its own.
    expect([...done.tags]).toEqual([['rev-3333333', 'web-3']]);
    expect([...allTo(done, 'web-1').percents]).toEqual([['web-1', 100]]);
    expect(() => withWeight(start, 'web-3', 50, new Map())).toThrow('no other revision takes traffic to give the rest of 50 % to');
  });
});
