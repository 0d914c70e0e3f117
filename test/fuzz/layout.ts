/**
 * Where the structures of a seed file lie, computed independently of the product's readers:
 * the fields worth planting hostile values in, the bytes no digest reads, and where the primary
 * signature and its signed parts sit. Seeds are our own well-formed fixtures; for a damaged seed
 * whatever can be read is described and the rest left out.
 */
import { parseAuthenticode } from '../../src/authenticode/index.js';

export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/** A little-endian integer field of a structure. */
export interface Field {
  readonly name: string;
  readonly offset: number;
  readonly width: 1 | 2 | 4;
}

export interface Layout {
  readonly container: 'cfb' | 'cab' | 'pe' | 'other';
  /** CFB sector size (0 otherwise). */
  readonly sectorSize: number;
  /** Structure fields: targets of hostile values. */
  readonly fields: readonly Field[];
  /** Metadata regions (header, FAT, directory, CFFOLDER/CFFILE…): where bit flips go most. */
  readonly structure: readonly ByteRange[];
  /**
   * Bytes no content digest depends on: free sectors, slack after a stream's end, directory
   * timestamps and state bits, unused header slots, the signature blob outside its signed
   * parts. Sorted and merged. A mutation confined to these may leave a passing file passing.
   */
  readonly passAllowed: readonly ByteRange[];
  /** Whether bytes appended after the end of the file are outside every digest (CFB: yes). */
  readonly appendAllowed: boolean;
  /** File ranges of the primary signature blob, in blob order. */
  readonly signature: readonly ByteRange[];
  /** File ranges of the signed parts of the primary signature (never allowed to change). */
  readonly critical: readonly ByteRange[];
}

const ENDOFCHAIN = 0xfffffffe;
const NOSTREAM = 0xffffffff;
const MAXREGSECT = 0xfffffffa;
const MINI_CUTOFF = 4096;

/** Sorts and merges ranges. */
export function normalize(ranges: readonly ByteRange[]): ByteRange[] {
  const sorted = ranges.filter((r) => r.length > 0).sort((a, b) => a.offset - b.offset);
  const out: { offset: number; length: number }[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.offset <= last.offset + last.length) {
      last.length = Math.max(last.length, r.offset + r.length - last.offset);
    } else out.push({ offset: r.offset, length: r.length });
  }
  return out;
}

/** Runs in stream order, a run that continues the previous one merged into it (no sorting). */
export function joinAdjacent(runs: readonly ByteRange[]): ByteRange[] {
  const out: { offset: number; length: number }[] = [];
  for (const r of runs) {
    const last = out.at(-1);
    if (last && last.offset + last.length === r.offset) last.length += r.length;
    else out.push({ offset: r.offset, length: r.length });
  }
  return out;
}

/** `a` minus `b` (both normalized). */
export function subtract(a: readonly ByteRange[], b: readonly ByteRange[]): ByteRange[] {
  const out: ByteRange[] = [];
  for (const r of a) {
    let start = r.offset;
    const end = r.offset + r.length;
    for (const cut of b) {
      const cutEnd = cut.offset + cut.length;
      if (cutEnd <= start || cut.offset >= end) continue;
      if (cut.offset > start) out.push({ offset: start, length: cut.offset - start });
      start = Math.max(start, cutEnd);
    }
    if (start < end) out.push({ offset: start, length: end - start });
  }
  return out;
}

/** Whether every range of `inner` lies inside the union `outer` (normalized). */
export function covers(outer: readonly ByteRange[], inner: readonly ByteRange[]): boolean {
  return subtract(normalize(inner), outer).length === 0;
}

export function overlaps(a: readonly ByteRange[], b: readonly ByteRange[]): boolean {
  const nb = normalize(b);
  return normalize(a).some((r) => subtract([r], nb).reduce((n, x) => n + x.length, 0) < r.length);
}

/** File ranges of `[start, start + length)` of a stream laid out as `extents`. */
export function mapStreamRange(
  extents: readonly ByteRange[],
  start: number,
  length: number,
): ByteRange[] {
  const out: ByteRange[] = [];
  let position = 0;
  const end = start + length;
  for (const e of extents) {
    const eEnd = position + e.length;
    const from = Math.max(start, position);
    const to = Math.min(end, eEnd);
    if (from < to) out.push({ offset: e.offset + (from - position), length: to - from });
    position = eEnd;
    if (position >= end) break;
  }
  return out;
}

/**
 * The tag and length octets of every element of a DER/BER blob (depth first), as fields for
 * hostile values: lengths that overrun, indefinite forms, wrong tags deep inside a signature.
 * Blob offsets; at most `limit` fields.
 */
export function derFields(blob: Buffer, limit = 600): Field[] {
  const fields: Field[] = [];
  const walk = (start: number, end: number, depth: number): void => {
    let at = start;
    while (at + 2 <= end && fields.length < limit && depth < 40) {
      const tag = blob[at]!;
      if ((tag & 0x1f) === 0x1f) return; // high tag numbers: not in Authenticode
      const first = blob[at + 1]!;
      let length = first;
      let header = 2;
      if (first === 0x80) return; // indefinite: not walked
      if (first > 0x80) {
        const n = first & 0x7f;
        if (n > 4 || at + 2 + n > end) return;
        length = 0;
        for (let i = 0; i < n; i++) length = length * 256 + blob[at + 2 + i]!;
        header = 2 + n;
        fields.push({
          name: `sig.der@${at}.length-value`,
          offset: at + 2,
          width: n === 2 || n === 4 ? n : 1,
        });
      }
      fields.push({ name: `sig.der@${at}.tag`, offset: at, width: 1 });
      fields.push({ name: `sig.der@${at}.length`, offset: at + 1, width: 1 });
      if (at + header + length > end) return;
      if (tag & 0x20) walk(at + header, at + header + length, depth + 1);
      at += header + length;
    }
  };
  walk(0, blob.length, 0);
  return fields;
}

/** Fields of a signature blob laid out as `extents`, in file offsets (those not split). */
function signatureFields(blob: Buffer, extents: readonly ByteRange[]): Field[] {
  const out: Field[] = [];
  for (const field of derFields(blob)) {
    const ranges = mapStreamRange(extents, field.offset, field.width);
    if (ranges.length === 1) out.push({ ...field, offset: ranges[0]!.offset });
  }
  return out;
}

/** The signed parts of a signature blob, as blob offsets (empty when it does not decode). */
export function signedParts(blob: Buffer): ByteRange[] {
  let signature;
  try {
    signature = parseAuthenticode(blob);
  } catch {
    return [];
  }
  const parts = [
    signature.indirectDataContent,
    signature.rawAuthenticatedAttributes?.der,
    signature.encryptedDigest,
    signature.signerCertificate?.der,
  ];
  const out: ByteRange[] = [];
  for (const part of parts) {
    if (!part || part.length === 0) continue;
    const at = blob.indexOf(part);
    if (at >= 0) out.push({ offset: at, length: part.length });
  }
  return out;
}

// ---- Compound files --------------------------------------------------------------------------

interface CfbEntry {
  sid: number;
  offset: number;
  name: string;
  type: number;
  left: number;
  right: number;
  child: number;
  start: number;
  size: number;
}

/** Layout of a compound file, as far as it can be read. */
export function cfbLayout(bytes: Buffer): Layout {
  const fields: Field[] = [];
  const structure: ByteRange[] = [{ offset: 0, length: 512 }];
  const u16 = (at: number) => bytes.readUInt16LE(at);
  const u32 = (at: number) => bytes.readUInt32LE(at);
  const header: [string, number, 1 | 2 | 4][] = [
    ['minorVersion', 0x18, 2],
    ['majorVersion', 0x1a, 2],
    ['byteOrder', 0x1c, 2],
    ['sectorShift', 0x1e, 2],
    ['miniSectorShift', 0x20, 2],
    ['directorySectorCount', 0x28, 4],
    ['fatSectorCount', 0x2c, 4],
    ['firstDirectorySector', 0x30, 4],
    ['transactionSignature', 0x34, 4],
    ['miniStreamCutoff', 0x38, 4],
    ['firstMiniFatSector', 0x3c, 4],
    ['miniFatSectorCount', 0x40, 4],
    ['firstDifatSector', 0x44, 4],
    ['difatSectorCount', 0x48, 4],
  ];
  for (const [name, offset, width] of header)
    fields.push({ name: `header.${name}`, offset, width });

  const empty = (): Layout => ({
    container: 'cfb',
    sectorSize: 512,
    fields,
    structure,
    passAllowed: [],
    appendAllowed: false,
    signature: [],
    critical: [],
  });
  if (bytes.length < 512) return empty();

  const ss = 1 << u16(0x1e);
  if (ss !== 512 && ss !== 4096) return empty();
  const version = u16(0x1a);
  const fatCount = u32(0x2c);
  const sectorCount = Math.floor((bytes.length - ss) / ss);
  const offsetOf = (sector: number) => (sector + 1) * ss;
  const inFile = (sector: number) => sector < sectorCount;
  for (let i = 0; i < Math.min(109, fatCount + 2); i++) {
    fields.push({ name: `header.difat[${i}]`, offset: 0x4c + 4 * i, width: 4 });
  }

  // Everything below trusts the seed; a damaged one stops where it stops making sense.
  const claimed: ByteRange[] = [{ offset: 0, length: 512 }];
  const passAllowed: ByteRange[] = [];
  let signature: ByteRange[] = [];
  let critical: ByteRange[] = [];
  let complete = false;
  try {
    const fatSectors: number[] = [];
    for (let i = 0; i < Math.min(fatCount, 109); i++) fatSectors.push(u32(0x4c + 4 * i));
    for (let i = fatCount; i < 109; i++) passAllowed.push({ offset: 0x4c + 4 * i, length: 4 });
    let difat = u32(0x44);
    const difatSeen = new Set<number>();
    while (fatSectors.length < fatCount && difat <= MAXREGSECT && inFile(difat)) {
      if (difatSeen.has(difat)) throw new Error('DIFAT loop');
      difatSeen.add(difat);
      const base = offsetOf(difat);
      claimed.push({ offset: base, length: ss });
      structure.push({ offset: base, length: ss });
      for (let i = 0; i < ss / 4 - 1; i++) {
        const at = base + 4 * i;
        if (fatSectors.length < fatCount) {
          fatSectors.push(u32(at));
          fields.push({ name: `difat[${difat}][${i}]`, offset: at, width: 4 });
        } else passAllowed.push({ offset: at, length: 4 });
      }
      fields.push({ name: `difat[${difat}].next`, offset: base + ss - 4, width: 4 });
      difat = u32(base + ss - 4);
    }
    if (fatSectors.some((s) => !inFile(s))) throw new Error('FAT sector outside the file');
    const perSector = ss / 4;
    const fat = new Uint32Array(fatSectors.length * perSector);
    fatSectors.forEach((s, i) => {
      claimed.push({ offset: offsetOf(s), length: ss });
      structure.push({ offset: offsetOf(s), length: ss });
      for (let j = 0; j < perSector; j++) fat[i * perSector + j] = u32(offsetOf(s) + 4 * j);
    });
    const fatEntryOffset = (n: number) =>
      offsetOf(fatSectors[Math.floor(n / perSector)]!) + (n % perSector) * 4;
    const usedSectors = new Set<number>();
    const chain = (start: number): number[] => {
      const out: number[] = [];
      const seen = new Set<number>();
      for (let s = start; s !== ENDOFCHAIN; s = fat[s]!) {
        if (s >= fat.length || !inFile(s) || seen.has(s)) throw new Error(`bad chain at ${s}`);
        seen.add(s);
        out.push(s);
        usedSectors.add(s);
      }
      return out;
    };
    for (const s of fatSectors) usedSectors.add(s);
    for (const s of difatSeen) usedSectors.add(s);

    const directorySectors = chain(u32(0x30));
    for (const s of directorySectors) structure.push({ offset: offsetOf(s), length: ss });
    const slot = (sid: number) =>
      offsetOf(directorySectors[Math.floor((sid * 128) / ss)]!) + ((sid * 128) % ss);
    const slotCount = (directorySectors.length * ss) / 128;
    const read = (sid: number): CfbEntry => {
      const offset = slot(sid);
      const nameLength = u16(offset + 0x40);
      const units = Math.max(0, Math.min(32, nameLength / 2) - 1);
      return {
        sid,
        offset,
        name: bytes.subarray(offset, offset + units * 2).toString('utf16le'),
        type: bytes[offset + 0x42]!,
        left: u32(offset + 0x44),
        right: u32(offset + 0x48),
        child: u32(offset + 0x4c),
        start: u32(offset + 0x74),
        size: u32(offset + 0x78) + (version === 4 ? u32(offset + 0x7c) * 0x1_0000_0000 : 0),
      };
    };
    const root = read(0);
    const reachable: { entry: CfbEntry; parentIsRoot: boolean }[] = [
      { entry: root, parentIsRoot: false },
    ];
    const visited = new Set<number>([0]);
    const storages = [root];
    while (storages.length > 0) {
      const storage = storages.pop()!;
      const pending = [storage.child];
      while (pending.length > 0) {
        const sid = pending.pop()!;
        if (sid === NOSTREAM) continue;
        if (sid >= slotCount || visited.has(sid)) throw new Error('directory is not a tree');
        visited.add(sid);
        const entry = read(sid);
        reachable.push({ entry, parentIsRoot: storage.sid === 0 });
        if (entry.type === 1) storages.push(entry);
        pending.push(entry.left, entry.right);
      }
    }
    for (let sid = 0; sid < slotCount; sid++) {
      if (!visited.has(sid)) passAllowed.push({ offset: slot(sid), length: 128 });
    }

    const miniFatSectors = u32(0x40) > 0 ? chain(u32(0x3c)) : [];
    const miniFat: number[] = [];
    for (const s of miniFatSectors) {
      claimed.push({ offset: offsetOf(s), length: ss });
      structure.push({ offset: offsetOf(s), length: ss });
      for (let j = 0; j < perSector; j++) miniFat.push(u32(offsetOf(s) + 4 * j));
    }
    const miniFatEntryOffset = (n: number) =>
      offsetOf(miniFatSectors[Math.floor(n / perSector)]!) + (n % perSector) * 4;
    const container = root.start === ENDOFCHAIN ? [] : chain(root.start);
    const usedMini = new Set<number>();

    const extentsOf = (entry: CfbEntry): ByteRange[] => {
      const runs: ByteRange[] = [];
      let left = entry.size;
      if (left === 0) return runs;
      // The chain entry after a stream's last needed sector is never read for content (a
      // longer chain is a warning), so it may change freely.
      if (entry.size >= MINI_CUTOFF) {
        for (const s of chain(entry.start)) {
          const n = Math.min(left, ss);
          if (n > 0) runs.push({ offset: offsetOf(s), length: n });
          left -= n;
          fields.push({ name: `fat[${s}] (${entry.name})`, offset: fatEntryOffset(s), width: 4 });
          if (left === 0) {
            passAllowed.push({ offset: fatEntryOffset(s), length: 4 });
            break;
          }
        }
      } else {
        const seen = new Set<number>();
        for (let m = entry.start; m !== ENDOFCHAIN && left > 0; m = miniFat[m]!) {
          if (seen.has(m) || m >= miniFat.length) throw new Error('bad mini chain');
          seen.add(m);
          usedMini.add(m);
          fields.push({
            name: `minifat[${m}] (${entry.name})`,
            offset: miniFatEntryOffset(m),
            width: 4,
          });
          const position = m * 64;
          const n = Math.min(left, 64);
          const sector = container[Math.floor(position / ss)];
          if (sector === undefined) throw new Error('mini sector outside the mini stream');
          runs.push({ offset: offsetOf(sector) + (position % ss), length: n });
          left -= n;
          if (left === 0) passAllowed.push({ offset: miniFatEntryOffset(m), length: 4 });
        }
      }
      if (left > 0) throw new Error(`stream ${entry.name} is shorter than its size`);
      return joinAdjacent(runs);
    };

    for (const { entry, parentIsRoot } of reachable) {
      const e = entry.offset;
      claimed.push({ offset: e, length: 128 });
      const name = entry.name.replace(/[^\x20-\x7e]/g, '?');
      for (const [field, at, width] of [
        ['nameLength', 0x40, 2],
        ['type', 0x42, 1],
        ['left', 0x44, 4],
        ['right', 0x48, 4],
        ['child', 0x4c, 4],
        ['start', 0x74, 4],
        ['size', 0x78, 4],
        ['sizeHigh', 0x7c, 4],
        ['name[0]', 0x00, 2],
      ] as const) {
        fields.push({ name: `dir[${entry.sid}:${name}].${field}`, offset: e + at, width });
      }
      // Not hashed: colour, state bits, FILETIMEs, the name after its terminator; a stream's
      // CLSID (only storages' CLSIDs are hashed, docs/formats.md §5.2).
      passAllowed.push({ offset: e + 0x43, length: 1 });
      passAllowed.push({ offset: e + 0x60, length: 0x14 });
      const nameLength = u16(e + 0x40);
      if (nameLength <= 64) passAllowed.push({ offset: e + nameLength, length: 64 - nameLength });
      if (entry.type === 2) passAllowed.push({ offset: e + 0x50, length: 16 });
      // The root has no siblings: its left and right links are never followed.
      if (entry.sid === 0) passAllowed.push({ offset: e + 0x44, length: 8 });
      // A storage's start sector and size mean nothing (only the root's locate the mini stream).
      if (entry.type === 1) passAllowed.push({ offset: e + 0x74, length: 12 });
      if (version === 3) passAllowed.push({ offset: e + 0x7c, length: 4 });
      if (entry.type !== 2) continue;
      const extents = extentsOf(entry);
      claimed.push(...extents);
      if (parentIsRoot && entry.name === '\u0005DigitalSignature') {
        signature = extents;
        const blob = Buffer.concat(
          extents.map((r) => bytes.subarray(r.offset, r.offset + r.length)),
        );
        critical = normalize(
          signedParts(blob).flatMap((part) => mapStreamRange(extents, part.offset, part.length)),
        );
        fields.push(...signatureFields(blob, extents));
      }
    }
    // FAT and mini FAT entries of sectors no chain uses describe nothing that is read.
    for (let n = 0; n < fat.length; n++) {
      if (!usedSectors.has(n)) passAllowed.push({ offset: fatEntryOffset(n), length: 4 });
    }
    for (let n = 0; n < miniFat.length; n++) {
      if (!usedMini.has(n)) passAllowed.push({ offset: miniFatEntryOffset(n), length: 4 });
    }
    complete = true;
  } catch {
    // A damaged seed: no pass is explained by its layout.
  }
  if (!complete) return { ...empty(), sectorSize: ss };

  // Header fields no reader uses for content: CLSID, minor version, reserved bytes, the
  // directory sector count (a warning at most), the transaction signature.
  // The DIFAT sector count is checked for consistency only (a warning); without more than 109
  // FAT sectors the DIFAT chain is not read at all.
  passAllowed.push({ offset: 0x48, length: 4 });
  if (fatCount <= 109) passAllowed.push({ offset: 0x44, length: 4 });
  passAllowed.push(
    { offset: 0x08, length: 16 },
    { offset: 0x18, length: 2 },
    { offset: 0x22, length: 10 },
    { offset: 0x34, length: 4 },
  );
  if (ss === 4096) passAllowed.push({ offset: 512, length: 4096 - 512 });
  const unclaimed = subtract([{ offset: 0, length: bytes.length }], normalize(claimed));
  return {
    container: 'cfb',
    sectorSize: ss,
    fields,
    structure: normalize(structure),
    passAllowed: normalize([
      ...unclaimed,
      ...passAllowed,
      ...subtract(normalize(signature), critical),
    ]),
    appendAllowed: true,
    signature,
    critical,
  };
}

// ---- Cabinets --------------------------------------------------------------------------------

/** Layout of a cabinet, as far as it can be read. */
export function cabLayout(bytes: Buffer): Layout {
  const fields: Field[] = [];
  const structure: ByteRange[] = [];
  const header: [string, number, 1 | 2 | 4][] = [
    ['reserved1', 4, 4],
    ['cbCabinet', 8, 4],
    ['reserved2', 12, 4],
    ['coffFiles', 16, 4],
    ['reserved3', 20, 4],
    ['versionMinor', 24, 1],
    ['versionMajor', 25, 1],
    ['cFolders', 26, 2],
    ['cFiles', 28, 2],
    ['flags', 30, 2],
    ['setID', 32, 2],
    ['iCabinet', 34, 2],
  ];
  let signature: ByteRange[] = [];
  let critical: ByteRange[] = [];
  const passAllowed: ByteRange[] = [{ offset: 4, length: 4 }];
  try {
    for (const [name, offset, width] of header) fields.push({ name: `cab.${name}`, offset, width });
    const flags = bytes.readUInt16LE(30);
    const cFolders = bytes.readUInt16LE(26);
    const cFiles = bytes.readUInt16LE(28);
    const coffFiles = bytes.readUInt32LE(16);
    let position = 36;
    let cbCFFolder = 0;
    let cbCFData = 0;
    if (flags & 4) {
      fields.push(
        { name: 'cab.cbCFHeader', offset: 36, width: 2 },
        { name: 'cab.cbCFFolder', offset: 38, width: 1 },
        { name: 'cab.cbCFData', offset: 39, width: 1 },
      );
      const cbCFHeader = bytes.readUInt16LE(36);
      cbCFFolder = bytes[38]!;
      cbCFData = bytes[39]!;
      if (cbCFHeader >= 4) {
        fields.push(
          { name: 'reserve.cbJunk', offset: 40, width: 2 },
          { name: 'reserve.cbSig', offset: 42, width: 2 },
        );
        const cbJunk = bytes.readUInt16LE(40);
        const cbSig = bytes.readUInt16LE(42);
        const locator = 44 + cbJunk;
        if (cbSig === 16 && 4 + cbJunk + 16 <= cbCFHeader) {
          fields.push(
            { name: 'locator.offset', offset: locator, width: 4 },
            { name: 'locator.length', offset: locator + 4, width: 4 },
            { name: 'locator.filler', offset: locator + 8, width: 4 },
          );
          passAllowed.push({ offset: locator + 8, length: 8 });
          const offset = bytes.readUInt32LE(locator);
          const length = bytes.readUInt32LE(locator + 4);
          if (offset + length <= bytes.length) {
            signature = [{ offset, length }];
            const blob = bytes.subarray(offset, offset + length);
            critical = normalize(
              signedParts(blob).map((p) => ({
                offset: offset + p.offset,
                length: p.length,
              })),
            );
            fields.push(...signatureFields(blob, signature));
          }
        }
      }
      position = 40 + cbCFHeader;
    }
    structure.push({ offset: 0, length: position });
    if (flags & 1) position = skipStrings(bytes, position, 2);
    if (flags & 2) position = skipStrings(bytes, position, 2);
    const folderStarts: { start: number; blocks: number }[] = [];
    for (let i = 0; i < cFolders; i++) {
      const at = position + i * (8 + cbCFFolder);
      fields.push(
        { name: `folder[${i}].coffCabStart`, offset: at, width: 4 },
        { name: `folder[${i}].cCFData`, offset: at + 4, width: 2 },
        { name: `folder[${i}].typeCompress`, offset: at + 6, width: 2 },
      );
      folderStarts.push({ start: bytes.readUInt32LE(at), blocks: bytes.readUInt16LE(at + 4) });
    }
    structure.push({ offset: position, length: cFolders * (8 + cbCFFolder) });
    let file = coffFiles;
    for (let i = 0; i < cFiles && file + 16 <= bytes.length; i++) {
      fields.push(
        { name: `file[${i}].cbFile`, offset: file, width: 4 },
        { name: `file[${i}].uoffFolderStart`, offset: file + 4, width: 4 },
        { name: `file[${i}].iFolder`, offset: file + 8, width: 2 },
        { name: `file[${i}].attribs`, offset: file + 14, width: 2 },
      );
      const end = bytes.indexOf(0, file + 16);
      if (end < 0) break;
      file = end + 1;
    }
    structure.push({ offset: coffFiles, length: file - coffFiles });
    for (const [f, { start, blocks }] of folderStarts.entries()) {
      let at = start;
      for (let b = 0; b < blocks && at + 8 <= bytes.length; b++) {
        fields.push(
          { name: `folder[${f}].data[${b}].csum`, offset: at, width: 4 },
          { name: `folder[${f}].data[${b}].cbData`, offset: at + 4, width: 2 },
          { name: `folder[${f}].data[${b}].cbUncomp`, offset: at + 6, width: 2 },
        );
        structure.push({ offset: at, length: 8 + cbCFData });
        at += 8 + cbCFData + bytes.readUInt16LE(at + 4);
      }
    }
  } catch {
    // Damaged seed: keep what was found.
  }
  return {
    container: 'cab',
    sectorSize: 0,
    fields: fields.filter((f) => f.offset + f.width <= bytes.length),
    structure: normalize(structure.filter((r) => r.offset < bytes.length)),
    passAllowed: normalize([...passAllowed, ...subtract(normalize(signature), critical)]),
    appendAllowed: false,
    signature,
    critical,
  };
}

function skipStrings(bytes: Buffer, position: number, count: number): number {
  let at = position;
  for (let i = 0; i < count; i++) {
    const end = bytes.indexOf(0, at);
    if (end < 0) throw new Error('unterminated string');
    at = end + 1;
  }
  return at;
}

// ---- PE images ---------------------------------------------------------------------------------

/**
 * Layout of a PE image, as far as it can be read: the header fields the readers trust, the
 * section table, the certificate table and its first WIN_CERTIFICATE. Only the CheckSum and the
 * signature outside its signed parts are outside the digest.
 */
export function peLayout(bytes: Buffer): Layout {
  const fields: Field[] = [{ name: 'dos.e_lfanew', offset: 0x3c, width: 4 }];
  const structure: ByteRange[] = [{ offset: 0, length: 64 }];
  const passAllowed: ByteRange[] = [];
  let signature: ByteRange[] = [];
  let critical: ByteRange[] = [];
  try {
    const pe = bytes.readUInt32LE(0x3c);
    const optional = pe + 24;
    const plus = bytes.readUInt16LE(optional) === 0x20b;
    const fixed = plus ? 112 : 96;
    const sizeOfOptionalHeader = bytes.readUInt16LE(pe + 20);
    const sections = bytes.readUInt16LE(pe + 6);
    fields.push(
      { name: 'coff.NumberOfSections', offset: pe + 6, width: 2 },
      { name: 'coff.SizeOfOptionalHeader', offset: pe + 20, width: 2 },
      { name: 'coff.Characteristics', offset: pe + 22, width: 2 },
      { name: 'optional.Magic', offset: optional, width: 2 },
      { name: 'optional.SectionAlignment', offset: optional + 32, width: 4 },
      { name: 'optional.FileAlignment', offset: optional + 36, width: 4 },
      { name: 'optional.SizeOfHeaders', offset: optional + 60, width: 4 },
      { name: 'optional.NumberOfRvaAndSizes', offset: optional + fixed - 4, width: 4 },
      { name: 'certdir.VirtualAddress', offset: optional + fixed + 32, width: 4 },
      { name: 'certdir.Size', offset: optional + fixed + 36, width: 4 },
    );
    passAllowed.push({ offset: optional + 64, length: 4 });
    const table = optional + sizeOfOptionalHeader;
    structure.push({ offset: pe, length: table + sections * 40 - pe });
    for (let i = 0; i < sections; i++) {
      const at = table + i * 40;
      fields.push(
        { name: `section[${i}].SizeOfRawData`, offset: at + 16, width: 4 },
        { name: `section[${i}].PointerToRawData`, offset: at + 20, width: 4 },
      );
    }
    const offset = bytes.readUInt32LE(optional + fixed + 32);
    const size = bytes.readUInt32LE(optional + fixed + 36);
    if (size >= 8 && offset + size <= bytes.length) {
      fields.push(
        { name: 'wincert.dwLength', offset, width: 4 },
        { name: 'wincert.wRevision', offset: offset + 4, width: 2 },
        { name: 'wincert.wCertificateType', offset: offset + 6, width: 2 },
      );
      structure.push({ offset, length: 8 });
      const length = Math.min(bytes.readUInt32LE(offset), size);
      if (length > 8) {
        signature = [{ offset: offset + 8, length: length - 8 }];
        const blob = bytes.subarray(offset + 8, offset + length);
        critical = normalize(
          signedParts(blob).map((p) => ({ offset: offset + 8 + p.offset, length: p.length })),
        );
        fields.push(...signatureFields(blob, signature));
      }
    }
  } catch {
    // Damaged seed: keep what was found.
  }
  return {
    container: 'pe',
    sectorSize: 0,
    fields: fields.filter((f) => f.offset + f.width <= bytes.length),
    structure: normalize(structure.filter((r) => r.offset < bytes.length)),
    passAllowed: normalize([...passAllowed, ...subtract(normalize(signature), critical)]),
    appendAllowed: false,
    signature,
    critical,
  };
}

/** Anything else: only its first bytes are "structure". */
export function otherLayout(bytes: Buffer): Layout {
  return {
    container: 'other',
    sectorSize: 0,
    fields: [0, 4, 8, 12]
      .filter((o) => o + 4 <= bytes.length)
      .map((offset) => ({ name: `bytes[${offset}]`, offset, width: 4 as const })),
    structure: [{ offset: 0, length: Math.min(64, bytes.length) }],
    passAllowed: [],
    appendAllowed: false,
    signature: [],
    critical: [],
  };
}

export function layoutOf(bytes: Buffer): Layout {
  if (bytes.length >= 8 && bytes.readUInt32LE(0) === 0xe011cfd0) return cfbLayout(bytes);
  if (bytes.length >= 4 && bytes.subarray(0, 4).toString('latin1') === 'MSCF')
    return cabLayout(bytes);
  if (bytes.length >= 64 && bytes.subarray(0, 2).toString('latin1') === 'MZ') {
    const pe = bytes.readUInt32LE(0x3c);
    if (pe + 4 <= bytes.length && bytes.subarray(pe, pe + 4).toString('latin1') === 'PE\0\0')
      return peLayout(bytes);
  }
  return otherLayout(bytes);
}
