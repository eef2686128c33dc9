#!/usr/bin/env node
// A local stand-in for the part of the Kubernetes API that a deploy and
// `kubectl get` use: discovery, server-side apply (and the other patch
// types), get/list/watch, create/replace/delete, and controllers that play
// the Deployment, ReplicaSet, StatefulSet and DaemonSet controllers and a
// kubelet whose pods behave according to a scenario keyed by image. Plain
// HTTP on 127.0.0.1, bearer token auth, everything in memory.
//
//   const api = await startK8sApi({ scenario: { deadlineFactor: 0.01 } });
//   … api.url, api.kubeconfigPath, api.get('Deployment', 'default', 'api'), api.requests …
//   await api.close();
//
//   node tools/k8s-api/server.js --port 0 [--token T] [--kubeconfig FILE]   # prints the URL
'use strict';

const http = require('http');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { parseYaml } = require('./yaml-subset');

const DEFAULT_TOKEN = 'k8s-stand-in-token';

/** Resource types served: [group, version, plural, singular, kind, namespaced, shortNames]. */
const BUILTIN_RESOURCES = [
  ['', 'v1', 'namespaces', 'namespace', 'Namespace', false, ['ns']],
  ['', 'v1', 'pods', 'pod', 'Pod', true, ['po']],
  ['', 'v1', 'services', 'service', 'Service', true, ['svc']],
  ['', 'v1', 'configmaps', 'configmap', 'ConfigMap', true, ['cm']],
  ['', 'v1', 'secrets', 'secret', 'Secret', true, []],
  ['', 'v1', 'events', 'event', 'Event', true, ['ev']],
  ['', 'v1', 'serviceaccounts', 'serviceaccount', 'ServiceAccount', true, ['sa']],
  ['', 'v1', 'persistentvolumeclaims', 'persistentvolumeclaim', 'PersistentVolumeClaim', true, ['pvc']],
  ['', 'v1', 'endpoints', 'endpoints', 'Endpoints', true, ['ep']],
  ['', 'v1', 'nodes', 'node', 'Node', false, ['no']],
  ['apps', 'v1', 'deployments', 'deployment', 'Deployment', true, ['deploy']],
  ['apps', 'v1', 'statefulsets', 'statefulset', 'StatefulSet', true, ['sts']],
  ['apps', 'v1', 'daemonsets', 'daemonset', 'DaemonSet', true, ['ds']],
  ['apps', 'v1', 'replicasets', 'replicaset', 'ReplicaSet', true, ['rs']],
  ['apps', 'v1', 'controllerrevisions', 'controllerrevision', 'ControllerRevision', true, []],
  ['batch', 'v1', 'jobs', 'job', 'Job', true, []],
  ['batch', 'v1', 'cronjobs', 'cronjob', 'CronJob', true, ['cj']],
  ['networking.k8s.io', 'v1', 'ingresses', 'ingress', 'Ingress', true, ['ing']],
  ['networking.k8s.io', 'v1', 'networkpolicies', 'networkpolicy', 'NetworkPolicy', true, ['netpol']],
  ['networking.k8s.io', 'v1', 'ingressclasses', 'ingressclass', 'IngressClass', false, []],
  ['policy', 'v1', 'poddisruptionbudgets', 'poddisruptionbudget', 'PodDisruptionBudget', true, ['pdb']],
  ['autoscaling', 'v2', 'horizontalpodautoscalers', 'horizontalpodautoscaler', 'HorizontalPodAutoscaler', true, ['hpa']],
  ['rbac.authorization.k8s.io', 'v1', 'roles', 'role', 'Role', true, []],
  ['rbac.authorization.k8s.io', 'v1', 'rolebindings', 'rolebinding', 'RoleBinding', true, []],
  ['rbac.authorization.k8s.io', 'v1', 'clusterroles', 'clusterrole', 'ClusterRole', false, []],
  ['rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'clusterrolebinding', 'ClusterRoleBinding', false, []],
  ['apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'customresourcedefinition', 'CustomResourceDefinition', false, ['crd', 'crds']],
];

const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const HASH_LABEL = 'pod-template-hash';
const SKIP_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration', REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, 'deprecated.deployment.rollback.to']);

const DEFAULT_SCENARIO = {
  /** image (or image name without tag) → behaviour; otherwise the tag decides (:bad, :crash, :slow, :unschedulable), else `default`. */
  images: {},
  default: 'ok',
  /** A pod of a healthy image is Running and ready this long after it is created. */
  readyAfterMs: 200,
  /** A bad image fails its pull (ErrImagePull) this long after the pod is created, then backs off (ImagePullBackOff). */
  pullFailAfterMs: 150,
  /** A crashing container restarts this often. */
  restartEveryMs: 250,
  /** progressDeadlineSeconds × this = the deadline in seconds (0.01: the default 600 s becomes 6 s). */
  deadlineFactor: 0.01,
  /** false: no controller or kubelet runs; objects keep the state they are given (see setObject). */
  controllers: true,
  /** Nodes a DaemonSet runs on. */
  nodes: 2,
  /** Controllers run this often. */
  tickMs: 50,
};

const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const nowIso = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Stable JSON: keys sorted, null/empty maps/empty lists dropped (as the API server treats them). */
function canonical(v) {
  if (Array.isArray(v)) {
    const items = v.map(canonical);
    return items.length ? items : undefined;
  }
  if (isObj(v)) {
    const out = {};
    for (const k of Object.keys(v).sort()) {
      const c = canonical(v[k]);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v === null ? undefined : v;
}
const same = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** Letters Kubernetes uses for generated name suffixes and hashes (no vowels, no confusable digits). */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
function safeEncode(bytes, length) {
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE[bytes[i] % SAFE.length];
  return out;
}
const randomSuffix = (n = 5) => safeEncode(crypto.randomBytes(n), n);
const hashOf = (value, n = 10) => safeEncode(crypto.createHash('sha256').update(JSON.stringify(canonical(value) ?? {})).digest(), n);

function templateWithoutHash(t) {
  const c = clone(t) ?? {};
  if (c.metadata && c.metadata.labels) delete c.metadata.labels[HASH_LABEL];
  return c;
}

/** Reads `maxSurge`/`maxUnavailable` (an int or a percentage) against a replica count. */
function intOrPercent(v, total, roundUp) {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v ?? ''));
  if (!m) return Number(v) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

// ---------------------------------------------------------------- selectors

function parseSelector(text) {
  if (!text) return () => true;
  const parts = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { parts.push(cur.trim()); cur = ''; } else cur += ch;
  }
  parts.push(cur.trim());
  const has = (l, k) => Object.prototype.hasOwnProperty.call(l, k);
  const tests = parts.filter(Boolean).map((p) => {
    let m;
    if ((m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(p))) {
      const [, k, op, v] = m;
      return op === '!=' ? (l) => !has(l, k) || l[k] !== v : (l) => has(l, k) && l[k] === v;
    }
    if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(p))) {
      const [, k, op, list] = m;
      const vals = list.split(',').map((s) => s.trim());
      return op === 'in' ? (l) => has(l, k) && vals.includes(l[k]) : (l) => !has(l, k) || !vals.includes(l[k]);
    }
    if ((m = /^!\s*(\S+)$/.exec(p))) return (l) => !has(l, m[1]);
    return (l) => has(l, p);
  });
  return (labels) => tests.every((t) => t(labels || {}));
}

function parseFieldSelector(text) {
  if (!text) return () => true;
  const tests = text.split(',').filter(Boolean).map((p) => {
    const m = /^([^!=]+?)\s*(==|!=|=)\s*(.*)$/.exec(p.trim());
    if (!m) return () => true;
    const [, field, op, value] = m;
    const get = (obj) => field.split('.').reduce((o, k) => (isObj(o) ? o[k] : undefined), obj);
    return op === '!=' ? (o) => String(get(o) ?? '') !== value : (o) => String(get(o) ?? '') === value;
  });
  return (obj) => tests.every((t) => t(obj));
}

function selectorMatches(selector, labels) {
  if (!isObj(selector)) return false;
  const l = labels || {};
  for (const [k, v] of Object.entries(selector.matchLabels || {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions || []) {
    const present = Object.prototype.hasOwnProperty.call(l, e.key);
    if (e.operator === 'In' && (!present || !(e.values || []).includes(l[e.key]))) return false;
    if (e.operator === 'NotIn' && present && (e.values || []).includes(l[e.key])) return false;
    if (e.operator === 'Exists' && !present) return false;
    if (e.operator === 'DoesNotExist' && present) return false;
  }
  return true;
}

// ---------------------------------------------------------------- field ownership (server-side apply)

/** Lists of named items (containers, env, volumes, ports with names, …) are tracked item by item, keyed `name=<name>`. */
const isNamedList = (v) => Array.isArray(v) && v.length > 0 && v.every((x) => isObj(x) && typeof x.name === 'string');

/** Leaf paths of an applied configuration; other lists are owned whole. */
function leafPaths(obj, prefix = [], out = []) {
  for (const [k, v] of Object.entries(obj || {})) {
    if (prefix.length === 0 && (k === 'apiVersion' || k === 'kind' || k === 'status')) continue;
    if (prefix.length === 1 && prefix[0] === 'metadata' && ['name', 'namespace', 'managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp'].includes(k)) continue;
    const p = [...prefix, k];
    if (isObj(v) && Object.keys(v).length) leafPaths(v, p, out);
    else if (isNamedList(v)) for (const item of v) leafPaths(item, [...p, `name=${item.name}`], out);
    else out.push(p);
  }
  return out;
}
const pathKey = (p) => JSON.stringify(p);
const pathText = (p) => p.map((k) => (k.startsWith('name=') ? `[name=${JSON.stringify(k.slice(5))}]` : `.${k}`)).join('');
function step(cur, k) {
  if (Array.isArray(cur) && k.startsWith('name=')) return cur.find((x) => isObj(x) && x.name === k.slice(5));
  return isObj(cur) ? cur[k] : undefined;
}
function getAt(obj, p) {
  let cur = obj;
  for (const k of p) {
    cur = step(cur, k);
    if (cur === undefined) return undefined;
  }
  return cur;
}
function deleteAt(obj, p) {
  const parents = [];
  let cur = obj;
  for (const k of p.slice(0, -1)) {
    const next = step(cur, k);
    if (!isObj(next) && !Array.isArray(next)) return;
    parents.push([cur, k]);
    cur = next;
  }
  const last = p[p.length - 1];
  if (Array.isArray(cur) && last.startsWith('name=')) {
    const i = cur.findIndex((x) => isObj(x) && x.name === last.slice(5));
    if (i >= 0) cur.splice(i, 1);
  } else if (isObj(cur)) {
    delete cur[last];
  }
  // Maps and lists left empty by the removal go too.
  for (let i = parents.length - 1; i >= 0; i--) {
    const [parent, key] = parents[i];
    const child = step(parent, key);
    const empty = (isObj(child) && !Object.keys(child).length) || (Array.isArray(child) && !child.length);
    if (!empty) break;
    if (Array.isArray(parent)) parent.splice(parent.indexOf(child), 1);
    else delete parent[key];
  }
}
function mergeInto(target, patch) {
  for (const [k, v] of Object.entries(patch)) {
    if (isObj(v) && isObj(target[k])) mergeInto(target[k], v);
    else target[k] = clone(v);
  }
  return target;
}
/** RFC 7386 JSON merge patch. */
function mergePatch(target, patch) {
  if (!isObj(patch)) return clone(patch);
  const out = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
/** RFC 6902 JSON patch (add, remove, replace, test, copy, move). */
function jsonPatch(target, ops) {
  let doc = clone(target);
  const parse = (p) => p.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const parentOf = (p) => {
    const parts = parse(p);
    let cur = doc;
    for (const k of parts.slice(0, -1)) {
      cur = Array.isArray(cur) ? cur[Number(k)] : cur?.[k];
      if (cur === undefined || cur === null) throw Object.assign(new Error(`path ${p} does not exist`), { code: 422 });
    }
    return [cur, parts[parts.length - 1]];
  };
  for (const op of ops) {
    if (op.path === '' && (op.op === 'replace' || op.op === 'add')) { doc = clone(op.value); continue; }
    if (op.op === 'copy' || op.op === 'move') {
      const [fp, fk] = parentOf(op.from);
      const value = clone(Array.isArray(fp) ? fp[Number(fk)] : fp[fk]);
      if (op.op === 'move') { if (Array.isArray(fp)) fp.splice(Number(fk), 1); else delete fp[fk]; }
      jsonPatchOne({ op: 'add', path: op.path, value });
      continue;
    }
    jsonPatchOne(op);
  }
  function jsonPatchOne(op) {
    const [parent, key] = parentOf(op.path);
    if (op.op === 'test') {
      const cur = Array.isArray(parent) ? parent[Number(key)] : parent[key];
      if (!same(cur, op.value)) throw Object.assign(new Error(`test failed at ${op.path}`), { code: 422 });
    } else if (op.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (op.op === 'add') {
      if (Array.isArray(parent)) parent.splice(key === '-' ? parent.length : Number(key), 0, clone(op.value));
      else parent[key] = clone(op.value);
    } else if (op.op === 'replace') {
      if (Array.isArray(parent)) parent[Number(key)] = clone(op.value);
      else parent[key] = clone(op.value);
    }
  }
  return doc;
}
/** managedFields' fieldsV1 for a set of owned paths. */
function fieldsV1(paths) {
  const out = {};
  for (const p of paths) {
    let cur = out;
    for (const k of p) {
      const field = k.startsWith('name=') ? `k:${JSON.stringify({ name: k.slice(5) })}` : `f:${k}`;
      cur = cur[field] = cur[field] || {};
    }
  }
  return out;
}

// ---------------------------------------------------------------- the server

function startK8sApi(options = {}) {
  const { port = 0, host = '127.0.0.1', token = DEFAULT_TOKEN, allowAnonymous = false } = options;
  const scenario = { ...DEFAULT_SCENARIO, ...(options.scenario || {}) };
  scenario.images = { ...(options.scenario && options.scenario.images) };

  const resources = [];
  const addResource = (group, version, plural, singular, kind, namespaced, shortNames = [], custom = false) => {
    if (resources.some((r) => r.group === group && r.version === version && r.plural === plural)) return;
    resources.push({ group, version, plural, singular, kind, namespaced, shortNames, custom });
  };
  for (const r of BUILTIN_RESOURCES) addResource(...r);
  const gv = (r) => (r.group ? `${r.group}/${r.version}` : r.version);

  /** key → object: `${group}/${plural}/${namespace}/${name}` */
  const objects = new Map();
  /** key → Map(managerKey → { manager, operation, apiVersion, time, paths: Map(pathKey → path), applied? }) */
  const owners = new Map();
  const requests = [];
  const watchers = new Set();
  const history = [];
  const progress = new Map();
  let rv = 100;

  const keyOf = (r, namespace, name) => `${r.group}/${r.plural}/${r.namespaced ? namespace || '' : ''}/${name}`;
  const resourceByKind = (kind, apiVersion) => resources.find((r) => r.kind === kind && (!apiVersion || gv(r) === apiVersion)) || resources.find((r) => r.kind === kind);

  function emit(type, r, obj) {
    const event = { rv: Number(obj.metadata.resourceVersion), type, group: r.group, plural: r.plural, object: clone(obj) };
    history.push(event);
    if (history.length > 20000) history.splice(0, history.length - 20000);
    for (const w of watchers) if (w.group === r.group && w.plural === r.plural && w.matches(obj)) w.send(type, obj);
  }

  function store(r, obj, type) {
    obj.metadata.resourceVersion = String(++rv);
    objects.set(keyOf(r, obj.metadata.namespace, obj.metadata.name), obj);
    emit(type, r, obj);
    if (r.kind === 'CustomResourceDefinition') registerCrd(obj);
    return obj;
  }

  function remove(r, obj) {
    const key = keyOf(r, obj.metadata.namespace, obj.metadata.name);
    if (!objects.has(key)) return;
    objects.delete(key);
    owners.delete(key);
    obj.metadata.resourceVersion = String(++rv);
    emit('DELETED', r, obj);
    // Garbage collection: what this object controlled goes with it.
    for (const [k, child] of [...objects]) {
      if ((child.metadata.ownerReferences || []).some((o) => o.uid === obj.metadata.uid)) remove(resourceOfKey(k), child);
    }
    if (r.kind === 'Namespace') {
      for (const [k, child] of [...objects]) if (child.metadata.namespace === obj.metadata.name) remove(resourceOfKey(k), child);
    }
  }
  const resourceOfKey = (key) => {
    const [group, plural] = key.split('/');
    return resources.find((r) => r.group === group && r.plural === plural);
  };

  function registerCrd(crd) {
    const spec = crd.spec || {};
    const names = spec.names || {};
    for (const v of spec.versions || []) {
      if (v.served === false) continue;
      addResource(spec.group, v.name, names.plural, names.singular || String(names.kind || '').toLowerCase(), names.kind, spec.scope !== 'Cluster', names.shortNames || [], true);
    }
  }

  function find(kind, namespace, name) {
    const r = resourceByKind(kind);
    return r ? objects.get(keyOf(r, namespace, name)) : undefined;
  }
  function list(kind, namespace) {
    const r = resourceByKind(kind);
    if (!r) return [];
    const prefix = `${r.group}/${r.plural}/`;
    return [...objects].filter(([k, o]) => k.startsWith(prefix) && (!namespace || o.metadata.namespace === namespace)).map(([, o]) => o);
  }

  // ------------------------------------------------------------ defaults, validation

  function defaultPodSpec(spec) {
    if (!isObj(spec)) return;
    spec.restartPolicy = spec.restartPolicy || 'Always';
    if (spec.terminationGracePeriodSeconds === undefined) spec.terminationGracePeriodSeconds = 30;
    spec.dnsPolicy = spec.dnsPolicy || 'ClusterFirst';
    spec.schedulerName = spec.schedulerName || 'default-scheduler';
    if (!spec.securityContext) spec.securityContext = {};
    for (const list of ['containers', 'initContainers']) {
      for (const c of spec[list] || []) {
        if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
        if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
        if (!c.imagePullPolicy) {
          const image = String(c.image || '');
          const tagged = /:[\w][\w.-]*$/.test(image.split('/').pop()) || image.includes('@');
          c.imagePullPolicy = !tagged || /:latest$/.test(image) ? 'Always' : 'IfNotPresent';
        }
        if (!c.resources) c.resources = {};
        for (const p of c.ports || []) if (!p.protocol) p.protocol = 'TCP';
      }
    }
  }

  function applyDefaults(obj) {
    const spec = obj.spec;
    switch (obj.kind) {
      case 'Deployment':
        if (spec.replicas === undefined) spec.replicas = 1;
        if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
        if (spec.progressDeadlineSeconds === undefined) spec.progressDeadlineSeconds = 600;
        if (!spec.strategy) spec.strategy = {};
        if (!spec.strategy.type) spec.strategy.type = 'RollingUpdate';
        if (spec.strategy.type === 'RollingUpdate') {
          spec.strategy.rollingUpdate = spec.strategy.rollingUpdate || {};
          if (spec.strategy.rollingUpdate.maxSurge === undefined) spec.strategy.rollingUpdate.maxSurge = '25%';
          if (spec.strategy.rollingUpdate.maxUnavailable === undefined) spec.strategy.rollingUpdate.maxUnavailable = '25%';
        }
        defaultPodSpec(spec.template && spec.template.spec);
        break;
      case 'StatefulSet':
        if (spec.replicas === undefined) spec.replicas = 1;
        if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
        spec.podManagementPolicy = spec.podManagementPolicy || 'OrderedReady';
        spec.updateStrategy = spec.updateStrategy || {};
        if (!spec.updateStrategy.type) spec.updateStrategy.type = 'RollingUpdate';
        if (spec.updateStrategy.type === 'RollingUpdate') {
          spec.updateStrategy.rollingUpdate = spec.updateStrategy.rollingUpdate || {};
          if (spec.updateStrategy.rollingUpdate.partition === undefined) spec.updateStrategy.rollingUpdate.partition = 0;
        }
        defaultPodSpec(spec.template && spec.template.spec);
        break;
      case 'DaemonSet':
        if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
        spec.updateStrategy = spec.updateStrategy || {};
        if (!spec.updateStrategy.type) spec.updateStrategy.type = 'RollingUpdate';
        if (spec.updateStrategy.type === 'RollingUpdate') {
          spec.updateStrategy.rollingUpdate = spec.updateStrategy.rollingUpdate || {};
          if (spec.updateStrategy.rollingUpdate.maxUnavailable === undefined) spec.updateStrategy.rollingUpdate.maxUnavailable = 1;
          if (spec.updateStrategy.rollingUpdate.maxSurge === undefined) spec.updateStrategy.rollingUpdate.maxSurge = 0;
        }
        defaultPodSpec(spec.template && spec.template.spec);
        break;
      case 'ReplicaSet':
        if (spec.replicas === undefined) spec.replicas = 1;
        defaultPodSpec(spec.template && spec.template.spec);
        break;
      case 'Pod':
        defaultPodSpec(spec);
        break;
      case 'Service':
        spec.type = spec.type || 'ClusterIP';
        spec.sessionAffinity = spec.sessionAffinity || 'None';
        if (!spec.clusterIP && spec.type !== 'ExternalName') spec.clusterIP = `10.96.${crypto.randomInt(0, 255)}.${crypto.randomInt(1, 254)}`;
        for (const p of spec.ports || []) {
          if (!p.protocol) p.protocol = 'TCP';
          if (p.targetPort === undefined) p.targetPort = p.port;
        }
        break;
      case 'Namespace':
        spec.finalizers = spec.finalizers || ['kubernetes'];
        break;
      default:
        break;
    }
  }

  /** Problems the real API server would refuse the object for (422), or undefined. */
  function invalid(r, obj, live) {
    const name = obj.metadata.name;
    if (!name) return 'metadata.name: Required value: name or generateName is required';
    const dns = r.kind === 'Namespace' || r.kind === 'Service' ? /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/ : /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
    if (!r.custom && !/:/.test(name) && !dns.test(name) && r.kind !== 'Event') return `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 name must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`;
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(r.kind)) {
      const sel = obj.spec && obj.spec.selector;
      if (!isObj(sel)) return 'spec.selector: Required value';
      const labels = obj.spec.template && obj.spec.template.metadata && obj.spec.template.metadata.labels;
      if (!selectorMatches(sel, labels)) return `spec.template.metadata.labels: Invalid value: ${JSON.stringify(labels || {})}: \`selector\` does not match template \`labels\``;
      if (live && !same(live.spec && live.spec.selector, sel)) return `spec.selector: Invalid value: ${JSON.stringify(sel)}: field is immutable`;
      const containers = obj.spec.template && obj.spec.template.spec && obj.spec.template.spec.containers;
      if (!Array.isArray(containers) || !containers.length) return 'spec.template.spec.containers: Required value';
      for (const c of containers) if (!c.image) return `spec.template.spec.containers[${c.name}].image: Required value`;
    }
    return undefined;
  }

  // ------------------------------------------------------------ writes

  function ownerTable(key) {
    if (!owners.has(key)) owners.set(key, new Map());
    return owners.get(key);
  }

  function managedFieldsOf(key, apiVersion) {
    const table = owners.get(key);
    if (!table) return undefined;
    const out = [];
    for (const o of table.values()) {
      if (!o.paths.size) continue;
      out.push({ manager: o.manager, operation: o.operation, apiVersion: o.apiVersion || apiVersion, time: o.time, fieldsType: 'FieldsV1', fieldsV1: fieldsV1([...o.paths.values()]) });
    }
    return out.length ? out : undefined;
  }

  function hasSpec(kind) {
    return !['ConfigMap', 'Secret', 'Event', 'ServiceAccount', 'Endpoints', 'ControllerRevision', 'ClusterRole', 'Role', 'ClusterRoleBinding', 'RoleBinding'].includes(kind);
  }

  /** Finishes a write: metadata, Secret stringData, defaults, generation, managedFields. */
  function finalize(r, key, next, live, apiVersion) {
    next.apiVersion = gv(r);
    next.kind = r.kind;
    next.metadata = next.metadata || {};
    if (r.kind === 'Secret' && isObj(next.stringData)) {
      next.data = next.data || {};
      for (const [k, v] of Object.entries(next.stringData)) next.data[k] = Buffer.from(String(v)).toString('base64');
      delete next.stringData;
    }
    if (hasSpec(r.kind) && !isObj(next.spec) && ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod', 'Service', 'Namespace'].includes(r.kind)) next.spec = {};
    if (isObj(next.spec)) applyDefaults(next);
    next.metadata.uid = live ? live.metadata.uid : crypto.randomUUID();
    next.metadata.creationTimestamp = live ? live.metadata.creationTimestamp : nowIso();
    if (hasSpec(r.kind) && r.kind !== 'Pod' && r.kind !== 'Namespace') {
      const prevGen = live ? live.metadata.generation || 1 : 0;
      next.metadata.generation = !live ? 1 : same(live.spec, next.spec) ? prevGen : prevGen + 1;
    } else {
      delete next.metadata.generation;
    }
    if (live && live.status !== undefined && next.status === undefined) next.status = clone(live.status);
    if (!live && ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(r.kind)) next.status = next.status || {};
    if (r.kind === 'Namespace') next.status = { phase: 'Active' };
    const mf = managedFieldsOf(key, apiVersion);
    if (mf) next.metadata.managedFields = mf;
    else delete next.metadata.managedFields;
    next.metadata.resourceVersion = live ? live.metadata.resourceVersion : undefined;
    return next;
  }

  class ApiError extends Error {
    constructor(code, reason, message, details) {
      super(message);
      this.code = code;
      this.reason = reason;
      this.details = details;
    }
  }
  const notFound = (r, name) => new ApiError(404, 'NotFound', `${r.plural}${r.group ? `.${r.group}` : ''} "${name}" not found`, { name, group: r.group, kind: r.plural });

  function checkNamespace(r, namespace) {
    if (!r.namespaced) return;
    const nsRes = resourceByKind('Namespace');
    if (!objects.has(keyOf(nsRes, '', namespace))) throw new ApiError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
  }

  /** Server-side apply of `config` to r/namespace/name by `manager`. */
  function serverSideApply(r, namespace, name, config, { manager, force, dryRun }) {
    if (!manager) throw new ApiError(400, 'BadRequest', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    if (!isObj(config)) throw new ApiError(400, 'BadRequest', 'the apply patch is not an object');
    if (config.kind !== r.kind || (config.apiVersion && config.apiVersion !== gv(r))) {
      throw new ApiError(400, 'BadRequest', `the API version in the data (${config.apiVersion}) does not match the expected API version (${gv(r)})`);
    }
    const meta = config.metadata || {};
    if (meta.name !== name) throw new ApiError(400, 'BadRequest', `the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    if (r.namespaced && meta.namespace && meta.namespace !== namespace) throw new ApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    checkNamespace(r, namespace);
    const key = keyOf(r, namespace, name);
    const live = objects.get(key);
    const table = ownerTable(key);
    const managerKey = `${manager}|Apply`;
    const mine = table.get(managerKey);
    const paths = leafPaths(config);
    const conflicts = [];
    if (live) {
      for (const [mk, o] of table) {
        if (mk === managerKey) continue;
        for (const p of paths) {
          // A conflict: another manager set this field to a different value.
          if (o.paths.has(pathKey(p)) && !same(o.values.get(pathKey(p)), getAt(config, p))) conflicts.push({ manager: o.manager, apiVersion: o.apiVersion, path: p });
        }
      }
    }
    if (conflicts.length && !force) {
      const lines = conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${pathText(c.path)}`);
      const message = conflicts.length === 1 ? `Apply failed with 1 conflict: ${lines[0]}` : `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
      throw new ApiError(409, 'Conflict', message, { causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: pathText(c.path) })) });
    }
    let next = live ? clone(live) : { apiVersion: gv(r), kind: r.kind, metadata: { name, ...(r.namespaced ? { namespace } : {}) } };
    delete next.metadata.managedFields;
    // Fields this manager applied before and no longer applies are removed, unless someone else owns them.
    if (mine && live) {
      const now = new Set(paths.map(pathKey));
      for (const [pk, p] of mine.paths) {
        if (now.has(pk)) continue;
        const ownedElsewhere = [...table].some(([mk, o]) => mk !== managerKey && o.paths.has(pk));
        if (!ownedElsewhere) deleteAt(next, p);
      }
    }
    mergeInto(next, config);
    if (r.namespaced) next.metadata.namespace = namespace;
    else delete next.metadata.namespace;
    const problem = invalid(r, next, live);
    if (problem) throw new ApiError(422, 'Invalid', `${r.kind} "${name}" is invalid: ${problem}`);
    if (dryRun) {
      const scratch = new Map([...table].map(([k, o]) => [k, { ...o, paths: new Map(o.paths), values: new Map(o.values) }]));
      owners.set(`dry:${key}`, scratch);
      recordOwnership(scratch, managerKey, manager, 'Apply', gv(r), paths, force, config);
      const out = finalize(r, `dry:${key}`, next, live, gv(r));
      owners.delete(`dry:${key}`);
      if (!live) out.metadata.resourceVersion = undefined;
      return { object: out, created: !live };
    }
    recordOwnership(table, managerKey, manager, 'Apply', gv(r), paths, force, config);
    finalize(r, key, next, live, gv(r));
    return { object: store(r, next, live ? 'MODIFIED' : 'ADDED'), created: !live };
  }

  /** Records that `manager` owns `paths`, with the values it set (from `source`). */
  function recordOwnership(table, managerKey, manager, operation, apiVersion, paths, takeOver, source) {
    const entry = table.get(managerKey) || { manager, operation, apiVersion, time: nowIso(), paths: new Map(), values: new Map() };
    if (operation === 'Apply') {
      entry.paths = new Map();
      entry.values = new Map();
    }
    for (const p of paths) {
      entry.paths.set(pathKey(p), p);
      entry.values.set(pathKey(p), clone(getAt(source, p)));
    }
    entry.time = nowIso();
    table.set(managerKey, entry);
    if (takeOver) {
      for (const [mk, o] of table) {
        if (mk === managerKey) continue;
        for (const p of paths) {
          o.paths.delete(pathKey(p));
          o.values.delete(pathKey(p));
        }
      }
    }
  }

  /** A non-apply write (create, replace, merge/JSON patch) by `manager`: it takes over the fields it changed. */
  function update(r, namespace, name, next, { manager, dryRun, create, subresource }) {
    checkNamespace(r, namespace);
    const key = keyOf(r, namespace, name);
    const live = objects.get(key);
    if (create && live) throw new ApiError(409, 'AlreadyExists', `${r.plural}${r.group ? `.${r.group}` : ''} "${name}" already exists`, { name, group: r.group, kind: r.plural });
    if (!create && !live) throw notFound(r, name);
    next.metadata = next.metadata || {};
    next.metadata.name = name;
    if (r.namespaced) next.metadata.namespace = namespace;
    if (subresource === 'status') {
      const out = clone(live);
      out.status = clone(next.status);
      if (dryRun) return { object: out, created: false };
      return { object: store(r, out, 'MODIFIED'), created: false };
    }
    if (live) next.status = clone(live.status);
    const problem = invalid(r, next, live);
    if (problem) throw new ApiError(422, 'Invalid', `${r.kind} "${name}" is invalid: ${problem}`);
    const changed = leafPaths(next).filter((p) => !live || !same(getAt(live, p), getAt(next, p)));
    const table = dryRun ? new Map([...ownerTable(key)].map(([k, o]) => [k, { ...o, paths: new Map(o.paths), values: new Map(o.values) }])) : ownerTable(key);
    if (manager) recordOwnership(table, `${manager}|Update`, manager, 'Update', gv(r), changed, true, next);
    const ownerKey = dryRun ? `dry:${key}` : key;
    if (dryRun) owners.set(ownerKey, table);
    finalize(r, ownerKey, next, live, gv(r));
    if (dryRun) {
      owners.delete(ownerKey);
      return { object: next, created: !live };
    }
    return { object: store(r, next, live ? 'MODIFIED' : 'ADDED'), created: !live };
  }

  /** Writes done by the controllers: no ownership, no generation bump for status. */
  function controllerCreate(kind, obj) {
    const r = resourceByKind(kind);
    obj.apiVersion = gv(r);
    obj.kind = r.kind;
    obj.metadata.uid = crypto.randomUUID();
    obj.metadata.creationTimestamp = nowIso();
    if (hasSpec(r.kind) && r.kind !== 'Pod') obj.metadata.generation = 1;
    if (isObj(obj.spec)) applyDefaults(obj);
    return store(r, obj, 'ADDED');
  }
  function controllerWrite(obj, mutate) {
    const r = resourceByKind(obj.kind);
    const before = JSON.stringify(obj);
    const copy = clone(obj);
    mutate(copy);
    if (JSON.stringify(copy) === before) return obj;
    if (!same(obj.spec, copy.spec) && copy.metadata.generation !== undefined) copy.metadata.generation = (obj.metadata.generation || 1) + 1;
    return store(r, copy, 'MODIFIED');
  }

  // ------------------------------------------------------------ events

  const recordedEvents = new Map();
  function recordEvent(involved, type, reason, message, component = 'deployment-controller') {
    const ns = involved.metadata.namespace || 'default';
    const dedupe = `${involved.metadata.uid}|${reason}|${message}`;
    const existing = recordedEvents.get(dedupe);
    if (existing) {
      const live = find('Event', ns, existing);
      if (live) controllerWrite(live, (e) => { e.count = (e.count || 1) + 1; e.lastTimestamp = nowIso(); });
      return;
    }
    const name = `${involved.metadata.name}.${crypto.randomBytes(8).toString('hex')}`;
    recordedEvents.set(dedupe, name);
    const t = nowIso();
    controllerCreate('Event', {
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

  // ------------------------------------------------------------ kubelet: pods by scenario

  function behaviourOf(image) {
    const img = String(image || '');
    if (scenario.images[img]) return scenario.images[img];
    const name = img.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
    if (scenario.images[name]) return scenario.images[name];
    const tag = /:([^/:@]+)(@|$)/.exec(img);
    if (tag && ['bad', 'crash', 'slow', 'unschedulable'].includes(tag[1])) return tag[1];
    return scenario.default || 'ok';
  }

  const podReady = (pod) => (pod.status && pod.status.conditions || []).some((c) => c.type === 'Ready' && c.status === 'True');

  function podStatusFor(pod) {
    const containers = (pod.spec && pod.spec.containers) || [];
    const age = Date.now() - podBirth.get(pod.metadata.uid);
    const behaviours = containers.map((c) => behaviourOf(c.image));
    const t = podTimes.get(pod.metadata.uid);
    const conditions = [];
    if (behaviours.includes('unschedulable')) {
      return {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.', lastTransitionTime: t.created, lastProbeTime: null }],
        qosClass: 'BestEffort',
      };
    }
    conditions.push({ type: 'PodScheduled', status: 'True', lastTransitionTime: t.created, lastProbeTime: null });
    let allReady = true;
    let running = false;
    const statuses = containers.map((c, i) => {
      const b = behaviours[i];
      const base = { name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, started: false };
      if (b === 'bad') {
        allReady = false;
        if (age < scenario.pullFailAfterMs) return { ...base, state: { waiting: { reason: 'ContainerCreating' } } };
        const backoff = age >= scenario.pullFailAfterMs * 2;
        return { ...base, state: { waiting: backoff ? { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } : { reason: 'ErrImagePull', message: pullError(c.image) } } };
      }
      if (age < Math.min(scenario.readyAfterMs, 100) && b !== 'ok') {
        allReady = false;
        return { ...base, state: { waiting: { reason: 'ContainerCreating' } } };
      }
      if (b === 'crash') {
        allReady = false;
        running = true;
        const restarts = Math.floor(age / scenario.restartEveryMs);
        const backoffSeconds = Math.min(300, 10 * Math.pow(2, Math.max(0, restarts - 1)));
        const backoffText = backoffSeconds >= 300 ? '5m0s' : `${backoffSeconds}s`;
        return {
          ...base,
          restartCount: restarts,
          state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${backoffText} restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: t.created, finishedAt: nowIso(), containerID: `containerd://${pod.metadata.uid.replace(/-/g, '')}` } },
        };
      }
      if (b === 'slow') {
        allReady = false;
        running = true;
        return { ...base, started: true, state: { running: { startedAt: t.created } } };
      }
      if (age < scenario.readyAfterMs) {
        allReady = false;
        return { ...base, state: { waiting: { reason: 'ContainerCreating' } } };
      }
      running = true;
      return { ...base, ready: true, started: true, state: { running: { startedAt: t.created } } };
    });
    const ready = allReady && containers.length > 0;
    conditions.push({ type: 'Initialized', status: 'True', lastTransitionTime: t.created, lastProbeTime: null });
    conditions.push({ type: 'ContainersReady', status: ready ? 'True' : 'False', ...(ready ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${statuses.filter((s) => !s.ready).map((s) => s.name).join(' ')}]` }), lastTransitionTime: t.created, lastProbeTime: null });
    conditions.push({ type: 'Ready', status: ready ? 'True' : 'False', ...(ready ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${statuses.filter((s) => !s.ready).map((s) => s.name).join(' ')}]` }), lastTransitionTime: t.created, lastProbeTime: null });
    return {
      phase: running || ready ? 'Running' : 'Pending',
      conditions,
      hostIP: '10.0.0.10',
      podIP: t.ip,
      podIPs: [{ ip: t.ip }],
      startTime: t.created,
      containerStatuses: statuses,
      qosClass: 'BestEffort',
    };
  }

  function pullError(image) {
    return `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;
  }

  const podBirth = new Map();
  const podTimes = new Map();
  const podEventsDone = new Map();

  function createPod(owner, template, extra = {}) {
    const meta = clone((template && template.metadata) || {});
    const name = extra.name || `${owner.metadata.name}-${randomSuffix()}`;
    const pod = {
      metadata: {
        name,
        namespace: owner.metadata.namespace,
        labels: { ...(meta.labels || {}), ...(extra.labels || {}) },
        ...(meta.annotations ? { annotations: meta.annotations } : {}),
        ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { ...clone((template && template.spec) || {}), ...(extra.nodeName ? { nodeName: extra.nodeName } : { nodeName: 'node-1' }) },
    };
    const stored = controllerCreate('Pod', pod);
    podBirth.set(stored.metadata.uid, Date.now());
    podTimes.set(stored.metadata.uid, { created: nowIso(), ip: `10.244.${crypto.randomInt(0, 255)}.${crypto.randomInt(2, 254)}` });
    recordEvent(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, `${owner.kind.toLowerCase()}-controller`);
    return stored;
  }

  function deletePod(pod, owner) {
    remove(resourceByKind('Pod'), pod);
    podBirth.delete(pod.metadata.uid);
    podTimes.delete(pod.metadata.uid);
    if (owner) recordEvent(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, `${owner.kind.toLowerCase()}-controller`);
  }

  function kubelet() {
    for (const pod of list('Pod')) {
      if (!podBirth.has(pod.metadata.uid)) {
        podBirth.set(pod.metadata.uid, Date.parse(pod.metadata.creationTimestamp) || Date.now());
        podTimes.set(pod.metadata.uid, { created: pod.metadata.creationTimestamp || nowIso(), ip: '10.244.0.2' });
      }
      const status = podStatusFor(pod);
      const updated = controllerWrite(pod, (p) => { p.status = status; });
      podEvents(updated, status);
    }
  }

  function podEvents(pod, status) {
    const done = podEventsDone.get(pod.metadata.uid) || new Set();
    podEventsDone.set(pod.metadata.uid, done);
    const once = (id, fn) => { if (!done.has(id)) { done.add(id); fn(); } };
    const sched = (status.conditions || []).find((c) => c.type === 'PodScheduled');
    if (sched && sched.status === 'False') once('unschedulable', () => recordEvent(pod, 'Warning', 'FailedScheduling', sched.message, 'default-scheduler'));
    else once('scheduled', () => recordEvent(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${pod.spec.nodeName || 'node-1'}`, 'default-scheduler'));
    for (const s of status.containerStatuses || []) {
      const w = s.state && s.state.waiting;
      once(`pulling:${s.name}`, () => recordEvent(pod, 'Normal', 'Pulling', `Pulling image "${s.image}"`, 'kubelet'));
      if (w && w.reason === 'ErrImagePull') {
        once(`pullfail:${s.name}`, () => {
          recordEvent(pod, 'Warning', 'Failed', `Failed to pull image "${s.image}": ${pullError(s.image)}`, 'kubelet');
          recordEvent(pod, 'Warning', 'Failed', 'Error: ErrImagePull', 'kubelet');
        });
      }
      if (w && w.reason === 'ImagePullBackOff') {
        once(`backoff:${s.name}`, () => {
          recordEvent(pod, 'Normal', 'BackOff', `Back-off pulling image "${s.image}"`, 'kubelet');
          recordEvent(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', 'kubelet');
        });
      }
      if (s.state && (s.state.running || (w && w.reason === 'CrashLoopBackOff'))) {
        once(`started:${s.name}`, () => {
          recordEvent(pod, 'Normal', 'Pulled', `Successfully pulled image "${s.image}"`, 'kubelet');
          recordEvent(pod, 'Normal', 'Created', `Created container ${s.name}`, 'kubelet');
          recordEvent(pod, 'Normal', 'Started', `Started container ${s.name}`, 'kubelet');
        });
      }
      if (w && w.reason === 'CrashLoopBackOff') once(`crash:${s.name}:${s.restartCount}`, () => recordEvent(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${s.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`, 'kubelet'));
      if (s.state && s.state.running && !s.ready && behaviourOf(s.image) === 'slow') once(`unhealthy:${s.name}`, () => recordEvent(pod, 'Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', 'kubelet'));
    }
  }

  const ownedBy = (owner, kind) => list(kind, owner.metadata.namespace).filter((o) => (o.metadata.ownerReferences || []).some((r) => r.controller && r.uid === owner.metadata.uid));

  // ------------------------------------------------------------ ReplicaSet controller

  function replicaSetController() {
    for (const rs of list('ReplicaSet')) {
      const pods = ownedBy(rs, 'Pod');
      const want = rs.spec.replicas ?? 1;
      if (pods.length < want) for (let i = pods.length; i < want; i++) createPod(rs, rs.spec.template);
      if (pods.length > want) {
        // Not-ready pods go first, then the newest.
        const order = [...pods].sort((a, b) => Number(podReady(a)) - Number(podReady(b)) || String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)));
        for (const p of order.slice(0, pods.length - want)) deletePod(p, rs);
      }
      const now = ownedBy(rs, 'Pod');
      const ready = now.filter(podReady).length;
      controllerWrite(rs, (x) => {
        x.status = { replicas: now.length, fullyLabeledReplicas: now.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: x.metadata.generation };
        if (!ready) { delete x.status.readyReplicas; delete x.status.availableReplicas; }
      });
    }
  }

  // ------------------------------------------------------------ Deployment controller

  const rsRevision = (rs) => Number((rs.metadata.annotations || {})[REVISION] || 0);
  const available = (rs) => (rs.status && rs.status.availableReplicas) || 0;

  function setCondition(conditions, cond, keepTime) {
    const i = conditions.findIndex((c) => c.type === cond.type);
    const now = nowIso();
    const prev = i >= 0 ? conditions[i] : undefined;
    const next = { ...cond, lastUpdateTime: prev && keepTime && prev.status === cond.status && prev.reason === cond.reason ? prev.lastUpdateTime : now, lastTransitionTime: prev && prev.status === cond.status ? prev.lastTransitionTime : now };
    if (i >= 0) conditions[i] = next;
    else conditions.push(next);
  }

  function deploymentController(d) {
    const replicas = d.spec.replicas ?? 1;
    const owned = ownedBy(d, 'ReplicaSet');
    let newRS = owned.filter((rs) => same(templateWithoutHash(rs.spec.template), templateWithoutHash(d.spec.template))).sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)))[0];
    const maxRevision = owned.reduce((m, rs) => Math.max(m, rsRevision(rs)), 0);
    const state = progress.get(d.metadata.uid) || { lastProgress: Date.now() };
    progress.set(d.metadata.uid, state);
    const paused = d.spec.paused === true;
    let progressed = false;
    const desiredAnnotations = () => {
      const a = {};
      for (const [k, v] of Object.entries(d.metadata.annotations || {})) if (!SKIP_ANNOTATIONS.has(k)) a[k] = v;
      return a;
    };
    const surge = d.spec.strategy.type === 'RollingUpdate' ? intOrPercent(d.spec.strategy.rollingUpdate.maxSurge, replicas, true) : 0;
    if (!paused) {
      if (!newRS) {
        const hash = hashOf({ template: templateWithoutHash(d.spec.template), n: owned.length });
        const template = clone(d.spec.template);
        template.metadata = template.metadata || {};
        template.metadata.labels = { ...(template.metadata.labels || {}), [HASH_LABEL]: hash };
        newRS = controllerCreate('ReplicaSet', {
          metadata: {
            name: `${d.metadata.name}-${hash}`,
            namespace: d.metadata.namespace,
            labels: template.metadata.labels,
            annotations: { ...desiredAnnotations(), [DESIRED_REPLICAS]: String(replicas), [MAX_REPLICAS]: String(replicas + surge), [REVISION]: String(maxRevision + 1) },
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
          },
          spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds || 0, selector: { ...clone(d.spec.selector), matchLabels: { ...(d.spec.selector.matchLabels || {}), [HASH_LABEL]: hash } }, template },
        });
        state.newRS = newRS.metadata.name;
        state.created = true;
        state.lastProgress = Date.now();
        state.timedOut = false;
        progressed = true;
      } else if (rsRevision(newRS) < maxRevision) {
        // Rolled back (or back to an older template): that ReplicaSet becomes the newest revision.
        const old = rsRevision(newRS);
        newRS = controllerWrite(newRS, (x) => {
          const history = x.metadata.annotations[REVISION_HISTORY] ? `${x.metadata.annotations[REVISION_HISTORY]},${old}` : String(old);
          x.metadata.annotations = { ...x.metadata.annotations, ...desiredAnnotations(), [REVISION]: String(maxRevision + 1), [REVISION_HISTORY]: history };
        });
        state.lastProgress = Date.now();
        state.timedOut = false;
        progressed = true;
      } else if (state.newRS !== newRS.metadata.name) {
        state.newRS = newRS.metadata.name;
      }
      const olds = ownedBy(d, 'ReplicaSet').filter((rs) => rs.metadata.uid !== newRS.metadata.uid);
      const scale = (rs, n) => {
        if ((rs.spec.replicas ?? 0) === n) return rs;
        const from = rs.spec.replicas ?? 0;
        recordEvent(d, 'Normal', 'ScalingReplicaSet', `Scaled ${n > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${n}`);
        progressed = true;
        return controllerWrite(rs, (x) => { x.spec.replicas = n; x.metadata.annotations = { ...x.metadata.annotations, [DESIRED_REPLICAS]: String(replicas), [MAX_REPLICAS]: String(replicas + surge) }; });
      };
      if (d.spec.strategy.type === 'Recreate') {
        for (const rs of olds) scale(rs, 0);
        const oldPods = olds.reduce((n, rs) => n + ownedBy(rs, 'Pod').length, 0);
        if (!oldPods) newRS = scale(newRS, replicas);
      } else {
        let maxUnavailable = intOrPercent(d.spec.strategy.rollingUpdate.maxUnavailable, replicas, false);
        if (surge === 0 && maxUnavailable === 0) maxUnavailable = 1;
        // Scale up the new ReplicaSet within replicas + maxSurge.
        const total = [newRS, ...olds].reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
        const newCount = newRS.spec.replicas ?? 0;
        if (newCount > replicas) newRS = scale(newRS, replicas);
        else if (newCount < replicas) {
          const room = replicas + surge - total;
          if (room > 0) newRS = scale(newRS, Math.min(replicas, newCount + room));
        }
        // Scale down old ReplicaSets while keeping replicas - maxUnavailable available.
        const minAvailable = replicas - maxUnavailable;
        const allPods = [newRS, ...olds].reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
        const newUnavailable = (newRS.spec.replicas ?? 0) - available(newRS);
        let maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown > 0) {
          for (const rs of olds) {
            const unhealthy = Math.min((rs.spec.replicas ?? 0) - available(rs), maxScaledDown);
            if (unhealthy > 0) {
              scale(rs, (rs.spec.replicas ?? 0) - unhealthy);
              maxScaledDown -= unhealthy;
            }
          }
          const current = ownedBy(d, 'ReplicaSet').filter((rs) => rs.metadata.uid !== newRS.metadata.uid).sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));
          const availableAll = ownedBy(d, 'ReplicaSet').reduce((n, rs) => n + available(rs), 0);
          let canRemove = availableAll - minAvailable;
          for (const rs of current) {
            if (canRemove <= 0) break;
            const n = Math.min(rs.spec.replicas ?? 0, canRemove);
            if (n > 0) {
              scale(rs, (rs.spec.replicas ?? 0) - n);
              canRemove -= n;
            }
          }
        }
      }
      if (newRS && available(newRS) > (state.newAvailable || 0)) {
        state.lastProgress = Date.now();
        progressed = true;
      }
      state.newAvailable = newRS ? available(newRS) : 0;
    }
    const all = ownedBy(d, 'ReplicaSet');
    const fresh = newRS ? all.find((rs) => rs.metadata.uid === newRS.metadata.uid) : undefined;
    const sum = (f) => all.reduce((n, rs) => n + f(rs), 0);
    const statusReplicas = sum((rs) => (rs.status && rs.status.replicas) || 0);
    const updated = fresh ? (fresh.status && fresh.status.replicas) || 0 : 0;
    const ready = sum((rs) => (rs.status && rs.status.readyReplicas) || 0);
    const avail = sum(available);
    const maxUnavailableNow = d.spec.strategy.type === 'RollingUpdate' ? intOrPercent(d.spec.strategy.rollingUpdate.maxUnavailable, replicas, false) : 0;
    const complete = fresh && updated === replicas && statusReplicas === replicas && avail >= replicas && (fresh.spec.replicas ?? 0) === replicas;
    const deadlineMs = (d.spec.progressDeadlineSeconds ?? 600) * 1000 * scenario.deadlineFactor;
    d = find('Deployment', d.metadata.namespace, d.metadata.name) || d;
    controllerWrite(d, (x) => {
      if (fresh && !paused) x.metadata.annotations = { ...(x.metadata.annotations || {}), [REVISION]: String(rsRevision(fresh)) };
      const conditions = clone((x.status && x.status.conditions) || []);
      setCondition(conditions, avail >= replicas - maxUnavailableNow
        ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
        : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, true);
      const rsName = fresh ? fresh.metadata.name : `${d.metadata.name}`;
      if (paused) {
        setCondition(conditions, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, true);
      } else if (complete) {
        setCondition(conditions, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }, true);
        state.timedOut = false;
      } else if (state.timedOut || Date.now() - state.lastProgress > deadlineMs) {
        if (!state.timedOut) recordEvent(d, 'Warning', 'ProgressDeadlineExceeded', `Deployment "${d.metadata.name}" has timed out progressing.`);
        state.timedOut = true;
        setCondition(conditions, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` }, true);
      } else if (state.created) {
        state.created = false;
        setCondition(conditions, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${rsName}"` }, false);
      } else if (progressed) {
        setCondition(conditions, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` }, false);
      }
      x.status = {
        observedGeneration: x.metadata.generation,
        replicas: statusReplicas,
        updatedReplicas: updated,
        readyReplicas: ready,
        availableReplicas: avail,
        unavailableReplicas: Math.max(0, replicas - avail),
        conditions,
      };
      for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) if (!x.status[k]) delete x.status[k];
    });
  }

  // ------------------------------------------------------------ StatefulSet and DaemonSet controllers

  function controllerRevisionFor(owner) {
    const revisions = ownedBy(owner, 'ControllerRevision');
    const template = clone(owner.spec.template);
    const match = revisions.find((cr) => same(templateOfRevision(cr), template));
    const max = revisions.reduce((m, cr) => Math.max(m, cr.revision || 0), 0);
    if (match) {
      if (match.revision < max) return controllerWrite(match, (x) => { x.revision = max + 1; });
      return match;
    }
    const hash = hashOf({ template, n: revisions.length }, 10);
    return controllerCreate('ControllerRevision', {
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
  function templateOfRevision(cr) {
    const t = clone(cr.data && cr.data.spec && cr.data.spec.template);
    if (t) delete t.$patch;
    return t;
  }

  function statefulSetController(sts) {
    const revision = controllerRevisionFor(sts);
    const updateRevision = revision.metadata.name;
    const replicas = sts.spec.replicas ?? 1;
    const strategy = sts.spec.updateStrategy || { type: 'RollingUpdate' };
    const partition = strategy.type === 'RollingUpdate' ? (strategy.rollingUpdate && strategy.rollingUpdate.partition) || 0 : 0;
    const pods = ownedBy(sts, 'Pod');
    const byOrdinal = new Map(pods.map((p) => [Number(p.metadata.name.slice(sts.metadata.name.length + 1)), p]));
    const currentRevision = (sts.status && sts.status.currentRevision) || updateRevision;
    const revisionOfPod = (p) => (p.metadata.labels || {})['controller-revision-hash'];
    const templateFor = (rev) => {
      const cr = ownedBy(sts, 'ControllerRevision').find((c) => c.metadata.name === rev);
      return cr ? templateOfRevision(cr) : sts.spec.template;
    };
    const create = (ordinal, rev) => createPod(sts, templateFor(rev), { name: `${sts.metadata.name}-${ordinal}`, labels: { 'controller-revision-hash': rev, 'statefulset.kubernetes.io/pod-name': `${sts.metadata.name}-${ordinal}` } });
    let busy = false;
    // Create missing pods in order, one at a time (OrderedReady).
    for (let i = 0; i < replicas && !busy; i++) {
      const p = byOrdinal.get(i);
      if (!p) {
        create(i, strategy.type === 'OnDelete' || i >= partition ? updateRevision : currentRevision);
        busy = true;
      } else if (!podReady(p)) busy = true;
    }
    for (const [ordinal, p] of byOrdinal) if (ordinal >= replicas) deletePod(p, sts);
    // Rolling update: from the highest ordinal down to the partition, one pod at a time, only when all are ready.
    if (!busy && strategy.type === 'RollingUpdate') {
      for (let i = replicas - 1; i >= partition; i--) {
        const p = byOrdinal.get(i);
        if (p && revisionOfPod(p) !== updateRevision) {
          deletePod(p, sts);
          create(i, updateRevision);
          break;
        }
      }
    }
    const now = ownedBy(sts, 'Pod');
    const ready = now.filter(podReady).length;
    const updated = now.filter((p) => revisionOfPod(p) === updateRevision).length;
    const current = now.filter((p) => revisionOfPod(p) === currentRevision).length;
    const allUpdated = updated === replicas && ready === replicas;
    controllerWrite(sts, (x) => {
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

  function daemonSetController(ds) {
    const revision = controllerRevisionFor(ds);
    const hash = revision.metadata.labels['controller.kubernetes.io/hash'];
    const nodes = Array.from({ length: scenario.nodes }, (_, i) => `node-${i + 1}`);
    const pods = ownedBy(ds, 'Pod');
    const onNode = new Map(pods.map((p) => [p.spec.nodeName, p]));
    const create = (node) => createPod(ds, ds.spec.template, { nodeName: node, labels: { 'controller-revision-hash': hash, 'pod-template-generation': String(ds.metadata.generation || 1) } });
    for (const node of nodes) if (!onNode.has(node)) create(node);
    const strategy = ds.spec.updateStrategy || { type: 'RollingUpdate' };
    if (strategy.type === 'RollingUpdate') {
      const maxUnavailable = intOrPercent((strategy.rollingUpdate && strategy.rollingUpdate.maxUnavailable) ?? 1, nodes.length, true) || 1;
      const current = ownedBy(ds, 'Pod');
      let unavailable = current.filter((p) => !podReady(p)).length;
      // Old pods that are not ready can be replaced at once; others within maxUnavailable.
      for (const p of current) {
        if ((p.metadata.labels || {})['controller-revision-hash'] === hash) continue;
        if (podReady(p) && unavailable >= maxUnavailable) continue;
        deletePod(p, ds);
        create(p.spec.nodeName);
        if (podReady(p)) unavailable++;
      }
    }
    const now = ownedBy(ds, 'Pod');
    const ready = now.filter(podReady).length;
    const updated = now.filter((p) => (p.metadata.labels || {})['controller-revision-hash'] === hash).length;
    controllerWrite(ds, (x) => {
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

  function tick() {
    if (scenario.controllers === false) return;
    for (const d of list('Deployment')) deploymentController(d);
    replicaSetController();
    for (const s of list('StatefulSet')) statefulSetController(s);
    for (const ds of list('DaemonSet')) daemonSetController(ds);
    kubelet();
  }

  // ------------------------------------------------------------ HTTP

  function status(res, code, reason, message, details) {
    send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
  }
  function send(res, code, body) {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Audit-Id': crypto.randomUUID() });
    res.end(text);
  }

  function discoveryGroups() {
    const groups = new Map();
    for (const r of resources) {
      if (!r.group) continue;
      if (!groups.has(r.group)) groups.set(r.group, new Set());
      groups.get(r.group).add(r.version);
    }
    return [...groups].map(([name, versions]) => {
      const vs = [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
      return { name, versions: vs, preferredVersion: vs[0] };
    });
  }

  function resourceList(group, version) {
    const rs = resources.filter((r) => r.group === group && r.version === version);
    if (!rs.length) return undefined;
    const out = [];
    for (const r of rs) {
      const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
      const categories = ['Pod', 'Service', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'].includes(r.kind) ? { categories: ['all'] } : {};
      out.push({ name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs, ...(r.shortNames.length ? { shortNames: r.shortNames } : {}), ...categories, storageVersionHash: hashOf(r.plural, 11) });
      if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod'].includes(r.kind) || r.kind === 'Namespace') {
        out.push({ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] });
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: out };
  }

  /** A meta.k8s.io/v1 Table, as kubectl asks for it when printing. */
  function toTable(r, items, listRv) {
    const age = (o) => {
      const s = Math.max(0, Math.floor((Date.now() - Date.parse(o.metadata.creationTimestamp)) / 1000));
      return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
    };
    let columns = [['Name', 'string', 'name'], ['Age', 'string', '']];
    let cells = (o) => [o.metadata.name, age(o)];
    const st = (o) => o.status || {};
    if (r.kind === 'Deployment') {
      columns = [['Name', 'string', 'name'], ['Ready', 'string', ''], ['Up-to-date', 'integer', ''], ['Available', 'integer', ''], ['Age', 'string', '']];
      cells = (o) => [o.metadata.name, `${st(o).readyReplicas || 0}/${o.spec.replicas ?? 1}`, st(o).updatedReplicas || 0, st(o).availableReplicas || 0, age(o)];
    } else if (r.kind === 'ReplicaSet') {
      columns = [['Name', 'string', 'name'], ['Desired', 'integer', ''], ['Current', 'integer', ''], ['Ready', 'integer', ''], ['Age', 'string', '']];
      cells = (o) => [o.metadata.name, o.spec.replicas ?? 1, st(o).replicas || 0, st(o).readyReplicas || 0, age(o)];
    } else if (r.kind === 'Pod') {
      columns = [['Name', 'string', 'name'], ['Ready', 'string', ''], ['Status', 'string', ''], ['Restarts', 'integer', ''], ['Age', 'string', '']];
      cells = (o) => {
        const cs = st(o).containerStatuses || [];
        const waiting = cs.map((c) => c.state && c.state.waiting && c.state.waiting.reason).find(Boolean);
        return [o.metadata.name, `${cs.filter((c) => c.ready).length}/${(o.spec.containers || []).length}`, waiting || st(o).phase || 'Pending', cs.reduce((n, c) => n + (c.restartCount || 0), 0), age(o)];
      };
    } else if (r.kind === 'StatefulSet') {
      columns = [['Name', 'string', 'name'], ['Ready', 'string', ''], ['Age', 'string', '']];
      cells = (o) => [o.metadata.name, `${st(o).readyReplicas || 0}/${o.spec.replicas ?? 1}`, age(o)];
    } else if (r.kind === 'DaemonSet') {
      columns = [['Name', 'string', 'name'], ['Desired', 'integer', ''], ['Current', 'integer', ''], ['Ready', 'integer', ''], ['Up-to-date', 'integer', ''], ['Available', 'integer', ''], ['Age', 'string', '']];
      cells = (o) => [o.metadata.name, st(o).desiredNumberScheduled || 0, st(o).currentNumberScheduled || 0, st(o).numberReady || 0, st(o).updatedNumberScheduled || 0, st(o).numberAvailable || 0, age(o)];
    }
    return {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: String(listRv) },
      columnDefinitions: columns.map(([name, type, format]) => ({ name, type, format, description: name, priority: 0 })),
      rows: items.map((o) => ({ cells: cells(o), object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } })),
    };
  }

  /** Splits /api/v1/... or /apis/g/v/... into resource, namespace, name, subresource. */
  function route(pathname) {
    const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    let group;
    let version;
    let rest;
    if (parts[0] === 'api' && parts.length >= 2) { group = ''; version = parts[1]; rest = parts.slice(2); }
    else if (parts[0] === 'apis' && parts.length >= 3) { group = parts[1]; version = parts[2]; rest = parts.slice(3); }
    else return undefined;
    const res = (plural) => resources.find((r) => r.group === group && r.version === version && r.plural === plural);
    if (!rest.length) return { group, version };
    if (rest[0] === 'namespaces' && rest.length >= 3 && res(rest[2]) && res(rest[2]).namespaced) {
      return { group, version, r: res(rest[2]), namespace: rest[1], name: rest[3], sub: rest[4] };
    }
    const r = res(rest[0]);
    if (!r) return { group, version, unknown: rest[0] };
    return { group, version, r, namespace: undefined, name: rest[1], sub: rest[2], allNamespaces: r.namespaced };
  }

  const outgoing = (obj) => clone(obj);

  function readBody(req) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  function parseBody(text, contentType) {
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch (e) {
      if (/yaml/.test(contentType || '')) {
        try {
          return parseYaml(text);
        } catch (y) {
          throw new ApiError(400, 'BadRequest', `error decoding YAML: ${y.message}`);
        }
      }
      throw new ApiError(400, 'BadRequest', `couldn't get version/kind; json parse error: ${e.message}`);
    }
  }

  function managerFrom(query, req, fallback) {
    if (query.fieldManager) return query.fieldManager;
    const ua = String(req.headers['user-agent'] || '');
    const m = /^([^/ ]+)/.exec(ua);
    return m ? m[1] : fallback;
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://localhost');
    const query = Object.fromEntries(url.searchParams);
    const record = { time: Date.now(), method: req.method, path: url.pathname, query, contentType: req.headers['content-type'], accept: req.headers.accept, userAgent: req.headers['user-agent'], user: undefined, body: undefined, status: undefined };
    requests.push(record);
    const reply = res.writeHead.bind(res);
    res.writeHead = (code, ...args) => { record.status = code; return reply(code, ...args); };
    const auth = req.headers.authorization;
    // kubectl (client-go) sends credentials only over TLS: without a token a request is anonymous, allowed only when asked for.
    record.user = auth === `Bearer ${token}` ? 'token' : auth === undefined ? 'anonymous' : 'invalid';
    if (record.user === 'invalid' || (record.user === 'anonymous' && !allowAnonymous)) return status(res, 401, 'Unauthorized', 'Unauthorized');
    const bodyText = await readBody(req);
    record.body = bodyText || undefined;
    try {
      const p = url.pathname.replace(/\/+$/, '') || '/';
      if (req.method === 'GET' && p === '/version') {
        return send(res, 200, { major: '1', minor: '30', gitVersion: 'v1.30.0-shipfleet-stand-in', gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2024-01-01T00:00:00Z', goVersion: 'go1.22.0', compiler: 'gc', platform: 'linux/amd64' });
      }
      if (req.method === 'GET' && p === '/api') {
        return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `${host}:${server.address().port}` }] });
      }
      if (req.method === 'GET' && p === '/apis') return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: discoveryGroups() });
      if (req.method === 'GET' && /^\/apis\/[^/]+$/.test(p)) {
        const g = discoveryGroups().find((x) => x.name === p.split('/')[2]);
        return g ? send(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...g }) : status(res, 404, 'NotFound', 'the server could not find the requested resource');
      }
      if (p === '/healthz' || p === '/readyz' || p === '/livez') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return res.end('ok');
      }
      const rt = route(p);
      if (!rt) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
      if (!rt.r) {
        if (req.method === 'GET' && !rt.unknown) {
          const rl = resourceList(rt.group, rt.version);
          return rl ? send(res, 200, rl) : status(res, 404, 'NotFound', 'the server could not find the requested resource');
        }
        return status(res, 404, 'NotFound', 'the server could not find the requested resource');
      }
      const { r } = rt;
      const namespace = r.namespaced ? rt.namespace : undefined;
      const dryRun = query.dryRun === 'All';
      if (query.dryRun !== undefined && query.dryRun !== 'All') return status(res, 400, 'BadRequest', `dryRun: Unsupported value: "${query.dryRun}": supported values: "All"`);
      const wantsTable = /as=Table/.test(String(req.headers.accept || ''));

      if (req.method === 'GET' && !rt.name) {
        const labelTest = parseSelector(query.labelSelector);
        const fieldTest = parseFieldSelector(query.fieldSelector);
        const matches = (o) => (!namespace || o.metadata.namespace === namespace) && labelTest(o.metadata.labels) && fieldTest(o);
        if (query.watch === 'true' || query.watch === '1') return watch(req, res, r, matches, query);
        const prefix = `${r.group}/${r.plural}/`;
        const items = [...objects].filter(([k, o]) => k.startsWith(prefix) && matches(o)).map(([, o]) => o)
          .sort((a, b) => String(a.metadata.namespace || '').localeCompare(String(b.metadata.namespace || '')) || a.metadata.name.localeCompare(b.metadata.name));
        if (wantsTable) return send(res, 200, toTable(r, items, rv));
        return send(res, 200, {
          kind: `${r.kind}List`,
          apiVersion: gv(r),
          metadata: { resourceVersion: String(rv) },
          items: items.map((o) => { const c = outgoing(o); delete c.apiVersion; delete c.kind; return c; }),
        });
      }
      const key = keyOf(r, namespace, rt.name);
      if (req.method === 'GET') {
        const obj = objects.get(key);
        if (!obj) throw notFound(r, rt.name);
        return send(res, 200, wantsTable ? toTable(r, [obj], obj.metadata.resourceVersion) : outgoing(obj));
      }
      if (req.method === 'PATCH') {
        if (!rt.name) return status(res, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
        const ct = String(req.headers['content-type'] || '').split(';')[0].trim();
        const body = parseBody(bodyText, ct);
        if (ct.startsWith('application/apply-patch')) {
          if (rt.sub) return status(res, 400, 'BadRequest', 'apply to subresources is not supported by this stand-in');
          const out = serverSideApply(r, namespace, rt.name, body, { manager: query.fieldManager, force: query.force === 'true', dryRun });
          return send(res, out.created ? 201 : 200, outgoing(out.object));
        }
        const live = objects.get(key);
        if (!live) throw notFound(r, rt.name);
        let next;
        if (ct === 'application/json-patch+json') {
          if (!Array.isArray(body)) throw new ApiError(400, 'BadRequest', 'a JSON patch must be a list of operations');
          try {
            next = jsonPatch(live, body);
          } catch (e) {
            throw new ApiError(e.code || 422, 'Invalid', e.message);
          }
        } else if (ct === 'application/merge-patch+json' || ct === 'application/strategic-merge-patch+json') {
          next = mergePatch(live, body);
        } else {
          return status(res, 415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
        }
        if (query.force !== undefined) return status(res, 400, 'BadRequest', 'force: Invalid value: true: may not be specified for non-apply patch');
        delete next.metadata.managedFields;
        const out = update(r, namespace, rt.name, next, { manager: managerFrom(query, req, 'unknown'), dryRun, subresource: rt.sub });
        return send(res, 200, outgoing(out.object));
      }
      if (req.method === 'POST' && !rt.name) {
        const body = parseBody(bodyText, req.headers['content-type']);
        if (!isObj(body) || !isObj(body.metadata) || !body.metadata.name) {
          if (isObj(body) && isObj(body.metadata) && body.metadata.generateName) body.metadata.name = `${body.metadata.generateName}${randomSuffix()}`;
          else throw new ApiError(422, 'Invalid', `${r.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
        }
        const ns = r.namespaced ? namespace || body.metadata.namespace || 'default' : undefined;
        const out = update(r, ns, body.metadata.name, body, { manager: managerFrom(query, req, 'unknown'), dryRun, create: true });
        return send(res, 201, outgoing(out.object));
      }
      if (req.method === 'PUT' && rt.name) {
        const body = parseBody(bodyText, req.headers['content-type']);
        const live = objects.get(key);
        if (live && body.metadata && body.metadata.resourceVersion && body.metadata.resourceVersion !== live.metadata.resourceVersion) {
          throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${r.plural}${r.group ? `.${r.group}` : ''} "${rt.name}": the object has been modified; please apply your changes to the latest version and try again`);
        }
        delete body.metadata.managedFields;
        const out = update(r, namespace, rt.name, body, { manager: managerFrom(query, req, 'unknown'), dryRun, create: !live, subresource: rt.sub });
        return send(res, live ? 200 : 201, outgoing(out.object));
      }
      if (req.method === 'DELETE' && rt.name) {
        const live = objects.get(key);
        if (!live) throw notFound(r, rt.name);
        if (!dryRun) remove(r, live);
        return send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: rt.name, group: r.group, kind: r.plural, uid: live.metadata.uid } });
      }
      return status(res, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    } catch (e) {
      if (e instanceof ApiError) return status(res, e.code, e.reason, e.message, e.details);
      return status(res, 500, 'InternalError', `Internal error occurred: ${e.message}`);
    }
  }

  function watch(req, res, r, matches, query) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    // Clients wait for the headers before they read events: send them now, not with the first event.
    res.flushHeaders();
    const w = {
      group: r.group,
      plural: r.plural,
      matches,
      send(type, obj) {
        if (!res.writableEnded) res.write(`${JSON.stringify({ type, object: outgoing(obj) })}\n`);
      },
    };
    const since = Number(query.resourceVersion || 0);
    if (since > 0) {
      for (const e of history) if (e.rv > since && e.group === r.group && e.plural === r.plural && matches(e.object)) w.send(e.type, e.object);
    } else {
      const prefix = `${r.group}/${r.plural}/`;
      for (const [k, o] of objects) if (k.startsWith(prefix) && matches(o)) w.send('ADDED', o);
    }
    watchers.add(w);
    const end = () => {
      watchers.delete(w);
      if (!res.writableEnded) res.end();
    };
    const timeout = Number(query.timeoutSeconds || 0);
    const timer = timeout > 0 ? setTimeout(end, timeout * 1000) : undefined;
    if (timer) timer.unref();
    req.on('close', () => { if (timer) clearTimeout(timer); watchers.delete(w); });
    w.end = end;
  }

  // ------------------------------------------------------------ seed, lifecycle

  for (const ns of ['default', 'kube-system', 'kube-public']) controllerCreate('Namespace', { metadata: { name: ns }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  for (let i = 1; i <= scenario.nodes; i++) {
    controllerCreate('Node', { metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, 'kubernetes.io/os': 'linux' } }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] } });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) status(res, 500, 'InternalError', e.message);
    });
  });
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  let timer;
  let tmpDir;

  function kubeconfigText({ context = 'stand-in', namespace, user = 'stand-in-user', server: url } = {}) {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: stand-in',
      '  cluster:',
      `    server: ${url}`,
      // Plain HTTP: client libraries refuse http:// servers unless TLS verification is explicitly off.
      '    insecure-skip-tls-verify: true',
      'contexts:',
      `- name: ${context}`,
      '  context:',
      '    cluster: stand-in',
      `    user: ${user}`,
      ...(namespace ? [`    namespace: ${namespace}`] : []),
      `current-context: ${context}`,
      'users:',
      `- name: ${user}`,
      '  user:',
      `    token: ${token}`,
      '',
    ].join('\n');
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const url = `http://${host}:${server.address().port}`;
      tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-stand-in-'));
      const kubeconfigPath = path.join(tmpDir, 'kubeconfig');
      fs.writeFileSync(kubeconfigPath, kubeconfigText({ server: url }), { mode: 0o600 });
      timer = setInterval(() => {
        try {
          tick();
        } catch (e) {
          process.stderr.write(`k8s stand-in controller error: ${e.stack}\n`);
        }
      }, scenario.tickMs);
      timer.unref();
      resolve({
        url,
        token,
        kubeconfigPath,
        /** Writes a kubeconfig for this server to `file` (context name and namespace optional); returns the path. */
        writeKubeconfig(file, opts = {}) {
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, kubeconfigText({ ...opts, server: url }), { mode: 0o600 });
          return file;
        },
        objects,
        requests,
        scenario,
        get: (kind, namespace, name) => clone(find(kind, namespace, name)),
        list: (kind, namespace) => list(kind, namespace).map(clone),
        /** Stores an object as if `manager` had applied it (server-side apply, force). */
        seed(obj, manager = 'seed') {
          const r = resourceByKind(obj.kind, obj.apiVersion);
          if (!r) throw new Error(`unknown kind ${obj.kind}`);
          return clone(serverSideApply(r, r.namespaced ? obj.metadata.namespace || 'default' : undefined, obj.metadata.name, obj, { manager, force: true, dryRun: false }).object);
        },
        /** Stores an object exactly as given (generation, status and all), as a recorded state to read back. */
        setObject(obj) {
          const r = resourceByKind(obj.kind, obj.apiVersion);
          if (!r) throw new Error(`unknown kind ${obj.kind}`);
          const copy = clone(obj);
          copy.apiVersion = gv(r);
          copy.metadata.uid = copy.metadata.uid || crypto.randomUUID();
          copy.metadata.creationTimestamp = copy.metadata.creationTimestamp || nowIso();
          if (r.namespaced) copy.metadata.namespace = copy.metadata.namespace || 'default';
          return clone(store(r, copy, objects.has(keyOf(r, copy.metadata.namespace, copy.metadata.name)) ? 'MODIFIED' : 'ADDED'));
        },
        /** Changes the scenario (images → behaviour, timings) for what happens from now on. */
        setScenario(next) {
          const images = { ...scenario.images, ...((next && next.images) || {}) };
          Object.assign(scenario, next || {});
          scenario.images = images;
        },
        tick,
        close() {
          clearInterval(timer);
          for (const w of watchers) w.end && w.end();
          watchers.clear();
          for (const s of sockets) s.destroy();
          if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}

module.exports = { startK8sApi, DEFAULT_TOKEN, parseYaml };

if (require.main === module) {
  const args = process.argv.slice(2);
  const arg = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const scenario = {};
  if (arg('deadline-factor')) scenario.deadlineFactor = Number(arg('deadline-factor'));
  if (arg('ready-after-ms')) scenario.readyAfterMs = Number(arg('ready-after-ms'));
  startK8sApi({ port: Number(arg('port', 0)), host: arg('host', '127.0.0.1'), token: arg('token', process.env.K8S_STAND_IN_TOKEN || DEFAULT_TOKEN), allowAnonymous: args.includes('--allow-anonymous'), scenario })
    .then((api) => {
      const kubeconfig = arg('kubeconfig') ? api.writeKubeconfig(path.resolve(arg('kubeconfig'))) : api.kubeconfigPath;
      process.stdout.write(`${api.url}\nkubeconfig: ${kubeconfig}\n`);
      const stop = () => api.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      setInterval(() => undefined, 1 << 30);
    })
    .catch((e) => {
      process.stderr.write(`${e.stack}\n`);
      process.exit(1);
    });
}
