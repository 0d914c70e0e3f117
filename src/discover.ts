import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { expandGlob, globBase, hasGlobMagic } from './glob.js';
import {
  WIN32_RULES,
  displayRelative,
  isInside,
  isReservedDeviceName,
  nativeRules,
  type PathRules,
} from './io/path-rules.js';
import type { Finding } from './findings.js';
import type { ArtifactInput } from './verify/verify-artifacts.js';

/** Extensions searched for when a path names a directory. Files are typed by content later. */
const PACKAGE_EXTENSIONS = ['.msi', '.msp', '.mst', '.cab', '.exe', '.dll', '.sys', '.ocx', '.efi'];
/** Bound on directory walking so a hostile tree (or a link farm) cannot stall discovery. */
const MAX_FILES = 100_000;

export interface Discovery {
  inputs: ArtifactInput[];
  /**
   * `missing-path` (error) for a literal path that does not exist, `no-match` (warning) for a
   * glob or directory that matched nothing, `outside-workspace` for what a glob, a directory walk
   * or a symbolic link reached outside the boundary.
   */
  findings: Finding[];
  /** How many files each pattern matched, in pattern order. */
  counts: PatternCount[];
}

/** One of the user's paths or globs and the number of files it contributed. */
export interface PatternCount {
  pattern: string;
  count: number;
}

export interface DiscoverOptions {
  cwd?: string;
  /**
   * When set, what globs, directory walks and symbolic links reach is confined to it: an
   * artifact whose real path is outside is reported (`outside-workspace`) and not read, so a
   * symbolic link in a pull request cannot make us read the runner's files. A path the user
   * wrote explicitly outside the workspace (absolute, `..`, `runner.temp`) is read: its own
   * real directory becomes the boundary for what it reaches.
   */
  workspace?: string;
  followSymbolicLinks?: boolean;
  /** The platform's path rules (tests pass Windows rules on Linux). */
  rules?: PathRules;
}

async function walk(
  directory: string,
  follow: boolean,
  out: string[],
  join: (...parts: string[]) => string,
): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (out.length >= MAX_FILES) return;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) await walk(path, follow, out, join);
    else if (entry.isSymbolicLink() && !follow) continue;
    else if (PACKAGE_EXTENSIONS.some((ext) => entry.name.toLowerCase().endsWith(ext)))
      out.push(path);
  }
}

/**
 * Turns the user's paths and globs into artifacts. A literal path is kept exactly as given;
 * a directory is searched for package files; anything else is a glob (expanded here, so quoted
 * patterns behave the same on every shell). Symbolic links are not followed by default.
 */
export async function discoverArtifacts(
  patterns: readonly string[],
  options: DiscoverOptions = {},
): Promise<Discovery> {
  const rules = options.rules ?? nativeRules();
  const { dirname, relative, resolve, sep } = rules.api;
  const cwd = options.cwd ?? process.cwd();
  const follow = options.followSymbolicLinks ?? false;
  const workspace = options.workspace
    ? await realpath(options.workspace).catch(() => resolve(options.workspace!))
    : undefined;
  const inputs: ArtifactInput[] = [];
  const findings: Finding[] = [];
  const counts: Discovery['counts'] = [];
  const seen = new Set<string>();

  const accept = async (
    path: string,
    displayPath: string,
    boundary: string | undefined,
  ): Promise<boolean> => {
    const absolute = resolve(cwd, path);
    if (seen.has(absolute)) return false;
    seen.add(absolute);
    if (boundary) {
      const real = await realpath(absolute).catch(() => absolute);
      if (!isInside(real, boundary, rules)) {
        findings.push({
          severity: 'error',
          code: 'outside-workspace',
          message: `${displayPath} resolves to a file outside the workspace; it was not read`,
        });
        return false;
      }
    }
    inputs.push({ path: absolute, displayPath });
    return true;
  };

  /**
   * Where what a pattern reaches must stay: the workspace, unless the user wrote a path outside
   * it, whose real directory is then the boundary (explicit paths are trusted, links are not).
   */
  const boundaryFor = async (start: string): Promise<string | undefined> => {
    if (!workspace) return undefined;
    if (isInside(start, workspace, rules) || isInside(start, resolve(options.workspace!), rules)) {
      return workspace;
    }
    return realpath(start).catch(() => start);
  };

  for (const pattern of patterns) {
    let count = 0;
    const name = rules.api.basename(pattern);
    if (rules === WIN32_RULES && isReservedDeviceName(name)) {
      // Windows opens `NUL` or `CON.msi` in any directory as a device: reading it would hang
      // on the console or read nothing, and it is never the package the user meant.
      findings.push({
        severity: 'error',
        code: 'missing-path',
        message: `${pattern}: ${name} is a reserved Windows device name, not a file`,
      });
      counts.push({ pattern, count });
      continue;
    }
    const literal = resolve(cwd, pattern);
    const info = await lstat(literal).catch(() => undefined);
    if (
      info &&
      (info.isFile() ||
        (info.isSymbolicLink() && (await stat(literal).catch(() => undefined))?.isFile()))
    ) {
      // The file itself may be outside when written so, but not when a link inside leads out.
      const boundary = await boundaryFor(info.isSymbolicLink() ? dirname(literal) : literal);
      if (await accept(literal, pattern, boundary)) count++;
    } else if (info?.isDirectory()) {
      const boundary = await boundaryFor(literal);
      const files: string[] = [];
      await walk(literal, follow, files, rules.api.join);
      for (const file of files) {
        const rel = relative(literal, file).split(sep).join('/');
        if (await accept(file, `${pattern.replace(/[\\/]+$/, '')}/${rel}`, boundary)) count++;
      }
      if (files.length === 0) {
        findings.push({
          severity: 'warning',
          code: 'no-match',
          message: `${pattern}: the directory holds no .msi, .msp, .mst or .cab file`,
        });
      }
    } else if (!hasGlobMagic(pattern)) {
      findings.push({
        severity: 'error',
        code: 'missing-path',
        message: info
          ? `${pattern}: not a regular file or directory`
          : `${pattern}: no such file or directory`,
      });
    } else {
      const boundary = await boundaryFor(globBase(pattern, cwd, rules));
      const matches = await expandGlob(pattern, { cwd, followSymbolicLinks: follow, rules });
      for (const match of matches) {
        if (await accept(match, displayRelative(match, cwd, rules) ?? match, boundary)) count++;
      }
      if (matches.length === 0) {
        findings.push({
          severity: 'warning',
          code: 'no-match',
          message: `${pattern}: the pattern matched no file`,
        });
      }
    }
    counts.push({ pattern, count });
  }
  return { inputs, findings, counts };
}

/**
 * The finding for a run that found fewer artifacts than required: usually a build or signing
 * step that never ran, or a glob that no longer matches what the build produces.
 */
export function tooFewArtifacts(discovery: Discovery, minimum: number): Finding | null {
  if (discovery.inputs.length >= minimum) return null;
  const counts = discovery.counts.map((c) => `${c.pattern}: ${c.count}`).join(', ');
  return {
    severity: 'error',
    code: 'too-few-artifacts',
    message: `found ${discovery.inputs.length} artifact(s), fewer than the ${minimum} required (${counts}); did the build or signing step run?`,
  };
}
