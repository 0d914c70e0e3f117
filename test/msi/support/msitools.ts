/**
 * Runs msitools (wixl, msibuild, msiinfo) and openssl, and parses `msiinfo export` output.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { toolNotStarted } from '../../support/tools.js';

/** msiinfo export writes binary cells into ./<Table>/ of its working directory: keep that out of the repository. */
const exportDirectory = mkdtempSync(join(tmpdir(), 'va-msiinfo-export-'));

export function run(command: string, args: readonly string[], cwd?: string): Buffer {
  try {
    return execFileSync(command, args, {
      cwd,
      maxBuffer: 512 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // A tool that could not be started says which one and how to install it.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw toolNotStarted(command, error as Error);
    throw error;
  }
}

/** msiinfo lists these but they have no stream of their own. */
export const VIRTUAL_TABLES = new Set([
  '_SummaryInformation',
  '_ForceCodepage',
  '_Streams',
  '_Storages',
]);

export function msiinfoTables(msi: string): string[] {
  return lines(run('msiinfo', ['tables', msi]).toString('utf8'), '\n').filter(
    (t) => !VIRTUAL_TABLES.has(t),
  );
}

export function msiinfoStreams(msi: string): string[] {
  return lines(run('msiinfo', ['streams', msi]).toString('utf8'), '\n');
}

export function msiinfoExtract(msi: string, stream: string): Buffer {
  return run('msiinfo', ['extract', msi, stream]);
}

/** `msiinfo export`: an IDT file — column names, IDT types, table + key columns, then rows. */
export interface IdtExport {
  readonly columns: string[];
  readonly types: string[];
  readonly table: string;
  readonly keys: string[];
  readonly rows: string[][];
}

export function msiinfoExport(msi: string, table: string): IdtExport {
  // msiinfo writes strings as UTF-8 (converted from the database code page), lines end in CRLF.
  const [columns, types, tableAndKeys, ...rows] = lines(
    run('msiinfo', ['export', resolve(msi), table], exportDirectory).toString('utf8'),
    '\r\n',
  );
  const [name, ...keys] = tableAndKeys!.split('\t');
  return {
    columns: columns!.split('\t'),
    types: types!.split('\t'),
    table: name!,
    keys,
    rows: rows.map((row) => row.split('\t')),
  };
}

/**
 * `msiinfo suminfo` as "Label: value" pairs. msiinfo prints the stored bytes without code-page
 * conversion, so values are returned as Latin-1 (one character per byte).
 */
export function msiinfoSuminfo(msi: string): Map<string, string> {
  const info = new Map<string, string>();
  for (const line of lines(run('msiinfo', ['suminfo', msi]).toString('latin1'), '\n')) {
    const colon = line.indexOf(': ');
    if (colon > 0) info.set(line.slice(0, colon), line.slice(colon + 2));
  }
  return info;
}

function lines(text: string, separator: string): string[] {
  const parts = text.split(separator);
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/** Writes an IDT file for `msibuild -i`: header lines, then rows; binary cells name files. */
export function writeIdt(
  dir: string,
  table: string,
  columns: readonly string[],
  types: readonly string[],
  keys: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const text = [
    columns.join('\t'),
    types.join('\t'),
    [table, ...keys].join('\t'),
    ...rows.map((r) => r.join('\t')),
  ]
    .map((line) => line + '\r\n')
    .join('');
  const file = join(dir, `${table}.idt`);
  writeFileSync(file, text, 'utf8');
  return file;
}
