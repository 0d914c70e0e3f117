import { unusualDataType, type AuthenticodeSignature } from '../authenticode/index.js';
import {
  cabContentDigests,
  openCabinet,
  parseCabHeader,
  readCabSignature,
  type CabAnomaly,
  type Cabinet,
  type CabHeader,
} from '../cab/index.js';
import { MalformedSignatureError } from '../errors.js';
import { HRESULT, type Finding } from '../findings.js';
import type { RandomAccessSource } from '../io/random-access-file.js';
import type { DeferredError, OpenContainerOptions, SignedContainer } from './types.js';

/**
 * A cabinet: the signature sits where the reserve area's locator says (docs/formats.md §6.2) and
 * the digest covers the header fields and data ranges of §6.3.
 */
export async function openCabinetContainer(
  source: RandomAccessSource,
  options: OpenContainerOptions,
): Promise<SignedContainer> {
  const header: CabHeader = await parseCabHeader(source);
  let cabinet: Cabinet | null = null;
  let deferredError: DeferredError | null = null;
  try {
    cabinet = await openCabinet(source);
  } catch (error) {
    // A truncated signature still leaves the cabinet's own structure readable.
    deferredError = {
      part: error instanceof MalformedSignatureError ? 'signature' : 'container',
      error,
    };
  }
  const findings: Finding[] = [];
  let signature: Buffer | null = null;
  if (cabinet) {
    findings.push(...cabinetFindings(cabinet));
    try {
      signature = cabinet.signatureLocation ? await readCabSignature(source, cabinet) : null;
    } catch (error) {
      deferredError = { part: 'signature', error };
    }
  }
  return {
    kind: 'cab',
    structure: { format: 'cabinet', header, cabinet },
    deferredError,
    signature,
    unsignedMessage:
      'the cabinet has no Authenticode signature (no signature locator in its reserve area)',
    findings,
    package: null,
    signatureTypeProblem: cabinetSignatureTypeProblem,
    signatureTypeDescription: 'made for a cabinet (SPC_CAB_DATA_OBJID or SPC_LINK_OBJID)',
    digests: async (algorithms) => ({
      digests: await cabContentDigests(source, cabinet ?? header, algorithms, options.hasher),
      findings: [],
    }),
    checkSignature: async () => [],
  };
}

/**
 * Cabinet signers write SPC_CAB_DATA_OBJID (osslsigncode, jsign) or SPC_LINK_OBJID (signtool);
 * anything else is unusual, reported as a warning (the file digest decides; unusualDataType).
 */
function cabinetSignatureTypeProblem(signature: AuthenticodeSignature): string | null {
  return unusualDataType(signature, 'cab');
}

function cabinetFindings(cabinet: Cabinet): Finding[] {
  const findings: Finding[] = [];
  if (cabinet.trailingBytes > 0 && cabinet.signatureLocation) {
    // The signature must end the file (docs/formats.md §6.2): bytes after it are outside every
    // check and could carry anything, so the signature area is treated as malformed, as
    // osslsigncode does and as Windows' MS13-098 hardening does for PE files.
    findings.push({
      severity: 'error',
      code: 'malformed-signature',
      message: `${cabinet.trailingBytes} bytes follow the signature; the signature locator's offset plus length must end the file, and nothing covers those bytes`,
      hresult: HRESULT.TRUST_E_MALFORMED_SIGNATURE,
    });
  } else if (cabinet.trailingBytes > 0) {
    findings.push({
      severity: 'warning',
      code: 'trailing-data',
      message: `${cabinet.trailingBytes} bytes follow the end of the cabinet (cbCabinet)`,
    });
  }
  for (const anomaly of cabinet.anomalies) {
    const finding = findingForCabAnomaly(anomaly);
    if (finding) findings.push(finding);
  }
  return findings;
}

/**
 * Cabinet oddities are data from the reader; here they become findings. Bytes the digest does
 * not cover are errors; layouts Windows reads but tools disagree on are notices.
 */
function findingForCabAnomaly(anomaly: CabAnomaly): Finding | null {
  switch (anomaly.code) {
    case 'trailing-data':
      return null; // reported from trailingBytes above
    case 'directory-gap':
      // Inside cbCabinet: hashed and signed, only not listed by any structure.
      return { severity: 'warning', code: 'trailing-data', message: anomaly.message };
    case 'signature-offset-mismatch':
      // Bytes between cbCabinet and the signature: our digest (and jsign's) stops at cbCabinet,
      // osslsigncode's runs to the signature and reports a mismatch; what Windows does is not
      // known, so uncovered bytes are an error (docs/hostile-input.md, "Bytes no digest covers").
      return {
        severity: 'error',
        code: 'trailing-data',
        message: `${anomaly.message}; the bytes in between are covered by no digest`,
      };
    case 'osslsigncode-digest-differs':
      return {
        severity: 'notice',
        code: 'ambiguous-digest-rule',
        message: `${anomaly.message} (docs/formats.md §6.3: osslsigncode omits iCabinet; we hash it, as jsign and the Microsoft signer do)`,
      };
    default:
      return { severity: 'notice', code: 'unusual-layout', message: anomaly.message };
  }
}
