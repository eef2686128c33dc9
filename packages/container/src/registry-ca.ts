// Which CA certificate a registry's TLS certificate is checked against, besides the public ones:
// the caFile option for the image's registry host, else Docker's own place for it,
// /etc/docker/certs.d/<host[:port]>/ca.crt (https://docs.docker.com/engine/security/certificates/).
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { UserError } from '@shipfleet/core';
import { registryHostname } from './reference';

export interface RegistryCa {
  /** Where it was read from. */
  file: string;
  pem: string;
}

export const DOCKER_CERTS_DIR = '/etc/docker/certs.d';

/** A PEM file with at least one certificate; a UserError naming caFile otherwise. */
export function readCaFile(file: string, why: string): RegistryCa {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError('caFile', `cannot read ${file} (${why}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'Make it readable, or point caFile at a readable copy');
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) throw new UserError('caFile', `${file} (${why}) holds no PEM certificate`, 'Give the CA certificate in PEM form (a file starting with -----BEGIN CERTIFICATE-----)');
  return { file, pem };
}

/**
 * The CA for `registry`: `caFile` when the registry is on the image registry's host (any port,
 * as a base image beside it), else `<certsDir>/<host[:port]>/ca.crt` when it exists (Docker
 * Hub excepted, as Docker does).
 */
export function registryCa(registry: string, o: { caFile?: RegistryCa; imageRegistry: string; certsDir?: string }): RegistryCa | undefined {
  if (o.caFile && registryHostname(registry) === registryHostname(o.imageRegistry)) return o.caFile;
  if (registry === 'docker.io') return undefined;
  const file = join(o.certsDir ?? DOCKER_CERTS_DIR, registry, 'ca.crt');
  return existsSync(file) ? readCaFile(file, `Docker's CA file for ${registry}`) : undefined;
}
