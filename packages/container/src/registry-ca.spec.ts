// The caFile option and Docker's certs.d default, read when the options are resolved.
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { thrownUserError } from '@shipfleet/core';
import { resolveContainerOptions } from './options';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n';
const OTHER_PEM = '-----BEGIN CERTIFICATE-----\nMIIBother\n-----END CERTIFICATE-----\n';

describe('caFile', () => {
  const ws = mkdtempSync(join(tmpdir(), 'shipfleet-ca-ws-'));
  mkdirSync(join(ws, 'apps/api'), { recursive: true });
  writeFileSync(join(ws, 'apps/api/index.js'), '');
  mkdirSync(join(ws, 'certs'));
  writeFileSync(join(ws, 'certs/registry-ca.pem'), PEM);
  writeFileSync(join(ws, 'certs/not-a-cert.pem'), 'hello');
  const certsDir = mkdtempSync(join(tmpdir(), 'shipfleet-certs.d-'));
  mkdirSync(join(certsDir, 'base.internal:5000'));
  writeFileSync(join(certsDir, 'base.internal:5000', 'ca.crt'), OTHER_PEM);
  mkdirSync(join(certsDir, 'registry.internal'));
  writeFileSync(join(certsDir, 'registry.internal', 'ca.crt'), OTHER_PEM);
  const ctx = { workspaceRoot: ws, projectRoot: join(ws, 'apps/api'), dockerCertsDir: certsDir };
  const resolve = (o: Record<string, unknown>, c: Record<string, unknown> = {}) => resolveContainerOptions({ image: 'registry.internal:5000/acme/api', appDir: 'apps/api', engine: 'daemonless', ...o }, { ...ctx, ...c }, {}).options;

  it('is read relative to the workspace root, for the image registry\'s host (a base beside it included)', () => {
    const o = resolve({ caFile: 'certs/registry-ca.pem', baseImage: 'registry.internal:6000/base/node:20' });
    expect(o.registryCas).toEqual({
      'registry.internal:5000': { file: join(ws, 'certs/registry-ca.pem'), pem: PEM },
      'registry.internal:6000': { file: join(ws, 'certs/registry-ca.pem'), pem: PEM },
    });
  });

  it('defaults to Docker\'s certs.d/<host[:port]>/ca.crt of each registry, when there (Docker Hub excepted)', () => {
    expect(resolve({}).registryCas).toEqual({});
    expect(resolve({ baseImage: 'base.internal:5000/node:20' }).registryCas).toEqual({ 'base.internal:5000': { file: join(certsDir, 'base.internal:5000', 'ca.crt'), pem: OTHER_PEM } });
    expect(resolve({ image: 'registry.internal/acme/api' }).registryCas).toEqual({ 'registry.internal': { file: join(certsDir, 'registry.internal', 'ca.crt'), pem: OTHER_PEM } });
    // caFile covers the image's host; another registry keeps its certs.d file.
    const both = resolve({ caFile: 'certs/registry-ca.pem', baseImage: 'base.internal:5000/node:20' }).registryCas;
    expect([both['registry.internal:5000'].pem, both['base.internal:5000'].pem]).toEqual([PEM, OTHER_PEM]);
    mkdirSync(join(certsDir, 'docker.io'));
    writeFileSync(join(certsDir, 'docker.io', 'ca.crt'), OTHER_PEM);
    expect(resolve({ image: 'docker.io/acme/api' }).registryCas).toEqual({});
  });

  it('a missing file, one without a certificate, or a Dockerfile build: a UserError naming caFile', () => {
    const missing = thrownUserError(() => resolve({ caFile: 'certs/nope.pem' }));
    expect(missing.option).toBe('caFile');
    expect(missing.message).toContain(join(ws, 'certs/nope.pem'));
    const notPem = thrownUserError(() => resolve({ caFile: 'certs/not-a-cert.pem' }));
    expect([notPem.option, notPem.problem]).toEqual(['caFile', `${join(ws, 'certs/not-a-cert.pem')} (caFile) holds no PEM certificate`]);
    writeFileSync(join(certsDir, 'base.internal:5000', 'ca.crt'), 'garbage');
    expect(thrownUserError(() => resolve({ baseImage: 'base.internal:5000/node:20' })).problem).toMatch(/ca\.crt \(Docker's CA file for base\.internal:5000\) holds no PEM certificate/);
    writeFileSync(join(ws, 'apps/api/Dockerfile'), 'FROM scratch\n');
    const dockerfile = thrownUserError(() => resolveContainerOptions({ image: 'registry.internal:5000/acme/api', engine: 'docker', context: 'apps/api', caFile: 'certs/registry-ca.pem' }, ctx, {}));
    expect(dockerfile.option).toBe('caFile');
    expect(dockerfile.fix).toMatch(/\/etc\/docker\/certs\.d\/<host\[:port\]>\/ca\.crt/);
  });
});
