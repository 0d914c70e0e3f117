import { MalformedSignatureError } from '../errors.js';
import { MAX_SIGNATURE_BYTES } from './asn1.js';
import { summarizeAuthenticatedAttributes } from './attributes.js';
import { decodeIndirectDataDer } from './indirect-data.js';
import { LIMITS } from './limits.js';
import { OID, oidName } from './oids.js';
import { decodeSignedData } from './signed-data.js';
import { decodeSignerInfo, findSignerCertificate } from './signer-info.js';
import type {
  AuthenticodeSignature,
  NestedSignatureError,
  RawAttribute,
  TimestampToken,
} from './types.js';

/**
 * Decodes an Authenticode signature blob (docs/formats.md §7.1): a ContentInfo holding a SignedData
 * with exactly one SignerInfo over an SpcIndirectDataContent. BER is accepted for the outer
 * layers; zero bytes after the encoding are padding (CAB signatures are padded to 8 bytes).
 *
 * Throws MalformedSignatureError, and nothing else, when the blob is not such a signature —
 * including when it has more than one SignerInfo (osslsigncode requires exactly one, docs/formats.md
 * §8.4 item 42). Nested signatures (unauthenticated attribute 1.3.6.1.4.1.311.2.4.1 on this
 * signer) are decoded into `nested` with indexes index+1.. in stored order; one that does not
 * decode is listed in `nestedErrors` instead and does not affect this signature.
 *
 * Nothing is verified here: see verifySignerSignature and verifyTimestamps.
 */
export function parseAuthenticode(der: Uint8Array, index = 0): AuthenticodeSignature {
  try {
    return parseContentInfo(Buffer.from(der), index, true);
  } catch (error) {
    if (error instanceof MalformedSignatureError) throw error;
    // Defensive: decoding steps translate their own errors; anything else is still the blob's fault.
    const reason = error instanceof Error ? error.message : String(error);
    throw new MalformedSignatureError(`cannot decode signature: ${reason}`);
  }
}

function parseContentInfo(
  bytes: Buffer,
  index: number,
  readNested: boolean,
): AuthenticodeSignature {
  if (bytes.length > MAX_SIGNATURE_BYTES) {
    throw new MalformedSignatureError(`signature is larger than ${MAX_SIGNATURE_BYTES} bytes`);
  }
  const signedData = decodeSignedData(bytes, 'signature');
  const length = signedData.length;
  const trailing = bytes.subarray(length);
  if (trailing.some((b) => b !== 0)) {
    throw new MalformedSignatureError(
      `signature is followed by ${trailing.length} bytes that are not zero padding`,
    );
  }

  if (signedData.signerInfos.length !== 1) {
    throw new MalformedSignatureError(
      `signature has ${signedData.signerInfos.length} SignerInfos; Authenticode requires exactly one`,
    );
  }
  if (signedData.contentType !== OID.spcIndirectData) {
    throw new MalformedSignatureError(
      `signature content is ${oidName(signedData.contentType)}, not SPC_INDIRECT_DATA_OBJID`,
    );
  }
  if (!signedData.contentDer)
    throw new MalformedSignatureError('signature has no SpcIndirectDataContent');
  const indirect = decodeIndirectDataDer(signedData.contentDer);

  const signer = decodeSignerInfo(signedData.signerInfos[0]!, 'SignerInfo');
  const { timestampTokens, nestedValues } = splitUnauthenticated(signer.unsignedAttributes);

  const nested: AuthenticodeSignature[] = [];
  const nestedErrors: NestedSignatureError[] = [];
  if (readNested) {
    if (nestedValues.length > LIMITS.nestedSignatures) {
      throw new MalformedSignatureError(
        `signature has ${nestedValues.length} nested signatures (limit ${LIMITS.nestedSignatures})`,
      );
    }
    nestedValues.forEach((value, i) => {
      const nestedIndex = index + 1 + i;
      try {
        // osslsigncode reads nested signatures from the primary signer only; so do we. §7.5
        nested.push(parseContentInfo(value, nestedIndex, false));
      } catch (error) {
        nestedErrors.push({
          index: nestedIndex,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    });
  }

  return {
    index,
    der: bytes.subarray(0, length),
    paddingLength: trailing.length,
    contentType: signedData.contentType,
    dataType: indirect.dataType,
    sipInfo: indirect.sipInfo,
    peImageData: indirect.peImageData,
    fileDigest: indirect.fileDigest,
    indirectDataContent: Buffer.from(signedData.contentDer),
    digestAlgorithms: signedData.digestAlgorithms,
    signerDigestAlgorithm: signer.digestAlgorithm,
    signatureAlgorithm: signer.signatureAlgorithm,
    signerInfoVersion: signer.version,
    signerIdentifier: signer.identifier,
    certificates: signedData.certificates,
    crls: signedData.crls,
    signerCertificate: findSignerCertificate(signedData.certificates, signer.identifier),
    encryptedDigest: signer.encryptedDigest,
    authenticatedAttributes: summarizeAuthenticatedAttributes(
      signer.signedAttributes?.attributes ?? [],
    ),
    rawAuthenticatedAttributes: signer.signedAttributes,
    unauthenticatedAttributes: signer.unsignedAttributes,
    timestampTokens,
    nested,
    nestedErrors,
  };
}

function splitUnauthenticated(attributes: readonly RawAttribute[]): {
  timestampTokens: TimestampToken[];
  nestedValues: Buffer[];
} {
  const timestampTokens: TimestampToken[] = [];
  const nestedValues: Buffer[] = [];
  for (const attribute of attributes) {
    if (attribute.type === OID.spcNestedSignature) nestedValues.push(...attribute.values);
    const kind =
      attribute.type === OID.spcRfc3161
        ? 'rfc3161'
        : attribute.type === OID.countersignature
          ? 'legacy'
          : null;
    if (kind) for (const der of attribute.values) timestampTokens.push({ kind, der });
  }
  if (timestampTokens.length > LIMITS.timestamps) {
    throw new MalformedSignatureError(
      `signature has ${timestampTokens.length} timestamps (limit ${LIMITS.timestamps})`,
    );
  }
  return { timestampTokens, nestedValues };
}
