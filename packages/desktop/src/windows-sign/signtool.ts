/**
 * signtool argv, as Microsoft documents it (learn.microsoft.com, "SignTool"):
 * `sign` selects the certificate with /f <pfx> [/p <password>] or from a
 * store with /sha1 <thumbprint> [/s <store>] [/sm]; /fd is the file digest,
 * /tr an RFC 3161 time stamp server with /td its digest; /d and /du the
 * description and its URL. `verify /pa` uses the Default Authenticode policy.
 */
export type SigntoolCertificate =
  | { kind: 'file'; p12: string; password?: string }
  | { kind: 'store'; sha1: string; store?: string; machineStore?: boolean };

export interface SigntoolSignInput {
  certificate: SigntoolCertificate;
  timestampUrl?: string;
  description?: string;
  descriptionUrl?: string;
  file: string;
}

export function signtoolSignArgs(i: SigntoolSignInput): string[] {
  const c = i.certificate;
  const select =
    c.kind === 'file'
      ? ['/f', c.p12, ...(c.password !== undefined ? ['/p', c.password] : [])]
      : ['/sha1', c.sha1, ...(c.store ? ['/s', c.store] : []), ...(c.machineStore ? ['/sm'] : [])];
  return [
    'sign',
    ...select,
    '/fd', 'SHA256',
    ...(i.timestampUrl ? ['/tr', i.timestampUrl, '/td', 'SHA256'] : []),
    ...(i.description ? ['/d', i.description] : []),
    ...(i.descriptionUrl ? ['/du', i.descriptionUrl] : []),
    i.file,
  ];
}

export function signtoolVerifyArgs(file: string): string[] {
  return ['verify', '/pa', '/v', file];
}
