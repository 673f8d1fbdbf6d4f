import zlib from 'node:zlib';

/** A zip entry written byte by byte, so tests can lie the way hostile files do (declared sizes, counts). */
export interface RawEntry {
  name: string;
  /** Uncompressed content (deflated here), or an already deflated body with its real size. */
  data?: Buffer | string;
  deflated?: { body: Buffer; size: number };
  /** Uncompressed size written in the headers (default: the real one). */
  declaredSize?: number;
  store?: boolean;
  encrypted?: boolean;
}

/** Builds a zip archive (no zip64) from entries. */
export function buildZip(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const raw = e.data === undefined ? undefined : Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
    const body = e.deflated?.body ?? (e.store ? raw! : zlib.deflateRawSync(raw!));
    const size = e.declaredSize ?? e.deflated?.size ?? raw!.length;
    const crc = raw ? zlib.crc32(raw) : 0;
    const method = e.store ? 0 : 8;
    const flags = 0x0800 | (e.encrypted ? 1 : 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size >>> 0, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * Deflates `prefix`, then `size` bytes of `fill`, streamed through zlib in 1 MB pieces: a 1 GB entry is built
 * without ever holding it (the deflated body is about a thousandth of it).
 */
export async function deflateHuge(prefix: string, fill: string, size: number): Promise<{ body: Buffer; size: number }> {
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (b: Buffer) => out.push(b));
  const piece = Buffer.alloc(1024 * 1024, fill);
  const write = (b: Buffer) => (deflate.write(b) ? Promise.resolve() : new Promise<void>((r) => deflate.once('drain', () => r())));
  await write(Buffer.from(prefix));
  for (let done = 0; done < size; done += piece.length) await write(done + piece.length <= size ? piece : piece.subarray(0, size - done));
  const ended = new Promise<void>((r) => deflate.once('end', () => r()));
  deflate.end();
  await ended; // 'end' of the readable side: the last deflated bytes are out
  return { body: Buffer.concat(out), size: prefix.length + size };
}
