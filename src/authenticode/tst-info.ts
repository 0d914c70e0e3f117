import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { decodeExact, decoding, objectIdentifierOf, octetStringValue, type Block } from './asn1.js';
import { isSurelyValid } from './ber-validation.js';
import {
  isContextTlv,
  isPrimitiveTlv,
  isUniversalTlv,
  readTlv,
  sequenceElements,
  tlvBytes,
  tlvChildren,
  type Tlv,
} from './tlv.js';

/** What the timestamp check reads of an RFC 3161 TSTInfo (RFC 3161 §2.4.2). */
export interface TstInfoFields {
  /** genTime as asn1js reads it (an invalid time is an invalid Date, as pkijs gives it). */
  readonly genTime: Date;
  readonly policy: string;
  /** The serialNumber INTEGER's contents octets, hex. */
  readonly serialNumber: string;
  /** The OID of messageImprint.hashAlgorithm. */
  readonly hashAlgorithm: string;
  /** messageImprint.hashedMessage, read when asked (a malformed one is refused then). */
  hashedMessage(): Buffer;
}

/**
 * The TSTInfo of a timestamp token: read from its bytes when it has the shape timestamp
 * authorities write ({@link readCommonTstInfo}), by pkijs otherwise. Every file of a timestamped
 * release carries one, and pkijs' schema matching of it was most of a timestamp's cost (about
 * 1.2 ms a file) and the reason pkijs was loaded at all (issue 19).
 */
export function readTstInfo(bytes: Uint8Array): TstInfoFields {
  return readCommonTstInfo(bytes) ?? readTstInfoWithPkijs(bytes);
}

/** The general path: asn1js decodes, pkijs matches the TSTInfo schema. */
export function readTstInfoWithPkijs(bytes: Uint8Array): TstInfoFields {
  const tstInfo = decoding(
    'TSTInfo',
    () => new pkijs.TSTInfo({ schema: decodeExact(bytes, 'TSTInfo') }),
  );
  return {
    genTime: tstInfo.genTime,
    policy: tstInfo.policy,
    serialNumber: Buffer.from(tstInfo.serialNumber.valueBlock.valueHexView).toString('hex'),
    hashAlgorithm: tstInfo.messageImprint.hashAlgorithm.algorithmId,
    hashedMessage: () =>
      octetStringValue(tstInfo.messageImprint.hashedMessage as Block, 'hashedMessage'),
  };
}

/**
 * TSTInfo ::= SEQUENCE { version INTEGER, policy OBJECT IDENTIFIER, messageImprint SEQUENCE {
 * hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }, serialNumber INTEGER, genTime
 * GeneralizedTime, accuracy Accuracy OPTIONAL, ordering BOOLEAN DEFAULT FALSE, nonce INTEGER
 * OPTIONAL, tsa [0] GeneralName OPTIONAL, extensions [1] IMPLICIT Extensions OPTIONAL }
 *
 * Read from the bytes when the encoding is surely one the strict decoder accepts and the shape
 * is the usual one: the five required fields in their primitive forms, and of the optional ones
 * only an Accuracy of its three optional INTEGERs, ordering, nonce, and a tsa that is a
 * directoryName. Anything else (extensions, another GeneralName, a constructed string, an
 * unexpected element) is null, and pkijs decides as before. The leaves are read as asn1js reads
 * them (OIDs through the shared cache, genTime by asn1js itself), so the fields are those pkijs
 * gives: test/authenticode/tst-info.test.ts compares the two on every fixture token and on
 * generated ones.
 */
export function readCommonTstInfo(der: Uint8Array): TstInfoFields | null {
  if (!isSurelyValid(der)) return null;
  const root = readTlv(der, 0, der.length, 'TSTInfo');
  const parts = sequenceElements(der, root, 'TSTInfo');
  if (!parts || parts.length < 5) return null;
  const [version, policy, imprint, serial, genTime] = parts as [Tlv, Tlv, Tlv, Tlv, Tlv];
  if (
    !isPrimitiveTlv(version, INTEGER) ||
    !isPrimitiveTlv(policy, OBJECT_IDENTIFIER) ||
    !isPrimitiveTlv(serial, INTEGER) ||
    !isPrimitiveTlv(genTime, GENERALIZED_TIME)
  ) {
    return null;
  }
  const imprintParts = sequenceElements(der, imprint, 'TSTInfo');
  if (imprintParts?.length !== 2) return null;
  const [algorithm, hashed] = imprintParts as [Tlv, Tlv];
  const algorithmParts = sequenceElements(der, algorithm, 'TSTInfo');
  if (
    !algorithmParts ||
    algorithmParts.length < 1 ||
    algorithmParts.length > 2 ||
    !isPrimitiveTlv(algorithmParts[0]!, OBJECT_IDENTIFIER) ||
    !isPrimitiveTlv(hashed, OCTET_STRING)
  ) {
    return null;
  }
  if (!usualOptionalFields(der, parts.slice(5))) return null;

  const time = decodeExact(tlvBytes(der, genTime), 'TSTInfo genTime');
  if (!(time instanceof asn1js.GeneralizedTime)) return null;
  let date: Date;
  try {
    date = time.toDate();
  } catch {
    return null; // pkijs calls the same toDate(): let it refuse the token as before
  }
  const hashedMessage = Buffer.from(der.subarray(hashed.contentStart, hashed.contentEnd));
  return {
    genTime: date,
    policy: objectIdentifierOf(tlvBytes(der, policy), 'TSTInfo policy'),
    serialNumber: Buffer.from(der.subarray(serial.contentStart, serial.contentEnd)).toString('hex'),
    hashAlgorithm: objectIdentifierOf(
      tlvBytes(der, algorithmParts[0]!),
      'TSTInfo messageImprint hashAlgorithm',
    ),
    hashedMessage: () => hashedMessage,
  };
}

/** accuracy, ordering, nonce, tsa: each at most once, in that order, in their usual forms. */
function usualOptionalFields(der: Uint8Array, rest: Tlv[]): boolean {
  let next = 0;
  const take = (accept: (tlv: Tlv) => boolean): void => {
    if (next < rest.length && accept(rest[next]!)) next++;
  };
  take((tlv) => isUniversalTlv(tlv, SEQUENCE) && isUsualAccuracy(der, tlv));
  take((tlv) => isPrimitiveTlv(tlv, BOOLEAN));
  take((tlv) => isPrimitiveTlv(tlv, INTEGER));
  take((tlv) => isContextTlv(tlv, 0) && tlv.constructed && isDirectoryName(der, tlv));
  return next === rest.length;
}

/** Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] OPTIONAL, micros [1] OPTIONAL } */
function isUsualAccuracy(der: Uint8Array, tlv: Tlv): boolean {
  const parts = sequenceElements(der, tlv, 'TSTInfo');
  if (!parts) return false;
  let next = 0;
  if (next < parts.length && isPrimitiveTlv(parts[next]!, INTEGER)) next++;
  if (next < parts.length && isContextTlv(parts[next]!, 0) && !parts[next]!.constructed) next++;
  if (next < parts.length && isContextTlv(parts[next]!, 1) && !parts[next]!.constructed) next++;
  return next === parts.length;
}

/**
 * tsa [0] holding one GeneralName, a directoryName [4]: a SEQUENCE of non-empty SETs of
 * AttributeTypeAndValue SEQUENCEs (an OBJECT IDENTIFIER and a value).
 */
function isDirectoryName(der: Uint8Array, tsa: Tlv): boolean {
  const names = tlvChildren(der, tsa, 'TSTInfo tsa', der.length);
  if (names.length !== 1) return false;
  const [name] = names as [Tlv];
  if (!isContextTlv(name, 4) || !name.constructed) return false;
  const inner = tlvChildren(der, name, 'TSTInfo tsa', der.length);
  if (inner.length !== 1) return false;
  const rdns = sequenceElements(der, inner[0]!, 'TSTInfo');
  if (!rdns || rdns.length === 0) return false;
  for (const rdn of rdns) {
    if (!isUniversalTlv(rdn, SET) || !rdn.constructed) return false;
    const attributes = tlvChildren(der, rdn, 'TSTInfo tsa', der.length);
    if (attributes.length === 0) return false;
    for (const attribute of attributes) {
      const pair = sequenceElements(der, attribute, 'TSTInfo');
      if (pair?.length !== 2 || !isPrimitiveTlv(pair[0]!, OBJECT_IDENTIFIER)) return false;
    }
  }
  return true;
}

const BOOLEAN = 1;
const INTEGER = 2;
const OCTET_STRING = 4;
const OBJECT_IDENTIFIER = 6;
const SEQUENCE = 16;
const SET = 17;
const GENERALIZED_TIME = 24;
