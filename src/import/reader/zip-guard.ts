import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { ImportFileError } from './import-file-error.js';

export interface ZipLimits {
  maxUncompressedBytes: number;
  maxEntries: number;
  /** performance.now() after which reading stops (in-process reads have no worker to terminate). */
  deadline?: number;
}

const MB = 1024 * 1024;
const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

const notXlsx = (why: string) => new ImportFileError('NOT_XLSX', `无法读取：${why}。请上传 Excel 工作簿（.xlsx）文件`);

/** Refuses what is not a zip before any parsing: old .xls and encrypted workbooks are OLE2 containers. */
export function checkMagic(bytes: Buffer): void {
  if (bytes.length >= 4 && bytes.subarray(0, 4).equals(OLE2)) {
    throw new ImportFileError(
      'XLS_NOT_SUPPORTED',
      '这是旧版 Excel 97-2003（.xls）文件或加了密码的工作簿，无法读取。请在 Excel 中取消密码，并"另存为" Excel 工作簿（.xlsx）后再上传',
    );
  }
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw notXlsx('文件不是 .xlsx 格式（可能是 CSV、WPS 或其他格式的文件）');
}

/**
 * The zip side of an .xlsx, read from memory with every inflated byte counted as it streams: declared sizes are
 * never trusted (a zip bomb declares small sizes), and each entry counts once even when read twice.
 */
export class ZipGuard {
  private inflated = 0;
  private readonly seen = new Map<string, number>();

  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
    private readonly limits: ZipLimits,
  ) {}

  static async open(bytes: Buffer, limits: ZipLimits): Promise<ZipGuard> {
    checkMagic(bytes);
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: false, strictFileNames: false }, (err, z) =>
        err ? reject(notXlsx(`文件已损坏或不是 .xlsx 文件（${err.message}）`)) : resolve(z),
      ),
    );
    if (zip.entryCount > limits.maxEntries) throw tooManyEntries(limits.maxEntries);
    const entries = new Map<string, yauzl.Entry>();
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        if (entries.size >= limits.maxEntries) return reject(tooManyEntries(limits.maxEntries));
        // Names are case-insensitive in OPC; a leading slash is tolerated by Excel.
        entries.set(e.fileName.replace(/^\/+/, '').toLowerCase(), e);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', (err: Error) => reject(notXlsx(`文件已损坏（${err.message}）`)));
      zip.readEntry();
    });
    return new ZipGuard(zip, entries, limits);
  }

  has(name: string): boolean {
    return this.entries.has(name.toLowerCase());
  }

  /** Streams one entry's inflated bytes to `onChunk`; returning false stops early. */
  async read(name: string, onChunk: (chunk: Buffer) => boolean | void): Promise<void> {
    const entry = this.entries.get(name.toLowerCase());
    if (!entry) throw notXlsx(`缺少 ${name}`);
    if (entry.isEncrypted()) throw notXlsx('压缩包内容已加密');
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw notXlsx(`不支持的压缩方式 ${entry.compressionMethod}`);
    // The raw bytes, inflated here with large output chunks (yauzl's own inflate uses zlib's 16 KB default).
    const raw = await new Promise<Readable>((resolve, reject) =>
      this.zip.openReadStream(entry, entry.compressionMethod === 8 ? { decompress: false } as yauzl.ZipFileOptions : {} as yauzl.ZipFileOptions, (err, s) =>
        err ? reject(notXlsx(`文件已损坏（${err.message}）`)) : resolve(s)),
    );
    let stream: Readable = raw;
    if (entry.compressionMethod === 8) {
      const inflate = zlib.createInflateRaw({ chunkSize: 256 * 1024 });
      raw.on('error', (e) => inflate.destroy(e));
      stream = raw.pipe(inflate);
    }
    let bytes = 0;
    const chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<Buffer>;
        try {
          next = await chunks.next();
        } catch (e) {
          throw notXlsx(`文件已损坏（${(e as Error).message}）`); // zlib: not a valid deflate stream
        }
        if (next.done) break;
        bytes += next.value.length;
        this.count(name, bytes);
        if (this.limits.deadline !== undefined && performance.now() > this.limits.deadline) throw timeLimit();
        if (onChunk(next.value) === false) break;
      }
    } finally {
      raw.destroy();
      stream.destroy();
    }
  }

  /** Adds the bytes of an entry beyond what an earlier read of it already counted. */
  private count(name: string, bytesSoFar: number): void {
    const before = this.seen.get(name) ?? 0;
    if (bytesSoFar <= before) return;
    this.inflated += bytesSoFar - before;
    this.seen.set(name, bytesSoFar);
    if (this.inflated > this.limits.maxUncompressedBytes) {
      throw new ImportFileError(
        'FILE_TOO_LARGE',
        `文件解压后超过 ${Math.round(this.limits.maxUncompressedBytes / MB)} MB，已停止读取。请删除无关的工作表、图片后再上传，或分成几个文件`,
      );
    }
  }

  close(): void {
    this.zip.close();
  }
}

export const timeLimit = () => new ImportFileError('TIME_LIMIT', '读取文件超时，已停止。文件可能过大或结构异常，请分成几个文件后再上传');

const tooManyEntries = (max: number) =>
  new ImportFileError('TOO_MANY_ENTRIES', `文件内部的部件超过 ${max} 个，不像是一份台账，已拒绝读取`);
