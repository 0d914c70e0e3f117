/** Helpers for the fill tests: fixtures copied to temp directories, msitools views, refcounts. */
import { spawnSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { openCompoundFile, type CompoundFile } from '../../src/cfb/index.js';
import { RandomAccessFile } from '../../src/io/random-access-file.js';
import {
  columnKind,
  COLUMNS_TABLE,
  openMsiDatabase,
  TABLES_TABLE,
  type MsiDatabase,
} from '../../src/msi/index.js';
import { loadCertificateFile } from '../../src/trust/index.js';
import type { Certificate } from '../../src/x509/certificate.js';
import { REPO } from '../support/manifest.js';
import { skipWithout, titled, toolNotStarted } from '../support/tools.js';

/** msiinfo export writes binary cells into ./<Table>/ of its working directory: keep it out of the repository. */
const exportDirectory = mkdtempSync(join(tmpdir(), 'va-fill-export-'));

export { REPO };

/** Why the msitools suites skip, when they do (test/support/tools.ts). */
export const SKIP_MSITOOLS = skipWithout('msiinfo', 'msibuild', 'wixl');
export const SKIP_OSSLSIGNCODE = skipWithout('osslsigncode');
export const SKIP_SIGN_AND_VERIFY = skipWithout('msiinfo', 'msibuild', 'wixl', 'osslsigncode');
export { titled };

export function fixture(path: string): string {
  return join(REPO, 'fixtures', path);
}

export function certificate(name: string): Certificate {
  return loadCertificateFile(fixture(`pki/${name}.pem`))[0]!;
}

export interface TempDir {
  readonly path: string;
  /** Copies a fixture (path under fixtures/) into the directory and returns the copy's path. */
  copy(fixturePath: string, name?: string): string;
  file(name: string): string;
  remove(): void;
}

export function tempDir(prefix = 'fill'): TempDir {
  const path = mkdtempSync(join(tmpdir(), `va-${prefix}-`));
  return {
    path,
    copy(fixturePath, name) {
      const target = join(path, name ?? basename(fixturePath));
      copyFileSync(fixture(fixturePath), target);
      return target;
    },
    file: (name) => join(path, name),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** Runs a tool; throws with its output on failure. Binary-safe stdout. */
export function tool(command: string, args: string[], cwd?: string): Buffer {
  const result = spawnSync(command, args, { cwd, maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw toolNotStarted(command, result.error);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}:\n${String(result.stdout)}\n${String(result.stderr)}`,
    );
  }
  return result.stdout;
}

export function msiTables(msi: string): string[] {
  return tool('msiinfo', ['tables', msi]).toString('latin1').split('\n').filter(Boolean);
}

export function msiStreams(msi: string): string[] {
  return tool('msiinfo', ['streams', msi]).toString('latin1').split('\n').filter(Boolean);
}

/** `msiinfo export` text (IDT, CRLF line ends as msiinfo writes them). */
export function msiExport(msi: string, table: string): string {
  // msiinfo export writes binary cells into ./<Table>/ of its working directory: use a temp one.
  return tool('msiinfo', ['export', resolve(msi), table], exportDirectory).toString('latin1');
}

/** `msiinfo export` as lines: column names, types, table and keys, then one line per row. */
export function msiExportLines(msi: string, table: string): string[] {
  return msiExport(msi, table).split(/\r?\n/).filter(Boolean);
}

export function msiExtract(msi: string, stream: string): Buffer {
  return tool('msiinfo', ['extract', msi, stream]);
}

export async function withCompoundFile<T>(
  path: string,
  use: (cfb: CompoundFile) => Promise<T>,
): Promise<T> {
  const source = await RandomAccessFile.open(path);
  try {
    return await use(await openCompoundFile(source));
  } finally {
    await source.close();
  }
}

export async function withDatabase<T>(
  path: string,
  use: (db: MsiDatabase) => Promise<T>,
): Promise<T> {
  return withCompoundFile(path, async (cfb) => use(await openMsiDatabase(cfb)));
}

/**
 * For every string ID, the pool's refcount and the number of table cells (all tables, the
 * catalog included) that hold it. Exact refcounts mean the two agree for every ID.
 */
export async function referenceCounts(
  db: MsiDatabase,
): Promise<{ id: number; refCount: number; cells: number }[]> {
  const cells = new Map<number, number>();
  const count = (id: number): void => {
    if (id !== 0) cells.set(id, (cells.get(id) ?? 0) + 1);
  };
  for (const table of [TABLES_TABLE, COLUMNS_TABLE, ...db.tableNames]) {
    const columns = db.columns(table)!;
    for (const row of (await db.readRawTable(table))!) {
      columns.forEach((column, c) => {
        if (columnKind(column.type) === 'string') count(row[c]!);
      });
    }
  }
  const out: { id: number; refCount: number; cells: number }[] = [];
  for (let id = 1; id <= db.stringPool.count; id++) {
    out.push({ id, refCount: db.stringPool.refCount(id), cells: cells.get(id) ?? 0 });
  }
  return out;
}

/** Deterministic incompressible bytes (AES-CTR keystream of a fixed key). */
export function pseudoRandomBytes(length: number, seed = 0): Buffer {
  const key = Buffer.alloc(16, seed);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}

/**
 * A wixl MSI carrying an ~8 MB incompressible file, signed by osslsigncode: above 7,143,936
 * bytes osslsigncode writes 4096-byte sectors, so the result is a version 4 compound file.
 * Returns the unsigned (v3) and signed (v4) paths.
 */
export function makeLargeMsi(dir: string): { unsigned: string; signed: string } {
  writeFileSync(join(dir, 'big.bin'), pseudoRandomBytes(8_000_000, 7));
  writeFileSync(
    join(dir, 'big.wxs'),
    `<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="*" Name="Big" Language="1033" Version="1.0.0" Manufacturer="Test"
           UpgradeCode="6f1c3a52-0c1e-4f43-9d2b-222222222222">
    <Package InstallerVersion="200" Compressed="yes" />
    <Media Id="1" Cabinet="data.cab" EmbedCab="yes" />
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFilesFolder">
        <Directory Id="INSTALLDIR" Name="Big">
          <Component Id="C0" Guid="6f1c3a52-0c1e-4f43-9d2b-000000000001">
            <File Id="F0" Name="big.bin" Source="big.bin" />
          </Component>
        </Directory>
      </Directory>
    </Directory>
    <Feature Id="Main" Level="1"><ComponentRef Id="C0" /></Feature>
  </Product>
</Wix>
`,
  );
  const unsigned = join(dir, 'big.msi');
  const signed = join(dir, 'big-signed.msi');
  tool('wixl', ['-o', unsigned, 'big.wxs'], dir);
  signMsi(unsigned, signed);
  return { unsigned, signed };
}

/** osslsigncode with the fixture signer, its chain and SHA-256 (as the recipe does). */
export function signMsi(input: string, output: string, extra: string[] = []): void {
  tool('osslsigncode', [
    'sign',
    '-certs',
    fixture('pki/signer.pem'),
    '-ac',
    fixture('pki/chain.pem'),
    '-key',
    fixture('pki/signer.key'),
    '-h',
    'sha256',
    ...extra,
    '-in',
    input,
    '-out',
    output,
  ]);
}

/** `osslsigncode verify` against the fixture roots: exit status and output. */
export function osslsigncodeVerify(path: string): { ok: boolean; output: string } {
  const result = spawnSync(
    'osslsigncode',
    ['verify', '-CAfile', fixture('pki/trusted-roots.pem'), '-in', path],
    { encoding: 'latin1' },
  );
  return { ok: result.status === 0, output: `${result.stdout}\n${result.stderr}` };
}

/**
 * Imports one table into `msi` with msibuild from IDT text (tab-separated lines: column names,
 * types, table name and keys, rows). `files` are the binary cells' files, placed in the
 * sub-directory named after the table as msibuild expects.
 */
export function importIdt(
  msi: string,
  table: string,
  lines: readonly string[],
  files: Readonly<Record<string, Uint8Array>> = {},
): void {
  const dir = mkdtempSync(join(tmpdir(), 'va-idt-'));
  try {
    mkdirSync(join(dir, table));
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, table, name), bytes);
    writeFileSync(join(dir, `${table}.idt`), lines.map((line) => `${line}\n`).join(''));
    tool('msibuild', [msi, '-i', `${table}.idt`], dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
