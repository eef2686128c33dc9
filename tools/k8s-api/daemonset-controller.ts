import { ControllerContext } from './controller-context';
import { controllerRevisionFor } from './controller-revisions';
import { controllerWrite } from './controller-writes';
import { podReady } from './kubelet';
import { K8sObjectJson } from './types';
import { intOrPercent } from './values';

/** One pod per node (`scenario.nodes`), replaced by a rolling update within `maxUnavailable`. */
export function runDaemonSetController({ store, scenario, kubelet }: ControllerContext, ds: K8sObjectJson): void {
  const revision = controllerRevisionFor(store, ds);
  const hash = revision.metadata.labels['controller.kubernetes.io/hash'];
  const nodes = Array.from({ length: scenario.nodes }, (_, i) => `node-${i + 1}`);
  const pods = store.ownedBy(ds, 'Pod');
  const onNode = new Map(pods.map((p) => [p.spec.nodeName, p]));
  const create = (node: string) => kubelet.createPod(ds, ds.spec.template, { nodeName: node, labels: { 'controller-revision-hash': hash, 'pod-template-generation': String(ds.metadata.generation || 1) } });
  for (const node of nodes) if (!onNode.has(node)) create(node);
  const strategy = ds.spec.updateStrategy || { type: 'RollingUpdate' };
  if (strategy.type === 'RollingUpdate') {
    const maxUnavailable = intOrPercent((strategy.rollingUpdate && strategy.rollingUpdate.maxUnavailable) ?? 1, nodes.length, true) || 1;
    const current = store.ownedBy(ds, 'Pod');
    let unavailable = current.filter((p) => !podReady(p)).length;
    // Old pods that are not ready can be replaced at once; others within maxUnavailable.
    for (const p of current) {
      if ((p.metadata.labels || {})['controller-revision-hash'] === hash) continue;
      if (podReady(p) && unavailable >= maxUnavailable) continue;
      kubelet.deletePod(p, ds);
      create(p.spec.nodeName);
      if (podReady(p)) unavailable++;
    }
  }
  const now = store.ownedBy(ds, 'Pod');
  const ready = now.filter(podReady).length;
  const updated = now.filter((p) => (p.metadata.labels || {})['controller-revision-hash'] === hash).length;
  controllerWrite(store, ds, (x) => {
    x.status = {
      observedGeneration: x.metadata.generation,
      desiredNumberScheduled: nodes.length,
      currentNumberScheduled: now.length,
      numberMisscheduled: 0,
      numberReady: ready,
      numberAvailable: ready,
      numberUnavailable: nodes.length - ready,
      updatedNumberScheduled: updated,
    };
    for (const k of ['numberAvailable', 'numberUnavailable', 'updatedNumberScheduled']) if (!x.status[k]) delete x.status[k];
  });
}
