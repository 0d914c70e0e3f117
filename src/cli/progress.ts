import { formatBytes } from '../report/format.js';

/** How long work runs before a progress line appears, unless several files are being verified. */
export const DEFAULT_PROGRESS_DELAY_MS = 500;
/** Repaint interval: often enough to look alive, rarely enough to cost nothing. */
const REPAINT_MS = 200;

export interface ProgressOptions {
  /** `verifying`, `inspecting`. */
  label: string;
  /** Files to process. With two or more, the line appears as soon as a file is done. */
  totalFiles: number;
  /** Bytes to process when known (one file): shown as a percentage. */
  totalBytes?: number;
  /** Show the line once the work has run this long, even for one file. */
  delayMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/**
 * A one-line progress display on standard error: files done, bytes hashed, rate, files unpacked
 * from payloads. Only when the stream is a terminal, and only when the work is long enough to be
 * worth it (several files, or one that has been hashing for half a second): nothing of it ever
 * reaches logs or pipes.
 * The line is redrawn in place (`\r`, erase line) and erased by {@link finish}.
 */
export class ProgressLine {
  private done = 0;
  private bytes = 0;
  private inner = 0;
  private readonly started: number;
  private lastDraw = 0;
  private drawn = false;
  private readonly enabled: boolean;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly delayMs: number;

  constructor(
    private readonly stream: ProgressStream,
    private readonly options: ProgressOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.delayMs = options.delayMs ?? DEFAULT_PROGRESS_DELAY_MS;
    this.enabled = stream.isTTY === true && options.totalFiles > 0;
    if (this.enabled) {
      this.timer = setInterval(
        () => this.draw(false),
        Math.min(REPAINT_MS, Math.max(this.delayMs, 10)),
      );
      // Never keep the process alive for the sake of a progress line.
      this.timer.unref();
    }
  }

  /** Bytes read from the file(s) being hashed. */
  addBytes = (bytes: number): void => {
    this.bytes += bytes;
  };

  /** One file unpacked from a package's payload (shown once there is one). */
  innerFileUnpacked = (): void => {
    this.inner++;
  };

  /** One file finished. */
  fileDone(): void {
    this.done++;
    this.draw(this.done === this.options.totalFiles);
  }

  /** Erases the line (call before printing results) and stops repainting. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.drawn) this.stream.write('\r\u001b[2K');
    this.drawn = false;
  }

  /** The text of the line now (without the terminal controls). */
  text(): string {
    const elapsed = Math.max((this.now() - this.started) / 1000, 0.001);
    const rate = `${formatBytes(this.bytes / elapsed)}/s`;
    const total = this.options.totalBytes;
    const parts = [this.options.label];
    if (this.options.totalFiles > 1) parts.push(`${this.done}/${this.options.totalFiles} files`);
    if (total && total > 0) {
      const percent = Math.min(100, Math.floor((this.bytes / total) * 100));
      // Directory and table reads come on top of the hashed bytes; never show more than all.
      const shown = Math.min(this.bytes, total);
      parts.push(`${formatBytes(shown)} of ${formatBytes(total)} hashed (${percent}%)`);
    } else {
      parts.push(`${formatBytes(this.bytes)} hashed`);
    }
    parts.push(rate);
    // The payload walk runs beside the hashing: its count says the run is not stuck when the
    // bytes hashed stop moving on a package with a large payload.
    if (this.inner > 0)
      parts.push(`${this.inner} ${this.inner === 1 ? 'file' : 'files'} unpacked inside`);
    return parts.join('  ');
  }

  private visible(): boolean {
    if (!this.enabled) return false;
    if (this.options.totalFiles >= 2 && this.done > 0) return true;
    return this.now() - this.started >= this.delayMs;
  }

  private draw(force: boolean): void {
    if (!this.visible()) return;
    const now = this.now();
    if (!force && this.drawn && now - this.lastDraw < REPAINT_MS / 2) return;
    this.lastDraw = now;
    let line = this.text();
    // A line that wraps cannot be erased with \r: keep it inside the terminal's width.
    const width = this.stream.columns;
    if (width && width > 10 && line.length >= width) line = `${line.slice(0, width - 2)}…`;
    this.stream.write(`\r\u001b[2K${line}`);
    this.drawn = true;
  }
}

/** The delay before progress shows: VERIFY_AUTHENTICODE_PROGRESS_DELAY_MS, else 500 ms. */
export function progressDelay(env: NodeJS.ProcessEnv): number {
  const value = Number(env.VERIFY_AUTHENTICODE_PROGRESS_DELAY_MS);
  return env.VERIFY_AUTHENTICODE_PROGRESS_DELAY_MS !== undefined &&
    Number.isFinite(value) &&
    value >= 0
    ? value
    : DEFAULT_PROGRESS_DELAY_MS;
}
