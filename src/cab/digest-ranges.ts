/**
 * The bytes an Authenticode CAB digest covers. docs/formats.md §6.3 (consensus of jsign and the
 * legacy signer), §10 item 6.
 *
 * Every hashed byte is a stored byte, in file order, so the whole digest input is a list of
 * file ranges: nothing is synthesised for verification.
 */
import { CAB_RESERVE_OFFSET, CFHEADER_FIXED_SIZE, type CabHeader } from './header.js';
import { parseCabReserve } from './signature-locator.js';

export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/** The header fields the range computation depends on. */
export type CabDigestLayout = Pick<
  CabHeader,
  'cbCabinet' | 'hasReserve' | 'cbCFHeader' | 'reserve' | 'reserveOffset'
>;

/**
 * File ranges hashed for a cabinet's Authenticode digest, sorted, non-overlapping, adjacent
 * ranges merged, all inside `[0, cbCabinet)`:
 *
 * - `[0, 4)` "MSCF"; reserved1 `[4, 8)` is skipped;
 * - `[8, 36)` cbCabinet … iCabinet (iCabinet included, unlike osslsigncode);
 * - with RESERVE_PRESENT: cbCFHeader/cbCFFolder/cbCFData `[36, 40)` skipped; cbJunk `[40, 42)`
 *   and structure 1 hashed; cbSig, structure 2 (locator or legacy signature) and the unused
 *   rest of the reserve skipped;
 * - from the end of the reserve to cbCabinet: prev/next names with their NULs, CFFOLDERs with
 *   their reserves, CFFILEs and CFDATA. The appended signature (at cbCabinet) is excluded.
 *
 * Without a reserve (an unsigned cabinet) the stored bytes are hashed as they are, skipping only
 * reserved1; a signer would first insert a reserve, so such a digest matches no signature.
 */
export function cabDigestRanges(layout: CabDigestLayout): ByteRange[] {
  const raw: [start: number, end: number][] = [[0, 4]];
  if (!layout.hasReserve) {
    raw.push([8, layout.cbCabinet]);
  } else {
    raw.push([8, CFHEADER_FIXED_SIZE]);
    const structures = parseCabReserve(layout);
    if (structures) {
      raw.push([CAB_RESERVE_OFFSET, CAB_RESERVE_OFFSET + 2]);
      raw.push([structures.junkOffset, structures.junkOffset + structures.cbJunk]);
    }
    raw.push([layout.reserveOffset + layout.cbCFHeader, layout.cbCabinet]);
  }

  const ranges: { offset: number; length: number }[] = [];
  for (const [rawStart, rawEnd] of raw) {
    const start = Math.max(0, rawStart);
    const end = Math.min(rawEnd, layout.cbCabinet);
    if (end <= start) continue;
    const last = ranges.at(-1);
    if (last && last.offset + last.length === start) last.length += end - start;
    else ranges.push({ offset: start, length: end - start });
  }
  return ranges;
}

/**
 * The ranges osslsigncode's `cab_digest_calc` hashes: `[0, 4)`, `[8, 34)`, then `[56, end)`
 * where `end` is the signature offset — iCabinet and cbJunk are left out and the last 4 locator
 * filler bytes hashed instead (docs/formats.md §6.3 "Disagreement"). Defined only for the layouts
 * osslsigncode accepts (a 20-byte reserve, no per-folder reserve, coffFiles right after the
 * CFFOLDERs); `null` otherwise. For iCabinet = 0 and a zero filler it equals
 * {@link cabDigestRanges}; it exists so that a verifier can tell "bad digest" from "signed by
 * osslsigncode's rule" on non-first volumes.
 */
export function osslsigncodeCabDigestRanges(
  header: Pick<
    CabHeader,
    'hasReserve' | 'cbCFHeader' | 'cbCFFolder' | 'coffFiles' | 'foldersEnd' | 'fileSize'
  >,
  signatureOffset: number,
): ByteRange[] | null {
  if (
    !header.hasReserve ||
    header.cbCFHeader !== 20 ||
    header.cbCFFolder !== 0 ||
    header.coffFiles !== header.foldersEnd ||
    signatureOffset < 60 ||
    signatureOffset > header.fileSize
  ) {
    return null;
  }
  return [
    { offset: 0, length: 4 },
    { offset: 8, length: 26 },
    { offset: 56, length: signatureOffset - 56 },
  ];
}
