// Cloud Run's side of core's blue-green strategy: the idle version is the new revision behind its
// tag at 0 % (the tag's URL is the preview), the switch is one traffic update to 100 %, the
// switch back one to the previous revision, and retiring a revision drops its tag.
import { BlueGreenAdapter, IdleDeployment, TaskContext } from '@shipfleet/core';
import { deployRevision, MoveContext, moveTraffic, requireService } from './deploy';
import { explainRevisionFailure } from './conditions';
import { NormalizedCloudRunOptions } from './options';
import type { CloudRunRunResult } from './plan';
import { allTo, describeSplit, promoted, readSplit, withoutTag } from './traffic';

export interface BlueGreenRun {
  moveContext: (ctx: TaskContext) => MoveContext;
  /** The service's API URL, for descriptions. */
  api: string;
  /** How operations are waited for, in words. */
  wait: string;
  /** The new revision's name, once the plan's first step has chosen it. */
  state: { revision?: string };
  result: CloudRunRunResult;
  setOutputs: (ctx: TaskContext) => void;
}

export function cloudRunBlueGreenAdapter(o: NormalizedCloudRunOptions, run: BlueGreenRun): BlueGreenAdapter {
  const { api, wait, state, result } = run;
  const revision = () => state.revision!;
  const traffic = async (ctx: TaskContext, label: string, next: Parameters<typeof moveTraffic>[1]) => {
    const service = await moveTraffic(run.moveContext(ctx), next, label);
    result.traffic = describeSplit(readSplit(service));
    result.url = service.uri;
    run.setOutputs(ctx);
  };
  return {
    target: `Cloud Run service ${o.service}`,
    describe: {
      deployIdle: `PATCH ${api}?updateMask=labels,template,${o.ingress ? 'ingress,' : ''}traffic: revision ${o.revision ?? '<new>'} of ${o.image} behind tag ${o.tag} at 0 %, the traffic as it serves now kept (a new service is created, its first revision taking the traffic); ${wait}`,
      waitReady: `GET …/revisions/${o.revision ?? '<new>'}: its Ready condition must have succeeded (else its condition in words, with its logs URL)`,
      switchTo: `PATCH ${api}?updateMask=traffic: revision ${o.revision ?? '<new>'} 100 %, tags kept; ${wait}`,
      switchBack: `PATCH ${api}?updateMask=traffic: the revision serving before 100 %, tags kept; ${wait}`,
      retireNew: `PATCH ${api}?updateMask=traffic: tag ${o.tag} dropped (the revision keeps no URL of its own; Cloud Run keeps it, without traffic)`,
      retireOld: `PATCH ${api}?updateMask=traffic: revision ${o.revision ?? '<new>'} 100 %; the tags earlier deploys gave other revisions (rev-…, candidate) dropped`,
    },
    async deployIdle(ctx) {
      const d = await deployRevision(run.moveContext(ctx), o, revision(), o.tag);
      result.created = d.created;
      result.previousRevision = d.previous;
      result.tagUrl = d.tagUrl;
      result.url = d.service.uri;
      result.traffic = describeSplit(readSplit(d.service));
      run.setOutputs(ctx);
      if (!d.tagUrl) throw new Error(`revision ${d.revision} has no URL for tag ${o.tag}: Cloud Run answered trafficStatuses without it`);
      const idle: IdleDeployment = { previewUrl: d.tagUrl, liveUrl: d.service.uri, describe: `revision ${d.revision} (tag ${o.tag})` };
      // A first deploy takes the traffic at once: nothing to switch back to.
      if (d.previous && !d.created) idle.live = `revision ${d.previous}`;
      return idle;
    },
    async waitReady(ctx) {
      const c = run.moveContext(ctx);
      const r = await c.client.getRevision(o.service, revision());
      if (!r) throw new Error(`revision ${revision()} does not exist`);
      const failure = explainRevisionFailure(r, c);
      if (failure) throw new Error(failure);
      if (!(r.conditions ?? []).some((x) => x.type === 'Ready' && x.state === 'CONDITION_SUCCEEDED')) throw new Error(`revision ${revision()} is not ready`);
    },
    async switchTo(ctx) {
      await traffic(ctx, `switch to ${revision()}`, (current) => allTo(readSplit(current), revision()));
    },
    async switchBack(ctx) {
      const previous = result.previousRevision;
      if (!previous) throw new Error('no revision served before this deploy: nothing to switch back to');
      await traffic(ctx, `switch back to ${previous}`, (current) => allTo(readSplit(current), previous));
    },
    async retire(ctx, which) {
      const c = run.moveContext(ctx);
      if (which === 'old') {
        await traffic(ctx, `retire ${result.previousRevision}`, (current) => promoted(readSplit(current), revision()));
        return;
      }
      // After a deploy that failed part way: drop the tag only if it was given to the new revision.
      if (!state.revision) return;
      const service = await requireService(c).catch(() => undefined);
      const inSpec = service?.traffic?.some((t) => t.tag === o.tag && t.revision === state.revision);
      if (!service || (!inSpec && readSplit(service).tags.get(o.tag) !== state.revision)) return;
      await traffic(ctx, `retire ${revision()}`, (current) => withoutTag(readSplit(current), o.tag));
    },
  };
}
