import { unusualDataType, type AuthenticodeSignature } from '../authenticode/index.js';
import type { CompoundFile } from '../cfb/index.js';
import { openCompoundFile } from '../cfb/index.js';
import { DIGEST_SIZES, type DigestAlgorithm } from '../digest.js';
import type { Finding } from '../findings.js';
import type { RandomAccessSource } from '../io/random-access-file.js';
import {
  msiContentDigests,
  msiMetadataPrehash,
  readMsiSignatureStreams,
} from '../msi/content-digest.js';
import { detectPackageKind, type MsiDatabase } from '../msi/index.js';
import { readPackageFacts, type PackageFacts } from '../verify/package-facts.js';
import type { DeferredError, OpenContainerOptions, SignedContainer } from './types.js';

/**
 * An MSI, MSP, MST or MSM: a compound file whose `\x05DigitalSignature` stream holds the
 * signature and whose streams and storages, in a fixed order, are what it signs (docs/formats.md §5).
 */
export async function openCompoundFileContainer(
  source: RandomAccessSource,
  options: OpenContainerOptions,
): Promise<SignedContainer> {
  const cfb: CompoundFile = await openCompoundFile(source);
  const kind = detectPackageKind(cfb);
  let database: MsiDatabase | null = null;
  const facts: PackageFacts | null = options.packageFacts
    ? await readPackageFacts(cfb, (db) => (database = db))
    : null;
  const findings: Finding[] = [...(facts?.findings ?? [])];
  for (const warning of cfb.warnings ?? []) {
    findings.push({ severity: 'notice', code: 'unusual-layout', message: warning });
  }
  let streams: { signature: Buffer | null; prehash: Buffer | null } = {
    signature: null,
    prehash: null,
  };
  let deferredError: DeferredError | null = null;
  try {
    streams = await readMsiSignatureStreams(cfb);
  } catch (error) {
    deferredError = { part: 'container', error };
  }
  if (cfb.trailingBytes > 0 && streams.signature !== null) {
    // No digest covers them, and WinVerifyTrust refuses a signed MSI with data after its last
    // allocated sector (signtool verify fails; osslsigncode issue #273): an error, as in Windows.
    // docs/hostile-input.md, "Bytes no digest covers".
    findings.push({
      severity: 'error',
      code: 'trailing-data',
      message: `${cfb.trailingBytes} bytes follow the last allocated sector; the signature does not cover them and Windows (signtool verify) rejects such files`,
    });
  }
  return {
    kind: kind === 'unknown-cfb' ? 'msi' : kind,
    structure: { format: 'compound-file', cfb, prehash: streams.prehash, database },
    deferredError,
    signature: streams.signature,
    unsignedMessage: 'the package has no Authenticode signature (no \\x05DigitalSignature stream)',
    findings,
    package: facts,
    signatureTypeProblem: installerSignatureTypeProblem,
    signatureTypeDescription: 'made for an installer package (the MSI SIP)',
    digests: async (algorithms) => {
      const result = await msiContentDigests(cfb, algorithms, options.hasher);
      const found: Finding[] = [];
      if (result.signatureInSubStorage) {
        found.push({
          severity: 'notice',
          code: 'ambiguous-digest-rule',
          message:
            'a sub-storage holds a stream named like a signature stream; we hash it (as osslsigncode does), jsign would not (docs/formats.md §5.2)',
        });
      }
      if (streams.prehash) await checkPrehash(cfb, streams.prehash, found);
      return { digests: result.digests, findings: found };
    },
    checkSignature: async () => [],
  };
}

/**
 * MSI, MSP and MST signatures carry SpcSipInfo naming the MSI SIP (version 1 or 2); anything else
 * is unusual, reported as a warning (the file digest decides; unusualDataType).
 */
function installerSignatureTypeProblem(signature: AuthenticodeSignature): string | null {
  return unusualDataType(signature, 'msi');
}

/** The digest algorithm a stored MsiDigitalSignatureEx value's length implies (never MD5). */
export function prehashAlgorithm(stored: Buffer): DigestAlgorithm | undefined {
  return (Object.entries(DIGEST_SIZES) as [DigestAlgorithm, number][]).find(
    ([name, size]) => size === stored.length && name !== 'md5',
  )?.[0];
}

/**
 * Windows prepends the stored MsiDigitalSignatureEx bytes and never validates them
 * (docs/formats.md §5.4): a stale value is only worth a warning that the metadata changed.
 */
async function checkPrehash(cfb: CompoundFile, stored: Buffer, findings: Finding[]): Promise<void> {
  const algorithm = prehashAlgorithm(stored);
  if (!algorithm) {
    findings.push({
      severity: 'warning',
      code: 'digest-metadata-changed',
      message: `the MsiDigitalSignatureEx value is ${stored.length} bytes long, which is no known digest size; Windows ignores this, osslsigncode rejects the file`,
    });
    return;
  }
  const recomputed = await msiMetadataPrehash(cfb, algorithm);
  if (!recomputed.equals(stored)) {
    findings.push({
      severity: 'warning',
      code: 'digest-metadata-changed',
      message:
        'the directory metadata (names, sizes, times or state bits) changed after signing: the stored MsiDigitalSignatureEx no longer matches. Windows accepts this; osslsigncode reports a mismatch',
    });
  }
}
