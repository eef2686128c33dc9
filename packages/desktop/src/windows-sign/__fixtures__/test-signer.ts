// A throw-away code-signing PKI made with openssl: a CA, and a leaf with extendedKeyUsage codeSigning packed with its key into a .p12.
import { copyFileSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { runCaptured } from '@shipfleet/core';

export interface TestSigner {
  caPem: string;
  p12: string;
  p12Base64: string;
  password: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const r = await runCaptured('openssl', args, { cwd: dir });
  if (r.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

export async function makeTestSigner(dir: string, password: string, name = 'test'): Promise<TestSigner> {
  const f = (s: string) => join(dir, `${name}-${s}`);
  await openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', `/CN=shipfleet ${name} CA`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', `/CN=shipfleet ${name} signer`]);
  writeFileSync(f('leaf.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n');
  await openssl(dir, ['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('leaf.pem'), '-days', '2', '-extfile', f('leaf.ext')]);
  // The password reaches openssl through its environment (env:NAME), not argv.
  const r = await runCaptured('openssl', ['pkcs12', '-export', '-inkey', f('leaf.key'), '-in', f('leaf.pem'), '-certfile', f('ca.pem'), '-out', f('signer.p12'), '-passout', 'env:TEST_P12_PASSWORD'], { cwd: dir, env: { TEST_P12_PASSWORD: password } });
  if (r.exitCode !== 0) throw new Error(`openssl pkcs12 failed: ${r.stderr}`);
  return { caPem: f('ca.pem'), p12: f('signer.p12'), p12Base64: readFileSync(f('signer.p12')).toString('base64'), password };
}

/** A real Windows PE (7-Zip's 7za.exe from the 7zip-bin package), copied to `to`. */
export function copyTestExe(to: string): string {
  copyFileSync(require.resolve('7zip-bin/win/x64/7za.exe'), to);
  return to;
}
