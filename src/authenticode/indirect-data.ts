import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { MalformedSignatureError } from '../errors.js';
import { digestRef } from './algorithms.js';
import {
  children,
  decodeExact,
  decoding,
  isContext,
  isSequence,
  isSet,
  objectIdentifier,
  objectIdentifierOf,
  octetStringValue,
  smallInteger,
  type Block,
} from './asn1.js';
import { isSurelyValid } from './ber-validation.js';
import { MSI_SIP_GUID, OID, oidName } from './oids.js';
import {
  isPrimitiveTlv,
  isUniversalTlv,
  readTlv,
  sequenceElements,
  tlvBytes,
  tlvSmallInteger,
  type Tlv,
} from './tlv.js';
import type { FileDigest, PeImageData, SipInfo } from './types.js';

export interface IndirectData {
  dataType: string;
  sipInfo: SipInfo | null;
  peImageData: PeImageData | null;
  fileDigest: FileDigest;
}

/**
 * {@link decodeIndirectData} from the element's encoding, which the strict decoder's rules have
 * accepted (signed-data.ts). The shape every signer writes — DER, `data` with a type and at most
 * one value, a DigestInfo of an AlgorithmIdentifier and a primitive OCTET STRING, an SpcSipInfo
 * whose GUID is a primitive OCTET STRING — is read from the bytes (tlv.ts), a PE signature's
 * SpcPeImageData by asn1js on its own; anything else is decoded with asn1js and pkijs as
 * before. Decoding this small element with asn1js and pkijs' DigestInfo schema was a visible
 * part of a small file's cost (issue 19); test/authenticode/indirect-data.test.ts checks that
 * both ways agree.
 */
export function decodeIndirectDataDer(der: Uint8Array): IndirectData {
  return readCommonShape(der) ?? decodeIndirectData(decodeExact(der, 'signature eContent'));
}

/** The common shape read from the bytes, or null when the bytes are anything else. */
export function readCommonShape(der: Uint8Array): IndirectData | null {
  if (!isSurelyValid(der)) return null;
  const root = readTlv(der, 0, der.length, 'SpcIndirectDataContent');
  const parts = sequenceElements(der, root, 'SpcIndirectDataContent');
  if (parts?.length !== 2) return null;
  const [data, messageDigest] = parts as [Tlv, Tlv];
  const dataParts = sequenceElements(der, data, 'SpcIndirectDataContent');
  if (!dataParts || dataParts.length < 1 || dataParts.length > 2) return null;
  const [type, value] = dataParts as [Tlv, Tlv | undefined];
  if (!isPrimitiveTlv(type, OBJECT_IDENTIFIER)) return null;
  const dataType = objectIdentifierOf(tlvBytes(der, type), 'SpcIndirectDataContent.data.type');

  const digestParts = sequenceElements(der, messageDigest, 'SpcIndirectDataContent');
  if (digestParts?.length !== 2) return null;
  const [algorithm, digest] = digestParts as [Tlv, Tlv];
  const algorithmParts = sequenceElements(der, algorithm, 'SpcIndirectDataContent');
  if (!algorithmParts || algorithmParts.length < 1 || algorithmParts.length > 2) return null;
  if (
    !isPrimitiveTlv(algorithmParts[0]!, OBJECT_IDENTIFIER) ||
    !isPrimitiveTlv(digest, OCTET_STRING)
  ) {
    return null;
  }
  const algorithmId = objectIdentifierOf(tlvBytes(der, algorithmParts[0]!), 'DigestInfo');

  let sipInfo: SipInfo | null = null;
  if (dataType === OID.spcSipInfo && value) {
    const sip = sequenceElements(der, value, 'SpcIndirectDataContent');
    if (sip && sip.length >= 2) {
      const [version, uuid] = sip as [Tlv, Tlv];
      if (isUniversalTlv(uuid, OCTET_STRING)) {
        if (uuid.constructed) return null;
        const guid = Buffer.from(der.subarray(uuid.contentStart, uuid.contentEnd));
        sipInfo = {
          version: isUniversalTlv(version, INTEGER) ? tlvSmallInteger(der, version) : null,
          guid,
          isMsiSip: guid.equals(MSI_SIP_GUID),
        };
      }
    }
  }
  // SpcPeImageData: the value alone decoded by asn1js and read as decodeIndirectData reads it
  // (the same element, so the same page hashes, link kind and refusals).
  const peImageData =
    dataType === OID.spcPeImageData
      ? readPeImageData(value ? decodeExact(tlvBytes(der, value), 'SpcPeImageData') : undefined)
      : null;
  return {
    dataType,
    sipInfo,
    peImageData,
    fileDigest: {
      ...digestRef(algorithmId),
      digest: Buffer.from(der.subarray(digest.contentStart, digest.contentEnd)),
    },
  };
}

const INTEGER = 2;
const OCTET_STRING = 4;
const OBJECT_IDENTIFIER = 6;

/**
 * SpcIndirectDataContent ::= SEQUENCE { data SpcAttributeTypeAndOptionalValue, messageDigest DigestInfo }
 * The data value is interpreted for MSI (SpcSipInfo) and PE files (SpcPeImageData, for its page
 * hashes); for CAB producers disagree on its type and form (see unusualDataType) and it is not
 * hashed.
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
    peImageData: dataType === OID.spcPeImageData ? readPeImageData(value) : null,
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

/**
 * The class ID of the SpcSerializedObject that carries page hashes
 * ({A6B586D5-B4A1-2466-AE05-A217DA8E60D6}, as stored), Microsoft "Windows Authenticode Portable
 * Executable Signature Format", SpcPeImageData.
 */
export const PAGE_HASHES_CLASS_ID = Buffer.from('a6b586d5b4a12466ae05a217da8e60d6', 'hex');

/**
 * SpcPeImageData ::= SEQUENCE { flags SpcPeImageFlags DEFAULT includeResources,
 *                              file [0] EXPLICIT SpcLink OPTIONAL }
 * SpcLink ::= CHOICE { url [0] IMPLICIT IA5String, moniker [1] IMPLICIT SpcSerializedObject,
 *                      file [2] EXPLICIT SpcString }
 * Only a moniker with the page-hash class ID means something to Windows: the serialized data is
 * SET { SEQUENCE { type (V1 SHA-1 or V2 SHA-256), SET { OCTET STRING table } } }. A page-hash
 * moniker that does not decode makes the signature malformed; anything else is kept as "no page
 * hashes" (signtool writes an SpcLink file with an empty "<<<Obsolete>>>" string).
 */
function readPeImageData(value: Block | undefined): PeImageData {
  if (!value) return { link: 'absent', pageHashes: null };
  if (!isSequence(value)) throw new MalformedSignatureError('SpcPeImageData is not a SEQUENCE');
  const file = children(value).find((child) => isContext(child, 0));
  const link = file ? children(file)[0] : undefined;
  if (!link) return { link: 'absent', pageHashes: null };
  if (isContext(link, 0)) return { link: 'url', pageHashes: null };
  if (isContext(link, 2)) return { link: 'file', pageHashes: null };
  if (!isContext(link, 1)) {
    throw new MalformedSignatureError('SpcPeImageData.file is not an SpcLink');
  }
  const [classId, serialized] = children(link);
  if (!classId || !serialized) {
    throw new MalformedSignatureError('SpcSerializedObject is not {classId, serializedData}');
  }
  const id = octetStringValue(classId, 'SpcSerializedObject.classId');
  if (!id.equals(PAGE_HASHES_CLASS_ID)) return { link: 'moniker', pageHashes: null };
  const data = octetStringValue(serialized, 'SpcSerializedObject.serializedData');
  const set = decodeExact(data, 'page hashes');
  const [attribute] = children(set);
  if (!isSet(set) || !attribute || !isSequence(attribute)) {
    throw new MalformedSignatureError(
      'page hashes are not a SET of SpcAttributeTypeAndOptionalValue',
    );
  }
  const [type, values] = children(attribute);
  if (!type || !values || !isSet(values)) {
    throw new MalformedSignatureError('page hashes have no type and value');
  }
  const oid = objectIdentifier(type, 'page hashes type');
  const version =
    oid === OID.spcPeImagePageHashesV1 ? 1 : oid === OID.spcPeImagePageHashesV2 ? 2 : null;
  if (version === null) {
    throw new MalformedSignatureError(`page hashes of unknown type ${oid}`);
  }
  const [table] = children(values);
  if (!table) throw new MalformedSignatureError('page hashes have no table');
  return {
    link: 'moniker',
    pageHashes: {
      version,
      algorithm: version === 1 ? 'sha1' : 'sha256',
      table: octetStringValue(table, 'page hash table'),
    },
  };
}
