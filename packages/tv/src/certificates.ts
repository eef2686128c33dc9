import forge from 'node-forge';

export interface SigningIdentity {
  /** PEM private key (RSA). Secret: never printed. */
  keyPem: string;
  /** DER certificates, leaf first, self-signed root left out. */
  chain: Buffer[];
  /** Subject common name of the leaf, for messages. */
  subject: string;
}

function derOf(cert: forge.pki.Certificate): Buffer {
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

function isSelfSigned(cert: forge.pki.Certificate): boolean {
  try {
    return cert.isIssuer(cert) && cert.verify(cert);
  } catch {
    return false;
  }
}

/** Orders a bag of certificates from the one matching the key up its issuers. */
function orderChain(certs: forge.pki.Certificate[], key: forge.pki.rsa.PrivateKey): forge.pki.Certificate[] {
  const modulus = key.n.toString(16);
  const leaf = certs.find((c) => (c.publicKey as forge.pki.rsa.PublicKey).n?.toString(16) === modulus);
  if (!leaf) throw new Error('no certificate in the file matches its private key');
  const chain = [leaf];
  for (let cur = leaf; ; ) {
    const issuer = certs.find((c) => c !== cur && !chain.includes(c) && c.subject.hash === cur.issuer.hash);
    if (!issuer) break;
    chain.push(issuer);
    cur = issuer;
  }
  return chain;
}

/**
 * Reads a PKCS#12 (.p12) signing identity. Throws a plain Error whose
 * message never contains the password; callers turn it into a UserError.
 */
export function loadP12(p12: Buffer, password: string): SigningIdentity {
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
  const chain = orderChain(certs, key).filter((c, i) => i === 0 || !isSelfSigned(c));
  const cn = chain[0].subject.getField('CN');
  return { keyPem: forge.pki.privateKeyToPem(key), chain: chain.map(derOf), subject: cn ? String(cn.value) : 'unnamed' };
}

/**
 * A development signing identity as a .p12 with an empty password: a
 * self-signed RSA-2048 certificate made here. Good for the emulator or a
 * developer-mode TV; stores need the real author and distributor certificates.
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
