import { createHash } from 'crypto';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { listAppFiles, referenceUri } from './app-files';

/**
 * shipfleet's own completeness check of an unpacked widget, the part an XML
 * signature verifier does not do: every file is referenced by both
 * signatures (the distributor's also covers author-signature.xml), every
 * reference names a file that exists, and each digest matches.
 */
export function checkWidgetCompleteness(dir: string): string[] {
  const problems: string[] = [];
  const files = listAppFiles(dir).map((f) => f.path);
  const expected: Record<string, string[]> = {
    'author-signature.xml': files,
    'signature1.xml': [...files, 'author-signature.xml'],
  };
  for (const [sigFile, mustCover] of Object.entries(expected)) {
    const path = join(dir, sigFile);
    if (!existsSync(path)) {
      problems.push(`${sigFile} is missing`);
      continue;
    }
    const xml = readFileSync(path, 'utf8');
    const refs = new Map<string, string>();
    for (const m of xml.matchAll(/<Reference URI="([^"#][^"]*)">[\s\S]*?<DigestValue>([^<]*)<\/DigestValue>/g)) refs.set(m[1], m[2]);
    for (const file of mustCover) {
      const uri = referenceUri(file);
      const digest = refs.get(uri);
      if (digest === undefined) problems.push(`${sigFile} does not reference ${file}`);
      else if (createHash('sha256').update(readFileSync(join(dir, file))).digest('base64') !== digest) problems.push(`${sigFile}: digest of ${file} does not match`);
      refs.delete(uri);
    }
    for (const uri of refs.keys()) problems.push(`${sigFile} references ${decodeURIComponent(uri)}, which is not in the package`);
  }
  return problems;
}
