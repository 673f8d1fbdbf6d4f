import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';

/**
 * Passes every byte on to `target` (waiting for its drain) and hashes it on the way: the SHA-256 of the file exactly
 * as it left, without keeping it. Ending this stream does not end the target (the caller does, as before).
 */
export class HashingStream extends Writable {
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly target: Writable) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.target.destroyed) return callback(new Error('导出的输出流已关闭'));
    if (this.target.write(chunk)) return callback();
    const done = (error?: Error) => {
      this.target.off('drain', onDrain);
      this.target.off('close', onClose);
      callback(error);
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('导出的输出流已关闭'));
    this.target.once('drain', onDrain);
    this.target.once('close', onClose);
  }

  /** The hex SHA-256 of everything written; call once, after the stream has finished. */
  sha256(): string {
    return this.hash.digest('hex');
  }
}
