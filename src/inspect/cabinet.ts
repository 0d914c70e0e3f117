import type { CabHeader, Cabinet } from '../cab/index.js';
import type { CabinetInspection } from './model.js';

/** Cabinet facts from a parsed header, and from the signature locator when it could be read. */
export function inspectCabinet(header: CabHeader, cabinet: Cabinet | null): CabinetInspection {
  const signature = cabinet?.signature ?? null;
  const structures = signature?.structures ?? null;
  const location = signature?.location ?? null;
  return {
    version: `${header.versionMajor}.${header.versionMinor}`,
    cbCabinet: header.cbCabinet,
    flags: header.flags,
    setID: header.setID,
    iCabinet: header.iCabinet,
    previous: header.previous
      ? { cabinet: header.previous.cabinet, disk: header.previous.disk }
      : null,
    next: header.next ? { cabinet: header.next.cabinet, disk: header.next.disk } : null,
    folders: header.folders.map((folder) => ({
      index: folder.index,
      compression: folder.compression,
      typeCompress: folder.typeCompress,
      dataBlocks: folder.cCFData,
    })),
    fileCount: header.files.length,
    reserve: {
      present: header.hasReserve,
      headerBytes: header.cbCFHeader,
      folderBytes: header.cbCFFolder,
      dataBytes: header.cbCFData,
      cbJunk: structures?.cbJunk ?? null,
      cbSig: structures?.cbSig ?? null,
      unusedBytes: structures?.unusedBytes ?? null,
    },
    signatureLocation: location
      ? {
          kind: location.kind,
          offset: location.offset,
          length: location.length,
          locatorOffset: location.locatorOffset,
          offsetMatchesCabinet: location.offsetMatchesCabinet,
          fillerIsZero: location.fillerIsZero,
        }
      : null,
    unsignedReason: signature?.unsignedReason ?? null,
    trailingBytes: signature ? signature.trailingBytes : null,
    anomalies: (cabinet?.anomalies ?? []).map((a) => ({ code: a.code, message: a.message })),
  };
}
