/** Helpers for the cross-checks against msitools, osslsigncode and openssl. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCompoundFile, type CompoundFile } from '../../src/cfb/index.js';
import { MemorySource, RandomAccessFile } from '../../src/io/random-access-file.js';
import { skipWithout, toolNotStarted } from '../support/tools.js';

/** Why the cross-checks skip, when they do (test/support/tools.ts). */
export const SKIP_SIGNING_TOOLS = skipWithout('osslsigncode', 'openssl', 'wixl', 'msiinfo');

/** Runs a command; throws with its output when it fails. */
export function run(command: string, args: string[], cwd?: string): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'latin1',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) throw toolNotStarted(command, result.error);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** Raw bytes of a command's stdout. */
export function runBytes(command: string, args: string[], cwd?: string): Buffer {
  const result = spawnSync(command, args, { cwd, maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw toolNotStarted(command, result.error);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
  return result.stdout;
}

export function makeTempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A self-signed code-signing key pair (k.pem, c.pem) in `dir`. */
export function makeSigningKey(dir: string): { key: string; cert: string } {
  const key = join(dir, 'k.pem');
  const cert = join(dir, 'c.pem');
  run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '30',
    '-subj',
    '/CN=verify-authenticode test',
  ]);
  return { key, cert };
}

export function sign(
  keyPair: { key: string; cert: string },
  input: string,
  output: string,
  extra: string[] = [],
): void {
  run('osslsigncode', [
    'sign',
    '-certs',
    keyPair.cert,
    '-key',
    keyPair.key,
    ...extra,
    '-in',
    input,
    '-out',
    output,
  ]);
}

/** osslsigncode's "Calculated …" values per signature, in signature order. */
export function osslsigncodeCalculated(file: string): {
  digestSignature: string[];
  msiDigitalSignatureEx: string[];
} {
  // `verify` exits non-zero for a self-signed chain: only its printed digests matter here.
  const result = spawnSync('osslsigncode', ['verify', '-in', file], { encoding: 'latin1' });
  const out = `${result.stdout}\n${result.stderr}`;
  const pick = (label: string): string[] =>
    [...out.matchAll(new RegExp(`Calculated ${label}\\s*:\\s*([0-9A-F]+)`, 'g'))].map((m) =>
      m[1]!.toLowerCase(),
    );
  return {
    digestSignature: pick('DigitalSignature'),
    msiDigitalSignatureEx: pick('MsiDigitalSignatureEx'),
  };
}

/** A tiny WiX source installing the given files (wixl dialect). */
export function writeWxs(dir: string, files: string[]): string {
  const components = files
    .map(
      (file, i) => `
          <Component Id="C${i}" Guid="6f1c3a52-0c1e-4f43-9d2b-00000000000${i}">
            <File Id="F${i}" Name="${file}" Source="${file}" />
          </Component>`,
    )
    .join('');
  const refs = files.map((_, i) => `<ComponentRef Id="C${i}" />`).join('');
  const wxs = `<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="*" Name="Tiny" Language="1033" Version="1.0.0" Manufacturer="Test"
           UpgradeCode="6f1c3a52-0c1e-4f43-9d2b-111111111111">
    <Package InstallerVersion="200" Compressed="yes" />
    <Media Id="1" Cabinet="data.cab" EmbedCab="yes" />
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFilesFolder">
        <Directory Id="INSTALLDIR" Name="Tiny">${components}
        </Directory>
      </Directory>
    </Directory>
    <Feature Id="Main" Level="1">${refs}</Feature>
  </Product>
</Wix>
`;
  const path = join(dir, 'product.wxs');
  writeFileSync(path, wxs);
  return path;
}

export async function openFile<T>(
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

export async function openBytes(bytes: Uint8Array): Promise<CompoundFile> {
  return openCompoundFile(new MemorySource(bytes));
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._';

/** MSI stream-name de-mangling (docs/formats.md §2.3), enough to match msiinfo's listing. */
export function decodeMsiStreamName(raw: string): { name: string; isTable: boolean } {
  let units = Array.from({ length: raw.length }, (_, i) => raw.charCodeAt(i));
  const isTable = units[0] === 0x4840;
  if (isTable) units = units.slice(1);
  let name = '';
  for (const u of units) {
    if (u >= 0x3800 && u < 0x4800) {
      const w = u - 0x3800;
      name += ALPHABET[w % 64]! + ALPHABET[Math.floor(w / 64) % 64]!;
    } else if (u >= 0x4800 && u < 0x4840) {
      name += ALPHABET[u - 0x4800]!;
    } else {
      name += String.fromCharCode(u);
    }
  }
  return { name, isTable };
}
