/**
 * A transform (.mst) read as a transform: Windows Installer stores a transform's table streams
 * as change rows (each row starts with a 16-bit column mask: insert, update or delete; see
 * docs/hostile-input.md, "Transforms"), not as database rows, so a transform is no database we
 * can query. Read here is only what every transform surely has: its summary information (the
 * target and result product codes, validation flags) and which tables it changes. The
 * signature is read by the content-digest layer as for any compound file.
 */
import type { CompoundFile } from '../cfb/types.js';
import { MalformedPackageError } from '../errors.js';
import { decodeStreamName } from './stream-name.js';
import {
  parseSummaryInformation,
  SUMMARY_INFORMATION_STREAM,
  type SummaryInformation,
} from './summary-information.js';

/** Size limit for the summary information stream (real ones are under 4 KiB). */
const MAX_SUMMARY_BYTES = 1024 * 1024;

export interface TransformContents {
  /** Undefined when the transform has no `\x05SummaryInformation` stream. */
  readonly summaryInformation: SummaryInformation | undefined;
  /**
   * Tables with a change stream, sorted; the string pool (`_StringPool`, `_StringData`) is the
   * transform's own and is not listed. `_Tables`/`_Columns` appear when tables are added or
   * removed.
   */
  readonly changedTables: readonly string[];
}

export async function readTransform(cfb: CompoundFile): Promise<TransformContents> {
  const changedTables: string[] = [];
  let summaryInformation: SummaryInformation | undefined;
  for (const entry of cfb.children(cfb.root)) {
    if (entry.kind !== 'stream') continue;
    if (entry.name === SUMMARY_INFORMATION_STREAM) {
      if (entry.size > MAX_SUMMARY_BYTES) {
        throw new MalformedPackageError(
          `the summary information stream is ${entry.size} bytes, more than the ${MAX_SUMMARY_BYTES}-byte limit`,
        );
      }
      summaryInformation = parseSummaryInformation(await cfb.readStream(entry));
      continue;
    }
    const { name, isTable } = decodeStreamName(entry.name);
    if (isTable && name !== '_StringPool' && name !== '_StringData') changedTables.push(name);
  }
  changedTables.sort();
  return { summaryInformation, changedTables };
}
