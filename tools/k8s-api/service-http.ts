// What an Ingress in front of the stand-in's Services would answer: the stand-in stores Services but
// forwards no traffic, so this HTTP server answers for a Service as the ready pods it selects would,
// by their images (as the kubelet's pods behave by image).
//
//   const front = await startServiceHttp(api, { unhealthy: ['registry:5000/api:2.0.0'] });
//   GET `${front.url}/default/api-preview/healthz` → 200 "ok registry:5000/api:1.0.0" from the pods service api-preview selects
//   await front.close();
import { createServer } from 'http';
import { AddressInfo } from 'net';
import { podReady } from './kubelet';
import { selectorMatches } from './selectors';
import type { K8sApi } from './server';

export interface ServiceHttp {
  url: string;
  /** Every request: the Service asked for and the status answered. */
  requests: Array<{ namespace: string; service: string; path: string; status: number }>;
  close(): Promise<void>;
}

export interface ServiceHttpOptions {
  /** Images (or names without a tag) whose pods are ready but answer 500; an image tagged `unhealthy` always does. */
  unhealthy?: string[];
}

/**
 * `GET /{namespace}/{service}/{path…}`: 404 when the Service does not exist,
 * 503 when it selects no ready pod, 500 when one of the ready pods it
 * selects runs an unhealthy image, else 200 with "ok" and the images.
 */
export function startServiceHttp(api: K8sApi, options: ServiceHttpOptions = {}): Promise<ServiceHttp> {
  const unhealthy = new Set(options.unhealthy ?? []);
  const isUnhealthy = (image: string) => unhealthy.has(image) || unhealthy.has(image.replace(/@.*$/, '').replace(/:[^/:]*$/, '')) || /:unhealthy(@|$)/.test(image);
  const requests: ServiceHttp['requests'] = [];
  const server = createServer((req, res) => {
    const [namespace = '', service = '', ...rest] = (req.url ?? '/').split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
    const answer = (status: number, body: string) => {
      requests.push({ namespace, service, path: `/${rest.join('/')}`, status });
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(body);
    };
    const svc = api.get('Service', namespace, service);
    if (!svc) return answer(404, `service ${namespace}/${service} not found`);
    const selector = (svc.spec && svc.spec.selector) || {};
    const pods = Object.keys(selector).length ? api.list('Pod', namespace).filter((p) => selectorMatches({ matchLabels: selector }, p.metadata.labels) && podReady(p)) : [];
    if (!pods.length) return answer(503, `no endpoints available for service "${service}"`);
    const images = [...new Set(pods.flatMap((p) => ((p.spec && p.spec.containers) || []).map((c: { image: string }) => String(c.image))))].sort();
    const bad = images.filter(isUnhealthy);
    if (bad.length) return answer(500, `unhealthy: ${bad.join(', ')}`);
    return answer(200, `ok ${images.join(', ')}`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}
