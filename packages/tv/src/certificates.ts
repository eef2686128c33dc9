import { X509Certificate } from 'crypto';
import forge from 'node-forge';

export interface SigningIdentity {
  /** PEM private key (RSA). Secret: never printed. */
  keyPem: string;
  /** DER certificates, leaf first, self-signed root left out. */
  chain: Buffer[];
  /** Subject common name of the leaf, for messages. */
  subject: string;
}

/** A signing identity and what its chain lacks; the caller decides what to refuse. */
export interface LoadedIdentity extends SigningIdentity {
  /**
   * The leaf's issuer (its distinguished name) when the leaf is not
   * self-signed and its issuer is neither in the .p12 nor among the CA
   * certificates given: a verifier cannot link the leaf to any root.
   */
  missingIssuer?: string;
  /** Subjects of given CA certificates that issue nothing in the chain. */
  unusedCa: string[];
}

function derOf(cert: forge.pki.Certificate): Buffer {
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

/** A distinguished name on one line, as openssl prints it: "O = Tizen Association, CN = Tizen Developers CA". */
export function oneLineName(name: string): string {
  return name.split('\n').filter(Boolean).map((part) => part.replace('=', ' = ')).join(', ');
}

/** Whether `issuer` signed `cert`: names match and the signature verifies with the issuer's key. */
function issued(issuer: X509Certificate, cert: X509Certificate): boolean {
  if (issuer.subject !== cert.issuer) return false;
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

const isSelfSigned = (cert: X509Certificate) => issued(cert, cert);

/**
 * Certificates from a .cer/.crt/.pem file: one or more PEM blocks, or one DER
 * certificate. Throws a plain Error when there is none.
 */
export function parseCertificates(bytes: Buffer): Buffer[] {
  const text = bytes.toString('latin1');
  const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1].replace(/\s/g, ''), 'base64'));
  const ders = blocks.length ? blocks : [bytes];
  for (const der of ders) {
    try {
      new X509Certificate(der);
    } catch {
      throw new Error(blocks.length ? 'holds a PEM block that is not an X.509 certificate' : 'is not an X.509 certificate (PEM or DER)');
    }
  }
  return ders;
}

/**
 * Orders certificates from the leaf up through their issuers, each link
 * checked by signature. Self-signed certificates after the leaf are left out,
 * as Tizen's signers do: the verifier holds the root.
 */
export function buildChain(leafDer: Buffer, p12Certs: Buffer[], caCerts: Buffer[]): { chain: Buffer[]; missingIssuer?: string; unusedCa: string[] } {
  const leaf = new X509Certificate(leafDer);
  const pool = [...p12Certs, ...caCerts].map((der) => ({ der, cert: new X509Certificate(der) })).filter((c) => !c.cert.raw.equals(leaf.raw));
  const chain = [{ der: leafDer, cert: leaf }];
  for (let cur = leaf; !isSelfSigned(cur); ) {
    const next = pool.find((c) => !chain.some((k) => k.cert.raw.equals(c.cert.raw)) && issued(c.cert, cur));
    if (!next) break;
    chain.push(next);
    cur = next.cert;
  }
  const used = (der: Buffer) => chain.some((c) => c.cert.raw.equals(new X509Certificate(der).raw));
  return {
    chain: chain.filter((c, i) => i === 0 || !isSelfSigned(c.cert)).map((c) => c.der),
    missingIssuer: chain.length === 1 && !isSelfSigned(leaf) ? oneLineName(leaf.issuer) : undefined,
    unusedCa: caCerts.filter((der) => !used(der)).map((der) => oneLineName(new X509Certificate(der).subject)),
  };
}

/**
 * Reads a PKCS#12 (.p12) signing identity; `caCerts` (DER) complete a chain
 * the .p12 holds only part of, as Tizen Studio's profiles keep the CA
 * certificate beside the .p12. Throws a plain Error whose message never
 * contains the password; callers turn it into a UserError.
 */
export function loadP12(p12: Buffer, password: string, caCerts: Buffer[] = []): LoadedIdentity {
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), false, password);
  } catch (e) {
    const msg = (e as Error).message ?? '';
    throw new Error(/mac|password|invalid/i.test(msg) ? 'cannot open the .p12: wrong password or not a PKCS#12 file' : 'cannot read the .p12: not a PKCS#12 file');
  }
  const keyBags = [
    ...(parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(parsed.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ];
  const key = keyBags.find((b) => b.key)?.key as forge.pki.rsa.PrivateKey | undefined;
  if (!key) throw new Error('the .p12 holds no RSA private key');
  const certs = (parsed.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? []).map((b) => b.cert).filter((c): c is forge.pki.Certificate => !!c);
  const modulus = key.n.toString(16);
  const leaf = certs.find((c) => (c.publicKey as forge.pki.rsa.PublicKey).n?.toString(16) === modulus);
  if (!leaf) throw new Error('no certificate in the .p12 matches its private key');
  const { chain, missingIssuer, unusedCa } = buildChain(derOf(leaf), certs.filter((c) => c !== leaf).map(derOf), caCerts);
  const cn = leaf.subject.getField('CN');
  return { keyPem: forge.pki.privateKeyToPem(key), chain, subject: cn ? String(cn.value) : 'unnamed', missingIssuer, unusedCa };
}

/**
 * A development signing identity as a .p12 with an empty password: a
 * self-signed RSA-2048 certificate made here. It shows that a package is
 * well-formed and signed; no TV, emulator or store accepts it, since devices
 * check the chain against the Tizen and Samsung roots they hold.
 */
export function generateDevIdentity(commonName: string, role: 'author' | 'distributor'): Buffer {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(8));
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const attrs = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: `shipfleet development ${role}` }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([{ name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const asn1 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, [cert], '', { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
