import { extname } from 'path';

/**
 * What osslsigncode 2.9 signs (its README): PE files (EXE, DLL, SYS… and an
 * Electron native module's .node, a DLL), CAB, CAT, MSI, APPX (MSIX is the
 * same package format), and the scripts .ps1, .ps1xml, .psc1, .psd1, .psm1,
 * .cdxml, .mof and .js. It recognises PE, CAB, CAT, MSI and APPX by content,
 * scripts by extension.
 */
export const OSSLSIGNCODE_EXTENSIONS: readonly string[] = [
  '.exe', '.dll', '.sys', '.node', '.ocx', '.scr', '.cpl', '.efi', '.drv', '.mui', '.ax',
  '.cab', '.cat', '.msi', '.appx', '.msix',
  '.ps1', '.ps1xml', '.psc1', '.psd1', '.psm1', '.cdxml', '.mof', '.js',
];

export function osslsigncodeSupports(file: string): boolean {
  return OSSLSIGNCODE_EXTENSIONS.includes(extname(file).toLowerCase());
}

export interface OsslsigncodeSignInput {
  /** The .p12 (certificate with its private key). */
  p12: string;
  /** A file holding the .p12 password (-readpass), never the password itself. */
  passwordFile?: string;
  /** RFC 3161 time-stamp authorities, tried in turn (-ts). */
  timestampUrls: string[];
  description?: string;
  descriptionUrl?: string;
  input: string;
  /** Must not exist: osslsigncode does not overwrite. */
  output: string;
}

/**
 * `osslsigncode sign -pkcs12 <p12> [-readpass <file>] -h sha256 [-n <desc>] [-i <url>] [-ts <url>…] -in <in> -out <out>`.
 * -ts is RFC 3161 (what Windows expects of a SHA-256 signature); -t would be the older Authenticode protocol.
 */
export function osslsigncodeSignArgs(i: OsslsigncodeSignInput): string[] {
  return [
    'sign',
    '-pkcs12', i.p12,
    ...(i.passwordFile ? ['-readpass', i.passwordFile] : []),
    '-h', 'sha256',
    ...(i.description ? ['-n', i.description] : []),
    ...(i.descriptionUrl ? ['-i', i.descriptionUrl] : []),
    ...i.timestampUrls.flatMap((url) => ['-ts', url]),
    '-in', i.input,
    '-out', i.output,
  ];
}

/** `osslsigncode verify -in <file> [-CAfile <pem>]`: exits non-zero on a bad digest, a broken chain or an unsigned file. */
export function osslsigncodeVerifyArgs(file: string, caFile?: string): string[] {
  return ['verify', '-in', file, ...(caFile ? ['-CAfile', caFile] : [])];
}
