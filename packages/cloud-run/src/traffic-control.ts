// Traffic of a canary revision moved step by step (canary-monitor's cloud-run action): a weight
// is the candidate's percent, the rest goes to the revisions that served before it in their
// proportions; promote gives it 100 %; rollback gives it 0 % and the rest back to them.
import { MoveContext, moveTraffic, requireService, rollbackTarget } from './deploy';
import { shortName } from './names';
import { baselineOf, describeSplit, promoted, readSplit, Split, withWeight } from './traffic';

export class CloudRunTrafficControl {
  /** The revisions and percents that served before the candidate took any traffic. */
  private baseline?: Map<string, number>;

  /** `candidate` undefined: the service's latest ready revision, read at the first move. */
  constructor(private candidate?: string) {}

  private async resolve(c: MoveContext): Promise<string> {
    if (this.candidate) return this.candidate;
    const service = await requireService(c);
    if (!service.latestReadyRevision) throw new Error(`service ${c.service} has no ready revision to move traffic to`);
    this.candidate = shortName(service.latestReadyRevision);
    c.log(`canary revision: ${this.candidate} (the service's latest ready revision)`);
    return this.candidate;
  }

  /** The baseline, learnt from the split before the candidate's first move; afterwards the remembered one. */
  private baselineFrom(split: Split, candidate: string): Map<string, number> {
    if (!this.baseline) {
      const now = baselineOf(split, candidate);
      if (now.size) this.baseline = now;
      return now;
    }
    return this.baseline;
  }

  async setWeight(weight: number, c: MoveContext): Promise<void> {
    const candidate = await this.resolve(c);
    if (weight >= 100) return this.promote(c);
    await moveTraffic(c, (current) => {
      const split = readSplit(current);
      return withWeight(split, candidate, weight, this.baselineFrom(split, candidate));
    }, `${weight} % to ${candidate}`);
  }

  async promote(c: MoveContext): Promise<void> {
    const candidate = await this.resolve(c);
    const service = await moveTraffic(c, (current) => {
      const split = readSplit(current);
      this.baselineFrom(split, candidate);
      return promoted(split, candidate);
    }, `promote ${candidate}`);
    c.log(`revision ${candidate} takes all traffic: ${describeSplit(readSplit(service))}`);
  }

  async rollback(c: MoveContext): Promise<void> {
    const candidate = await this.resolve(c);
    const current = await requireService(c);
    let baseline = this.baselineFrom(readSplit(current), candidate);
    if (!baseline.size) {
      // Nothing remembered (a fresh action after the candidate took everything): the revision before it.
      const { to } = await rollbackTarget(c, current);
      baseline = new Map([[to, 100]]);
    }
    const service = await moveTraffic(c, (now) => withWeight(readSplit(now), candidate, 0, baseline), `roll back ${candidate}`);
    c.log(`revision ${candidate} takes no traffic: ${describeSplit(readSplit(service))}`);
  }
}
