import { readdir, stat } from 'node:fs/promises';
import { nativeRules, globFlags, splitGlob, type PathRules } from './io/path-rules.js';

/**
 * Glob expansion for artifact paths: `*`, `?`, `[...]` within a path segment and `**` across
 * segments. Ours rather than @actions/glob because that one logs `::debug::` commands on stdout
 * (wrong for a CLI) and the CLI and the action must expand patterns identically. Symbolic links
 * to directories are not descended unless asked; walking is bounded.
 */

const MAX_VISITED = 200_000;
const MAX_DEPTH = 64;

export interface GlobOptions {
  cwd: string;
  followSymbolicLinks?: boolean;
  /** The platform's path rules; tests pass Windows rules on Linux. */
  rules?: PathRules;
}

export function hasGlobMagic(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

function segmentMatcher(segment: string, rules: PathRules): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end === -1) {
        source += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      source += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, globFlags(rules));
}

function splitPattern(
  pattern: string,
  cwd: string,
  rules: PathRules,
): { base: string; rest: string[] } {
  // The root (`C:/`, `//server/share/`, `//?/C:/`) is never glob syntax, even the `?` in `\\?\`.
  const { root, segments } = splitGlob(pattern, rules);
  let literal = 0;
  while (literal < segments.length - 1 && !hasGlobMagic(segments[literal]!)) literal++;
  const base = rules.api.resolve(cwd, root + (segments.slice(0, literal).join('/') || '.'));
  return { base, rest: segments.slice(literal) };
}

/** The directory a pattern's walk starts from: its segments before the first glob character. */
export function globBase(pattern: string, cwd: string, rules = nativeRules()): string {
  return splitPattern(pattern, cwd, rules).base;
}

/** Matching files (not directories), absolute paths, sorted. */
export async function expandGlob(pattern: string, options: GlobOptions): Promise<string[]> {
  const rules = options.rules ?? nativeRules();
  const join = rules.api.join;
  const split = splitPattern(pattern, options.cwd, rules);
  const base = split.base;
  const rest = split.rest.map((s) => (s === '**' ? s : segmentMatcher(s, rules)));
  const follow = options.followSymbolicLinks ?? false;
  const results = new Set<string>();
  let visited = 0;

  const walk = async (directory: string, index: number, depth: number): Promise<void> => {
    if (index >= rest.length || depth > MAX_DEPTH || visited > MAX_VISITED) return;
    const part = rest[index]!;
    const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
    visited += entries.length;
    if (part === '**') {
      await walk(directory, index + 1, depth); // ** matches zero directories
      const last = index === rest.length - 1; // a trailing ** matches every file beneath
      for (const entry of entries) {
        const path = join(directory, entry.name);
        if (
          last &&
          (entry.isFile() ||
            (entry.isSymbolicLink() && (await stat(path).catch(() => null))?.isFile()))
        ) {
          results.add(path);
          continue;
        }
        if (
          entry.isDirectory() ||
          (follow && entry.isSymbolicLink() && (await stat(path).catch(() => null))?.isDirectory())
        ) {
          await walk(path, index, depth + 1);
        }
      }
      return;
    }
    const last = index === rest.length - 1;
    for (const entry of entries) {
      if (!part.test(entry.name)) continue;
      const path = join(directory, entry.name);
      if (last) {
        if (entry.isFile()) results.add(path);
        else if (entry.isSymbolicLink() && (await stat(path).catch(() => null))?.isFile())
          results.add(path);
      } else if (
        entry.isDirectory() ||
        (follow && entry.isSymbolicLink() && (await stat(path).catch(() => null))?.isDirectory())
      ) {
        await walk(path, index + 1, depth + 1);
      }
    }
  };
  await walk(base, 0, 0);
  return [...results].sort();
}
