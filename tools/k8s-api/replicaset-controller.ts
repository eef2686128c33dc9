import { ControllerContext } from './controller-context';
import { controllerWrite } from './controller-writes';
import { podReady } from './kubelet';

/** Creates and deletes each ReplicaSet's pods to match `replicas` (not-ready and newest go first), and writes its status. */
export function runReplicaSetController({ store, kubelet }: ControllerContext): void {
  for (const rs of store.list('ReplicaSet')) {
    const pods = store.ownedBy(rs, 'Pod');
    const want = rs.spec.replicas ?? 1;
    if (pods.length < want) for (let i = pods.length; i < want; i++) kubelet.createPod(rs, rs.spec.template);
    if (pods.length > want) {
      const order = [...pods].sort((a, b) => Number(podReady(a)) - Number(podReady(b)) || String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)));
      for (const p of order.slice(0, pods.length - want)) kubelet.deletePod(p, rs);
    }
    const now = store.ownedBy(rs, 'Pod');
    const ready = now.filter(podReady).length;
    controllerWrite(store, rs, (x) => {
      x.status = { replicas: now.length, fullyLabeledReplicas: now.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: x.metadata.generation };
      if (!ready) {
        delete x.status.readyReplicas;
        delete x.status.availableReplicas;
      }
    });
  }
}
