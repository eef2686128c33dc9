// A service's traffic as data: which revision gets what percent, which tag points where. Every
// move (a new revision at 0 %, a canary weight, promote, rollback) is a function from one split to
// the next, rendered as TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION entries only, so that a new
// revision never takes traffic by being the latest.
import { CloudRunService, REVISION, TrafficTarget } from './client';
import { isDeployTag, shortName } from './names';

export interface Split {
  /** Revision → percent (only revisions with some traffic), in the order they came. */
  percents: Map<string, number>;
  /** Tag → revision. */
  tags: Map<string, string>;
}

const copy = (s: Split): Split => ({ percents: new Map(s.percents), tags: new Map(s.tags) });

/**
 * The split as it serves now: trafficStatuses (what Cloud Run routes) when the service has them,
 * else its traffic; a LATEST entry resolved to the revision it points at.
 */
export function readSplit(service: CloudRunService): Split {
  const entries = service.trafficStatuses?.length ? service.trafficStatuses : service.traffic ?? [];
  const latest = service.latestReadyRevision ? shortName(service.latestReadyRevision) : undefined;
  const split: Split = { percents: new Map(), tags: new Map() };
  for (const t of entries) {
    const revision = t.revision || latest;
    if (!revision) continue;
    const percent = t.percent ?? 0;
    if (percent > 0) split.percents.set(revision, (split.percents.get(revision) ?? 0) + percent);
    if (t.tag) split.tags.set(t.tag, revision);
  }
  return split;
}

/** Cloud Run's traffic entries for a split: one per serving revision (carrying one of its tags), then one per other tag at 0 %. */
export function renderSplit(split: Split): TrafficTarget[] {
  const tagsOf = new Map<string, string[]>();
  for (const [tag, revision] of split.tags) tagsOf.set(revision, [...(tagsOf.get(revision) ?? []), tag]);
  const out: TrafficTarget[] = [];
  for (const [revision, percent] of split.percents) {
    const tag = tagsOf.get(revision)?.shift();
    out.push({ type: REVISION, revision, percent, ...(tag ? { tag } : {}) });
  }
  for (const [revision, tags] of tagsOf) for (const tag of tags) out.push({ type: REVISION, revision, percent: 0, tag });
  return out;
}

/** The revision with the most traffic (the first of equals), if any revision has traffic. */
export function mainRevision(split: Split): string | undefined {
  let best: string | undefined;
  for (const [revision, percent] of split.percents) if (best === undefined || percent > split.percents.get(best)!) best = revision;
  return best;
}

/** The revisions other than `candidate` that take traffic, with their percents: what a canary is compared with and rolls back to. */
export function baselineOf(split: Split, candidate: string): Map<string, number> {
  return new Map([...split.percents].filter(([r, p]) => r !== candidate && p > 0));
}

/** `total` percent spread over `weights` in proportion, whole percents adding up exactly (largest remainder). */
export function spread(weights: Map<string, number>, total: number): Map<string, number> {
  const sum = [...weights.values()].reduce((a, b) => a + b, 0);
  if (!sum || total <= 0) return new Map();
  const shares = [...weights].map(([r, w]) => ({ r, exact: (w * total) / sum }));
  const out = new Map(shares.map(({ r, exact }) => [r, Math.floor(exact)]));
  let left = total - [...out.values()].reduce((a, b) => a + b, 0);
  for (const { r } of [...shares].sort((a, b) => (b.exact % 1) - (a.exact % 1))) {
    if (left <= 0) break;
    out.set(r, out.get(r)! + 1);
    left -= 1;
  }
  return new Map([...out].filter(([, p]) => p > 0));
}

/** The split kept, and the candidate behind `tag` at 0 % (a tag already in use moves to it). */
export function withCandidate(split: Split, candidate: string, tag: string): Split {
  const next = copy(split);
  next.tags.set(tag, candidate);
  return next;
}

/** `weight` percent to the candidate, the rest to the baseline revisions in their proportions. */
export function withWeight(split: Split, candidate: string, weight: number, baseline: Map<string, number>): Split {
  const rest = spread(baseline, 100 - weight);
  if (weight < 100 && !rest.size) throw new Error(`no other revision takes traffic to give the rest of ${100 - weight} % to`);
  return { percents: new Map([...(weight > 0 ? [[candidate, weight] as [string, number]] : []), ...rest]), tags: new Map(split.tags) };
}

/** All traffic to the candidate; the tags this library gave earlier candidates are dropped (other tags stay). */
export function promoted(split: Split, candidate: string): Split {
  const tags = new Map([...split.tags].filter(([tag, revision]) => revision === candidate || !isDeployTag(tag)));
  return { percents: new Map([[candidate, 100]]), tags };
}

/** All traffic to one revision, tags kept: a rollback. */
export function allTo(split: Split, revision: string): Split {
  return { percents: new Map([[revision, 100]]), tags: new Map(split.tags) };
}

/** The split without a tag (a retired candidate keeps no URL). */
export function withoutTag(split: Split, tag: string): Split {
  const next = copy(split);
  next.tags.delete(tag);
  return next;
}

/** "web-1-4-0 90 %, web-1-5-0 10 % (tags: rev-3f2c1ab → web-1-5-0)". */
export function describeSplit(split: Split): string {
  const percents = [...split.percents].map(([r, p]) => `${r} ${p} %`).join(', ') || 'no traffic';
  const tags = [...split.tags].map(([t, r]) => `${t} → ${r}`).join(', ');
  return tags ? `${percents} (tags: ${tags})` : percents;
}

export function sameSplit(a: Split, b: Split): boolean {
  return JSON.stringify(renderSplit(a)) === JSON.stringify(renderSplit(b));
}
