import * as pkijs from 'pkijs';
import type { Certificate } from '../x509/certificate.js';
import { CrlFormatError, iso, RevocationList } from './crl.js';
import { RevocationFetcher } from './http.js';
import { ocspRequest, readOcspResponse } from './ocsp.js';
import type { CertificateRevocation, RevocationSettings } from './types.js';

/**
 * Finds the revocation status of one certificate: CRL files given by the user first (offline),
 * then, when online, the OCSP responders of its AIA extension and the CRLs of its distribution
 * points, in that order, as CryptoAPI's revocation providers try them. The first source that
 * answers decides; every source that fails is kept with its reason.
 */

const AIA = '1.3.6.1.5.5.7.1.1';
const CDP = '2.5.29.31';
const OCSP_METHOD = '1.3.6.1.5.5.7.48.1';
/** GeneralName uniformResourceIdentifier [6]. */
const URI = 6;
/** A hostile certificate cannot make us try more places than this. */
const MAX_URLS = 4;

/** The OCSP responder URLs of the certificate's AIA extension (RFC 5280 §4.2.2.1). */
export function ocspUrls(certificate: Certificate): string[] {
  const parsed = certificate.extension(AIA)?.parsedValue as unknown;
  if (!(parsed instanceof pkijs.InfoAccess)) return [];
  return parsed.accessDescriptions
    .filter((d) => d.accessMethod === OCSP_METHOD && d.accessLocation.type === URI)
    .map((d) => String(d.accessLocation.value));
}

/** The full-name URIs of the certificate's CRL distribution points (RFC 5280 §4.2.1.13). */
export function crlUrls(certificate: Certificate): string[] {
  const parsed = certificate.extension(CDP)?.parsedValue as unknown;
  if (!(parsed instanceof pkijs.CRLDistributionPoints)) return [];
  return parsed.distributionPoints.flatMap((point) => {
    const name = point.distributionPoint;
    if (!Array.isArray(name)) return [];
    return name.filter((g) => g.type === URI).map((g) => String(g.value));
  });
}

export interface RevocationQuery {
  certificate: Certificate;
  /** The certificate that issued it (next in the chain), when the chain found one. */
  issuer: Certificate | undefined;
  isCa: boolean;
}

export class RevocationChecker {
  private readonly results = new Map<string, Promise<CertificateRevocation | null>>();

  constructor(
    private readonly settings: RevocationSettings,
    private readonly now: Date,
    private readonly fetcher: RevocationFetcher | null,
  ) {}

  /** HTTP requests made so far (0 offline). */
  get requests(): number {
    return this.fetcher?.requests ?? 0;
  }

  /**
   * The certificate's status, or null when nothing speaks for it and checking is offline (no
   * CRL file names its issuer): then it was not checked, which is not a finding.
   */
  check(query: RevocationQuery): Promise<CertificateRevocation | null> {
    const key = `${query.certificate.sha256}/${query.issuer?.sha256 ?? ''}`;
    let pending = this.results.get(key);
    if (!pending) {
      pending = this.lookUp(query);
      this.results.set(key, pending);
    }
    return pending;
  }

  private async lookUp(query: RevocationQuery): Promise<CertificateRevocation | null> {
    const { certificate, issuer, isCa } = query;
    const failures: string[] = [];
    const files = this.settings.crls.filter((file) => file.crl.names(certificate));
    for (const file of files) {
      const outcome = file.crl.check(certificate, issuer, isCa, this.now);
      if ('problem' in outcome) {
        failures.push(`CRL file ${file.location}: ${outcome.problem}`);
        continue;
      }
      return fromCrl(outcome.revoked, {
        kind: 'crl-file',
        location: file.location,
        crl: file.crl,
      });
    }
    if (this.settings.mode === 'off' || !this.fetcher) {
      return files.length > 0 ? { status: 'unknown', failures } : null;
    }
    if (!issuer) {
      failures.push(
        `the issuer certificate "${certificate.issuer}" was not found, so no CRL or OCSP answer can be verified`,
      );
      return { status: 'unknown', failures };
    }
    const ocsp = ocspUrls(certificate).slice(0, MAX_URLS);
    const crls = crlUrls(certificate).slice(0, MAX_URLS);
    for (const url of ocsp) {
      const fetched = await this.fetcher.post(
        url,
        ocspRequest(certificate, issuer),
        'application/ocsp-request',
      );
      if (!fetched.ok) {
        failures.push(`OCSP ${url}: ${fetched.problem}`);
        continue;
      }
      const answer = readOcspResponse(fetched.body, certificate, issuer, this.now);
      if ('problem' in answer) {
        failures.push(`OCSP ${url}: ${answer.problem}`);
        continue;
      }
      if (answer.status === 'unknown') {
        failures.push(`OCSP ${url}: the responder does not know the certificate (status unknown)`);
        continue;
      }
      const source = {
        kind: 'ocsp' as const,
        location: url,
        thisUpdate: answer.thisUpdate,
        ...(answer.nextUpdate ? { nextUpdate: answer.nextUpdate } : {}),
      };
      return answer.status === 'good'
        ? { status: 'good', source, failures }
        : {
            status: 'revoked',
            source,
            ...(answer.revokedAt ? { revokedAt: answer.revokedAt } : {}),
            ...(answer.reason !== undefined ? { reason: answer.reason } : {}),
            failures,
          };
    }
    for (const url of crls) {
      const fetched = await this.fetcher.get(url);
      if (!fetched.ok) {
        failures.push(`CRL ${url}: ${fetched.problem}`);
        continue;
      }
      let crl: RevocationList;
      try {
        crl = RevocationList.parse(fetched.body);
      } catch (error) {
        failures.push(
          `CRL ${url}: ${error instanceof CrlFormatError ? error.message : String(error)}`,
        );
        continue;
      }
      const outcome = crl.check(certificate, issuer, isCa, this.now);
      if ('problem' in outcome) {
        failures.push(`CRL ${url}: ${outcome.problem}`);
        continue;
      }
      return { ...fromCrl(outcome.revoked, { kind: 'crl', location: url, crl }), failures };
    }
    if (ocsp.length === 0 && crls.length === 0) {
      failures.push(
        files.length > 0
          ? 'it names no OCSP responder and no CRL distribution point'
          : 'it names no OCSP responder and no CRL distribution point, and no CRL file covers it',
      );
    }
    return { status: 'unknown', failures };
  }
}

function fromCrl(
  entry: { revokedAt: Date; reason?: number } | undefined,
  from: { kind: 'crl' | 'crl-file'; location: string; crl: RevocationList },
): CertificateRevocation {
  const source = {
    kind: from.kind,
    location: from.location,
    thisUpdate: from.crl.thisUpdate,
    ...(from.crl.nextUpdate ? { nextUpdate: from.crl.nextUpdate } : {}),
  };
  if (!entry) return { status: 'good', source, failures: [] };
  return {
    status: 'revoked',
    source,
    revokedAt: entry.revokedAt,
    ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
    failures: [],
  };
}

/** "CRL file x.crl (thisUpdate …)" — what a report shows as the source. */
export function describeSource(source: CertificateRevocation['source']): string {
  if (!source) return 'no source answered';
  const what =
    source.kind === 'ocsp' ? 'OCSP responder' : source.kind === 'crl' ? 'CRL' : 'CRL file';
  return `${what} ${source.location} (thisUpdate ${iso(source.thisUpdate)})`;
}

/**
 * The checker a run uses: offline (CRL files only) under `off`, otherwise with one bounded
 * fetcher whose per-URL cache and phase budget the whole run shares.
 */
export function revocationCheckerFor(settings: RevocationSettings, now: Date): RevocationChecker {
  const fetcher =
    settings.mode === 'off'
      ? null
      : new RevocationFetcher(
          {
            requestTimeoutMs: settings.requestTimeoutMs,
            maxResponseBytes: settings.maxResponseBytes,
            maxRedirects: settings.maxRedirects,
          },
          settings.budgetMs,
        );
  return new RevocationChecker(settings, now, fetcher);
}
