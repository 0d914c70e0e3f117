import { OID, oidName, type AuthenticodeSignature } from '../authenticode/index.js';
import { HRESULT, type Finding } from '../findings.js';
import { hashSegments } from '../io/hash-plan.js';
import type { RandomAccessSource } from '../io/random-access-file.js';
import {
  parsePeHeaders,
  peDigestRanges,
  readCertificateTable,
  verifyPageHashes,
  type CertificateTable,
  type PeImage,
} from '../pe/index.js';
import type {
  DeferredError,
  OpenContainerOptions,
  SignatureCheck,
  SignedContainer,
} from './types.js';

/** Words for the `unsigned` message: what Windows might still trust the file by. */
const CATALOG_NOTE =
  'catalog (.cat) signing, which some system files use instead of an embedded signature, is not considered';

/**
 * A PE image (.exe, .dll, .sys, .ocx, .efi): the signature is the first WIN_CERTIFICATE of the
 * attribute certificate table, and the digest covers the whole file except the CheckSum, the
 * Certificate Table directory entry and the table (src/pe/digest-ranges.ts).
 */
export async function openPortableExecutableContainer(
  source: RandomAccessSource,
  options: OpenContainerOptions,
): Promise<SignedContainer> {
  const image: PeImage = await parsePeHeaders(source);
  let table: CertificateTable | null = null;
  let signature: Buffer | null = null;
  let unsignedMessage = `the PE file has no embedded Authenticode signature; ${CATALOG_NOTE}`;
  let deferredError: DeferredError | null = null;
  try {
    const read = await readCertificateTable(source, image);
    if (read.present) {
      table = read.table;
      signature = read.signature;
    } else {
      unsignedMessage = `the PE file has no embedded Authenticode signature (${read.reason}); ${CATALOG_NOTE}`;
    }
  } catch (error) {
    deferredError = { part: 'signature', error };
  }
  return {
    kind: 'pe',
    structure: { format: 'portable-executable', image, table },
    deferredError,
    signature,
    unsignedMessage,
    findings: table ? tableFindings(table) : [],
    package: null,
    signatureTypeProblem: (s) =>
      s.dataType === OID.spcPeImageData
        ? null
        : `the SpcIndirectDataContent type is ${oidName(s.dataType)}; PE signers write SPC_PE_IMAGE_DATA_OBJID`,
    signatureTypeDescription: 'made for a PE image (SPC_PE_IMAGE_DATA_OBJID)',
    digests: async (algorithms) => {
      const ranges = peDigestRanges(image, table);
      const digests = options.hasher
        ? await options.hasher(ranges, algorithms)
        : await hashSegments(source, ranges, algorithms);
      return { digests, findings: [] };
    },
    checkSignature: (s) => checkPageHashes(source, image, s),
  };
}

/**
 * What the table holds besides the signature Windows verifies.
 *
 * Bytes in the table that belong to no entry are the MS13-098 (CVE-2013-3900) pattern: data
 * smuggled into a signed file where no signature covers it. Windows accepts them by default and
 * rejects them with the opt-in EnableCertPaddingCheck hardening. We apply the hardened rule: a
 * release must not ship a file that a hardened endpoint refuses, and nothing vouches for those
 * bytes. (osslsigncode ignores them.)
 */
function tableFindings(table: CertificateTable): Finding[] {
  const findings: Finding[] = [];
  if (table.unaccountedBytes) {
    findings.push({
      severity: 'error',
      code: 'malformed-signature',
      message: `the certificate table holds ${table.unaccountedBytes.count} non-zero bytes that belong to no WIN_CERTIFICATE entry (from offset ${table.unaccountedBytes.offset}): no signature covers them (the MS13-098 pattern). Windows accepts them by default and rejects them with the EnableCertPaddingCheck hardening, whose rule we apply`,
      hresult: HRESULT.TRUST_E_MALFORMED_SIGNATURE,
    });
  }
  if (table.entries.length > 1) {
    findings.push({
      severity: 'warning',
      code: 'unusual-layout',
      message: `the certificate table holds ${table.entries.length - 1} more WIN_CERTIFICATE entr${table.entries.length === 2 ? 'y' : 'ies'} after the first (${table.entries
        .slice(1)
        .map((e) => `type 0x${e.type.toString(16).padStart(4, '0')} at ${e.offset}`)
        .join(', ')}); Windows verifies only the first, so nothing checks the others`,
    });
  }
  if (table.offset % 8 !== 0) {
    findings.push({
      severity: 'notice',
      code: 'unusual-layout',
      message: `the certificate table starts at offset ${table.offset}, not on the 8-byte boundary the PE format requires`,
    });
  }
  if (table.trailingBytes > 0) {
    findings.push({
      severity: 'warning',
      code: 'trailing-data',
      message: `${table.trailingBytes} bytes follow the certificate table, which should end the file. Windows hashes them with the image, so they are covered only if they were there when the file was signed; osslsigncode refuses such a file`,
    });
  }
  return findings;
}

async function checkPageHashes(
  source: RandomAccessSource,
  image: PeImage,
  signature: AuthenticodeSignature,
): Promise<SignatureCheck[]> {
  const signed = signature.peImageData?.pageHashes;
  if (!signed) return [];
  const name = signed.version === 1 ? 'SHA-1 page hashes (V1)' : 'SHA-256 page hashes (V2)';
  const result = await verifyPageHashes(source, image, signed);
  if (result.ok) {
    return [
      { name: 'page-hashes', state: 'pass', message: `${name}: all ${result.pages} pages match` },
    ];
  }
  return [
    {
      name: 'page-hashes',
      state: 'fail',
      message: `${name}: ${result.reason}`,
      finding: {
        severity: 'error',
        code: 'bad-digest',
        message: `${name}: ${result.reason}`,
        hresult: HRESULT.TRUST_E_BAD_DIGEST,
      },
    },
  ];
}
