/**
 * A one-line progress bar on stderr for long command-line work (seeding, exports, imports, backups). Counts rows
 * (with a rate) unless given `format` for another unit: bytes copied, archive entries restored.
 */
export class ProgressBar {
  private readonly started = Date.now();
  private lastDraw = 0;

  constructor(
    private readonly label: string,
    private total: number,
    private readonly format: ((n: number) => string) | null = null,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** `total` may be learnt on the way (rows of a file being read). */
  update(done: number, force = false, total?: number): void {
    if (total !== undefined) this.total = total;
    const now = Date.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const ratio = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const width = 30;
    const filled = Math.round(ratio * width);
    const bar = `${this.label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(ratio * 100).toFixed(1)}%`;
    let line: string;
    if (this.format) line = `${bar} ${this.format(Math.min(done, this.total))}/${this.format(this.total)}`;
    else {
      const seconds = (now - this.started) / 1000;
      const rate = seconds > 0 ? Math.round(done / seconds) : 0;
      line = `${bar} ${done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} ${rate.toLocaleString('en-US')} 行/秒`;
    }
    this.stream.write(this.stream.isTTY ? `\r${line}` : `${line}\n`);
  }

  /** Draws the last state; without `done`, the work is complete (done = total). */
  finish(done = this.total): void {
    this.update(done, true);
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
