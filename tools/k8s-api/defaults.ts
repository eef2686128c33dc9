// The defaults the API server fills in on write.
import { randomInt } from 'crypto';
import { isObj } from './values';
import { Json, K8sObjectJson } from './types';

function defaultPodSpec(spec: Json): void {
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
        const tagged = /:[\w][\w.-]*$/.test(image.split('/').pop()!) || image.includes('@');
        c.imagePullPolicy = !tagged || /:latest$/.test(image) ? 'Always' : 'IfNotPresent';
      }
      if (!c.resources) c.resources = {};
      for (const p of c.ports || []) if (!p.protocol) p.protocol = 'TCP';
    }
  }
}

/** Fills in the defaults of `obj.spec` by kind (workloads, pod templates, Services, Namespaces). */
export function applyDefaults(obj: K8sObjectJson): void {
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
      if (!spec.clusterIP && spec.type !== 'ExternalName') spec.clusterIP = `10.96.${randomInt(0, 255)}.${randomInt(1, 254)}`;
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
