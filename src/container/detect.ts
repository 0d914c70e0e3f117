import type { RandomAccessSource } from '../io/random-access-file.js';
import { probePe } from '../pe/index.js';
import type { ArtifactKind } from '../report/model.js';
import type { ContainerFormat } from './types.js';

/** What the first bytes say the file is. The extension is never consulted. */
export type Container = ContainerFormat | 'other';

const CFB_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const CAB_MAGIC = Buffer.from('MSCF', 'latin1');
const MZ_MAGIC = Buffer.from('MZ', 'latin1');

/** Names for common non-packages, so the finding says what the file is instead. */
const OTHER_MAGICS: readonly [Buffer, string][] = [
  [Buffer.from('PK\x03\x04', 'latin1'), 'a ZIP archive'],
  [Buffer.from('%PDF', 'latin1'), 'a PDF document'],
  [Buffer.from([0x1f, 0x8b]), 'a gzip stream'],
  [Buffer.from('\x7fELF', 'latin1'), 'an ELF executable'],
  [Buffer.from('<?xml', 'latin1'), 'an XML document'],
];

/** Bytes read to recognise the text files that most often stand in for a package. */
const TEXT_PROBE_BYTES = 256;

/**
 * Text that ends up under an installer's name: a Git LFS pointer (a checkout without
 * `git lfs pull`, https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md) and an HTML page (a
 * download that returned an error or a login page).
 */
const TEXT_MAGICS: readonly [RegExp, string][] = [
  [
    /^version https:\/\/git-lfs\.github\.com\/spec\/v1\b/,
    'a Git LFS pointer (the repository was checked out without the LFS content: run git lfs pull, or actions/checkout with lfs: true)',
  ],
  [
    /^(?:<!doctype html|<html|<head|<body|<!--)/i,
    'an HTML page (often a download that returned an error or a login page)',
  ],
];

export type Detection =
  | { container: ContainerFormat; description: string }
  /** `description`: what the file looks like, in words. */
  | { container: 'other'; description: string };

export async function detectContainer(source: RandomAccessSource): Promise<Detection> {
  if (source.size === 0) return { container: 'other', description: 'an empty file' };
  const head = await source.read(0, Math.min(8, source.size));
  if (head.length === 8 && head.equals(CFB_MAGIC)) {
    return { container: 'compound-file', description: 'a compound file' };
  }
  if (head.subarray(0, 4).equals(CAB_MAGIC))
    return { container: 'cabinet', description: 'a cabinet' };
  if (head.subarray(0, 2).equals(MZ_MAGIC)) {
    // A file cut short before its PE header is a damaged PE file, not some other format.
    return (await probePe(source)) === 'not-pe'
      ? {
          container: 'other',
          description: 'an MS-DOS or 16-bit Windows executable (MZ without a PE header)',
        }
      : { container: 'portable-executable', description: 'a PE image' };
  }
  const text = (await source.read(0, Math.min(TEXT_PROBE_BYTES, source.size)))
    .toString('latin1')
    .replace(/^\ufeff|^\xef\xbb\xbf/, '')
    .trimStart();
  for (const [pattern, name] of TEXT_MAGICS) {
    if (pattern.test(text)) return { container: 'other', description: name };
  }
  for (const [magic, name] of OTHER_MAGICS) {
    if (head.subarray(0, magic.length).equals(magic))
      return { container: 'other', description: name };
  }
  return { container: 'other', description: 'neither a compound file, a cabinet nor a PE image' };
}

/** The kind a container claims by its magic bytes, before its structure is read. */
export function claimedKind(container: ContainerFormat): ArtifactKind {
  return container === 'cabinet' ? 'cab' : container === 'portable-executable' ? 'pe' : 'msi';
}

/** The message of the `not-a-package` finding for a file no container format recognises. */
export function notAPackageMessage(detection: Detection): string {
  return `the file is ${detection.description}, not an MSI, MSP, MST, CAB or PE file`;
}
