import { createHash } from 'node:crypto';
import { EKU, ekuName, Certificate } from '../x509/certificate.js';
import { factsOf } from './facts.js';
import type { TrustListEntry } from './ctl.js';

/**
 * Microsoft's Trusted Root Program as a trust store: the roots Windows trusts through automatic
 * root update, with the restrictions the list puts on each (docs/windows-roots.md explains every
 * rule and its public source). The data is generated from a verified authroot.stl by
 * scripts/update-windows-roots.ts (windows-roots-data.ts) and read lazily: nothing is decoded
 * until a chain needs an issuer or a root.
 */

/** Which list the store was made from: shown in reports, the summary footer and --version. */
export interface RootListInfo {
  /** The list's thisUpdate, ISO 8601. */
  thisUpdate: string;
  /** The list's sequence number, upper-case hex. */
  sequenceNumber: string;
  /** Where the list comes from, in words. */
  origin: string;
  /** Number of roots the list names (all purposes). */
  listed: number;
}

/**
 * One root of the list, as committed in the generated data: the list's properties in readable
 * form. `certificate` marks the roots the list allows for code signing or time stamping, whose
 * certificates are kept (in a separate file, loaded only when a chain needs one);
 * the others are kept (without certificate) so that a chain ending at one can say why it fails.
 */
export interface RootRecord {
  /** SHA-1 of the certificate, lower-case hex (the list's key). */
  sha1: string;
  /** The list's friendly name (CERT_FRIENDLY_NAME_PROP_ID), else the certificate's CN. */
  name: string;
  /** Purposes the list trusts it for (EKU names or OIDs); absent = every purpose. */
  purposes?: string[];
  /** Purposes the list withdrew (CERT_DISALLOWED_ENHKEY_USAGE_PROP_ID). */
  disallowed?: string[];
  /** CERT_DISALLOWED_FILETIME_PROP_ID ("Disable"), ISO 8601. */
  disabledFrom?: string;
  /** CERT_NOT_BEFORE_FILETIME_PROP_ID ("NotBefore"), ISO 8601. */
  notBefore?: string;
  /** CERT_NOT_BEFORE_ENHKEY_USAGE_PROP_ID; absent = the NotBefore date covers every purpose. */
  notBeforePurposes?: string[];
  /** MD5 of the certificate's subject Name DER, hex: the index chain building looks issuers up by. */
  subject: string;
  /** The store holds this root's certificate (see RootProgram's certificate loader). */
  certificate?: true;
}

export type RootProgramUsage = 'codeSigning' | 'timeStamping';

const USAGE_NAME: Readonly<Record<RootProgramUsage, string>> = {
  codeSigning: 'codeSigning',
  timeStamping: 'timeStamping',
};

const USAGE_WORDS: Readonly<Record<RootProgramUsage, string>> = {
  codeSigning: 'code signing',
  timeStamping: 'time stamping',
};

/** Names for the purposes the list uses beyond the EKUs x509/certificate.ts names. */
const EXTRA_PURPOSE_NAMES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.5': 'ipsecEndSystem',
  '1.3.6.1.5.5.7.3.6': 'ipsecTunnel',
  '1.3.6.1.5.5.7.3.7': 'ipsecUser',
  '1.3.6.1.5.5.8.2.2': 'ipsecIKEIntermediate',
  '1.3.6.1.4.1.311.10.3.4': 'encryptingFileSystem',
};

/** The readable name of an EKU OID in the generated data (the OID itself when unnamed). */
export function purposeName(oid: string): string {
  return ekuName(oid) ?? EXTRA_PURPOSE_NAMES[oid] ?? oid;
}

function iso(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

function day(text: string): string {
  return text.endsWith('T00:00:00Z') ? text.slice(0, 10) : text;
}

export function subjectKey(nameDer: Buffer): string {
  return createHash('md5').update(nameDer).digest('hex');
}

/**
 * Whether the list itself (purposes and withdrawn purposes, not dates) could let the root anchor
 * a code-signing or time-stamping chain. Only such roots need their certificate in the store.
 */
export function listAllowsSigning(entry: TrustListEntry): boolean {
  return [EKU.codeSigning, EKU.timeStamping].some(
    (oid) =>
      (entry.purposes === null || entry.purposes.includes(oid)) &&
      !entry.disallowedPurposes.includes(oid),
  );
}

/**
 * Builds the committed record of one list entry. `certificate` is required for entries the list
 * allows for code signing or time stamping (listAllowsSigning) and ignored for the others, whose
 * subject key comes from the list's own subject-name hash.
 */
export function rootRecord(entry: TrustListEntry, certificate: Certificate | null): RootRecord {
  const needed = listAllowsSigning(entry);
  if (needed && !certificate) {
    throw new Error(`the certificate of root ${entry.sha1.toUpperCase()} is needed`);
  }
  const subject = needed ? subjectKey(factsOf(certificate!).subjectDer) : entry.subjectNameMd5;
  if (!subject) {
    throw new Error(`root ${entry.sha1.toUpperCase()} has no subject name hash in the list`);
  }
  return {
    sha1: entry.sha1,
    name: entry.friendlyName || certificate?.commonName || entry.sha1.toUpperCase(),
    ...(entry.purposes ? { purposes: entry.purposes.map(purposeName) } : {}),
    ...(entry.disallowedPurposes.length > 0
      ? { disallowed: entry.disallowedPurposes.map(purposeName) }
      : {}),
    ...(entry.disabledFrom ? { disabledFrom: iso(entry.disabledFrom) } : {}),
    ...(entry.notBefore ? { notBefore: iso(entry.notBefore) } : {}),
    ...(entry.notBefore && entry.notBeforePurposes
      ? { notBeforePurposes: entry.notBeforePurposes.map(purposeName) }
      : {}),
    subject,
    ...(needed ? { certificate: true as const } : {}),
  };
}

function list(names: readonly string[]): string {
  return names.length === 0 ? 'no purpose at all' : names.join(', ');
}

/**
 * Rules R1 and R2 of docs/windows-roots.md, which hold at any time: the purpose must be among the
 * list's purposes (absent = all) and, when the certificate itself carries an EKU extension, among
 * those too (Windows uses the intersection); and the list must not have withdrawn it.
 */
function purposeProblem(
  record: RootRecord,
  certificate: Certificate | null,
  usage: RootProgramUsage,
): string | null {
  const wanted = USAGE_NAME[usage];
  if (record.purposes && !record.purposes.includes(wanted)) {
    return `Microsoft's root program trusts it only for ${list(record.purposes)}, not for ${USAGE_WORDS[usage]}`;
  }
  const own = certificate?.extendedKeyUsages;
  if (own && !own.includes(EKU.any) && !own.map(purposeName).includes(wanted)) {
    return `its own extended key usage (${list(own.map(purposeName))}) excludes ${USAGE_WORDS[usage]}, and Windows trusts a root only for purposes both it and the list allow`;
  }
  if (record.disallowed?.includes(wanted)) {
    return `Microsoft's root program has withdrawn ${USAGE_WORDS[usage]} from it`;
  }
  return null;
}

/** What the root program decides for a chain ending at a listed root. */
export type RootProgramVerdict = { trusted: true } | { trusted: false; why: string };

/**
 * Decides whether the list trusts `root` for `usage` (docs/windows-roots.md, rules R1–R4):
 * the purposes (R1, R2); the Disable date against the validation time, that is the time of a
 * valid timestamp or now (R3, read root-wide: the conservative reading); and the NotBefore date
 * against the issue date (notBefore) of the chain's end-entity certificate (R4).
 */
export function judgeRoot(
  record: RootRecord,
  root: Certificate | null,
  usage: RootProgramUsage,
  at: { time: Date; endEntity: Certificate },
): RootProgramVerdict {
  const purpose = purposeProblem(record, root, usage);
  if (purpose) return { trusted: false, why: purpose };
  if (record.disabledFrom && at.time.getTime() >= Date.parse(record.disabledFrom)) {
    return {
      trusted: false,
      why: `Microsoft's root program disabled it on ${day(record.disabledFrom)}, and the signature is validated at ${iso(at.time)}; only signatures timestamped before that date still verify`,
    };
  }
  if (
    record.notBefore &&
    (!record.notBeforePurposes || record.notBeforePurposes.includes(USAGE_NAME[usage])) &&
    at.endEntity.notBefore.getTime() >= Date.parse(record.notBefore)
  ) {
    return {
      trusted: false,
      why: `Microsoft's root program trusts it for ${USAGE_WORDS[usage]} only in certificates issued before ${day(record.notBefore)}, and "${at.endEntity.subject}" was issued on ${iso(at.endEntity.notBefore)}`,
    };
  }
  return { trusted: true };
}

/** One line on what the list says about a root, for reports: purposes and dates. */
export function describeRoot(record: RootRecord): string {
  const parts = [
    record.purposes ? `trusted for ${list(record.purposes)}` : 'trusted for every purpose',
  ];
  if (record.disallowed) parts.push(`withdrawn: ${list(record.disallowed)}`);
  if (record.notBefore) {
    parts.push(
      `only certificates issued before ${day(record.notBefore)}${record.notBeforePurposes ? ` for ${list(record.notBeforePurposes)}` : ''}`,
    );
  }
  if (record.disabledFrom) parts.push(`disabled from ${day(record.disabledFrom)}`);
  return parts.join('; ');
}

/** The list's date for messages: "Microsoft's Trusted Root Program (list of 2025-06-16)". */
export function programName(info: RootListInfo): string {
  return `Microsoft's Trusted Root Program (list of ${info.thisUpdate.slice(0, 10)})`;
}

/** The root program's answer for one chain root, for reports (JSON, summary, inspect). */
export interface RootProgramAssessment {
  list: RootListInfo;
  /** The root is in the list (under any purpose). */
  listed: boolean;
  /** Trusted for the usage at the chain's time, for its end-entity certificate. */
  trusted: boolean;
  name?: string;
  sha1?: string;
  /** The list's purposes and dates for this root, in words. */
  summary?: string;
  why?: string;
}

interface Index {
  bySha1: Map<string, RootRecord>;
  bySubject: Map<string, RootRecord[]>;
}

/**
 * The store: looks roots up by thumbprint and by subject Name, decoding each certificate only
 * when a chain asks for it.
 */
export class RootProgram {
  private index: Index | undefined;
  private readonly certificates = new Map<string, Certificate>();

  private encoded: ReadonlyMap<string, string> | undefined;

  /**
   * `load` gives the roots; `loadCertificates` the certificates (SHA-1 → base64 DER) of those
   * marked `certificate`. Each is called once, when first needed: most runs that end at a
   * private root never read a certificate.
   */
  constructor(
    readonly info: RootListInfo,
    private readonly load: () => readonly RootRecord[],
    private readonly loadCertificates: () => ReadonlyMap<string, string>,
  ) {}

  private get records(): Index {
    if (!this.index) {
      const bySha1 = new Map<string, RootRecord>();
      const bySubject = new Map<string, RootRecord[]>();
      for (const record of this.load()) {
        bySha1.set(record.sha1, record);
        const same = bySubject.get(record.subject) ?? [];
        same.push(record);
        bySubject.set(record.subject, same);
      }
      this.index = { bySha1, bySubject };
    }
    return this.index;
  }

  /** Number of roots in the store that carry a certificate (usable for code signing or time stamping). */
  get usableCount(): number {
    let n = 0;
    for (const record of this.records.bySha1.values()) if (record.certificate) n++;
    return n;
  }

  private certificateOf(record: RootRecord): Certificate | null {
    if (!record.certificate) return null;
    let certificate = this.certificates.get(record.sha1);
    if (!certificate) {
      this.encoded ??= this.loadCertificates();
      const base64 = this.encoded.get(record.sha1);
      if (!base64) throw new Error(`the Windows root list lacks the certificate of ${record.sha1}`);
      certificate = Certificate.fromDer(Buffer.from(base64, 'base64'));
      this.certificates.set(record.sha1, certificate);
    }
    return certificate;
  }

  /** Listed roots whose subject Name is `nameDer` (with or without a certificate). */
  recordsNamed(nameDer: Buffer): RootRecord[] {
    return this.records.bySubject.get(subjectKey(nameDer)) ?? [];
  }

  /** Certificates of usable listed roots whose subject Name is `nameDer`: issuer candidates. */
  certificatesNamed(nameDer: Buffer): Certificate[] {
    return this.recordsNamed(nameDer).flatMap((record) => {
      const certificate = this.certificateOf(record);
      return certificate && certificate.subjectDer.equals(nameDer) ? [certificate] : [];
    });
  }

  /**
   * The listed root `certificate` is: the same certificate, or (for a usable root) one with the
   * same subject and key, as the copy in a signature or a cross-certificate may be; Windows
   * builds to its own store copy then.
   */
  rootFor(
    certificate: Certificate,
  ): { record: RootRecord; certificate: Certificate | null } | undefined {
    const exact = this.records.bySha1.get(certificate.sha1);
    if (exact) return { record: exact, certificate: this.certificateOf(exact) ?? certificate };
    const facts = factsOf(certificate);
    for (const record of this.recordsNamed(facts.subjectDer)) {
      const listed = this.certificateOf(record);
      if (listed && factsOf(listed).spkiDer.equals(facts.spkiDer)) {
        return { record, certificate: listed };
      }
    }
    return undefined;
  }

  /**
   * What the list says about the root a chain reaches: `top` is the chain's last certificate, a
   * root itself or (when the signature lacks the root) the certificate whose issuer it names.
   */
  assess(
    top: Certificate,
    usage: RootProgramUsage,
    at: { time: Date; endEntity: Certificate },
  ): RootProgramAssessment {
    const facts = factsOf(top);
    let record: RootRecord | undefined;
    let root: Certificate | null;
    if (facts.subjectDer.equals(facts.issuerDer)) {
      const found = this.rootFor(top);
      record = found?.record;
      root = found?.certificate ?? null;
    } else {
      record = this.recordsNamed(facts.issuerDer)[0];
      root = record ? this.certificateOf(record) : null;
    }
    if (!record) return { list: this.info, listed: false, trusted: false };
    const verdict = judgeRoot(record, root, usage, at);
    return {
      list: this.info,
      listed: true,
      name: record.name,
      sha1: record.sha1,
      summary: describeRoot(record),
      trusted: verdict.trusted,
      ...(verdict.trusted ? {} : { why: verdict.why }),
    };
  }

  /** A listed root by thumbprint (SHA-1, any case), for reports. */
  lookup(sha1: string): RootRecord | undefined {
    return this.records.bySha1.get(sha1.toLowerCase());
  }
}
