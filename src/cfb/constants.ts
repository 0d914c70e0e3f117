/** On-disk constants of the compound file format. docs/formats.md §1.2, §1.3 */

export const CFB_SIGNATURE = Uint8Array.of(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1);

export const HEADER_SIZE = 512;
export const HEADER_DIFAT_SLOTS = 109;
export const DIRECTORY_ENTRY_SIZE = 128;
export const MINI_SECTOR_SIZE = 64;
/** Streams strictly smaller than this live in the mini stream (§1.4). */
export const MINI_STREAM_CUTOFF = 4096;

/** Highest regular sector number; everything above is a marker. */
export const MAXREGSECT = 0xfffffffa;
export const DIFSECT = 0xfffffffc;
export const FATSECT = 0xfffffffd;
export const ENDOFCHAIN = 0xfffffffe;
export const FREESECT = 0xffffffff;
/** "No entry" in sibling and child links. */
export const NOSTREAM = 0xffffffff;

export const OBJECT_TYPE_STORAGE = 1;
export const OBJECT_TYPE_STREAM = 2;
export const OBJECT_TYPE_ROOT = 5;

/**
 * Caps on metadata we hold in memory. Each is far above anything a real installer needs and
 * keeps a hostile file from making us allocate in proportion to its (large) size.
 */
export const MAX_DIRECTORY_BYTES = 32 * 1024 * 1024;
