import { Tree } from '@nx/devkit';
import { join } from 'path';
import { UserError } from '@shipfleet/core';
import { addOrKeepProject, checkDirectory, checkName, checkVersion, finish, writeTemplates } from '../../utils/generator-utils';

export interface K8sServiceSchema {
  name: string;
  directory?: string;
  /** Image repository, without tag; default registry.example.com/<name>. */
  image?: string;
  port?: number;
  replicas?: number;
  namespace?: string;
  appVersion?: string;
  skipFormat?: boolean;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A containerised service deployed to Kubernetes: k8s/ manifests with a kustomization, a Dockerfile, a tiny server. */
export async function k8sServiceGenerator(tree: Tree, o: K8sServiceSchema) {
  const name = checkName(o.name);
  const root = checkDirectory(o.directory, name, 'services');
  const version = checkVersion(o.appVersion, 'appVersion');
  const image = o.image ?? `registry.example.com/${name}`;
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(image)) throw new UserError('image', `"${image}" is not an image repository`, 'Give the repository without tag, e.g. ghcr.io/acme/api');
  const port = o.port ?? 8080;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UserError('port', `${port} is not a TCP port`, 'Use 1–65535');
  const replicas = o.replicas ?? 2;
  if (!Number.isInteger(replicas) || replicas < 0) throw new UserError('replicas', `${replicas} is not a replica count`, 'Use a whole number ≥ 0');
  const namespace = o.namespace ?? 'default';
  if (!DNS_LABEL.test(namespace)) throw new UserError('namespace', `"${namespace}" is not a DNS-1123 label`, 'Use lowercase letters, digits and -');
  addOrKeepProject(tree, name, {
    root,
    projectType: 'application',
    sourceRoot: `${root}/src`,
    // container-image pushes the image; k8s-deploy then runs it by digest (the manifests name image:version until then).
    targets: { 'container-image': { options: { image } }, 'k8s-deploy': { options: { namespace } } },
    tags: ['platform:k8s'],
  });
  writeTemplates(tree, join(__dirname, 'files'), root, { name, version, image, port, replicas, namespace });
  await finish(tree, o.skipFormat);
}

export default k8sServiceGenerator;
