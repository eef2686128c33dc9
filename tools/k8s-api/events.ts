import { randomBytes } from 'crypto';
import { controllerCreate, controllerWrite } from './controller-writes';
import { ObjectStore } from './store';
import { K8sObjectJson } from './types';
import { nowIso } from './values';

/** Records Events about objects; the same reason and message again raises the count of the first one. */
export class EventRecorder {
  /** `${uid}|${reason}|${message}` → the Event's name */
  private readonly recorded = new Map<string, string>();

  constructor(private readonly store: ObjectStore) {}

  record(involved: K8sObjectJson, type: 'Normal' | 'Warning', reason: string, message: string, component = 'deployment-controller'): void {
    const ns = involved.metadata.namespace || 'default';
    const dedupe = `${involved.metadata.uid}|${reason}|${message}`;
    const existing = this.recorded.get(dedupe);
    if (existing) {
      const live = this.store.find('Event', ns, existing);
      if (live) {
        controllerWrite(this.store, live, (e) => {
          e.count = (e.count || 1) + 1;
          e.lastTimestamp = nowIso();
        });
      }
      return;
    }
    const name = `${involved.metadata.name}.${randomBytes(8).toString('hex')}`;
    this.recorded.set(dedupe, name);
    const t = nowIso();
    controllerCreate(this.store, 'Event', {
      metadata: { name, namespace: ns },
      involvedObject: { apiVersion: involved.apiVersion, kind: involved.kind, name: involved.metadata.name, namespace: ns, uid: involved.metadata.uid, resourceVersion: involved.metadata.resourceVersion },
      reason,
      message,
      type,
      source: { component },
      reportingComponent: component,
      reportingInstance: '',
      firstTimestamp: t,
      lastTimestamp: t,
      count: 1,
    });
  }
}
