import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProgressLine, progressDelay } from '../../src/cli/progress.js';

function terminal(isTTY: boolean, columns?: number) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = columns;
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
}

/** Lets the PassThrough deliver what was written. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('ProgressLine', () => {
  let clock = 0;
  const now = () => clock;
  afterEach(() => {
    clock = 0;
    vi.useRealTimers();
  });

  it('writes nothing when standard error is not a terminal', async () => {
    const err = terminal(false);
    const progress = new ProgressLine(err.stream, {
      label: 'verifying',
      totalFiles: 3,
      now,
      delayMs: 0,
    });
    progress.addBytes(1 << 20);
    clock = 5000;
    progress.fileDone();
    progress.fileDone();
    progress.fileDone();
    progress.finish();
    await flush();
    expect(err.text()).toBe('');
  });

  it('several files: a line per finished file (files done, bytes hashed, rate), erased at the end', async () => {
    const err = terminal(true);
    const progress = new ProgressLine(err.stream, { label: 'verifying', totalFiles: 2, now });
    progress.addBytes(3 * 1048576);
    clock = 1000;
    progress.fileDone();
    progress.addBytes(1048576);
    clock = 2000;
    progress.fileDone();
    progress.finish();
    await flush();
    expect(err.text()).toBe(
      '\r\u001b[2Kverifying  1/2 files  3.0 MiB hashed  3.0 MiB/s' +
        '\r\u001b[2Kverifying  2/2 files  4.0 MiB hashed  2.0 MiB/s' +
        '\r\u001b[2K',
    );
  });

  it('one file: nothing before the delay, then bytes of the total with a percentage', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const err = terminal(true);
    const progress = new ProgressLine(err.stream, {
      label: 'inspecting',
      totalFiles: 1,
      totalBytes: 4 * 1048576,
      delayMs: 500,
      now,
    });
    progress.addBytes(1048576);
    clock = 400;
    vi.advanceTimersByTime(400);
    await flush();
    expect(err.text()).toBe('');
    clock = 1000;
    vi.advanceTimersByTime(600);
    await flush();
    expect(err.text()).toBe('\r\u001b[2Kinspecting  1.0 MiB of 4.0 MiB hashed (25%)  1.0 MiB/s');
    progress.finish();
    await flush();
    expect(err.text().endsWith('\r\u001b[2K')).toBe(true);
  });

  it('a quick single file never draws, so there is nothing to erase', async () => {
    const err = terminal(true);
    const progress = new ProgressLine(err.stream, { label: 'verifying', totalFiles: 1, now });
    progress.addBytes(100);
    clock = 50;
    progress.fileDone();
    progress.finish();
    await flush();
    expect(err.text()).toBe('');
  });

  it('counts the files unpacked from payloads once there is one', () => {
    const err = terminal(true);
    const progress = new ProgressLine(err.stream, { label: 'verifying', totalFiles: 2, now });
    clock = 1000;
    progress.addBytes(1 << 20);
    expect(progress.text()).toBe('verifying  0/2 files  1.0 MiB hashed  1.0 MiB/s');
    progress.innerFileUnpacked();
    expect(progress.text()).toBe(
      'verifying  0/2 files  1.0 MiB hashed  1.0 MiB/s  1 file unpacked inside',
    );
    progress.innerFileUnpacked();
    progress.innerFileUnpacked();
    expect(progress.text()).toMatch(/ {2}3 files unpacked inside$/);
    progress.finish();
  });

  it('keeps the line narrower than the terminal, so \\r can erase it', async () => {
    const err = terminal(true, 30);
    const progress = new ProgressLine(err.stream, { label: 'verifying', totalFiles: 2, now });
    clock = 1000;
    progress.fileDone();
    progress.finish();
    await flush();
    const line = err.text().split('\r\u001b[2K')[1]!;
    expect(line.length).toBeLessThan(30);
    expect(line.endsWith('…')).toBe(true);
  });

  it('reads its delay from VERIFY_AUTHENTICODE_PROGRESS_DELAY_MS', () => {
    expect(progressDelay({})).toBe(500);
    expect(progressDelay({ VERIFY_AUTHENTICODE_PROGRESS_DELAY_MS: '0' })).toBe(0);
    expect(progressDelay({ VERIFY_AUTHENTICODE_PROGRESS_DELAY_MS: 'soon' })).toBe(500);
    expect(progressDelay({ VERIFY_AUTHENTICODE_PROGRESS_DELAY_MS: '-5' })).toBe(500);
  });
});
