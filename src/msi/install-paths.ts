/**
 * Where Windows Installer puts each file of a package: File → Component → Directory, the
 * Directory table's parent chain and DefaultDir names (Windows Installer SDK, "Directory
 * Table", "File Table", "Component Table"). Paths are shown as reviewers read them:
 * `[ProgramFilesFolder]/App/app.exe`, the top folder by its property name (the directories
 * under the root, TARGETDIR, are the system folder properties), then the long target names.
 */
import type { MsiDatabase } from './database.js';

/** Directory chains longer than this are cycles or hostile (real packages nest < 20 deep). */
const MAX_DIRECTORY_DEPTH = 64;

export interface InstalledFile {
  /** File table key: the name of the file in the package's cabinets. */
  readonly key: string;
  /** Long file name (FileName's long part). */
  readonly name: string;
  /** `[ProgramFilesFolder]/App/app.exe`. */
  readonly path: string;
  readonly size: number | null;
  readonly sequence: number | null;
}

/** The long part of a `short|long` name (DefaultDir target part or FileName). */
export function longName(value: string): string {
  const bar = value.indexOf('|');
  return bar >= 0 ? value.slice(bar + 1) : value;
}

/** DefaultDir is `target[:source]`; the target part names the installed directory. */
function targetName(defaultDir: string): string {
  const colon = defaultDir.indexOf(':');
  return longName(colon >= 0 ? defaultDir.slice(0, colon) : defaultDir);
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const integer = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/**
 * Every row of the File table with its install path, keyed by File key. Missing tables give an
 * empty map; a component or directory that does not resolve gives a path under `[?]`.
 */
export async function installedFiles(db: MsiDatabase): Promise<Map<string, InstalledFile>> {
  const result = new Map<string, InstalledFile>();
  const files = (await db.readTable('File')) ?? [];
  if (files.length === 0) return result;
  const components = new Map<string, string>();
  for (const row of (await db.readTable('Component')) ?? []) {
    components.set(text(row['Component']), text(row['Directory_']));
  }
  const directories = new Map<string, { parent: string; defaultDir: string }>();
  for (const row of (await db.readTable('Directory')) ?? []) {
    directories.set(text(row['Directory']), {
      parent: text(row['Directory_Parent']),
      defaultDir: text(row['DefaultDir']),
    });
  }

  const pathCache = new Map<string, string>();
  const directoryPath = (key: string): string => {
    const cached = pathCache.get(key);
    if (cached !== undefined) return cached;
    const segments: string[] = [];
    let current = key;
    let top = '[?]';
    for (let depth = 0; depth < MAX_DIRECTORY_DEPTH; depth++) {
      const entry = directories.get(current);
      if (!entry) break;
      const isRoot = entry.parent === '' || entry.parent === current;
      const parent = isRoot ? undefined : directories.get(entry.parent);
      const parentIsRoot = !parent || parent.parent === '' || parent.parent === entry.parent;
      if (isRoot || parentIsRoot) {
        top = `[${current}]`;
        break;
      }
      const name = targetName(entry.defaultDir);
      if (name !== '.' && name !== '') segments.unshift(name);
      current = entry.parent;
    }
    const path = [top, ...segments].join('/');
    pathCache.set(key, path);
    return path;
  };

  for (const row of files) {
    const key = text(row['File']);
    const name = longName(text(row['FileName']));
    const directory = components.get(text(row['Component_']));
    const folder = directory === undefined ? '[?]' : directoryPath(directory);
    result.set(key, {
      key,
      name,
      path: `${folder}/${name}`,
      size: integer(row['FileSize']),
      sequence: integer(row['Sequence']),
    });
  }
  return result;
}

/** A Media table row: which File sequence numbers a cabinet holds. */
export interface MediaCabinet {
  readonly diskId: number;
  readonly lastSequence: number;
  /** `#name` for a stream of the package, otherwise a file beside it. */
  readonly cabinet: string;
}

export async function mediaCabinets(db: MsiDatabase): Promise<MediaCabinet[]> {
  const rows = (await db.readTable('Media')) ?? [];
  return rows
    .map((row) => ({
      diskId: integer(row['DiskId']) ?? 0,
      lastSequence: integer(row['LastSequence']) ?? 0,
      cabinet: text(row['Cabinet']),
    }))
    .filter((media) => media.cabinet !== '');
}
