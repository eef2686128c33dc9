// ControllerRevisions: the template history of StatefulSets and DaemonSets.
import { controllerCreate, controllerWrite } from './controller-writes';
import { hashOf } from './generated-names';
import { ObjectStore } from './store';
import { Json, K8sObjectJson } from './types';
import { clone, same } from './values';

/** The pod template a ControllerRevision holds. */
export function templateOfRevision(cr: K8sObjectJson): Json {
  const t = clone(cr.data && cr.data.spec && cr.data.spec.template);
  if (t) delete t.$patch;
  return t;
}

/**
 * The ControllerRevision of the owner's current template: an existing one
 * with that template (made the newest revision again, as after an undo), else
 * a new one with the next revision number.
 */
export function controllerRevisionFor(store: ObjectStore, owner: K8sObjectJson): K8sObjectJson {
  const revisions = store.ownedBy(owner, 'ControllerRevision');
  const template = clone(owner.spec.template);
  const match = revisions.find((cr) => same(templateOfRevision(cr), template));
  const max = revisions.reduce((m, cr) => Math.max(m, cr.revision || 0), 0);
  if (match) {
    if (match.revision < max) {
      return controllerWrite(store, match, (x) => {
        x.revision = max + 1;
      });
    }
    return match;
  }
  const hash = hashOf({ template, n: revisions.length }, 10);
  return controllerCreate(store, 'ControllerRevision', {
    metadata: {
      name: `${owner.metadata.name}-${hash}`,
      namespace: owner.metadata.namespace,
      labels: { ...(owner.spec.selector.matchLabels || {}), 'controller.kubernetes.io/hash': hash },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    data: { spec: { template: { ...template, $patch: 'replace' } } },
    revision: max + 1,
  });
}
