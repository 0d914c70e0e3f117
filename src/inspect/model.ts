import type { FindingCode, Severity } from '../findings.js';
import type { ArtifactKind, RevocationEntry, RevocationSummary } from '../report/model.js';

/**
 * What `verify-authenticode inspect` knows about one file, without a policy: the facts of the
 * container, the signing tables and every signature, and whether each cryptographic check
 * passed. Its JSON form is a public contract (docs/cli.md): add fields, never rename or remove.
 *
 * Nothing here is a verdict. Trust is not judged (no trusted roots are given); chains are built
 * from the certificates the signature carries, as Windows would find them, and their status says
 * where they end.
 */
export interface Inspection {
  schemaVersion: 1;
  tool: { name: string; version: string };
  /** The path exactly as the user gave it. */
  path: string;
  /** File size in bytes (0 when the file could not be opened). */
  size: number;
  /** What the file is, from its content: the package kind, or `unknown`. */
  kind: ArtifactKind;
  /** Container by magic bytes; null when the file could not be opened. */
  container: 'compound-file' | 'cabinet' | 'portable-executable' | 'other' | null;
  /** The container in words ("a ZIP archive", "a compound file"). */
  containerDescription: string;
  /**
   * Whether the file could be read as a package: false when it is not a package, cannot be
   * opened, or its structure (container or installer database) is damaged. The CLI exits 1 then.
   */
  readable: boolean;
  /** The time chains are validated at when no timestamp applies (now, or --at). ISO 8601. */
  validationTime: string;
  /** Whether the file carries a signature blob (even one that does not decode). */
  signed: boolean;
  /** Display names of the file digest algorithms the signatures use, primary first, no repeats. */
  digestAlgorithms: string[];
  /** The primary signature (index 0), then nested signatures in stored order. */
  signatures: SignatureInspection[];
  /** Nested signatures that did not decode; they keep their index. */
  nestedSignatureErrors: { index: number; message: string }[];
  /** MSI/MSP/MST only; null for cabinets and non-packages. */
  msiDigitalSignatureEx: DigitalSignatureExInspection | null;
  /** MSI/MSP/MST only. */
  package: PackageInspection | null;
  /** CAB only. */
  cabinet: CabinetInspection | null;
  /** PE only. */
  pe: PeInspection | null;
  /** What stopped reading part of the file, in the order met. Empty when everything was read. */
  errors: InspectionError[];
  /** How revocation was checked (`--revocation`, `--crl`); absent when it was not asked for. */
  revocation?: RevocationSummary;
}

export interface InspectionError {
  /**
   * Which part could not be read: `file` (open/read), `container` (compound file or cabinet
   * structure, or not a package), `database` (MSI tables), `signature` (the signature blob).
   */
  part: 'file' | 'container' | 'database' | 'signature';
  code: FindingCode;
  message: string;
  hresult?: string;
}

export interface CertificateDetails {
  subject: string;
  commonName: string;
  issuer: string;
  /** Lower-case hex of the serial number's value bytes. */
  serialNumber: string;
  sha1: string;
  sha256: string;
  notBefore: string;
  notAfter: string;
  /** Subject and issuer names are the same (a root or a self-issued certificate). */
  selfIssued: boolean;
  /** "RSA 3072", "EC P-256"; null when the key cannot be read. */
  publicKey: string | null;
  /** Extended key usages; null when the certificate has no EKU extension (any usage). */
  extendedKeyUsage: { oid: string; name: string }[] | null;
  /** Key usage bits by RFC 5280 name; null when the extension is absent. */
  keyUsage: string[] | null;
  /** Basic constraints; null when the extension is absent. */
  basicConstraints: { ca: boolean; pathLength: number | null } | null;
}

export type CheckState = 'pass' | 'fail' | 'absent' | 'incomplete' | 'not-checked';

export interface CheckResult {
  state: CheckState;
  /** Plain words: what passed or why it failed. */
  message: string;
  code?: FindingCode;
  hresult?: string;
}

export interface ChainInspection {
  /** The time the chain was checked at. */
  time: string;
  /** Why that time: a valid timestamp's, or now (no timestamp, or lifetime signing). */
  timeReason: 'timestamp' | 'lifetime-signing' | 'no-timestamp' | 'token-time';
  /**
   * Without trusted roots: `no-anchors` when the path ends at a self-signed root or stops at an
   * issuer the signature lacks (`missingIssuer`), `incomplete` when it breaks (loop, bad issuer
   * signature, too long).
   */
  status: string;
  /** Leaf first, then each issuer found. */
  certificates: CertificateDetails[];
  /** The issuer name the path stops at, when the signature does not carry it. */
  missingIssuer: string | null;
  /** Validity, usage and constraint problems at `time`, worst first. */
  problems: { code: FindingCode; message: string; hresult: string }[];
  /**
   * What Microsoft's Trusted Root Program (the built-in `windows` store) says about the root
   * the chain reaches (or, when the signature lacks it, the root its last issuer names).
   */
  rootProgram: {
    /** thisUpdate of the list. */
    listDate: string;
    listed: boolean;
    /** Trusted for this chain's usage, at `time`, for its end-entity certificate. */
    trusted: boolean;
    name?: string;
    sha1?: string;
    purposes?: string;
    why?: string;
  };
  /**
   * Revocation status of each certificate but the root, when `--revocation` or `--crl` asked for
   * it, with what it means for the signature (docs/revocation.md).
   */
  revocation?: ChainRevocationEntry[];
}

export interface ChainRevocationEntry extends RevocationEntry {
  /** The finding `verify` would report for it; absent when the status is good. */
  finding?: { severity: Severity; code: FindingCode; message: string; hresult?: string };
}

export interface TimestampInspection {
  /** Position among the signature's timestamps, stored order. */
  index: number;
  kind: 'rfc3161' | 'legacy';
  /** genTime (RFC 3161) or the countersigner's signingTime (legacy). */
  time: string | null;
  /** Token verified (imprint, signature, TSA certificate) and its chain has no problems. */
  valid: boolean;
  /** Digest algorithm of the imprint (RFC 3161) or countersignature. */
  digestAlgorithm: string | null;
  serialNumber: string | null;
  policy: string | null;
  tsa: CertificateDetails | null;
  chain: ChainInspection | null;
  problem: { reason: string; message: string; hresult: string } | null;
}

export interface SignatureInspection {
  /** 0 = primary, 1.. = nested in stored order. */
  index: number;
  /** SpcIndirectDataContent data type: SPC_SIPINFO_OBJID (MSI) or SPC_CAB_DATA_OBJID (CAB). */
  dataType: string;
  /** SpcSipInfo of MSI signatures. */
  sipInfo: { version: number | null; guid: string | null; isMsiSip: boolean } | null;
  /** File digest algorithm, display name ("SHA-256") or the OID when unknown. */
  digestAlgorithm: string;
  digestAlgorithmOid: string;
  /** Hex digest the signature vouches for. */
  storedDigest: string;
  /** Hex digest computed from the file; null when the algorithm is not supported. */
  computedDigest: string | null;
  /** SignerInfo digest algorithm (hashes the authenticated attributes). */
  signerDigestAlgorithm: string;
  /** SignerInfo signature algorithm ("sha256WithRSAEncryption"). */
  signatureAlgorithm: string;
  signatureAlgorithmOid: string;
  signerIdentifier:
    | { kind: 'issuerAndSerialNumber'; serialNumber: string }
    | { kind: 'subjectKeyIdentifier'; keyIdentifier: string };
  /** The signer certificate; null when the signature does not embed it. */
  signer: CertificateDetails | null;
  /** Number of certificates embedded in the signature. */
  embeddedCertificates: number;
  /** The signer's chain built from the embedded certificates, no trusted roots. */
  chain: ChainInspection | null;
  /** The signer's own clock (signingTime attribute): untrusted, never a validation time. */
  signingTime: string | null;
  /** SpcSpOpusInfo program name and more-info URL, when present. */
  programName: string | null;
  moreInfoUrl: string | null;
  /** SpcStatementType purposes by name. */
  statementTypes: string[];
  timestamps: TimestampInspection[];
  checks: {
    /** The signature was made for this kind of file (SIP: SpcSipInfo for MSI, CAB data for CAB). */
    fileType: CheckResult;
    /** The file's digest equals the signed one. */
    digest: CheckResult;
    /**
     * PE only, when the signature carries page hashes (SPC_PE_IMAGE_PAGE_HASHES V1/V2): every
     * page's hash equals the signed one.
     */
    pageHashes?: CheckResult;
    /** messageDigest binding and the signature over the authenticated attributes. */
    signerSignature: CheckResult;
    /** The first valid timestamp (RFC 3161 preferred), or absent. */
    timestamp: CheckResult;
    /** Chain validity and code-signing usage at the validation time (trust is not judged). */
    chain: CheckResult;
  };
}

export interface DigitalSignatureExInspection {
  /** Whether the \x05MsiDigitalSignatureEx stream exists. */
  present: boolean;
  /** Hex of the stored pre-hash. */
  stored: string | null;
  /** The digest algorithm its length implies, display name. */
  algorithm: string | null;
  /** Hex of the metadata pre-hash recomputed from the directory now. */
  recomputed: string | null;
  /** Whether they agree (Windows never checks; a mismatch means the metadata changed). */
  matches: boolean | null;
}

export interface SummaryInspection {
  codePage: number | null;
  title: string | null;
  subject: string | null;
  author: string | null;
  keywords: string | null;
  comments: string | null;
  /** MSI: `Platform;LangID`; MSP: target ProductCodes. */
  template: string | null;
  /** MSP: transform names. */
  lastSavedBy: string | null;
  /** MSI: the package code; MSP: the patch code, then obsoleted patch codes. */
  revisionNumber: string | null;
  createTime: string | null;
  lastSaveTime: string | null;
  /** Minimum installer version × 100. */
  pageCount: number | null;
  /** MSI: source type flags. */
  wordCount: number | null;
  characterCount: number | null;
  creatingApplication: string | null;
  /** 0 none, 2 read-only recommended, 4 read-only enforced. */
  security: number | null;
}

export interface DigitalCertificateRowInspection {
  id: string;
  /** Size of the CertData stream. */
  size: number;
  certificate: CertificateDetails | null;
  /** Why `certificate` is null: "not a certificate: …". */
  error: string | null;
}

export interface PackageInspection {
  /** The kind the root storage CLSID declares (`unknown-cfb` when it is no installer CLSID). */
  clsidKind: string;
  /** Root storage CLSID as {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}. */
  clsid: string;
  compoundFile: {
    version: number;
    sectorSize: number;
    /** Bytes after the last allocated sector (not covered by the signature). */
    trailingBytes: number;
    warnings: string[];
  };
  summaryInformation: SummaryInspection | null;
  /** Property table values (MSI/MSM); null when absent. */
  productCode: string | null;
  productName: string | null;
  productVersion: string | null;
  manufacturer: string | null;
  upgradeCode: string | null;
  /** MSP: target ProductCodes from the summary Template. */
  targetProductCodes: string[];
  /** MST: the tables the transform changes (its table streams hold change rows); else null. */
  transformTables: string[] | null;
  /** Each table: null when the package has no such table, [] when it is empty. */
  tables: {
    msiPatchCertificate: { patchCertificate: string; digitalCertificate: string }[] | null;
    msiDigitalCertificate: DigitalCertificateRowInspection[] | null;
    msiDigitalSignature:
      | { table: string; signObject: string; digitalCertificate: string; hash: string | null }[]
      | null;
    media:
      | {
          diskId: number;
          lastSequence: number;
          diskPrompt: string | null;
          cabinet: string | null;
          volumeLabel: string | null;
          source: string | null;
          /** The cabinet is a stream of the package (`#name`). */
          embedded: boolean;
          /**
           * An external cabinet, looked up beside the package as Windows Installer looks it up
           * (as `verify` does); null for an embedded cabinet, a row without one, or a package
           * that was not read from a file of its own.
           */
          beside: ExternalCabinetLookup | null;
        }[]
      | null;
  };
}

export interface CabinetInspection {
  version: string;
  /** Cabinet size the header declares (excludes an appended signature). */
  cbCabinet: number;
  flags: number;
  setID: number;
  /** 0-based position in the set (iCabinet). */
  iCabinet: number;
  previous: { cabinet: string; disk: string } | null;
  next: { cabinet: string; disk: string } | null;
  folders: { index: number; compression: string; typeCompress: number; dataBlocks: number }[];
  fileCount: number;
  reserve: {
    present: boolean;
    /** cbCFHeader, cbCFFolder, cbCFData. */
    headerBytes: number;
    folderBytes: number;
    dataBytes: number;
    /** The two length-prefixed structures of a signature area; null when the reserve has another shape. */
    cbJunk: number | null;
    cbSig: number | null;
    /** Reserve bytes after the locator (a pre-allocated reserve). */
    unusedBytes: number | null;
  };
  /** Where the signature is; null when unsigned (see `unsignedReason`). */
  signatureLocation: {
    kind: 'appended' | 'in-reserve';
    offset: number;
    length: number;
    locatorOffset: number | null;
    offsetMatchesCabinet: boolean;
    fillerIsZero: boolean;
  } | null;
  unsignedReason: string | null;
  /**
   * Bytes after the signature (or after cbCabinet when unsigned): neither hashed nor signed.
   * Null when the signature area could not be read (see `errors`).
   */
  trailingBytes: number | null;
  anomalies: { code: string; message: string }[];
}

export interface PeInspection {
  format: 'PE32' | 'PE32+';
  /** "x64 (AMD64), 0x8664". */
  machine: string;
  machineValue: number;
  /** "Windows GUI", "EFI application". */
  subsystem: string;
  subsystemValue: number;
  /** IMAGE_FILE_DLL is set. */
  dll: boolean;
  characteristics: number;
  /** COFF TimeDateStamp (seconds since 1970, often a build hash in reproducible builds). */
  timeDateStamp: number;
  /** The CheckSum field; not part of the signed digest. */
  checksum: number;
  sizeOfHeaders: number;
  fileAlignment: number;
  sectionAlignment: number;
  sections: {
    name: string;
    virtualAddress: number;
    virtualSize: number;
    rawOffset: number;
    rawSize: number;
    characteristics: number;
  }[];
  /** End of the last section's raw data; bytes after it (an overlay) are hashed too. */
  endOfSections: number;
  /** Bytes between the end of the sections and the certificate table (or the end of the file). */
  overlayBytes: number;
  /** The Certificate Table directory entry; null when the optional header has none. */
  certificateDirectory: { offset: number; size: number } | null;
  /** The attribute certificate table; null when unsigned or unreadable. */
  certificateTable: {
    offset: number;
    size: number;
    entries: { offset: number; length: number; revision: number; type: number }[];
    /** Non-zero bytes in the table outside every entry (MS13-098). */
    unaccountedBytes: number;
    /** Bytes after the table, which should end the file. */
    trailingBytes: number;
  } | null;
  /** Page hashes of the primary signature: null when it carries none. */
  pageHashes: { version: 1 | 2; algorithm: string; entries: number } | null;
}

/** Where an external cabinet named by the Media table is, beside its package. */
export interface ExternalCabinetLookup {
  /**
   * `found`: a regular file; `missing`: none; `ambiguous`: several files match without regard
   * to case; `short-long`: a `SHORT~1.CAB|Long.cab` value, which names no file; `device`: a
   * reserved Windows device name (not opened); `outside`: the name leads out of the package's
   * directory (not read); `not-a-file`: a directory, FIFO or the like; `not-looked-up`: past the
   * limit of distinct names looked up for one package.
   */
  status:
    | 'found'
    | 'missing'
    | 'ambiguous'
    | 'short-long'
    | 'device'
    | 'outside'
    | 'not-a-file'
    | 'not-looked-up';
  /** The name on disk when it differs from the Media table's (in case, or trailing dots and spaces). */
  foundAs: string | null;
  /** For `ambiguous`: the names that match. */
  candidates: string[];
}
