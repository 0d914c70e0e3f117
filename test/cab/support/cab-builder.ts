/**
 * Builds small stored (uncompressed) cabinets byte by byte, for layouts gcab and osslsigncode
 * cannot produce: per-folder and per-data reserves, pre-allocated reserves, multi-volume links,
 * legacy in-reserve signatures. Output is checked against cabextract in the tests.
 */

export interface BuiltFile {
  name: string;
  data: Buffer;
  /** Folder index (default 0). */
  folder?: number;
  attribs?: number;
  date?: number;
  time?: number;
  /** Raw iFolder override (e.g. 0xFFFD for "continued from previous"). */
  iFolder?: number;
}

export interface SignatureSpec {
  /** The blob to locate (appended) or embed (in-reserve). */
  blob: Buffer;
  /** `appended`: 16-byte locator + blob at cbCabinet; `in-reserve`: blob is structure 2. */
  mode: 'appended' | 'in-reserve';
  /** Total abReserve size (default: just big enough). Extra bytes are zero. */
  reserveSize?: number;
  /** Structure 1 contents (default empty). */
  junk?: Buffer;
  /** Locator filler (8 bytes, default zeros). */
  filler?: Buffer;
}

export interface CabSpec {
  files: BuiltFile[];
  /** Number of folders (default: 1 + highest folder index used). */
  folders?: number;
  setID?: number;
  iCabinet?: number;
  reserved1?: number;
  previous?: { cabinet: string; disk: string };
  next?: { cabinet: string; disk: string };
  /** Raw abReserve (forces RESERVE_PRESENT). Ignored when `signature` is given. */
  reserve?: Buffer;
  /** Forces RESERVE_PRESENT with an empty abReserve when nothing else sets it. */
  reservePresent?: boolean;
  cbCFFolder?: number;
  cbCFData?: number;
  signature?: SignatureSpec;
  /** Bytes appended after everything else. */
  trailing?: Buffer;
  /** Split stored data into CFDATA blocks of at most this many bytes (default 32768). */
  blockSize?: number;
}

export interface BuiltCabinet {
  bytes: Buffer;
  cbCabinet: number;
  coffFiles: number;
  reserveOffset: number;
  foldersOffset: number;
  /** File offset of the 16-byte locator, when appended. */
  locatorOffset: number | null;
  signatureOffset: number | null;
}

const u16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
};
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const cstr = (s: string, encoding: BufferEncoding = 'latin1'): Buffer =>
  Buffer.concat([Buffer.from(s, encoding), Buffer.alloc(1)]);

/** Fills a reserve of `length` bytes with a recognisable pattern. */
export function pattern(length: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (seed + i * 7) & 0xff));
}

export function buildCab(spec: CabSpec): BuiltCabinet {
  const cbCFFolder = spec.cbCFFolder ?? 0;
  const cbCFData = spec.cbCFData ?? 0;
  const blockSize = spec.blockSize ?? 32768;
  const folderCount = spec.folders ?? Math.max(0, ...spec.files.map((f) => (f.folder ?? 0) + 1), 1);

  // Per-cabinet reserve layout (its size is fixed before offsets are known).
  let reserveSize = 0;
  const sig = spec.signature;
  const junk = sig?.junk ?? Buffer.alloc(0);
  if (sig) {
    const structure2 = sig.mode === 'appended' ? 16 : sig.blob.length;
    reserveSize = sig.reserveSize ?? 4 + junk.length + structure2;
  } else if (spec.reserve) {
    reserveSize = spec.reserve.length;
  }
  const hasReserve =
    reserveSize > 0 || !!spec.reserve || !!spec.reservePresent || cbCFFolder > 0 || cbCFData > 0;

  let flags = 0;
  if (spec.previous) flags |= 0x0001;
  if (spec.next) flags |= 0x0002;
  if (hasReserve) flags |= 0x0004;

  const names: Buffer[] = [];
  if (spec.previous) names.push(cstr(spec.previous.cabinet), cstr(spec.previous.disk));
  if (spec.next) names.push(cstr(spec.next.cabinet), cstr(spec.next.disk));
  const namesBytes = Buffer.concat(names);

  const reserveOffset = hasReserve ? 40 : 36;
  const foldersOffset = reserveOffset + reserveSize + namesBytes.length;
  const coffFiles = foldersOffset + folderCount * (8 + cbCFFolder);

  // CFFILE entries, and each folder's uncompressed stream.
  const folderData: Buffer[][] = Array.from({ length: folderCount }, () => []);
  const folderOffsets = new Array<number>(folderCount).fill(0);
  const fileEntries: Buffer[] = [];
  for (const file of spec.files) {
    const folder = file.folder ?? 0;
    const isUtf = [...file.name].some((c) => c.codePointAt(0)! > 0xff);
    const attribs = file.attribs ?? 0x20 | (isUtf ? 0x80 : 0);
    fileEntries.push(
      Buffer.concat([
        u32(file.data.length),
        u32(folderOffsets[folder]!),
        u16(file.iFolder ?? folder),
        u16(file.date ?? 0x5b35),
        u16(file.time ?? 0x6000),
        u16(attribs),
        cstr(file.name, attribs & 0x80 ? 'utf8' : 'latin1'),
      ]),
    );
    folderData[folder]!.push(file.data);
    folderOffsets[folder]! += file.data.length;
  }
  const filesBytes = Buffer.concat(fileEntries);

  // CFDATA blocks per folder.
  let dataOffset = coffFiles + filesBytes.length;
  const folderEntries: Buffer[] = [];
  const dataBlocks: Buffer[] = [];
  for (let f = 0; f < folderCount; f++) {
    const stream = Buffer.concat(folderData[f]!);
    const blocks: Buffer[] = [];
    for (let at = 0; at < stream.length; at += blockSize) {
      const chunk = stream.subarray(at, Math.min(stream.length, at + blockSize));
      blocks.push(
        Buffer.concat([
          u32(0), // csum 0: no checksum
          u16(chunk.length),
          u16(chunk.length),
          pattern(cbCFData, 0xd0 + f),
          chunk,
        ]),
      );
    }
    folderEntries.push(
      Buffer.concat([u32(dataOffset), u16(blocks.length), u16(0), pattern(cbCFFolder, 0xf0 + f)]),
    );
    const all = Buffer.concat(blocks);
    dataBlocks.push(all);
    dataOffset += all.length;
  }
  const cbCabinet = dataOffset;

  let reserve = Buffer.alloc(reserveSize);
  let locatorOffset: number | null = null;
  let signatureOffset: number | null = null;
  if (sig) {
    const structure2 =
      sig.mode === 'appended'
        ? Buffer.concat([u32(cbCabinet), u32(sig.blob.length), sig.filler ?? Buffer.alloc(8)])
        : sig.blob;
    const used = Buffer.concat([u16(junk.length), u16(structure2.length), junk, structure2]);
    used.copy(reserve, 0, 0, Math.min(used.length, reserve.length));
    if (sig.mode === 'appended') {
      locatorOffset = reserveOffset + 4 + junk.length;
      signatureOffset = cbCabinet;
    } else {
      signatureOffset = reserveOffset + 4 + junk.length;
    }
  } else if (spec.reserve) {
    reserve = Buffer.from(spec.reserve);
  }

  const header = Buffer.concat([
    Buffer.from('MSCF', 'latin1'),
    u32(spec.reserved1 ?? 0),
    u32(cbCabinet),
    u32(0),
    u32(coffFiles),
    u32(0),
    Buffer.from([3, 1]),
    u16(folderCount),
    u16(spec.files.length),
    u16(flags),
    u16(spec.setID ?? 0x1234),
    u16(spec.iCabinet ?? 0),
    hasReserve
      ? Buffer.concat([u16(reserveSize), Buffer.from([cbCFFolder, cbCFData])])
      : Buffer.alloc(0),
  ]);

  const bytes = Buffer.concat([
    header,
    reserve,
    namesBytes,
    ...folderEntries,
    filesBytes,
    ...dataBlocks,
    sig?.mode === 'appended' ? sig.blob : Buffer.alloc(0),
    spec.trailing ?? Buffer.alloc(0),
  ]);
  if (bytes.readUInt32LE(8) !== cbCabinet) throw new Error('builder: cbCabinet mismatch');
  return {
    bytes,
    cbCabinet,
    coffFiles,
    reserveOffset,
    foldersOffset,
    locatorOffset,
    signatureOffset,
  };
}
