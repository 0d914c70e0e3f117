import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { MalformedSignatureError } from '../errors.js';
import { Certificate } from '../x509/certificate.js';
import { digestRef } from './algorithms.js';
import {
  children,
  decoding,
  encodedBytes,
  isContext,
  isSequence,
  isSet,
  type Block,
} from './asn1.js';
import { LIMITS } from './limits.js';
import { OID, oidName } from './oids.js';
import type { DigestAlgorithmRef } from './types.js';

/** A CMS/PKCS#7 SignedData inside a ContentInfo, with the parts we read kept as stored. */
export interface DecodedSignedData {
  /** encapContentInfo.eContentType */
  contentType: string;
  /** encapContentInfo.eContent (the element inside `[0] EXPLICIT`), undefined when detached. */
  content: Block | undefined;
  digestAlgorithms: DigestAlgorithmRef[];
  certificates: Certificate[];
  crls: Buffer[];
  signerInfos: Block[];
}

/**
 * Decodes `ContentInfo { signedData, [0] SignedData }`. pkijs checks the structure; the
 * certificate, CRL and SignerInfo elements are then taken from the decoded tree so that their
 * exact stored bytes are kept (pkijs objects re-encode on output).
 */
export function decodeSignedDataContentInfo(block: Block, what: string): DecodedSignedData {
  const contentInfo = decoding(what, () => new pkijs.ContentInfo({ schema: block }));
  if (contentInfo.contentType !== OID.signedData) {
    throw new MalformedSignatureError(
      `${what} holds ${oidName(contentInfo.contentType)}, not signedData`,
    );
  }
  const signedDataBlock = contentInfo.content as Block | undefined;
  if (!(signedDataBlock instanceof asn1js.BaseBlock)) {
    throw new MalformedSignatureError(`${what} has no SignedData`);
  }
  // Count before pkijs walks the structure: its schema matching is the expensive part, and a
  // hostile blob should be turned away before paying for thousands of certificates.
  const parts = children(signedDataBlock);
  const certificateSet = parts.find((p) => isContext(p, 0));
  const crlSet = parts.find((p) => isContext(p, 1));
  const signerInfoSet = parts[parts.length - 1];
  const certificateElements = certificateSet ? children(certificateSet) : [];
  const crlElements = crlSet ? children(crlSet) : [];
  limit(certificateElements.length, LIMITS.certificates, `${what} carries`, 'certificates');
  limit(crlElements.length, LIMITS.crls, `${what} carries`, 'CRLs');
  if (signerInfoSet && isSet(signerInfoSet)) {
    limit(children(signerInfoSet).length, LIMITS.signerInfos, `${what} has`, 'SignerInfos');
  }

  const signedData = decoding(
    `${what} SignedData`,
    () => new pkijs.SignedData({ schema: signedDataBlock }),
  );
  if (!signerInfoSet || !isSet(signerInfoSet)) {
    throw new MalformedSignatureError(`${what} SignedData has no SignerInfo set`);
  }

  // pkijs decoded the set element by element; pair each X.509 certificate with its stored bytes.
  // Attribute certificates and other formats ([0]..[3]) carry no keys we can use; skip them.
  const decoded = signedData.certificates ?? [];
  const certificates: Certificate[] = [];
  certificateElements.forEach((element, i) => {
    const pki = decoded[i];
    if (!isSequence(element) || !(pki instanceof pkijs.Certificate)) return;
    certificates.push(
      decoding(`${what} certificate ${i + 1}`, () =>
        Certificate.fromDecoded(element.valueBeforeDecodeView, pki),
      ),
    );
  });

  const eContent = signedData.encapContentInfo.eContent as Block | undefined;
  return {
    contentType: signedData.encapContentInfo.eContentType,
    // pkijs fills in an empty OCTET STRING when the content is absent.
    content: eContent && eContent.valueBeforeDecodeView.length > 0 ? eContent : undefined,
    digestAlgorithms: signedData.digestAlgorithms.map((a) => digestRef(a.algorithmId)),
    certificates,
    crls: crlElements.filter(isSequence).map(encodedBytes),
    signerInfos: children(signerInfoSet),
  };
}

function limit(count: number, max: number, prefix: string, things: string): void {
  if (count > max) throw new MalformedSignatureError(`${prefix} ${count} ${things} (limit ${max})`);
}
