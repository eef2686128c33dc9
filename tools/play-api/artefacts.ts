// Reads the version code (and package name) of an uploaded artefact, as Play
// does on upload: an APK through the real `aapt dump badging`; an Android App
// Bundle from the `base/manifest/AndroidManifest.xml` entry of its zip, which
// is the protobuf XML bundletool writes or, as a simplification for tests, a
// plain-text manifest.
import { execFile } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { inflateRawSync } from 'zlib';

export interface ArtefactIdentity {
  packageName: string;
  versionCode: number;
}

/** The entries of a zip archive by name (no ZIP64, no encryption: enough for bundles and APKs). */
export function readZipEntries(zip: Buffer): Map<string, Buffer> {
  const eocdSignature = 0x06054b50;
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === eocdSignature) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`corrupt zip entry ${name}`);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    if (method === 0) entries.set(name, data);
    else if (method === 8) entries.set(name, inflateRawSync(data));
    else throw new Error(`zip entry ${name} uses compression method ${method}`);
  }
  return entries;
}

/** Reads a protobuf varint at `at`; returns [value, next offset]. */
function varint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at >= buf.length) throw new Error('truncated protobuf');
    const b = buf[at++];
    value += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return [value, at];
    shift += 7;
  }
}

/** The fields of one protobuf message: field number → raw length-delimited values or varints. */
function protoFields(buf: Buffer): Array<{ field: number; bytes?: Buffer; value?: number }> {
  const out: Array<{ field: number; bytes?: Buffer; value?: number }> = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = varint(buf, at);
    at = next;
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      const [value, n] = varint(buf, at);
      out.push({ field, value });
      at = n;
    } else if (wire === 2) {
      const [length, n] = varint(buf, at);
      out.push({ field, bytes: buf.subarray(n, n + length) });
      at = n + length;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

/**
 * The root element's attributes of an aapt2 proto XML (XmlNode{element=1}
 * → XmlElement{name=3, attribute=4} → XmlAttribute{name=2, value=3}).
 */
function protoManifestAttributes(buf: Buffer): Record<string, string> {
  const element = protoFields(buf).find((f) => f.field === 1 && f.bytes)?.bytes;
  if (!element) throw new Error('manifest has no root element');
  const attributes: Record<string, string> = {};
  for (const f of protoFields(element)) {
    if (f.field !== 4 || !f.bytes) continue;
    const fields = protoFields(f.bytes);
    const name = fields.find((a) => a.field === 2)?.bytes?.toString('utf8');
    const value = fields.find((a) => a.field === 3)?.bytes?.toString('utf8');
    if (name && value !== undefined) attributes[name] = value;
  }
  return attributes;
}

function textManifestAttributes(xml: string): Record<string, string> {
  const root = /<manifest\b([^>]*)>/.exec(xml);
  if (!root) throw new Error('manifest has no <manifest> element');
  const attributes: Record<string, string> = {};
  for (const m of root[1].matchAll(/(?:[\w-]+:)?([\w-]+)\s*=\s*"([^"]*)"/g)) attributes[m[1]] = m[2];
  return attributes;
}

function identityFrom(attributes: Record<string, string>, what: string): ArtefactIdentity {
  const versionCode = Number(attributes.versionCode);
  if (!/^\d+$/.test(attributes.versionCode ?? '') || !Number.isSafeInteger(versionCode) || versionCode < 1 || versionCode > 2100000000)
    throw new Error(`${what} has no valid android:versionCode`);
  if (!attributes.package) throw new Error(`${what} has no package name`);
  return { packageName: attributes.package, versionCode };
}

/** Package name and version code of an Android App Bundle (base module manifest). */
export function readBundleIdentity(aab: Buffer): ArtefactIdentity {
  const manifest = readZipEntries(aab).get('base/manifest/AndroidManifest.xml');
  if (!manifest) throw new Error('the bundle has no base/manifest/AndroidManifest.xml');
  const text = manifest.subarray(0, 512).toString('utf8').trimStart();
  const attributes = text.startsWith('<') ? textManifestAttributes(manifest.toString('utf8')) : protoManifestAttributes(manifest);
  return identityFrom(attributes, 'the bundle manifest');
}

/** Package name and version code of an APK, from the real `aapt dump badging`. */
export function readApkIdentity(apk: Buffer): Promise<ArtefactIdentity> {
  const dir = mkdtempSync(join(tmpdir(), 'play-api-apk-'));
  const file = join(dir, 'upload.apk');
  writeFileSync(file, apk);
  return new Promise<ArtefactIdentity>((resolve, reject) => {
    execFile('aapt', ['dump', 'badging', file], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      if (error) return reject(new Error(`aapt could not read the APK: ${String(stderr || error.message).trim()}`));
      const line = /^package: (.*)$/m.exec(stdout);
      if (!line) return reject(new Error('aapt printed no package line'));
      const attributes: Record<string, string> = {};
      for (const m of line[1].matchAll(/(\w+)='([^']*)'/g)) attributes[m[1] === 'name' ? 'package' : m[1]] = m[2];
      try {
        resolve(identityFrom(attributes, 'the APK'));
      } catch (e) {
        reject(e);
      }
    });
  });
}
