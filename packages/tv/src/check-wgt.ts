import { createHash } from 'crypto';
import { lstatSync, readdirSync } from 'fs';
import { readFile } from 'fs/promises';
import { join } from 'path';
import { pathFromReferenceUri } from './reference-uri';
import { DigestAlgorithm } from './signature';
import { readSignature } from './signature-reader';
import { ZipFormatError, ZipReader } from './zip-reader';

/**
 * What a TV checks before installing a .wgt, done here so that a bad package
 * is caught before it leaves the machine: author-signature.xml and
 * signature1.xml present; every file of the package (dotfiles included: the
 * device rejects any unreferenced file) referenced by the author signature
 * and by each distributor signature (which also covers author-signature.xml);
 * no reference to a file the package lacks; every digest matching with the
 * algorithm its reference names (SHA-256 or SHA-512), URIs percent-decoded;
 * each signature's #prop digest and signature value checked against the
 * first certificate in its KeyInfo. Whether those certificates chain to
 * Samsung's or Tizen's roots is left to the device (or xmlsec1).
 */
export interface WgtCheck {
  /** No problem found. */
  ok: boolean;
  /** Each problem in words, e.g. "author-signature.xml does not reference .env". */
  problems: string[];
  /** Files in the package, signature files included. */
  files: number;
  /** Digest algorithms the references use. */
  digests: DigestAlgorithm[];
}

const AUTHOR = 'author-signature.xml';
const DISTRIBUTOR = /^signature[1-9][0-9]*\.xml$/;

interface PackageContent {
  /** Package paths of the regular files. */
  paths: string[];
  /** The file's bytes, or undefined when it cannot be read (the reason is then in problems). */
  read(path: string): Promise<Buffer | undefined>;
  /** Problems found while listing (links, special files) and reading (damaged entries); the check adds its own. */
  problems: string[];
}

async function checkContent(content: PackageContent): Promise<WgtCheck> {
  const problems = content.problems;
  const present = new Set(content.paths);
  const digests = new Set<DigestAlgorithm>();
  const signatureFiles = content.paths.filter((p) => p === AUTHOR || DISTRIBUTOR.test(p)).sort();
  for (const required of [AUTHOR, 'signature1.xml']) if (!present.has(required)) problems.push(`${required} is missing`);

  // Digests are kept, not contents: each file is read once when the signatures use one algorithm.
  const known = new Map<string, string>();
  const digestOf = async (path: string, algorithm: DigestAlgorithm) => {
    const key = `${algorithm}:${path}`;
    let digest = known.get(key);
    if (digest === undefined) {
      const data = await content.read(path);
      if (!data) return undefined;
      known.set(key, (digest = createHash(algorithm).update(data).digest('base64')));
    }
    return digest;
  };

  for (const sigFile of signatureFiles) {
    const author = sigFile === AUTHOR;
    const xml = await content.read(sigFile);
    if (!xml) continue;
    const sig = readSignature(xml.toString('utf8'), sigFile);
    problems.push(...sig.problems);
    const expectedRole = author ? 'author' : 'distributor';
    if (sig.role !== expectedRole) problems.push(`${sigFile} declares the ${sig.role ?? 'no'} role; a${author ? 'n author' : ' distributor'} signature declares role-${expectedRole}`);
    // Distributor signatures are never referenced; the author signature is, by the distributors.
    const mustCover = content.paths.filter((p) => !DISTRIBUTOR.test(p) && !(author && p === AUTHOR));
    const referenced = new Set<string>();
    for (const ref of sig.references) {
      if (ref.uri.startsWith('#')) continue;
      const path = pathFromReferenceUri(ref.uri);
      if (path === undefined) {
        problems.push(`${sigFile}: the reference URI "${ref.uri}" is not valid percent-encoded UTF-8`);
        continue;
      }
      if (referenced.has(path)) problems.push(`${sigFile} references ${path} twice`);
      referenced.add(path);
      if (!present.has(path)) {
        problems.push(`${sigFile} references ${path}, which is not in the package`);
        continue;
      }
      if (DISTRIBUTOR.test(path)) {
        problems.push(`${sigFile} references ${path}, a distributor signature, which no signature covers`);
        continue;
      }
      if (!ref.algorithm) {
        problems.push(`${sigFile}: ${path} uses the digest algorithm ${ref.algorithmUri || '(none)'}; SHA-256 or SHA-512 is expected`);
        continue;
      }
      digests.add(ref.algorithm);
      const actual = await digestOf(path, ref.algorithm);
      if (actual !== undefined && actual !== ref.digest) problems.push(`${sigFile}: the ${ref.algorithm === 'sha512' ? 'SHA-512' : 'SHA-256'} digest of ${path} does not match`);
    }
    for (const path of mustCover) if (!referenced.has(path)) problems.push(`${sigFile} does not reference ${path}`);
  }
  return { ok: problems.length === 0, problems, files: content.paths.length, digests: [...digests].sort() };
}

/** Checks a .wgt file (see WgtCheck). Never throws for a bad package: every problem is listed. */
export async function checkWgt(wgtPath: string): Promise<WgtCheck> {
  let zip: ZipReader;
  try {
    zip = await ZipReader.open(wgtPath);
  } catch (e) {
    const why = e instanceof ZipFormatError ? e.message : (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (e as Error).message;
    return { ok: false, problems: [`${wgtPath} cannot be read as a package: ${why}`], files: 0, digests: [] };
  }
  try {
    const problems: string[] = [];
    const byPath = new Map<string, (typeof zip.entries)[number]>();
    for (const entry of zip.entries) {
      const path = entry.name;
      if (entry.folder || entry.unixType === 'folder') continue;
      if (path.startsWith('/') || path.split('/').some((s) => s === '..' || s === '.' || s === '') || path.includes('\\')) {
        problems.push(`the package holds an entry named "${path}", which does not stay inside the app folder`);
        continue;
      }
      if (entry.unixType === 'symlink' || entry.unixType === 'other') {
        problems.push(`${path} is ${entry.unixType === 'symlink' ? 'a symbolic link' : 'not a regular file'}`);
        continue;
      }
      if (byPath.has(path)) problems.push(`the package holds ${path} twice`);
      byPath.set(path, entry);
    }
    const unreadable = new Set<string>();
    const result = await checkContent({
      paths: [...byPath.keys()],
      problems,
      read: async (path) => {
        try {
          return await zip.read(byPath.get(path)!);
        } catch (e) {
          if (!(e instanceof ZipFormatError)) throw e;
          if (!unreadable.has(path)) problems.push(e.message);
          unreadable.add(path);
          return undefined;
        }
      },
    });
    return { ...result, ok: result.problems.length === 0 };
  } finally {
    await zip.close();
  }
}

/** Checks an unpacked widget folder, as a device sees it after unzipping (see WgtCheck). */
export async function checkWidgetDir(dir: string): Promise<WgtCheck> {
  const paths: string[] = [];
  const problems: string[] = [];
  const walk = (folder: string, prefix: string) => {
    for (const name of readdirSync(folder).sort()) {
      const stat = lstatSync(join(folder, name));
      const path = prefix + name;
      if (stat.isDirectory()) walk(join(folder, name), `${path}/`);
      else if (stat.isFile()) paths.push(path);
      else problems.push(`${path} is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}`);
    }
  };
  walk(dir, '');
  return checkContent({ paths, problems, read: (path) => readFile(join(dir, ...path.split('/'))) });
}

/** The check's problems as one message, for errors and logs. */
export function describeWgtProblems(what: string, check: WgtCheck): string {
  const n = check.problems.length;
  return `${what} failed its check with ${n} problem${n === 1 ? '' : 's'}:\n${check.problems.map((p) => `  - ${p}`).join('\n')}`;
}
