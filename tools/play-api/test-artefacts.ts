// Artefacts for tests that upload to the Play stand-in: App Bundle-shaped zips
// (text or aapt2 protobuf base manifest) and a real APK built with `aapt package`.
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { crc32 } from 'zlib';
import { readZipEntries } from './artefacts';

/** A zip of stored (uncompressed) entries. */
export function storedZip(entries: Record<string, Buffer | string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const manifest = (packageName: string, versionCode: number) =>
  `<?xml version="1.0" encoding="utf-8"?>\n<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="${packageName}" android:versionCode="${versionCode}" android:versionName="1.0.${versionCode}">\n  <application android:label="Acme" />\n</manifest>\n`;

/** An App Bundle-shaped zip whose base manifest is plain XML; `paddingBytes` of random-looking filler make it big enough to upload in chunks. */
export function bundleFixture(packageName: string, versionCode: number, paddingBytes = 0): Buffer {
  const filler = Buffer.alloc(paddingBytes);
  for (let i = 0; i < paddingBytes; i++) filler[i] = (i * 7919 + versionCode) & 0xff;
  return storedZip({
    'BundleConfig.pb': Buffer.from([0x0a, 0x04, 0x0a, 0x02, 0x31, 0x31]),
    'base/manifest/AndroidManifest.xml': manifest(packageName, versionCode),
    'base/assets/filler.bin': filler,
  });
}

/** The framework resources `aapt package -I` needs (Debian's android-framework-res). */
export const FRAMEWORK_RES = '/usr/share/android-framework-res/framework-res.apk';

/** A real (unsigned) APK built by `aapt package` in `dir`; returns its bytes. */
export function apkFixture(dir: string, packageName: string, versionCode: number): Buffer {
  const src = join(dir, `apk-src-${versionCode}`);
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'AndroidManifest.xml'), manifest(packageName, versionCode));
  const out = join(dir, `app-${versionCode}.apk`);
  if (!existsSync(FRAMEWORK_RES)) throw new Error(`${FRAMEWORK_RES} is missing (apt-get install android-framework-res)`);
  execFileSync('aapt', ['package', '-f', '-M', join(src, 'AndroidManifest.xml'), '-I', FRAMEWORK_RES, '-F', out], { stdio: 'pipe' });
  return readFileSync(out);
}

/**
 * An App Bundle-shaped zip whose base manifest is aapt2's protobuf XML, as
 * bundletool writes it (`aapt2 link --proto-format`, from Debian's aapt).
 */
export function protoBundleFixture(dir: string, packageName: string, versionCode: number): Buffer {
  const src = join(dir, `aab-src-${versionCode}`);
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'AndroidManifest.xml'), manifest(packageName, versionCode));
  const linked = join(src, 'linked.apk');
  execFileSync('aapt2', ['link', '--proto-format', '-o', linked, '--manifest', join(src, 'AndroidManifest.xml'), '-I', FRAMEWORK_RES], { stdio: 'pipe' });
  const entries = readZipEntries(readFileSync(linked));
  return storedZip({ 'base/manifest/AndroidManifest.xml': entries.get('AndroidManifest.xml')!, 'base/resources.pb': entries.get('resources.pb') ?? Buffer.alloc(0) });
}
