/**
 * Which kind of Windows Installer file a compound file is (docs/formats.md §4.3). The root
 * storage CLSID is the marker; merge modules share the database CLSID and are told apart by
 * their tables.
 */
import type { CompoundFile } from '../cfb/types.js';
import { encodeStreamName } from './stream-name.js';

export type PackageKind = 'msi' | 'msp' | 'mst' | 'msm' | 'unknown-cfb';

/** {000C1084-0000-0000-C000-000000000046}: installer database (.msi and .msm). */
export const CLSID_MSI_DATABASE = clsid(0x84);
/** {000C1086-0000-0000-C000-000000000046}: patch (.msp). */
export const CLSID_MSI_PATCH = clsid(0x86);
/** {000C1082-0000-0000-C000-000000000046}: transform (.mst). */
export const CLSID_MSI_TRANSFORM = clsid(0x82);

function clsid(first: number): Uint8Array {
  return Uint8Array.of(first, 0x10, 0x0c, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * The kind the root CLSID declares. Never 'msm' (merge modules carry the database CLSID; see
 * {@link detectPackageKind}), but typed as {@link PackageKind} so callers can switch over all kinds.
 */
export function packageKindFromClsid(rootClsid: Uint8Array): PackageKind {
  if (equalBytes(rootClsid, CLSID_MSI_DATABASE)) return 'msi';
  if (equalBytes(rootClsid, CLSID_MSI_PATCH)) return 'msp';
  if (equalBytes(rootClsid, CLSID_MSI_TRANSFORM)) return 'mst';
  return 'unknown-cfb';
}

/**
 * The package kind, telling merge modules apart: a database with a `ModuleSignature` table
 * and no `Feature` table is a merge module. `ModuleSignature` alone is not enough — the merge
 * tool copies it into every .msi a module is merged into — but only a module lacks `Feature`
 * (Microsoft "Merge Module Database": "a merge module database does not contain a Feature
 * table"). Pass the catalog's table names when the database is open; otherwise the table
 * streams are looked for (both tables always have rows where they exist).
 */
export function detectPackageKind(cfb: CompoundFile, tableNames?: Iterable<string>): PackageKind {
  const kind = packageKindFromClsid(cfb.root.clsid);
  if (kind !== 'msi') return kind;
  let hasTable: (name: string) => boolean;
  if (tableNames) {
    const names = new Set(tableNames);
    hasTable = (name) => names.has(name);
  } else {
    hasTable = (name) => cfb.child(cfb.root, encodeStreamName(name, true)) !== undefined;
  }
  return hasTable('ModuleSignature') && !hasTable('Feature') ? 'msm' : 'msi';
}
