/**
 * The findings a cabinet's extraction leads to: each failed folder (damaged data, unsupported
 * method, missing volume) and each limit that stopped the walk becomes one finding naming the
 * files that could not be checked. The severity comes from the payload policy (warn / require).
 */
import {
  ContinuationMissingError,
  PayloadLimitError,
  UnsupportedCompressionError,
} from '../cab/payload-errors.js';
import type { CabExtraction, ExtractFailure, FolderFailure } from '../cab/extract.js';
import type { Finding, FindingCode, Severity } from '../findings.js';

/** Most file names quoted in one finding's message. */
const NAMED_FILES = 5;

export function extractFailureCode(error: ExtractFailure): FindingCode {
  if (error instanceof UnsupportedCompressionError) return 'unsupported-compression';
  if (error instanceof ContinuationMissingError) return 'continuation-cabinet-missing';
  if (error instanceof PayloadLimitError) return 'payload-too-large';
  return 'corrupt-payload';
}

/**
 * `innerPathOf` turns a cabinet file name into the file's inner path (its install path, under
 * the containers above it), so that the finding names the files it left unchecked as data.
 */
export function folderFailureFinding(
  cabinetName: string,
  failure: FolderFailure,
  severity: Severity,
  innerPathOf: (cabinetFileName: string) => string = (name) => name,
): Finding {
  const names = failure.files.map((entry) => entry.file.name);
  const listed = names.slice(0, NAMED_FILES).join(', ');
  const more = names.length > NAMED_FILES ? ` and ${names.length - NAMED_FILES} more` : '';
  const unchecked =
    names.length > 0 ? `; ${names.length} file(s) not checked: ${listed}${more}` : '';
  return {
    severity,
    code: extractFailureCode(failure.error),
    message: `${cabinetName}, folder ${failure.folder}: ${failure.error.message}${unchecked}`,
    ...(names.length > 0 ? { innerPaths: names.map(innerPathOf) } : {}),
  };
}

export function extractionFindings(
  cabinetName: string,
  extraction: CabExtraction,
  severity: Severity,
  innerPathOf?: (cabinetFileName: string) => string,
): Finding[] {
  return extraction.failures.map((failure) =>
    folderFailureFinding(cabinetName, failure, severity, innerPathOf),
  );
}

/** A limit or set error that stopped the walk before any folder was decoded. */
export function extractionErrorFinding(
  cabinetName: string,
  error: ExtractFailure,
  severity: Severity,
): Finding {
  return { severity, code: extractFailureCode(error), message: `${cabinetName}: ${error.message}` };
}
