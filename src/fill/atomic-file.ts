import { randomBytes } from 'node:crypto';
import { chmod, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Permission bits for the new file (e.g. those of the file being replaced). */
  readonly mode?: number;
  /** Runs after the temporary file is complete and before it is renamed (close readers here). */
  readonly beforeRename?: () => Promise<void>;
}

/**
 * Produces `target` all at once: `write` fills a temporary file in the same directory (same
 * file system, so the rename is atomic), which then replaces `target`. If anything fails the
 * temporary file is removed and `target` is left as it was — a failure never leaves a
 * half-written package.
 */
export async function writeFileAtomically(
  target: string,
  write: (temporaryPath: string) => Promise<void>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temporary = join(
    dirname(target),
    `.${basename(target)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    await write(temporary);
    if (options.mode !== undefined) await chmod(temporary, options.mode);
    await options.beforeRename?.();
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Permission bits of an existing file, or undefined when it does not exist. */
export async function existingMode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o7777;
  } catch {
    return undefined;
  }
}
