/** The revocation vocabulary shared by the sources (CRL, OCSP), the checker and the decision. */

import type { RevocationList } from './crl.js';

/**
 * - `off`: nothing is fetched; CRL files given by the user are still read (they turn checking on
 *   for the certificates they cover).
 * - `online`: CRLs from the certificates' distribution points and OCSP from their AIA are fetched;
 *   a certificate whose status stays unknown gets a warning.
 * - `require`: as online, and an unknown status is an error.
 */
export type RevocationMode = 'off' | 'online' | 'require';

export const REVOCATION_MODES: readonly RevocationMode[] = ['off', 'online', 'require'];

export type RevocationStatus = 'good' | 'revoked' | 'unknown';

/** Where a status came from: a CRL file given by the user, a CRL fetched, or an OCSP responder. */
export interface RevocationSource {
  kind: 'crl-file' | 'crl' | 'ocsp';
  /** The file path or the URL. */
  location: string;
  thisUpdate: Date;
  nextUpdate?: Date;
}

export interface CertificateRevocation {
  status: RevocationStatus;
  /** The source that answered (status good or revoked). */
  source?: RevocationSource;
  revokedAt?: Date;
  /** RFC 5280 CRLReason, when the CRL entry or OCSP answer gives one. */
  reason?: number;
  /** Every source that was tried and did not answer, with why (URL or file first). */
  failures: string[];
}

/** Bounds and sources of the revocation phase of one run. */
export interface RevocationSettings {
  mode: RevocationMode;
  /** CRL files given by the user, already parsed (configure.ts). */
  crls: LoadedCrl[];
  /** Longest one HTTP request may take (connect, headers and body), milliseconds. */
  requestTimeoutMs: number;
  /** Longest the whole revocation phase of a run may take, milliseconds. */
  budgetMs: number;
  /** Largest response body read, bytes. */
  maxResponseBytes: number;
  /** Redirects followed per request. */
  maxRedirects: number;
}

/** A parsed CRL and where it came from. */
export interface LoadedCrl {
  location: string;
  crl: RevocationList;
}

export const DEFAULT_REVOCATION: Omit<RevocationSettings, 'mode' | 'crls'> = {
  requestTimeoutMs: 5_000,
  budgetMs: 60_000,
  maxResponseBytes: 16 * 1024 * 1024,
  maxRedirects: 3,
};

export function defaultRevocationSettings(): RevocationSettings {
  return { mode: 'off', crls: [], ...DEFAULT_REVOCATION };
}

/** Checking happens when it is online or required, or when CRL files were given. */
export function revocationActive(settings: RevocationSettings | undefined): boolean {
  return settings !== undefined && (settings.mode !== 'off' || settings.crls.length > 0);
}

/** A time as reports show it (kept here, not in crl.ts, so reports need not load the CRL code). */
export function iso(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'invalid time' : date.toISOString().replace('.000Z', 'Z');
}
