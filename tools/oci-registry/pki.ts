// A throw-away PKI for the test registry, made with openssl: a CA, a server certificate for
// 127.0.0.1/localhost signed by it, and a self-signed key pair the token server signs JWTs with.
import { spawnSync } from 'child_process';
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

export interface TestPki {
  dir: string;
  /** PEM of the CA that signed the server certificate. */
  caPem: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** The token server's signing key (RSA, PEM) and its self-signed certificate (the registry's rootcertbundle). */
  tokenKeyFile: string;
  tokenCertFile: string;
  /** A folder holding only ca.crt: skopeo's --cert-dir. */
  certDir: string;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`openssl ${args[0]} failed (${r.status}): ${r.stderr || r.error}`);
}

export function makeTestPki(dir: string): TestPki {
  const days = '2';
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', days, '-subj', '/CN=shipfleet test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', days, '-extfile', 'server.ext'], dir);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'token.key', '-out', 'token.crt', '-days', days, '-subj', '/CN=shipfleet test token issuer'], dir);
  const certDir = join(dir, 'certs.d');
  require('fs').mkdirSync(certDir, { recursive: true });
  writeFileSync(join(certDir, 'ca.crt'), readFileSync(join(dir, 'ca.crt')));
  return {
    dir,
    caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    caFile: join(dir, 'ca.crt'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    tokenKeyFile: join(dir, 'token.key'),
    tokenCertFile: join(dir, 'token.crt'),
    certDir,
  };
}
