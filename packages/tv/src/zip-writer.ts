import { open } from 'fs/promises';
import { crc32 } from 'zlib';

/**
 * A ZIP writer for entries whose deflated bytes are ready (the packager
 * deflates several files at once on zlib's thread pool; ZIP libraries
 * deflate one entry at a time themselves). Writes local headers, data, the
 * central directory and its end record; fixed times and modes, so the same
 * entries give the same bytes. No ZIP64: a TV package stays far below 4 GiB,
 * and a larger one is refused.
 */
export interface ZipEntry {
  /** Path inside the archive, '/'-separated; stored as UTF-8, flagged so when not ASCII. */
  name: string;
  /** Deflated (raw) data, or the data itself when `stored`. */
  data: Buffer;
  crc: number;
  size: number;
  stored?: boolean;
}

// 2000-01-01 00:00:00 in MS-DOS date/time.
const DOS_TIME = 0;
const DOS_DATE = ((2000 - 1980) << 9) | (1 << 5) | 1;
const MAX = 0xffffffff;

/** The fields local headers and central directory entries share: method, time, date, CRC, sizes, name length. */
function writeEntryFields(buf: Buffer, at: number, e: ZipEntry, method: number, nameLength: number): void {
  buf.writeUInt16LE(method, at);
  buf.writeUInt16LE(DOS_TIME, at + 2);
  buf.writeUInt16LE(DOS_DATE, at + 4);
  buf.writeUInt32LE(e.crc, at + 6);
  buf.writeUInt32LE(e.data.length, at + 10);
  buf.writeUInt32LE(e.size, at + 14);
  buf.writeUInt16LE(nameLength, at + 18);
}

export class ZipWriter {
  private offset = 0;
  private readonly central: Buffer[] = [];
  private handle?: Awaited<ReturnType<typeof open>>;

  constructor(private readonly path: string) {}

  private async write(buf: Buffer): Promise<void> {
    this.handle ??= await open(this.path, 'w');
    await this.handle.write(buf);
    this.offset += buf.length;
  }

  async add(e: ZipEntry): Promise<void> {
    const name = Buffer.from(e.name, 'utf8');
    // General purpose flag bit 11: the name is UTF-8 (else unzip tools read it as code page 437).
    const flags = name.length === e.name.length ? 0 : 0x800;
    if (this.offset + e.data.length > MAX || e.size > MAX) throw new Error(`${e.name}: the package would exceed 4 GiB`);
    const method = e.stored ? 0 : 8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(flags, 6);
    writeEntryFields(local, 8, e, method, name.length);
    local.writeUInt16LE(0, 28); // extra
    const headerOffset = this.offset;
    await this.write(Buffer.concat([local, name, e.data]));

    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(flags, 8);
    writeEntryFields(cd, 10, e, method, name.length);
    cd.writeUInt16LE(0, 30); // extra
    cd.writeUInt16LE(0, 32); // comment
    cd.writeUInt16LE(0, 34); // disk
    cd.writeUInt16LE(0, 36); // internal attributes
    cd.writeUInt32LE((0o100644 << 16) >>> 0, 38); // regular file, rw-r--r--
    cd.writeUInt32LE(headerOffset, 42);
    this.central.push(Buffer.concat([cd, name]));
  }

  async close(): Promise<number> {
    const start = this.offset;
    const directory = Buffer.concat(this.central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(0, 4);
    end.writeUInt16LE(0, 6);
    end.writeUInt16LE(this.central.length, 8);
    end.writeUInt16LE(this.central.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(start, 16);
    end.writeUInt16LE(0, 20);
    if (this.central.length > 0xffff) throw new Error('more than 65,535 files: the package would need ZIP64');
    await this.write(Buffer.concat([directory, end]));
    await this.handle!.close();
    return this.offset;
  }

  /** Gives up: closes the file without finishing it (the caller removes it). */
  async abort(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
  }
}

export { crc32 };
