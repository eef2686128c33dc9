import { ControllerContext } from './controller-context';
import { controllerRevisionFor, templateOfRevision } from './controller-revisions';
import { controllerWrite } from './controller-writes';
import { podReady } from './kubelet';
import { K8sObjectJson } from './types';

/**
 * Pods `<name>-<ordinal>` created in order, one at a time; updated from the
 * highest ordinal down to the partition, one at a time and only while all
 * are ready (so a pod stuck on a bad revision blocks an undo until it is
 * deleted, as on a real cluster); `OnDelete` updates nothing.
 */
export function runStatefulSetController({ store, kubelet }: ControllerContext, sts: K8sObjectJson): void {
  const revision = controllerRevisionFor(store, sts);
  const updateRevision: string = revision.metadata.name;
  const replicas = sts.spec.replicas ?? 1;
  const strategy = sts.spec.updateStrategy || { type: 'RollingUpdate' };
  const partition = strategy.type === 'RollingUpdate' ? (strategy.rollingUpdate && strategy.rollingUpdate.partition) || 0 : 0;
  const pods = store.ownedBy(sts, 'Pod');
  const byOrdinal = new Map(pods.map((p) => [Number(p.metadata.name.slice(sts.metadata.name.length + 1)), p]));
  const currentRevision: string = (sts.status && sts.status.currentRevision) || updateRevision;
  const revisionOfPod = (p: K8sObjectJson) => (p.metadata.labels || {})['controller-revision-hash'];
  const templateFor = (rev: string) => {
    const cr = store.ownedBy(sts, 'ControllerRevision').find((c) => c.metadata.name === rev);
    return cr ? templateOfRevision(cr) : sts.spec.template;
  };
  const create = (ordinal: number, rev: string) =>
    kubelet.createPod(sts, templateFor(rev), { name: `${sts.metadata.name}-${ordinal}`, labels: { 'controller-revision-hash': rev, 'statefulset.kubernetes.io/pod-name': `${sts.metadata.name}-${ordinal}` } });
  let busy = false;
  // Create missing pods in order, one at a time (OrderedReady).
  for (let i = 0; i < replicas && !busy; i++) {
    const p = byOrdinal.get(i);
    if (!p) {
      create(i, strategy.type === 'OnDelete' || i >= partition ? updateRevision : currentRevision);
      busy = true;
    } else if (!podReady(p)) busy = true;
  }
  for (const [ordinal, p] of byOrdinal) if (ordinal >= replicas) kubelet.deletePod(p, sts);
  if (!busy && strategy.type === 'RollingUpdate') {
    for (let i = replicas - 1; i >= partition; i--) {
      const p = byOrdinal.get(i);
      if (p && revisionOfPod(p) !== updateRevision) {
        kubelet.deletePod(p, sts);
        create(i, updateRevision);
        break;
      }
    }
  }
  const now = store.ownedBy(sts, 'Pod');
  const ready = now.filter(podReady).length;
  const updated = now.filter((p) => revisionOfPod(p) === updateRevision).length;
  const current = now.filter((p) => revisionOfPod(p) === currentRevision).length;
  const allUpdated = updated === replicas && ready === replicas;
  controllerWrite(store, sts, (x) => {
    x.status = {
      observedGeneration: x.metadata.generation,
      replicas: now.length,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: allUpdated ? updated : current,
      updatedReplicas: updated,
      currentRevision: allUpdated ? updateRevision : currentRevision,
      updateRevision,
      collisionCount: 0,
    };
    for (const k of ['readyReplicas', 'availableReplicas', 'currentReplicas', 'updatedReplicas']) if (!x.status[k]) delete x.status[k];
  });
}
