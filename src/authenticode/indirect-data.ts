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
import { MSI_SIP_GUID, OID, oidName } from './oids.js';
import type { FileDigest, SipInfo } from './types.js';

export interface IndirectData {
  dataType: string;
  sipInfo: SipInfo | null;
  fileDigest: FileDigest;
}

/**
 * SpcIndirectDataContent ::= SEQUENCE { data SpcAttributeTypeAndOptionalValue, messageDigest DigestInfo }
 * The data value is only interpreted for MSI (SpcSipInfo); for CAB producers disagree on its
 * type and form (see unusualDataType) and it is not hashed.
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

/** The container a signature is attached to, which decides the data types we expect. */
export type SignedFormat = 'msi' | 'cab';

/**
 * Whether the SpcIndirectDataContent data type is one the producers of this container write;
 * returns why not, or null. The data value is never what binds a signature to a file — the
 * file digest is — so an unusual type is reported, never decisive (docs/finding-codes.md,
 * unusual-signature-type). Cabinets: SPC_CAB_DATA_OBJID with an SpcLink (osslsigncode) or an
 * SpcPeImageData (jsign) value, or SPC_LINK_OBJID with an SpcSerializedObject moniker whose
 * data holds szOID_ENHANCED_HASH and a hash (signtool); what that enhanced hash covers is not
 * documented, so it is not checked. Installer packages: SpcSipInfo (version 1 from
 * osslsigncode, jsign and relic, version 2 from signtool) naming the MSI SIP.
 */
export function unusualDataType(
  signature: { dataType: string; sipInfo: SipInfo | null },
  format: SignedFormat,
): string | null {
  if (format === 'cab') {
    return signature.dataType === OID.spcCabData || signature.dataType === OID.spcLink
      ? null
      : `the SpcIndirectDataContent type is ${oidName(signature.dataType)}; cabinet signers write SPC_CAB_DATA_OBJID or SPC_LINK_OBJID`;
  }
  if (signature.dataType !== OID.spcSipInfo) {
    return `the SpcIndirectDataContent type is ${oidName(signature.dataType)}; installer package signers write SPC_SIPINFO_OBJID`;
  }
  if (!signature.sipInfo?.isMsiSip) {
    return `the SpcSipInfo does not name the Windows Installer SIP {000C10F1-0000-0000-C000-000000000046}`;
  }
  return null;
}

/** SpcSipInfo ::= SEQUENCE { version INTEGER, uuid OCTET STRING, reserved INTEGER ×5 } */
function readSipInfo(value: Block): SipInfo | null {
  const [version, uuid] = children(value);
  if (!isSequence(value) || !version || !uuid || !(uuid instanceof asn1js.OctetString)) return null;
  const guid = octetStringValue(uuid, 'SpcSipInfo.uuid');
  return { version: smallInteger(version), guid, isMsiSip: guid.equals(MSI_SIP_GUID) };
}
