import { createHash, createSign } from 'crypto';
import { SigningIdentity } from './certificates';

export type SignatureRole = 'author' | 'distributor';

export interface SignatureReference {
  /** Percent-encoded URI relative to the package root. */
  uri: string;
  /** Base64 SHA-256 of the file. */
  digest: string;
}

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const C14N11 = 'http://www.w3.org/2006/12/xml-c14n11';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

/** c14n attribute value escaping. */
function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;');
}

/** The W3C widget signature properties, as Tizen's signers write them. */
function propObjectContent(signatureId: string, role: SignatureRole): string {
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
 */
export function buildSignatureXml(role: SignatureRole, references: SignatureReference[], identity: SigningIdentity): string {
  const id = role === 'author' ? 'AuthorSignature' : 'DistributorSignature';
  const props = propObjectContent(id, role);
  const propDigest = createHash('sha256').update(`<Object xmlns="${DSIG}" Id="prop">${props}</Object>`).digest('base64');
  const refs = references
    .map((r) => `<Reference URI="${attr(r.uri)}">\n<DigestMethod Algorithm="${SHA256}"></DigestMethod>\n<DigestValue>${r.digest}</DigestValue>\n</Reference>\n`)
    .join('');
  const signedInfoBody =
    `\n<CanonicalizationMethod Algorithm="${EXC_C14N}"></CanonicalizationMethod>\n` +
    `<SignatureMethod Algorithm="${RSA_SHA256}"></SignatureMethod>\n` +
    refs +
    `<Reference URI="#prop">\n<Transforms>\n<Transform Algorithm="${C14N11}"></Transform>\n</Transforms>\n<DigestMethod Algorithm="${SHA256}"></DigestMethod>\n<DigestValue>${propDigest}</DigestValue>\n</Reference>\n` +
    '</SignedInfo>';
  const signatureValue = createSign('RSA-SHA256').update(`<SignedInfo xmlns="${DSIG}">${signedInfoBody}`).sign(identity.keyPem, 'base64');
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
