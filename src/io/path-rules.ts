import { posix, win32 } from 'node:path';

/**
 * The path rules of one platform, passed as a value so every path decision (the workspace
 * boundary, display paths, annotation `file=`, SARIF URIs, glob case) can be exercised under
 * Windows rules on a Linux runner. Windows rules follow the Win32 path normalisation documented
 * in "Naming Files, Paths, and Namespaces" (learn.microsoft.com): either separator, drive letters
 * compared case-insensitively, UNC and `\\?\` roots, trailing dots and spaces dropped from a name
 * (except under `\\?\`), and the reserved device names.
 */
export interface PathRules {
  readonly api: typeof posix;
  /** Whether `A.msi` and `a.msi` are different files (false on Windows and, by default, macOS). */
  readonly caseSensitive: boolean;
}

export const POSIX_RULES: PathRules = { api: posix, caseSensitive: true };
export const WIN32_RULES: PathRules = { api: win32, caseSensitive: false };

/** The rules of the platform we run on. */
export function nativeRules(platform: NodeJS.Platform = process.platform): PathRules {
  // macOS disks are usually case-insensitive, but its shells glob case-sensitively; so do we.
  return platform === 'win32' ? WIN32_RULES : POSIX_RULES;
}

/**
 * The rules a path was written under: a drive letter, a UNC root or any backslash means Windows
 * (a report written on a Windows runner is rendered with Windows rules even when read elsewhere).
 */
export function rulesForPath(path: string): PathRules {
  return /^[A-Za-z]:[\\/]|^\\\\/.test(path) || path.includes('\\') ? WIN32_RULES : POSIX_RULES;
}

const RESERVED_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;

/**
 * `NUL`, `CON.msi`, `lpt1.txt `: names Win32 opens as a device whatever the directory or
 * extension, so they never name a package file on Windows.
 */
export function isReservedDeviceName(name: string): boolean {
  const stem = name
    .replace(/[. ]+$/, '')
    .split('.')[0]!
    .replace(/ +$/, '');
  return RESERVED_DEVICE.test(stem);
}

/**
 * What Win32 opens for a path: trailing dots and spaces of each name are dropped (`a.msi.` is
 * `a.msi`), except under `\\?\` which passes names through untouched. Identity under POSIX rules.
 */
export function canonicalPath(path: string, rules: PathRules): string {
  if (rules.api !== win32) return rules.api.normalize(path);
  if (/^[\\/][\\/]\?[\\/]/.test(path)) return path.replace(/\//g, '\\');
  const root = win32.parse(path).root;
  const rest = path
    .slice(root.length)
    .split(/[\\/]/)
    .map((name) => (name === '.' || name === '..' ? name : name.replace(/[. ]+$/, '')));
  return win32.normalize(root + rest.join('\\'));
}

/**
 * `child` relative to `parent` when it lies inside (or is) `parent`, else undefined: a `..` that
 * climbs out, another drive, another UNC share. Windows compares case-insensitively; `\\?\C:\x`
 * and `C:\x` are the same file.
 */
export function relativeInside(
  child: string,
  parent: string,
  rules: PathRules,
): string | undefined {
  const { api } = rules;
  const strip = (p: string): string =>
    api === win32
      ? p
          .replace(/^[\\/][\\/]\?[\\/](?!UNC[\\/])/i, '')
          .replace(/^[\\/][\\/]\?[\\/]UNC[\\/]/i, '\\\\')
      : p;
  const from = canonicalPath(api.resolve(strip(parent)), rules);
  const to = canonicalPath(api.resolve(strip(child)), rules);
  // Compared name by name rather than with path.relative, whose win32 form run off Windows
  // resolves a rootless path against the POSIX working directory.
  const parts = (p: string): string[] => {
    const list = p.split(api.sep);
    while (list.length > 1 && list[list.length - 1] === '') list.pop();
    return list;
  };
  const fold = (name: string): string => (rules.caseSensitive ? name : name.toLowerCase());
  const fromParts = parts(from);
  const toParts = parts(to);
  if (toParts.length < fromParts.length) return undefined;
  if (fromParts.some((name, i) => fold(name) !== fold(toParts[i]!))) return undefined;
  const rel = toParts.slice(fromParts.length).join(api.sep);
  return rel;
}

export function isInside(child: string, parent: string, rules: PathRules): boolean {
  return relativeInside(child, parent, rules) !== undefined;
}

/**
 * How a file is shown and annotated: relative to `base` with forward slashes, undefined when it
 * lies outside (or is `base` itself).
 */
export function displayRelative(path: string, base: string, rules: PathRules): string | undefined {
  const rel = relativeInside(path, base, rules);
  if (!rel) return undefined;
  return rel.split(rules.api.sep).join('/');
}

const encodeSegments = (segments: string[]): string => segments.map(encodeURIComponent).join('/');

/** `file:` URI of an absolute path (`/a b/c` → `file:///a%20b/c`, `C:\x` → `file:///C:/x`). */
export function fileUri(absolute: string, rules: PathRules): string {
  const { api } = rules;
  if (api === win32) {
    const plain = absolute
      .replace(/^[\\/][\\/]\?[\\/]UNC[\\/]/i, '\\\\')
      .replace(/^[\\/][\\/]\?[\\/]/, '');
    const segments = win32
      .normalize(plain)
      .split('\\')
      .filter((p) => p !== '');
    if (/^[A-Za-z]:$/.test(segments[0] ?? '')) {
      const [drive, ...rest] = segments;
      return `file:///${drive!.toUpperCase()}/${encodeSegments(rest)}`;
    }
    if (/^[\\/][\\/]/.test(plain)) return `file://${encodeSegments(segments)}`;
    return `file:///${encodeSegments(segments)}`;
  }
  return `file:///${encodeSegments(absolute.split('/').filter((p) => p !== ''))}`;
}

/**
 * A SARIF artifact location: relative to `base` with forward slashes and each segment
 * percent-encoded, or an absolute `file:` URI for a file outside it.
 */
export function artifactLocation(
  path: string,
  base: string,
  rules: PathRules,
  cwd: string = base,
): { uri: string; relative: boolean } {
  const absolute = rules.api.resolve(cwd, path);
  const rel = relativeInside(absolute, base, rules);
  if (rel) return { uri: encodeSegments(rel.split(rules.api.sep)), relative: true };
  return { uri: fileUri(absolute, rules), relative: false };
}

/** Regular-expression flags for matching one glob segment against a directory entry's name. */
export function globFlags(rules: PathRules): string {
  return rules.caseSensitive ? '' : 'i';
}

/**
 * A glob pattern split into its root (`/`, `C:/`, `//server/share/`, `//?/C:/`, or '' when
 * relative) and its segments, separators folded to `/`. Under POSIX rules a backslash is also a
 * separator (patterns are written by people who copy them between runners).
 */
export function splitGlob(pattern: string, rules: PathRules): { root: string; segments: string[] } {
  const normalized = pattern.replace(/\\/g, '/');
  const root = rules.api.isAbsolute(normalized) ? rules.api.parse(normalized).root : '';
  // `D:out` is relative to the drive's current directory; keep the drive with the root.
  const driveRelative =
    rules.api === win32 && !root && /^[A-Za-z]:/.test(normalized) ? normalized.slice(0, 2) : '';
  const head = root || driveRelative;
  const segments = normalized
    .slice(head.length)
    .split('/')
    .filter((s) => s !== '');
  return { root: head, segments };
}

/**
 * An absolute `path` inside `workspace`, as the workflow author writes it: relative, forward
 * slashes. Undefined for a relative path (already as written), one outside the workspace, or
 * the workspace itself.
 */
export function workspaceRelative(
  path: string,
  workspace: string,
  rules: PathRules,
): string | undefined {
  if (!rules.api.isAbsolute(path)) return undefined;
  return displayRelative(path, workspace, rules);
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `text` (a finding's message) with the workspace prefix removed from the absolute paths it
 * quotes, so `D:\a\repo\repo\dist\x.msi` reads `dist\x.msi`. Under Windows rules the prefix is
 * matched as Windows matches it: either separator, any letter case, with or without `\\?\`. A
 * prefix is only removed where a path starts (after a space, a quote or a bracket) and is
 * followed by a separator, so `/work` is not removed from `/work2/x` or from `/x/work/y`; nor
 * from `/work/../x`, which is outside and keeps its absolute form.
 */
export function withoutWorkspacePrefix(text: string, workspace: string, rules: PathRules): string {
  const windows = rules.api === win32;
  const trimmed = workspace.replace(windows ? /[\\/]+$/ : /\/+$/, '');
  if (!trimmed) return text;
  const separator = windows ? '[\\\\/]+' : '/+';
  const prefix = trimmed
    .split(windows ? /[\\/]+/ : /\/+/)
    .map(escapeRegExp)
    .join(separator);
  const longPath = windows ? '(?:[\\\\/]{2}\\?[\\\\/])?' : '';
  const pattern = new RegExp(
    `(?<=^|[\\s"'\`(\\[<{=,;])${longPath}${prefix}${separator}(?!\\.\\.(?:[\\\\/]|$))`,
    windows ? 'gi' : 'g',
  );
  return text.replace(pattern, '');
}

/**
 * The entries of a directory listing that open as `wanted` under `rules`: under Windows rules
 * without regard to case, and with trailing dots and spaces dropped (Win32 opens `DATA1.CAB.`
 * as `data1.cab`); under POSIX rules only the exact name. A reserved device name matches
 * nothing: on Windows it opens a device, not a file.
 */
export function namesBelow(entries: readonly string[], wanted: string, rules: PathRules): string[] {
  if (rules.api !== win32) return entries.filter((entry) => entry === wanted);
  // Upper-cased letter by letter, as NTFS's upcase table maps one UTF-16 unit to one ('ß' stays).
  const key = (name: string): string =>
    Array.from(name.replace(/[. ]+$/, ''), (c) => {
      const upper = c.toUpperCase();
      return upper.length === c.length ? upper : c;
    }).join('');
  const target = key(wanted);
  return entries.filter((entry) => !isReservedDeviceName(entry) && key(entry) === target);
}
