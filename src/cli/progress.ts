/**
 * A one-line progress display on standard error, only when it is a terminal and the work is
 * long enough to be worth it: nothing of it reaches logs or pipes.
 */
export class ProgressLine {
  private done = 0;
  private bytes = 0;
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;
  private readonly enabled: boolean;

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly total: number,
    options: { minFiles?: number } = {},
  ) {
    this.enabled = stream.isTTY === true && total >= (options.minFiles ?? 2);
  }

  advance(bytes: number): void {
    this.done++;
    this.bytes += bytes;
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && this.done < this.total) return;
    this.lastDraw = now;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const mib = this.bytes / 1048576;
    this.stream.write(
      `\r\u001b[2K${this.done}/${this.total} files, ${mib.toFixed(1)} MiB hashed, ${(mib / seconds).toFixed(1)} MiB/s`,
    );
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.stream.write('\r\u001b[2K');
  }
}
