/**
 * CRL reason codes (RFC 5280 §5.3.1, also used by OCSP RevokedInfo, RFC 6960 §4.2.1) and what
 * each one says about signatures made before the revocation date.
 */

export const REASON_NAMES: Readonly<Record<number, string>> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

export const REMOVE_FROM_CRL = 8;

export function reasonName(reason: number | undefined): string {
  if (reason === undefined) return 'no reason given';
  return REASON_NAMES[reason] ?? `reason ${reason}`;
}

/**
 * Reasons that retire a certificate without saying its key was ever misused: a signature proven
 * (by a timestamp) to predate the revocation stays trustworthy. Every other reason — key or CA
 * compromise, privilege withdrawn, unspecified or absent — may be dated after the misuse began,
 * so it distrusts every signature, timestamped or not (docs/revocation.md).
 */
const KEEPS_EARLIER_SIGNATURES: ReadonlySet<number> = new Set([3, 4, 5, 6]);

export function keepsEarlierSignatures(reason: number | undefined): boolean {
  return reason !== undefined && KEEPS_EARLIER_SIGNATURES.has(reason);
}
