import https from 'https';
import { rootCertificates } from 'tls';

/** PEM certificates of CAs to trust: one, several in one text, or a list. */
export type TlsCa = string | Buffer | Array<string | Buffer>;

/**
 * A keep-alive agent that trusts `ca` besides Node's bundled root CAs (as Docker adds a
 * registry's certs.d CA to the system pool): a redirect to public storage still verifies.
 * Throws when `ca` holds no PEM certificate.
 */
export function caAgent(ca: TlsCa): https.Agent {
  const given = Array.isArray(ca) ? ca : [ca];
  if (!given.some((c) => /-----BEGIN CERTIFICATE-----/.test(c.toString('utf8')))) throw new Error('the ca option holds no PEM certificate');
  return new https.Agent({ ca: [...rootCertificates, ...given], keepAlive: true });
}
