/**
 * An independent, sequential statement of docs/formats.md §6.3 (the jsign/legacy-signer field walk)
 * over a whole in-memory cabinet, used to check the range-based implementation on layouts no
 * signing tool produces.
 */
import { createHash } from 'node:crypto';

export function referenceCabDigest(bytes: Buffer, algorithm: string): Buffer {
  const hash = createHash(algorithm);
  const cbCabinet = bytes.readUInt32LE(8);
  const cFolders = bytes.readUInt16LE(26);
  const flags = bytes.readUInt16LE(30);

  hash.update(bytes.subarray(0, 4)); // signature
  hash.update(bytes.subarray(8, 36)); // cbCabinet .. iCabinet
  let pos = 36;
  let cbCFFolder = 0;
  if (flags & 0x0004) {
    const cbCFHeader = bytes.readUInt16LE(36);
    cbCFFolder = bytes[38]!;
    const reserve = bytes.subarray(40, 40 + cbCFHeader);
    if (reserve.length >= 4) {
      const cbJunk = reserve.readUInt16LE(0);
      hash.update(reserve.subarray(0, 2));
      hash.update(reserve.subarray(4, 4 + cbJunk));
    }
    pos = 40 + cbCFHeader;
  }
  const hashString = (): void => {
    const end = bytes.indexOf(0, pos);
    hash.update(bytes.subarray(pos, end + 1));
    pos = end + 1;
  };
  if (flags & 0x0001) {
    hashString();
    hashString();
  }
  if (flags & 0x0002) {
    hashString();
    hashString();
  }
  for (let i = 0; i < cFolders; i++) {
    hash.update(bytes.subarray(pos, pos + 8 + cbCFFolder));
    pos += 8 + cbCFFolder;
  }
  hash.update(bytes.subarray(pos, cbCabinet));
  return hash.digest();
}
