import { HRESULT } from '../findings.js';

// The winerror.h names of result codes, apart from the finding-code descriptions
// (code-descriptions.ts): the text report names every HRESULT it prints, but the descriptions are
// only needed by SARIF, annotations, the job summary and the docs, so a verify run on the command
// line does not load them (issue 19).

/**
 * winerror.h names for the result codes docs/formats.md §7.8 lists, beyond the shared HRESULT table,
 * so that any code the pipeline reports can be named.
 */
const MORE_WINERROR_NAMES: Readonly<Record<string, string>> = {
  TRUST_E_PROVIDER_UNKNOWN: '0x800B0001',
  TRUST_E_ACTION_UNKNOWN: '0x800B0002',
  TRUST_E_SUBJECT_NOT_TRUSTED: '0x800B0004',
  CERT_E_VALIDITYPERIODNESTING: '0x800B0102',
  CERT_E_ROLE: '0x800B0103',
  CERT_E_PURPOSE: '0x800B0106',
  CERT_E_ISSUERCHAINING: '0x800B0107',
  CERT_E_UNTRUSTEDTESTROOT: '0x800B010D',
  CERT_E_REVOCATION_FAILURE: '0x800B010E',
  CERT_E_CN_NO_MATCH: '0x800B010F',
  TRUST_E_EXPLICIT_DISTRUST: '0x800B0111',
  CERT_E_UNTRUSTEDCA: '0x800B0112',
  TRUST_E_SYSTEM_ERROR: '0x80096001',
  TRUST_E_FINANCIAL_CRITERIA: '0x8009601E',
  CRYPT_E_AUTH_ATTR_MISSING: '0x80091006',
  CRYPT_E_HASH_VALUE: '0x80091007',
  CRYPT_E_NOT_FOUND: '0x80092004',
  CRYPT_E_NO_MATCH: '0x80092009',
  CRYPT_E_UNEXPECTED_MSG_TYPE: '0x8009200A',
  CRYPT_E_BAD_MSG: '0x8009200D',
  CRYPT_E_NO_SIGNER: '0x8009200E',
  CRYPT_E_REVOKED: '0x80092010',
  CRYPT_E_NO_REVOCATION_CHECK: '0x80092012',
  CRYPT_E_ASN1_BADTAG: '0x8009310B',
};

const HRESULT_NAMES = new Map<string, string>(
  Object.entries({ ...MORE_WINERROR_NAMES, ...HRESULT }).map(([name, value]) => [
    value.toUpperCase(),
    name,
  ]),
);

/** The winerror.h name of an HRESULT we map to (`0x800B010A` → `CERT_E_CHAINING`). */
export function hresultName(hresult: string): string | undefined {
  return HRESULT_NAMES.get(String(hresult).trim().toUpperCase());
}
