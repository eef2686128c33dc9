// Every object, by `${group}/${plural}/${namespace}/${name}`, with resource versions, watch events and garbage collection.
import { FieldOwnership } from './field-ownership';
import { Resource, ResourceRegistry } from './resources';
import { K8sObjectJson } from './types';
import { clone } from './values';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  rv: number;
  type: WatchEventType;
  group: string;
  plural: string;
  object: K8sObjectJson;
}

export interface Watcher {
  group: string;
  plural: string;
  matches(obj: K8sObjectJson): boolean;
  send(type: WatchEventType, obj: K8sObjectJson): void;
  end?(): void;
}

/** Watch events kept for watches that resume from a resourceVersion. */
const HISTORY_LIMIT = 20000;

export class ObjectStore {
  readonly objects = new Map<string, K8sObjectJson>();
  readonly history: WatchEvent[] = [];
  readonly watchers = new Set<Watcher>();
  /** The last resourceVersion given out. */
  resourceVersion = 100;

  constructor(
    readonly resources: ResourceRegistry,
    readonly ownership: FieldOwnership,
  ) {}

  keyOf(r: Resource, namespace: string | undefined, name: string): string {
    return `${r.group}/${r.plural}/${r.namespaced ? namespace || '' : ''}/${name}`;
  }

  /** Stores `obj` with the next resourceVersion and tells the watchers. */
  put(r: Resource, obj: K8sObjectJson, type: WatchEventType): K8sObjectJson {
    obj.metadata.resourceVersion = String(++this.resourceVersion);
    this.objects.set(this.keyOf(r, obj.metadata.namespace, obj.metadata.name), obj);
    this.emit(type, r, obj);
    if (r.kind === 'CustomResourceDefinition') this.resources.registerCrd(obj);
    return obj;
  }

  /** Deletes `obj`, what it controls (ownerReferences) and, for a Namespace, every object in it. */
  remove(r: Resource, obj: K8sObjectJson): void {
    const key = this.keyOf(r, obj.metadata.namespace, obj.metadata.name);
    if (!this.objects.has(key)) return;
    this.objects.delete(key);
    this.ownership.delete(key);
    obj.metadata.resourceVersion = String(++this.resourceVersion);
    this.emit('DELETED', r, obj);
    for (const [k, child] of [...this.objects]) {
      if ((child.metadata.ownerReferences || []).some((o: { uid?: string }) => o.uid === obj.metadata.uid)) this.remove(this.resources.ofKey(k)!, child);
    }
    if (r.kind === 'Namespace') {
      for (const [k, child] of [...this.objects]) if (child.metadata.namespace === obj.metadata.name) this.remove(this.resources.ofKey(k)!, child);
    }
  }

  find(kind: string, namespace: string | undefined, name: string): K8sObjectJson | undefined {
    const r = this.resources.byKind(kind);
    return r ? this.objects.get(this.keyOf(r, namespace, name)) : undefined;
  }

  list(kind: string, namespace?: string): K8sObjectJson[] {
    const r = this.resources.byKind(kind);
    if (!r) return [];
    const prefix = `${r.group}/${r.plural}/`;
    return [...this.objects].filter(([k, o]) => k.startsWith(prefix) && (!namespace || o.metadata.namespace === namespace)).map(([, o]) => o);
  }

  /** The objects of `kind` in the owner's namespace that the owner controls. */
  ownedBy(owner: K8sObjectJson, kind: string): K8sObjectJson[] {
    return this.list(kind, owner.metadata.namespace).filter((o) => (o.metadata.ownerReferences || []).some((ref: { controller?: boolean; uid?: string }) => ref.controller && ref.uid === owner.metadata.uid));
  }

  private emit(type: WatchEventType, r: Resource, obj: K8sObjectJson): void {
    this.history.push({ rv: Number(obj.metadata.resourceVersion), type, group: r.group, plural: r.plural, object: clone(obj) });
    if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
    for (const w of this.watchers) if (w.group === r.group && w.plural === r.plural && w.matches(obj)) w.send(type, obj);
  }
}
