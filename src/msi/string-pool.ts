/**
 * The MSI string table: `_StringPool` (code page + one length/refcount entry per string ID)
 * and `_StringData` (all strings concatenated). docs/formats.md §3.2.
 */
import { MalformedPackageError } from '../errors.js';
import { codecForCodePage, type CodePageCodec } from './code-page.js';

/** Bit 31 of the `_StringPool` header: table cells hold 3-byte string references. */
export const LONG_STRING_REFERENCES_FLAG = 0x80000000;
/** Highest string ID a 2-byte reference can hold. */
export const MAX_SHORT_STRING_ID = 0xffff;
/** Highest string ID a 3-byte reference can hold. */
export const MAX_LONG_STRING_ID = 0xffffff;
/** A pool refcount is a u16; at this value interning allocates a duplicate entry. */
export const MAX_REF_COUNT = 0xffff;
/** Strings of at least this many bytes need the 8-byte pool entry. */
const LONG_STRING_BYTES = 0x10000;

export interface SerializedStringPool {
  /** Bytes of the `_StringPool` stream. */
  readonly pool: Buffer;
  /** Bytes of the `_StringData` stream. */
  readonly data: Buffer;
}

/**
 * String IDs are 1-based; 0 is NULL (there is no separate empty string). An entry of length 0
 * and refcount 0 is a free slot: it has an ID but no string.
 */
export class StringPool {
  private readonly codec: CodePageCodec;
  /** Per entry (index = id − 1): byte length, refcount, offset into `data`. */
  private readonly lengths: number[];
  private readonly refCounts: number[];
  private readonly offsets: number[];
  /** Bytes of entries added or rewritten after parsing (they are not in `data`). */
  private readonly replaced = new Map<number, Uint8Array>();
  private readonly decoded = new Map<number, string>();
  /** Text → IDs holding it, built on first intern. */
  private index: Map<string, number[]> | undefined;
  /** No free slot has an ID below this. */
  private freeSearchStart = 1;
  private longReferences: boolean;

  private constructor(
    readonly codePage: number,
    longReferences: boolean,
    private readonly data: Uint8Array,
    lengths: number[],
    refCounts: number[],
    offsets: number[],
    /** Bytes at the end of `_StringData` that no entry claims (msitools warns about these). */
    readonly unusedDataBytes: number,
  ) {
    this.codec = codecForCodePage(codePage);
    this.longReferences = longReferences;
    this.lengths = lengths;
    this.refCounts = refCounts;
    this.offsets = offsets;
  }

  /** An empty pool for a new database. Use an ANSI code page: Windows rejects 65001 (§3.2). */
  static create(codePage = 1252, options: { longStringReferences?: boolean } = {}): StringPool {
    if (!Number.isInteger(codePage) || codePage < 0 || codePage >= LONG_STRING_REFERENCES_FLAG) {
      throw new RangeError(`invalid code page ${codePage}`);
    }
    return new StringPool(
      codePage,
      options.longStringReferences ?? false,
      new Uint8Array(0),
      [],
      [],
      [],
      0,
    );
  }

  /** Parses the `_StringPool` and `_StringData` streams. */
  static parse(pool: Uint8Array, data: Uint8Array): StringPool {
    if (pool.length === 0) {
      // msitools reads an empty pool as "no strings, neutral code page".
      return new StringPool(0, false, data, [], [], [], data.length);
    }
    if (pool.length < 4 || pool.length % 4 !== 0) {
      throw new MalformedPackageError(
        `_StringPool is ${pool.length} bytes, not a 4-byte header plus 4-byte entries`,
      );
    }
    const view = new DataView(pool.buffer, pool.byteOffset, pool.byteLength);
    const header = view.getUint32(0, true);
    const longReferences = (header & LONG_STRING_REFERENCES_FLAG) !== 0;
    const codePage = header & ~LONG_STRING_REFERENCES_FLAG;

    const lengths: number[] = [];
    const refCounts: number[] = [];
    const offsets: number[] = [];
    let offset = 0;
    for (let position = 4; position < pool.length; position += 4) {
      let length = view.getUint16(position, true);
      let refCount = view.getUint16(position + 2, true);
      if (length === 0 && refCount !== 0) {
        // A string of ≥ 64 KiB: (0, high 16 bits of length) then (low 16 bits, refcount),
        // together one ID (§3.2; msitools msi_load_string_table, rust-msi #34).
        position += 4;
        if (position >= pool.length) {
          throw new MalformedPackageError('_StringPool ends inside a long-string entry');
        }
        length = refCount * 0x10000 + view.getUint16(position, true);
        refCount = view.getUint16(position + 2, true);
      }
      if (offset + length > data.length) {
        throw new MalformedPackageError(
          `_StringPool entry ${lengths.length + 1} needs ${length} bytes at offset ${offset} ` +
            `but _StringData has ${data.length}`,
        );
      }
      lengths.push(length);
      refCounts.push(refCount);
      offsets.push(offset);
      offset += length;
    }
    return new StringPool(
      codePage,
      longReferences,
      data,
      lengths,
      refCounts,
      offsets,
      data.length - offset,
    );
  }

  /** Whether table cells hold 3-byte string references (bit 31 of the pool header). */
  get longStringReferences(): boolean {
    return this.longReferences;
  }

  /** Bytes per string reference in table streams. */
  get referenceWidth(): 2 | 3 {
    return this.longReferences ? 3 : 2;
  }

  /** Number of IDs in the pool, free slots included: valid IDs are 1..count. */
  get count(): number {
    return this.lengths.length;
  }

  /** True for a free slot (length 0, refcount 0). Throws RangeError for IDs outside 1..count. */
  isFree(id: number): boolean {
    this.checkId(id);
    return this.lengths[id - 1] === 0 && this.refCounts[id - 1] === 0;
  }

  /** True when `id` names a string (in range and not a free slot). */
  has(id: number): boolean {
    return Number.isInteger(id) && id >= 1 && id <= this.count && !this.isFree(id);
  }

  refCount(id: number): number {
    this.checkId(id);
    return this.refCounts[id - 1]!;
  }

  /** The string's bytes in the database code page. */
  bytes(id: number): Uint8Array {
    this.checkId(id);
    const own = this.replaced.get(id);
    if (own) return own;
    const start = this.offsets[id - 1]!;
    return this.data.subarray(start, start + this.lengths[id - 1]!);
  }

  /**
   * The string for a reference read from a table cell. Throws MalformedPackageError when the
   * reference is NULL, out of range or points at a free slot.
   */
  get(id: number): string {
    if (!this.has(id)) {
      throw new MalformedPackageError(
        id >= 1 && id <= this.count
          ? `string reference ${id} points at a free string-pool slot`
          : `string reference ${id} is outside the string pool (1..${this.count})`,
      );
    }
    let text = this.decoded.get(id);
    if (text === undefined) {
      text = this.codec.decode(this.bytes(id));
      this.decoded.set(id, text);
    }
    return text;
  }

  /** Like {@link get}, but reference 0 is NULL. */
  resolve(id: number): string | null {
    return id === 0 ? null : this.get(id);
  }

  /** The first ID whose string is `text`, or undefined. */
  find(text: string): number | undefined {
    if (text === '') return undefined;
    return this.ensureIndex().get(text)?.[0];
  }

  /**
   * Adds one reference to `text` and returns its ID: an existing entry with the same bytes and
   * room in its refcount, else the first free slot, else a new entry (§3.12 step 2).
   * The empty string is NULL: returns 0 and changes nothing.
   * Throws RangeError when the code page cannot encode `text` or the pool is full.
   */
  intern(text: string): number {
    if (text === '') return 0;
    const bytes = this.codec.encode(text);
    const index = this.ensureIndex();
    const candidates = index.get(text) ?? [];
    for (const id of candidates) {
      if (this.refCounts[id - 1]! < MAX_REF_COUNT && equalBytes(this.bytes(id), bytes)) {
        this.refCounts[id - 1]!++;
        return id;
      }
    }
    const id = this.allocate();
    this.lengths[id - 1] = bytes.length;
    this.refCounts[id - 1] = 1;
    this.offsets[id - 1] = 0;
    this.replaced.set(id, bytes);
    this.decoded.set(id, text);
    candidates.push(id);
    index.set(text, candidates);
    return id;
  }

  /** Counts one more table cell pointing at `id`. */
  addReference(id: number): void {
    if (!this.has(id)) throw new RangeError(`string ID ${id} is not in the pool`);
    if (this.refCounts[id - 1]! >= MAX_REF_COUNT) {
      throw new RangeError(`string ID ${id} already has ${MAX_REF_COUNT} references`);
    }
    this.refCounts[id - 1]!++;
  }

  /** Counts one table cell fewer; at zero the entry becomes a free slot (as msi.dll does). */
  removeReference(id: number): void {
    if (!this.has(id) || this.refCounts[id - 1] === 0) {
      throw new RangeError(`string ID ${id} has no reference to remove`);
    }
    if (--this.refCounts[id - 1]! > 0) return;
    if (this.index) {
      const text = this.get(id);
      const ids = this.index.get(text)!.filter((other) => other !== id);
      if (ids.length > 0) this.index.set(text, ids);
      else this.index.delete(text);
    }
    this.lengths[id - 1] = 0;
    this.replaced.delete(id);
    this.decoded.delete(id);
    this.freeSearchStart = Math.min(this.freeSearchStart, id);
  }

  /** Bytes of `_StringPool` and `_StringData` for the current entries. */
  serialize(): SerializedStringPool {
    let poolSize = 4;
    let dataSize = 0;
    for (const length of this.lengths) {
      poolSize += length >= LONG_STRING_BYTES ? 8 : 4;
      dataSize += length;
    }
    const pool = Buffer.alloc(poolSize);
    const data = Buffer.alloc(dataSize);
    pool.writeUInt32LE(
      (this.codePage | (this.longReferences ? LONG_STRING_REFERENCES_FLAG : 0)) >>> 0,
      0,
    );
    let position = 4;
    let offset = 0;
    for (let id = 1; id <= this.count; id++) {
      const length = this.lengths[id - 1]!;
      const refCount = this.refCounts[id - 1]!;
      if (length >= LONG_STRING_BYTES) {
        pool.writeUInt16LE(0, position);
        pool.writeUInt16LE(Math.floor(length / 0x10000), position + 2);
        position += 4;
      }
      pool.writeUInt16LE(length & 0xffff, position);
      pool.writeUInt16LE(length === 0 ? 0 : refCount, position + 2);
      position += 4;
      data.set(this.bytes(id), offset);
      offset += length;
    }
    return { pool, data };
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 1 || id > this.count) {
      throw new RangeError(`string ID ${id} is outside 1..${this.count}`);
    }
  }

  private allocate(): number {
    for (let id = this.freeSearchStart; id <= this.count; id++) {
      if (this.lengths[id - 1] === 0 && this.refCounts[id - 1] === 0) {
        this.freeSearchStart = id + 1;
        return id;
      }
    }
    const id = this.count + 1;
    const limit = this.longReferences ? MAX_LONG_STRING_ID : MAX_SHORT_STRING_ID;
    if (id > limit) {
      // Switching to 3-byte references means rewriting every table (§3.2); refuse instead.
      throw new RangeError(
        `the string pool is full (${limit} IDs with ${this.referenceWidth}-byte references)`,
      );
    }
    this.lengths.push(0);
    this.refCounts.push(0);
    this.offsets.push(0);
    this.freeSearchStart = id + 1;
    return id;
  }

  private ensureIndex(): Map<string, number[]> {
    if (this.index === undefined) {
      const index = new Map<string, number[]>();
      for (let id = 1; id <= this.count; id++) {
        if (this.isFree(id)) continue;
        const text = this.get(id);
        const ids = index.get(text);
        if (ids) ids.push(id);
        else index.set(text, [id]);
      }
      this.index = index;
    }
    return this.index;
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
