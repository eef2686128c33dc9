import { Tree } from '@nx/devkit';
import { addOrKeepProject, checkDirectory, checkName, checkVersion, finish, GeneratorOptionError, writeFiles } from '../../utils/generator-utils';

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
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(image)) throw new GeneratorOptionError('image', `"${image}" is not an image repository`, 'Give the repository without tag, e.g. ghcr.io/acme/api');
  const port = o.port ?? 8080;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new GeneratorOptionError('port', `${port} is not a TCP port`, 'Use 1–65535');
  const replicas = o.replicas ?? 2;
  if (!Number.isInteger(replicas) || replicas < 0) throw new GeneratorOptionError('replicas', `${replicas} is not a replica count`, 'Use a whole number ≥ 0');
  const namespace = o.namespace ?? 'default';
  if (!DNS_LABEL.test(namespace)) throw new GeneratorOptionError('namespace', `"${namespace}" is not a DNS-1123 label`, 'Use lowercase letters, digits and -');
  addOrKeepProject(tree, name, {
    root,
    projectType: 'application',
    sourceRoot: `${root}/src`,
    targets: { 'k8s-deploy': { options: { namespace, images: { [image]: version } } } },
    tags: ['platform:k8s'],
  });
  const labels = `app.kubernetes.io/name: ${name}`;
  writeFiles(tree, root, {
    'package.json': JSON.stringify({ name, version, private: true }, null, 2) + '\n',
    'src/server.js': `const http = require('http');\nhttp.createServer((req, res) => res.end(req.url === '/healthz' ? 'ok' : '${name}')).listen(${port});\n`,
    Dockerfile: `FROM node:20-alpine\nWORKDIR /app\nCOPY src/ ./\nEXPOSE ${port}\nUSER node\nCMD ["node", "server.js"]\n`,
    'k8s/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${namespace}\nresources:\n  - deployment.yaml\n  - service.yaml\n`,
    'k8s/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    ${labels}
spec:
  replicas: ${replicas}
  progressDeadlineSeconds: 300
  selector:
    matchLabels:
      ${labels}
  template:
    metadata:
      labels:
        ${labels}
    spec:
      containers:
        - name: ${name}
          image: ${image}:${version}
          ports:
            - containerPort: ${port}
          readinessProbe:
            httpGet:
              path: /healthz
              port: ${port}
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
`,
    'k8s/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  labels:
    ${labels}
spec:
  selector:
    ${labels}
  ports:
    - port: 80
      targetPort: ${port}
`,
  });
  await finish(tree, o.skipFormat);
}

export default k8sServiceGenerator;
