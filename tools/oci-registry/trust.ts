// Makes this process trust the test CA for every HTTPS request (fetch and node:https), at run time:
// NODE_EXTRA_CA_CERTS is read only when a process starts, and core's HTTP client takes no `ca`
// option. For tests and benchmarks only.
import https from 'https';
import { rootCertificates } from 'tls';
import { runInThisContext } from 'vm';

const DISPATCHER = Symbol.for('undici.globalDispatcher.1');

export async function trustCaInThisProcess(caPem: string): Promise<void> {
  const ca = [...rootCertificates, caPem];
  // Node's fetch has no public Agent class on Node 20: take the constructor of its default dispatcher.
  // Node's own global, where fetch keeps its dispatcher (a jest test runs in a context of its own).
  const g = runInThisContext('globalThis') as Record<symbol, { constructor: new (o: unknown) => unknown } | undefined>;
  if (!g[DISPATCHER]) await fetch('data:,').catch(() => undefined);
  let current = g[DISPATCHER];
  if (!current) {
    await fetch('http://127.0.0.1:1/').catch(() => undefined);
    current = g[DISPATCHER];
  }
  if (!current) throw new Error('cannot find the fetch dispatcher of this Node version');
  g[DISPATCHER] = new current.constructor({ connect: { ca } }) as never;
  https.globalAgent.options.ca = ca;
}
