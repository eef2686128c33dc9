import { createHash, verify, X509Certificate } from 'crypto';
import { DigestAlgorithm, DIGEST_METHOD_URIS, DSIG, RSA_SIGNATURE_METHOD_URIS, SignatureRole } from './signature';

/**
 * Reads a widget signature file (author-signature.xml, signatureN.xml) the
 * way Tizen's signers write it: unprefixed XML Signature elements, SignedInfo
 * and the #prop Object in canonical form apart from the default namespace
 * they inherit. That is enough to check every reference digest, the #prop
 * digest and the signature value against the leaf certificate in KeyInfo.
 * Whether that certificate chains to a trusted root is the device's (or
 * xmlsec1's) check, not this one.
 */
export interface ReadReference {
  /** URI as written, XML entities resolved. */
  uri: string;
  /** The digest algorithm named, or undefined when it is none of SHA-256 / SHA-512. */
  algorithm?: DigestAlgorithm;
  algorithmUri: string;
  /** Base64, whitespace removed. */
  digest: string;
}

export interface ReadSignature {
  id?: string;
  role?: SignatureRole;
  references: ReadReference[];
  /** Problems with the signature itself, in words. */
  problems: string[];
}

const ALGORITHM_BY_URI = new Map(Object.entries(DIGEST_METHOD_URIS).map(([k, v]) => [v, k as DigestAlgorithm]));
const SIGNATURE_HASH_BY_URI = new Map(Object.entries(RSA_SIGNATURE_METHOD_URIS).map(([k, v]) => [v, k as DigestAlgorithm]));

const unescapeXml = (s: string) =>
  s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
  );
const attribute = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return m ? unescapeXml(m[1] ?? m[2]) : undefined;
};
const base64 = (s: string) => s.replace(/\s+/g, '');

/** Exclusive C14N of SignedInfo and C14N 1.1 of the Object both add the inherited default namespace first; only already canonical text is accepted. */
function canonicalWithNamespace(element: string, name: string): string | undefined {
  const open = new RegExp(`^<${name}((?:\\s+[A-Za-z:]+="[^"]*")*)>`).exec(element);
  if (!open || /\r|\/>/.test(element)) return undefined;
  if (/\sxmlns="/.test(open[1])) return attribute(open[0], 'xmlns') === DSIG ? element : undefined;
  return `<${name} xmlns="${DSIG}"${open[1]}>` + element.slice(open[0].length);
}

export function readSignature(xml: string, label: string): ReadSignature {
  const problems: string[] = [];
  const root = /<Signature(\s[^>]*)?>/.exec(xml);
  if (!root || attribute(root[0], 'xmlns') !== DSIG) return { references: [], problems: [`${label} is not an XML signature (no <Signature xmlns="${DSIG}">)`] };
  const id = attribute(root[0], 'Id');
  const roleUri = /<dsp:Role\s+URI="[^"]*#role-(author|distributor)"/.exec(xml);
  const role = roleUri?.[1] as SignatureRole | undefined;

  const signedInfo = /<SignedInfo(\s[^>]*)?>[\s\S]*?<\/SignedInfo>/.exec(xml)?.[0];
  if (!signedInfo) return { id, role, references: [], problems: [`${label} has no SignedInfo`] };
  const references: ReadReference[] = [];
  for (const m of signedInfo.matchAll(/<Reference(\s[^>]*)?>([\s\S]*?)<\/Reference>/g)) {
    const uri = attribute(m[0], 'URI') ?? '';
    const algorithmUri = attribute(/<DigestMethod\s[^>]*>/.exec(m[2])?.[0] ?? '', 'Algorithm') ?? '';
    references.push({ uri, algorithm: ALGORITHM_BY_URI.get(algorithmUri), algorithmUri, digest: base64(/<DigestValue>([^<]*)<\/DigestValue>/.exec(m[2])?.[1] ?? '') });
  }

  // The #prop Object, digested after C14N 1.1.
  const prop = references.find((r) => r.uri === '#prop');
  const object = /<Object(\s[^>]*)?\sId="prop"[^>]*>[\s\S]*?<\/Object>/.exec(xml)?.[0];
  if (!prop) problems.push(`${label} does not sign its #prop signature properties`);
  else if (!object) problems.push(`${label} references #prop but holds no <Object Id="prop">`);
  else if (!prop.algorithm) problems.push(`${label}: #prop uses the digest algorithm ${prop.algorithmUri || '(none)'}; SHA-256 or SHA-512 is expected`);
  else {
    const canonical = canonicalWithNamespace(object, 'Object');
    if (!canonical) problems.push(`${label}: the #prop Object is not written in canonical form, so its digest cannot be checked here`);
    else if (createHash(prop.algorithm).update(canonical).digest('base64') !== prop.digest) problems.push(`${label}: the digest of #prop does not match`);
  }

  // The signature value, with the leaf certificate (the first in KeyInfo).
  const methodUri = attribute(/<SignatureMethod\s[^>]*>/.exec(signedInfo)?.[0] ?? '', 'Algorithm') ?? '';
  const hash = SIGNATURE_HASH_BY_URI.get(methodUri);
  const value = /<SignatureValue(?:\s[^>]*)?>([^<]*)<\/SignatureValue>/.exec(xml)?.[1];
  const certificate = /<X509Certificate>([^<]*)<\/X509Certificate>/.exec(xml)?.[1];
  const canonicalSignedInfo = canonicalWithNamespace(signedInfo, 'SignedInfo');
  if (!hash) problems.push(`${label}: signature method ${methodUri || '(none)'} is not RSA-SHA256 or RSA-SHA512`);
  else if (value === undefined) problems.push(`${label} has no SignatureValue`);
  else if (certificate === undefined) problems.push(`${label} has no X509Certificate in KeyInfo`);
  else if (!canonicalSignedInfo) problems.push(`${label}: SignedInfo is not written in canonical form, so its signature cannot be checked here`);
  else {
    let key;
    try {
      key = new X509Certificate(Buffer.from(base64(certificate), 'base64')).publicKey;
    } catch (e) {
      problems.push(`${label}: the first X509Certificate cannot be read (${(e as Error).message})`);
    }
    if (key && !verify(hash, Buffer.from(canonicalSignedInfo), key, Buffer.from(base64(value), 'base64'))) {
      problems.push(`${label}: the signature value does not verify with the first certificate in KeyInfo`);
    }
  }
  return { id, role, references, problems };
}
