/**
 * Reference URIs as Samsung's signers write them: the whole path relative to
 * the package root through `encodeURIComponent`, so `/` becomes `%2F`,
 * non-ASCII characters become their UTF-8 bytes as `%XX`, and `!'()*` stay
 * as they are (`css%2Fstyle.css`, `images%2Ftizen_32.png`). Tizen's cert-svc
 * percent-decodes each URI and compares the bytes with the unpacked file's
 * path.
 */
export function referenceUri(path: string): string {
  return encodeURIComponent(path);
}

/** The package path a reference URI names, or undefined when it is not valid percent-encoded UTF-8. */
export function pathFromReferenceUri(uri: string): string | undefined {
  try {
    return decodeURIComponent(uri);
  } catch {
    return undefined;
  }
}

/**
 * Tizen Studio's reference order: by URI as written (percent-encoded), code
 * unit by code unit, the same as byte order since encoded URIs are ASCII. So
 * upper case sorts before lower case (`AUTHORS`, `LICENSE.Flora`, `NOTICE`,
 * `author-signature.xml`, `config.xml`), `icon.png` before `images%2F…`
 * before `index.html`, and in a distributor signature author-signature.xml
 * takes its place among the files rather than going last.
 */
export function compareReferenceUris(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
