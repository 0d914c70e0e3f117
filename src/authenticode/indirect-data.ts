import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { MalformedSignatureError } from '../errors.js';
import { digestRef } from './algorithms.js';
import {
  children,
  decoding,
  isSequence,
  objectIdentifier,
  octetStringValue,
  smallInteger,
  type Block,
} from './asn1.js';
import { MSI_SIP_GUID, OID } from './oids.js';
import type { FileDigest, SipInfo } from './types.js';

export interface IndirectData {
  dataType: string;
  sipInfo: SipInfo | null;
  fileDigest: FileDigest;
}

/**
 * SpcIndirectDataContent ::= SEQUENCE { data SpcAttributeTypeAndOptionalValue, messageDigest DigestInfo }
 * formats.md §5.5 (MSI) and §6.5 (CAB). The data value is only interpreted for MSI (SpcSipInfo);
 * for CAB producers disagree on its form (SpcLink or SpcPeImageData) and it is not hashed.
 */
export function decodeIndirectData(block: Block): IndirectData {
  const [data, messageDigest] = children(block);
  if (!isSequence(block) || !data || !messageDigest || !isSequence(data)) {
    throw new MalformedSignatureError('SpcIndirectDataContent is not {data, messageDigest}');
  }
  const [type, value] = children(data);
  if (!type) throw new MalformedSignatureError('SpcIndirectDataContent.data has no type');
  const dataType = objectIdentifier(type, 'SpcIndirectDataContent.data.type');

  const digestInfo = decoding(
    'SpcIndirectDataContent.messageDigest',
    () => new pkijs.DigestInfo({ schema: messageDigest }),
  );
  return {
    dataType,
    sipInfo: dataType === OID.spcSipInfo && value ? readSipInfo(value) : null,
    fileDigest: {
      ...digestRef(digestInfo.digestAlgorithm.algorithmId),
      digest: octetStringValue(digestInfo.digest as Block, 'DigestInfo.digest'),
    },
  };
}

/** SpcSipInfo ::= SEQUENCE { version INTEGER, uuid OCTET STRING, reserved INTEGER ×5 } */
function readSipInfo(value: Block): SipInfo | null {
  const [version, uuid] = children(value);
  if (!isSequence(value) || !version || !uuid || !(uuid instanceof asn1js.OctetString)) return null;
  const guid = octetStringValue(uuid, 'SpcSipInfo.uuid');
  return { version: smallInteger(version), guid, isMsiSip: guid.equals(MSI_SIP_GUID) };
}
