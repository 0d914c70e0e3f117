import {
  children,
  decodeExactShared,
  isContext,
  objectIdentifier,
  primitiveValue,
  smallInteger,
  timeValue,
  type Block,
} from './asn1.js';
import { LIMITS } from './limits.js';
import { OID } from './oids.js';
import type { AuthenticatedAttributesSummary, RawAttribute } from './types.js';

/**
 * Reads the informational authenticated attributes for reports. Lenient by design: a value that
 * does not have the expected shape is reported as absent, never as an error — the signature
 * check, not this summary, decides validity.
 */
export function summarizeAuthenticatedAttributes(
  attributes: readonly RawAttribute[],
): AuthenticatedAttributesSummary {
  const opus = firstValue(attributes, OID.spcSpOpusInfo);
  const opusInfo = opus ? readOpusInfo(opus) : { programName: null, moreInfoUrl: null };
  const statement = firstValue(attributes, OID.spcStatementType);
  const signingTime = firstValue(attributes, OID.signingTime);
  const sequenceNumber = firstValue(attributes, OID.sequenceNumber);
  return {
    types: attributes.map((a) => a.type),
    hasOpusInfo: attributes.some((a) => a.type === OID.spcSpOpusInfo),
    ...opusInfo,
    statementTypes: statement ? readStatementTypes(statement) : [],
    signingTime: signingTime ? timeValue(signingTime) : null,
    sequenceNumber: sequenceNumber ? smallInteger(sequenceNumber) : null,
  };
}

function firstValue(attributes: readonly RawAttribute[], type: string): Block | null {
  const value = attributes.find((a) => a.type === type)?.values[0];
  if (!value) return null;
  try {
    return decodeExactShared(value, 'attribute value');
  } catch {
    return null;
  }
}

/** SpcSpOpusInfo ::= SEQUENCE { programName [0] EXPLICIT SpcString OPTIONAL, moreInfo [1] EXPLICIT SpcLink OPTIONAL } */
function readOpusInfo(value: Block): { programName: string | null; moreInfoUrl: string | null } {
  let programName: string | null = null;
  let moreInfoUrl: string | null = null;
  for (const field of children(value)) {
    const inner = children(field)[0];
    if (!inner) continue;
    if (isContext(field, 0)) programName = spcString(inner);
    // SpcLink ::= CHOICE { url [0] IMPLICIT IA5String, moniker [1] ..., file [2] EXPLICIT SpcString }
    else if (isContext(field, 1) && isContext(inner, 0)) moreInfoUrl = ascii(inner);
    else if (isContext(field, 1) && isContext(inner, 2)) {
      const file = children(inner)[0];
      moreInfoUrl = file ? spcString(file) : null;
    }
  }
  return { programName, moreInfoUrl };
}

/** SpcString ::= CHOICE { unicode [0] IMPLICIT BMPString, ascii [1] IMPLICIT IA5String } */
function spcString(block: Block): string | null {
  if (isContext(block, 0)) {
    const bytes = primitiveValue(block);
    if (!bytes) return null;
    const even = bytes.subarray(0, bytes.length & ~1);
    const littleEndian = Buffer.alloc(even.length);
    for (let i = 0; i < even.length; i += 2) {
      littleEndian[i] = even[i + 1]!;
      littleEndian[i + 1] = even[i]!;
    }
    return clip(littleEndian.toString('utf16le'));
  }
  if (isContext(block, 1)) return ascii(block);
  return null;
}

function ascii(block: Block): string | null {
  const bytes = primitiveValue(block);
  return bytes ? clip(bytes.toString('latin1')) : null;
}

function clip(text: string): string {
  return text.length > LIMITS.displayString ? text.slice(0, LIMITS.displayString) : text;
}

/** SpcStatementType ::= SEQUENCE OF OBJECT IDENTIFIER */
function readStatementTypes(value: Block): string[] {
  const purposes: string[] = [];
  for (const element of children(value).slice(0, LIMITS.attributeValues)) {
    try {
      purposes.push(objectIdentifier(element, 'statement type'));
    } catch {
      // not an OID: ignore, this is display information only
    }
  }
  return purposes;
}
