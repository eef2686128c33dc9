import { FileHandle, open } from 'fs/promises';
import { promisify } from 'util';
import { crc32, inflateRaw } from 'zlib';

const inflate = promisify(inflateRaw);

/**
 * Reads a ZIP file's entries through its central directory, one entry's
 * bytes at a time (memory is bounded by the largest entry, not the archive).
 * What a widget package needs: stored and deflated entries, UTF-8 names,
 * data descriptors (sizes are taken from the central directory). ZIP64,
 * encryption and multi-disk archives are reported as unsupported.
 */
export interface ZipEntryInfo {
  /** Name as stored, '/'-separated; UTF-8 (flagged or not: Tizen's tools write UTF-8 either way). */
  name: string;
  /** A folder entry (name ending in '/'). */
  folder: boolean;
  /** Unix file type from the external attributes when made on Unix: 'file', 'folder', 'symlink' or 'other'. */
  unixType?: 'file' | 'folder' | 'symlink' | 'other';
  method: number;
  encrypted: boolean;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export class ZipFormatError extends Error {}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new ZipFormatError(`the file ends early (wanted ${length} bytes at offset ${position})`);
    done += bytesRead;
  }
  return buf;
}

function unixType(versionMadeBy: number, external: number): ZipEntryInfo['unixType'] {
  if (versionMadeBy >> 8 !== 3) return undefined;
  const type = (external >>> 16) & 0o170000;
  if (type === 0) return undefined;
  return type === 0o100000 ? 'file' : type === 0o040000 ? 'folder' : type === 0o120000 ? 'symlink' : 'other';
}

export class ZipReader {
  private constructor(private readonly handle: FileHandle, readonly entries: ZipEntryInfo[]) {}

  static async open(path: string): Promise<ZipReader> {
    const handle = await open(path, 'r');
    try {
      return new ZipReader(handle, await ZipReader.readDirectory(handle));
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  private static async readDirectory(handle: FileHandle): Promise<ZipEntryInfo[]> {
    const { size } = await handle.stat();
    if (size < 22) throw new ZipFormatError('not a ZIP file (too short)');
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = await readAt(handle, size - tailLength, tailLength);
    let end = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
        end = i;
        break;
      }
    }
    if (end < 0) throw new ZipFormatError('not a ZIP file (no end of central directory record)');
    if (tail.readUInt16LE(end + 4) !== 0 || tail.readUInt16LE(end + 6) !== 0) throw new ZipFormatError('multi-disk ZIP archives are not supported');
    const count = tail.readUInt16LE(end + 10);
    const dirSize = tail.readUInt32LE(end + 12);
    const dirOffset = tail.readUInt32LE(end + 16);
    if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) throw new ZipFormatError('ZIP64 archives are not supported');
    if (dirOffset + dirSize > size) throw new ZipFormatError('the central directory lies outside the file');
    const dir = await readAt(handle, dirOffset, dirSize);
    const entries: ZipEntryInfo[] = [];
    let at = 0;
    for (let n = 0; n < count; n++) {
      if (at + 46 > dir.length || dir.readUInt32LE(at) !== CENTRAL) throw new ZipFormatError(`central directory entry ${n + 1} of ${count} is damaged`);
      const flags = dir.readUInt16LE(at + 8);
      const nameLength = dir.readUInt16LE(at + 28);
      const extraLength = dir.readUInt16LE(at + 30);
      const commentLength = dir.readUInt16LE(at + 32);
      const name = dir.subarray(at + 46, at + 46 + nameLength).toString('utf8');
      const entry: ZipEntryInfo = {
        name,
        folder: name.endsWith('/'),
        unixType: unixType(dir.readUInt16LE(at + 4), dir.readUInt32LE(at + 38)),
        method: dir.readUInt16LE(at + 10),
        encrypted: (flags & 1) !== 0,
        crc: dir.readUInt32LE(at + 16),
        compressedSize: dir.readUInt32LE(at + 20),
        size: dir.readUInt32LE(at + 24),
        localHeaderOffset: dir.readUInt32LE(at + 42),
      };
      if (entry.compressedSize === 0xffffffff || entry.size === 0xffffffff || entry.localHeaderOffset === 0xffffffff) throw new ZipFormatError(`${name}: ZIP64 entries are not supported`);
      entries.push(entry);
      at += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  }

  /** The entry's uncompressed bytes, checked against its size and CRC-32. */
  async read(entry: ZipEntryInfo): Promise<Buffer> {
    if (entry.encrypted) throw new ZipFormatError(`${entry.name} is encrypted`);
    const local = await readAt(this.handle, entry.localHeaderOffset, 30);
    if (local.readUInt32LE(0) !== LOCAL) throw new ZipFormatError(`${entry.name}: no local header at offset ${entry.localHeaderOffset}`);
    const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const raw = await readAt(this.handle, start, entry.compressedSize);
    let data: Buffer;
    if (entry.method === 0) data = raw;
    else if (entry.method === 8) {
      try {
        data = await inflate(raw);
      } catch (e) {
        throw new ZipFormatError(`${entry.name}: the compressed data is damaged (${(e as Error).message})`);
      }
    } else throw new ZipFormatError(`${entry.name}: compression method ${entry.method} is not supported (only stored and deflated)`);
    if (data.length !== entry.size) throw new ZipFormatError(`${entry.name}: ${data.length} bytes unpacked, the directory says ${entry.size}`);
    if (crc32(data) !== entry.crc) throw new ZipFormatError(`${entry.name}: CRC-32 does not match`);
    return data;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
