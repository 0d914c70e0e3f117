import { constants } from 'node:fs';
import { lstat, mkdir, open } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A report that could not be written: the path as the user gave it and why, in one line. */
export class ReportWriteError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`cannot write ${path}: ${detail}`);
    this.name = 'ReportWriteError';
  }
}

export interface ReportFileOptions {
  /**
   * The directory the user's paths are relative to (the workspace, the working directory).
   * Every directory between it and the file must be a real directory, not a symbolic link: a
   * pull request can plant links in the workspace, and a report written through one would
   * overwrite a file elsewhere on the runner. Missing directories are created.
   */
  base: string;
}

/** O_NOFOLLOW where the platform has it (not on Windows, where links are not planted by checkouts). */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EISDIR':
      return 'it is a directory';
    case 'ELOOP':
      return 'it is a symbolic link; reports are not written through links';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    default:
      return e.message ?? String(error);
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The directories to check, outermost first: those between `base` and the file's directory when
 * the file is inside `base`, otherwise only the file's own directory (a path the user wrote
 * outside it is theirs; only its last directory is checked and created).
 */
function directoriesToCheck(directory: string, base: string): string[] {
  if (!isInside(directory, base)) return [directory];
  const parts = relative(base, directory).split(sep).filter(Boolean);
  return parts.map((_, i) => join(base, ...parts.slice(0, i + 1)));
}

async function ensureDirectory(directory: string, shown: string): Promise<void> {
  const info = await lstat(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new ReportWriteError(shown, reason(error));
  });
  if (info === undefined) {
    try {
      await mkdir(directory, { recursive: true });
    } catch (error) {
      throw new ReportWriteError(shown, `cannot create ${directory}: ${reason(error)}`);
    }
    return;
  }
  if (info.isSymbolicLink()) {
    throw new ReportWriteError(
      shown,
      `${directory} is a symbolic link; reports are not written through links`,
    );
  }
  if (!info.isDirectory()) throw new ReportWriteError(shown, `${directory} is not a directory`);
}

/**
 * Writes a report file without following symbolic links: the directories leading to it are
 * created when missing and refused when they are links, a new file is created exclusively, and
 * an existing one is replaced only when it is a regular file. Throws ReportWriteError.
 */
export async function writeReportFile(
  path: string,
  text: string,
  options: ReportFileOptions,
): Promise<void> {
  const base = resolve(options.base);
  const target = resolve(base, path);
  for (const directory of directoriesToCheck(dirname(target), base)) {
    await ensureDirectory(directory, path);
  }
  const existing = await lstat(target).catch(() => undefined);
  if (existing?.isSymbolicLink()) {
    throw new ReportWriteError(
      path,
      'it is a symbolic link; reports are not written through links',
    );
  }
  if (existing && !existing.isFile()) throw new ReportWriteError(path, 'it is not a regular file');
  const flags = existing
    ? constants.O_WRONLY | constants.O_TRUNC | NO_FOLLOW
    : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW;
  let handle;
  try {
    handle = await open(target, flags, 0o644);
  } catch (error) {
    throw new ReportWriteError(path, reason(error));
  }
  try {
    await handle.writeFile(text);
  } catch (error) {
    throw new ReportWriteError(path, reason(error));
  } finally {
    await handle.close();
  }
}
