import { createHash, createSign } from 'crypto';
import { SigningIdentity } from './certificates';

export type SignatureRole = 'author' | 'distributor';

/** Digest of every reference and of the signature itself: current Tizen Studio writes SHA-512. */
export type DigestAlgorithm = 'sha256' | 'sha512';
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['sha256', 'sha512'];

export interface SignatureReference {
  /** Percent-encoded URI relative to the package root (see referenceUri). */
  uri: string;
  /** Base64 digest of the file, made with the signature's digest algorithm. */
  digest: string;
}

export const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const C14N11 = 'http://www.w3.org/2006/12/xml-c14n11';

/** XML Signature algorithm identifiers of each digest: the reference DigestMethod and the RSA SignatureMethod. */
export const DIGEST_METHOD_URIS: Record<DigestAlgorithm, string> = {
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
};
export const RSA_SIGNATURE_METHOD_URIS: Record<DigestAlgorithm, string> = {
  sha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  sha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
};

/** Base64 digest of `data`, wrapped at 76 characters without a final line break, as Tizen Studio writes DigestValue. */
export function digestValue(algorithm: DigestAlgorithm, data: Buffer | string): string {
  return createHash(algorithm).update(data).digest('base64').replace(/(.{76})(?=.)/g, '$1\n');
}

/** c14n attribute value escaping. */
function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;');
}

/** The W3C widget signature properties, as Tizen's signers write them. */
export function propObjectContent(signatureId: string, role: SignatureRole): string {
  return (
    '<SignatureProperties xmlns:dsp="http://www.w3.org/2009/xmldsig-properties">' +
    `<SignatureProperty Id="profile" Target="#${signatureId}"><dsp:Profile URI="http://www.w3.org/ns/widgets-digsig#profile"></dsp:Profile></SignatureProperty>` +
    `<SignatureProperty Id="role" Target="#${signatureId}"><dsp:Role URI="http://www.w3.org/ns/widgets-digsig#role-${role}"></dsp:Role></SignatureProperty>` +
    `<SignatureProperty Id="identifier" Target="#${signatureId}"><dsp:Identifier></dsp:Identifier></SignatureProperty>` +
    '</SignatureProperties>'
  );
}

const wrap = (b64: string) => b64.replace(/.{1,76}/g, '$&\n');

/**
 * Writes author-signature.xml or signatureN.xml. The document is emitted in
 * canonical form, so the canonical bytes that are digested and signed are
 * known exactly: exclusive C14N of SignedInfo adds only the default namespace
 * declaration it inherits from <Signature>; C14N 1.1 of the #prop Object adds
 * the same in-scope declaration. xmlsec1 verifies the result in the tests.
 * References are written in the order given (see compareReferenceUris); the
 * digests in them must have been made with `digest`, which also sets the
 * #prop digest and the RSA signature's hash.
 */
export function buildSignatureXml(role: SignatureRole, references: SignatureReference[], identity: SigningIdentity, digest: DigestAlgorithm = 'sha512'): string {
  const id = role === 'author' ? 'AuthorSignature' : 'DistributorSignature';
  const props = propObjectContent(id, role);
  const digestMethod = `<DigestMethod Algorithm="${DIGEST_METHOD_URIS[digest]}"></DigestMethod>`;
  const propDigest = digestValue(digest, `<Object xmlns="${DSIG}" Id="prop">${props}</Object>`);
  const refs = references.map((r) => `<Reference URI="${attr(r.uri)}">\n${digestMethod}\n<DigestValue>${r.digest}</DigestValue>\n</Reference>\n`).join('');
  const signedInfoBody =
    `\n<CanonicalizationMethod Algorithm="${EXC_C14N}"></CanonicalizationMethod>\n` +
    `<SignatureMethod Algorithm="${RSA_SIGNATURE_METHOD_URIS[digest]}"></SignatureMethod>\n` +
    refs +
    `<Reference URI="#prop">\n<Transforms>\n<Transform Algorithm="${C14N11}"></Transform>\n</Transforms>\n${digestMethod}\n<DigestValue>${propDigest}</DigestValue>\n</Reference>\n` +
    '</SignedInfo>';
  const signatureValue = createSign(`RSA-${digest.toUpperCase()}`).update(`<SignedInfo xmlns="${DSIG}">${signedInfoBody}`).sign(identity.keyPem, 'base64');
  const certs = identity.chain.map((der) => `<X509Certificate>\n${wrap(der.toString('base64'))}</X509Certificate>\n`).join('');
  return (
    `<Signature xmlns="${DSIG}" Id="${id}">\n` +
    `<SignedInfo>${signedInfoBody}\n` +
    `<SignatureValue>\n${wrap(signatureValue)}</SignatureValue>\n` +
    `<KeyInfo>\n<X509Data>\n${certs}</X509Data>\n</KeyInfo>\n` +
    `<Object Id="prop">${props}</Object>\n` +
    '</Signature>\n'
  );
}
