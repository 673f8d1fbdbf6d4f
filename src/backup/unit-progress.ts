import { formatBytes } from './backup-common.js';

/**
 * A one-line progress bar on stderr, like ProgressBar (common/progress.ts) but for work counted in bytes or in
 * steps rather than rows: copying pages, restoring an archive's entries.
 */
export class UnitProgress {
  private lastDraw = 0;

  constructor(
    private readonly label: string,
    private total: number,
    private readonly format: (n: number) => string = String,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  static bytes(label: string, total: number): UnitProgress {
    return new UnitProgress(label, total, formatBytes);
  }

  update(done: number, force = false, total?: number): void {
    if (total !== undefined) this.total = total;
    const now = Date.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const ratio = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const filled = Math.round(ratio * 30);
    const line = `${this.label} [${'█'.repeat(filled)}${'░'.repeat(30 - filled)}] ${(ratio * 100).toFixed(1)}% ${this.format(Math.min(done, this.total))}/${this.format(this.total)}`;
    this.stream.write(this.stream.isTTY ? `\r${line}` : `${line}\n`);
  }

  finish(): void {
    this.update(this.total, true);
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
