import type {
  CabinetInspection,
  CertificateDetails,
  ChainInspection,
  CheckResult,
  ExternalCabinetLookup,
  Inspection,
  InspectionError,
  PackageInspection,
  PeInspection,
  SignatureInspection,
  TimestampInspection,
} from '../inspect/model.js';
import { hresultName } from './hresult-names.js';
import { sanitizeForTerminal } from './escape.js';
import { formatBytes, formatTime, plural, thumbprintPrefix } from './format.js';

export interface InspectTextOptions {
  /** ANSI colours (the CLI decides: a terminal, NO_COLOR, --no-color). */
  color: boolean;
}

const SGR = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;
type Style = keyof typeof SGR;
type Paint = (style: Style, text: string) => string;

/** Escapes file-controlled text for the terminal. Everything from the inspection passes here. */
const t = (text: string | number | null | undefined): string =>
  sanitizeForTerminal(String(text ?? ''));

const LABEL_WIDTH = 28;

/** Human output of `verify-authenticode inspect`: sections of aligned `label  value` lines. */
export function renderInspectionText(inspection: Inspection, options: InspectTextOptions): string {
  const paint: Paint = options.color
    ? (style, text) => `\u001b[${SGR[style]}m${text}\u001b[0m`
    : (_style, text) => text;
  const out = new Lines(paint);

  out.heading(t(inspection.path));
  if (inspection.container === null) {
    out.field('Kind', 'unknown: the file could not be read');
  } else {
    out.field('Kind', kindText(inspection));
    out.field('Size', `${inspection.size} bytes (${formatBytes(inspection.size)})`);
    out.field('Signed', signedText(inspection));
  }
  if (inspection.digestAlgorithms.length > 0) {
    out.field('Digest algorithms', inspection.digestAlgorithms.map(t).join(', '));
  }

  for (const signature of inspection.signatures) signatureSection(out, signature);
  for (const nested of inspection.nestedSignatureErrors) {
    out.blank();
    out.heading(`Signature #${nested.index} (nested)`);
    out.line(`  ${paint('red', '✖')} cannot be decoded: ${t(nested.message)}`);
  }
  if (inspection.msiDigitalSignatureEx) dseSection(out, inspection);
  if (inspection.package) packageSection(out, inspection.package);
  if (inspection.cabinet) cabinetSection(out, inspection.cabinet);
  if (inspection.pe) peSection(out, inspection.pe);
  if (inspection.errors.length > 0) {
    out.blank();
    out.heading('Errors');
    for (const error of inspection.errors) out.line(`  ${errorLine(error, paint)}`);
  }
  return out.text();
}

class Lines {
  private readonly lines: string[] = [];
  constructor(readonly paint: Paint) {}

  line(text: string): void {
    this.lines.push(text);
  }

  blank(): void {
    this.lines.push('');
  }

  heading(text: string): void {
    this.lines.push(this.paint('bold', text));
  }

  /** `  Label:               value` (the label is ours, the value already escaped). */
  field(label: string, value: string, indent = 2): void {
    const head = `${' '.repeat(indent)}${label}:`;
    this.lines.push(`${head.padEnd(LABEL_WIDTH + 2)} ${value}`);
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

function kindText(inspection: Inspection): string {
  const names: Record<string, string> = {
    msi: 'MSI installer database',
    msp: 'MSP patch',
    mst: 'MST transform',
    msm: 'MSM merge module',
    cab: 'cabinet',
    pe: 'PE image',
    unknown: 'not a package',
  };
  const name = names[inspection.kind] ?? inspection.kind;
  const pkg = inspection.package;
  if (!pkg && inspection.container === 'compound-file')
    return 'compound file (damaged: its kind cannot be read)';
  if (!inspection.cabinet && inspection.container === 'cabinet') return 'cabinet (damaged)';
  if (!inspection.pe && inspection.container === 'portable-executable') return 'PE image (damaged)';
  if (inspection.pe) {
    const pe = inspection.pe;
    return `${pe.dll ? 'DLL' : 'executable'}, ${pe.format}, ${t(pe.machine)}, ${t(pe.subsystem)}`;
  }
  if (pkg) {
    return `${name} (compound file v${pkg.compoundFile.version}, ${pkg.compoundFile.sectorSize}-byte sectors)`;
  }
  if (inspection.cabinet) return `${name} (version ${t(inspection.cabinet.version)})`;
  if (inspection.container === 'other') return `${name}: ${t(inspection.containerDescription)}`;
  return name;
}

function signedText(inspection: Inspection): string {
  const unread = inspection.errors.some((e) => e.part === 'file' || e.part === 'container');
  if (!inspection.signed && unread && inspection.container !== 'other') {
    return 'not known: the file could not be read that far';
  }
  if (!inspection.signed) return 'no';
  const count = inspection.signatures.length + inspection.nestedSignatureErrors.length;
  if (count === 0) return 'yes, but the signature cannot be decoded';
  const nested = count - 1;
  return nested > 0
    ? `yes, ${count} signatures (primary and ${plural(nested, 'nested signature')})`
    : 'yes, 1 signature';
}

function hresultText(hresult: string | undefined): string {
  if (!hresult) return '';
  const name = hresultName(hresult);
  return name ? `${t(hresult)} ${name}` : t(hresult);
}

function errorLine(error: InspectionError, paint: Paint): string {
  const hr = error.hresult ? ` (${hresultText(error.hresult)})` : '';
  return `${paint('red', '✖')} ${paint('red', `error ${t(error.code)}`)}${hr}: ${t(error.message)}`;
}

function mark(state: CheckResult['state'], paint: Paint): string {
  switch (state) {
    case 'pass':
      return paint('green', '✔');
    case 'fail':
      return paint('red', '✖');
    case 'incomplete':
      return paint('yellow', '⚠');
    default:
      return paint('dim', '–');
  }
}

const CHECK_LABELS: Readonly<Record<keyof SignatureInspection['checks'], string>> = {
  fileType: 'file type',
  digest: 'digest',
  pageHashes: 'page hashes',
  signerSignature: 'signer signature',
  timestamp: 'timestamp',
  chain: 'chain',
};

function checksLine(signature: SignatureInspection, paint: Paint): string {
  return (Object.keys(CHECK_LABELS) as (keyof SignatureInspection['checks'])[])
    .flatMap((key) => {
      const check = signature.checks[key];
      if (!check) return [];
      const label = check.state === 'absent' ? `no ${CHECK_LABELS[key]}` : CHECK_LABELS[key];
      return `${mark(check.state, paint)} ${label}`;
    })
    .join('  ');
}

function checkDetail(name: string, check: CheckResult, paint: Paint): string {
  const hr = check.hresult && check.state !== 'pass' ? ` (${hresultText(check.hresult)})` : '';
  const code = check.code && check.state !== 'pass' ? ` ${t(check.code)}` : '';
  return `${mark(check.state, paint)} ${name}${code}${hr}: ${t(check.message)}`;
}

function validity(cert: CertificateDetails): string {
  return `${t(formatTime(cert.notBefore))} to ${t(formatTime(cert.notAfter))}`;
}

function certificateFields(out: Lines, label: string, cert: CertificateDetails, indent = 2): void {
  out.field(label, t(cert.commonName), indent);
  const sub = indent + 2;
  out.field('subject', t(cert.subject), sub);
  out.field('issuer', t(cert.issuer), sub);
  out.field('serial number', t(cert.serialNumber), sub);
  out.field('SHA-256', t(cert.sha256), sub);
  out.field('SHA-1', t(cert.sha1), sub);
  out.field('valid', validity(cert), sub);
  if (cert.publicKey) out.field('public key', t(cert.publicKey), sub);
  out.field(
    'extended key usage',
    cert.extendedKeyUsage
      ? cert.extendedKeyUsage
          .map((e) => t(e.name === e.oid ? e.oid : `${e.name} (${e.oid})`))
          .join(', ') || '(empty)'
      : 'none (valid for any usage)',
    sub,
  );
  out.field(
    'key usage',
    cert.keyUsage ? cert.keyUsage.map(t).join(', ') || '(empty)' : 'none',
    sub,
  );
}

const TIME_REASONS: Readonly<Record<ChainInspection['timeReason'], string>> = {
  timestamp: 'the timestamp time',
  'lifetime-signing': 'now: the signer has the lifetime-signing usage',
  'no-timestamp': 'now: no valid timestamp',
  'token-time': 'the timestamp time',
};

function chainLines(out: Lines, chain: ChainInspection, indent: number): void {
  const pad = ' '.repeat(indent);
  out.line(
    `${pad}checked at ${t(formatTime(chain.time))} (${TIME_REASONS[chain.timeReason] ?? chain.timeReason})`,
  );
  chain.certificates.forEach((cert, i) => {
    const ca = cert.basicConstraints?.ca ? '  CA' : '';
    const root = cert.selfIssued ? '  self-signed' : '';
    out.line(
      `${pad}${i}  ${t(cert.commonName)}  ${out.paint('dim', `sha256:${thumbprintPrefix(cert.sha256)}`)}  ${t(
        formatDateOnly(cert.notBefore),
      )}..${t(formatDateOnly(cert.notAfter))}${ca}${root}`,
    );
  });
  if (chain.missingIssuer) {
    out.line(`${pad}   issued by "${t(chain.missingIssuer)}", which the signature does not carry`);
  }
  out.line(`${pad}   ${rootProgramLine(chain.rootProgram)}`);
  for (const problem of chain.problems) {
    out.line(
      `${pad}${out.paint('red', '✖')} ${t(problem.code)} (${hresultText(problem.hresult)}): ${t(problem.message)}`,
    );
  }
  for (const entry of chain.revocation ?? []) {
    const style = entry.status === 'good' ? 'green' : entry.status === 'revoked' ? 'red' : 'yellow';
    const revoked =
      entry.status === 'revoked'
        ? ` ${t(entry.revokedAt ? formatTime(entry.revokedAt) : '')} (${t(entry.reason)})`
        : '';
    const source = entry.source
      ? ` from ${entry.source.kind === 'ocsp' ? 'OCSP' : entry.source.kind === 'crl' ? 'CRL' : 'CRL file'} ${t(entry.source.location)} (thisUpdate ${t(formatTime(entry.source.thisUpdate))})`
      : '';
    out.line(
      `${pad}revocation of ${t(entry.subject)}: ${out.paint(style, t(entry.status))}${revoked}${source}`,
    );
    if (entry.finding) {
      out.line(
        `${pad}   ${t(entry.finding.severity)} ${t(entry.finding.code)}${entry.finding.hresult ? ` (${hresultText(entry.finding.hresult)})` : ''}: ${t(entry.finding.message)}`,
      );
    }
  }
}

/** The chain root's status in Microsoft's Trusted Root Program, the built-in `windows` store. */
function rootProgramLine(program: ChainInspection['rootProgram']): string {
  const list = `Microsoft's Trusted Root Program (list of ${formatDateOnly(program.listDate)})`;
  if (!program.listed) return `root: not in ${list}; endpoints must have it installed`;
  const name = `"${t(program.name ?? '')}"`;
  if (program.trusted) return `root: ${name} in ${list}, ${t(program.purposes ?? '')}`;
  return `root: ${name} in ${list} but not trusted here: ${t(program.why ?? '')}`;
}

function formatDateOnly(iso: string): string {
  return iso.slice(0, 10);
}

function timestampLines(out: Lines, ts: TimestampInspection): void {
  const kind = ts.kind === 'rfc3161' ? 'RFC 3161' : 'legacy countersignature';
  const state = ts.valid ? out.paint('green', '✔ valid') : out.paint('red', '✖ invalid');
  out.line(
    `  Timestamp #${ts.index}: ${kind}  ${ts.time ? t(formatTime(ts.time)) : 'no time'}  ${state}`,
  );
  if (ts.tsa) {
    out.field(
      'TSA',
      `${t(ts.tsa.commonName)}  ${out.paint('dim', `sha256:${thumbprintPrefix(ts.tsa.sha256)}`)}`,
      4,
    );
  }
  if (ts.digestAlgorithm) out.field('digest algorithm', t(ts.digestAlgorithm), 4);
  // The RFC 3161 TSTInfo serial number (RFC 3161 §2.4.2): the token's, not the TSA certificate's.
  if (ts.serialNumber) out.field('token serial number', t(ts.serialNumber), 4);
  if (ts.policy) out.field('policy', t(ts.policy), 4);
  if (ts.problem) {
    out.field(
      'problem',
      `${t(ts.problem.reason)} (${hresultText(ts.problem.hresult)}): ${t(ts.problem.message)}`,
      4,
    );
  }
  if (ts.chain) {
    out.line('    TSA chain:');
    chainLines(out, ts.chain, 6);
  }
}

function signatureSection(out: Lines, signature: SignatureInspection): void {
  const paint = out.paint;
  out.blank();
  out.heading(`Signature #${signature.index} (${signature.index === 0 ? 'primary' : 'nested'})`);
  out.field('Checks', checksLine(signature, paint));
  for (const [key, check] of Object.entries(signature.checks) as [
    keyof SignatureInspection['checks'],
    CheckResult,
  ][]) {
    if (check.state === 'fail' || check.state === 'incomplete' || check.state === 'not-checked') {
      out.line(`    ${checkDetail(CHECK_LABELS[key], check, paint)}`);
    }
  }
  const digestOk = signature.computedDigest === signature.storedDigest;
  out.field('File digest', t(signature.digestAlgorithm));
  out.field('stored', t(signature.storedDigest), 4);
  out.field(
    'computed',
    signature.computedDigest === null
      ? 'not computed (unsupported algorithm)'
      : `${t(signature.computedDigest)}  ${digestOk ? paint('green', '✔ match') : paint('red', '✖ differs')}`,
    4,
  );
  const sip = signature.sipInfo;
  out.field(
    'Signed content',
    `${t(signature.dataType)}${sip ? ` (SIP ${t(sip.guid ?? '?')}${sip.isMsiSip ? ', the MSI SIP' : ''})` : ''}`,
  );
  out.field(
    'Signature algorithm',
    `${t(signature.signatureAlgorithm)}, attributes hashed with ${t(signature.signerDigestAlgorithm)}`,
  );
  if (signature.signer) certificateFields(out, 'Signer', signature.signer);
  else {
    const id = signature.signerIdentifier;
    out.field(
      'Signer',
      `not in the signature (${id.kind === 'issuerAndSerialNumber' ? `serial ${t(id.serialNumber)}` : `key id ${t(id.keyIdentifier)}`})`,
    );
  }
  out.field('Embedded certificates', String(signature.embeddedCertificates));
  if (signature.chain) {
    out.line('  Chain:');
    chainLines(out, signature.chain, 4);
  }
  out.field(
    'Signing time',
    signature.signingTime
      ? `${t(formatTime(signature.signingTime))} (the signer's clock, not trusted)`
      : 'none',
  );
  if (signature.programName !== null) out.field('Program name', t(signature.programName));
  if (signature.moreInfoUrl !== null) out.field('More info', t(signature.moreInfoUrl));
  if (signature.statementTypes.length > 0)
    out.field('Statement type', signature.statementTypes.map(t).join(', '));
  if (signature.timestamps.length === 0) out.field('Timestamp', 'none');
  for (const ts of signature.timestamps) timestampLines(out, ts);
}

function dseSection(out: Lines, inspection: Inspection): void {
  const dse = inspection.msiDigitalSignatureEx!;
  out.blank();
  out.heading('MsiDigitalSignatureEx');
  if (!dse.present) {
    out.field('Present', 'no (the signature covers stream contents only, not directory metadata)');
    return;
  }
  out.field(
    'Present',
    `yes${dse.algorithm ? `, ${t(dse.algorithm)}` : ', of no known digest length'}`,
  );
  out.field('stored', t(dse.stored), 4);
  if (dse.recomputed !== null) {
    const state = dse.matches
      ? out.paint('green', '✔ match')
      : out.paint(
          'yellow',
          '⚠ differs: directory metadata changed after signing (Windows does not check)',
        );
    out.field('recomputed', `${t(dse.recomputed)}  ${state}`, 4);
  }
}

const SECURITY: Readonly<Record<number, string>> = {
  0: 'no restriction',
  2: 'read-only recommended',
  4: 'read-only enforced',
};

function wordCountText(kind: string, value: number): string {
  if (kind !== 'msi') return String(value);
  const flags: string[] = [];
  flags.push(value & 1 ? 'short file names' : 'long file names');
  flags.push(value & 2 ? 'compressed' : 'uncompressed');
  if (value & 4) flags.push('administrative image');
  if (value & 8) flags.push('no elevation needed');
  return `${value} (${flags.join(', ')})`;
}

function packageSection(out: Lines, pkg: PackageInspection): void {
  out.blank();
  out.heading('Package');
  out.field('Root CLSID', `${t(pkg.clsid)} (${t(pkg.clsidKind)})`);
  if (pkg.compoundFile.trailingBytes > 0) {
    out.field(
      'Trailing bytes',
      `${pkg.compoundFile.trailingBytes} after the last sector (not signed)`,
    );
  }
  for (const warning of pkg.compoundFile.warnings) out.field('Layout', t(warning));
  if (pkg.productName !== null) out.field('ProductName', t(pkg.productName));
  if (pkg.productVersion !== null) out.field('ProductVersion', t(pkg.productVersion));
  if (pkg.manufacturer !== null) out.field('Manufacturer', t(pkg.manufacturer));
  if (pkg.productCode !== null) out.field('ProductCode', t(pkg.productCode));
  if (pkg.upgradeCode !== null) out.field('UpgradeCode', t(pkg.upgradeCode));
  if (pkg.targetProductCodes.length > 0)
    out.field('Target ProductCodes', pkg.targetProductCodes.map(t).join(', '));
  if (pkg.transformTables !== null) {
    out.field(
      'Changed tables',
      pkg.transformTables.length > 0 ? pkg.transformTables.map(t).join(', ') : 'none',
    );
  }

  const si = pkg.summaryInformation;
  if (si) {
    out.line('  Summary information:');
    const kind = pkg.clsidKind;
    const row = (label: string, value: string | number | null) => {
      if (value !== null) out.field(label, typeof value === 'number' ? String(value) : t(value), 4);
    };
    row('title', si.title);
    row('subject', si.subject);
    row('author', si.author);
    row('keywords', si.keywords);
    row('comments', si.comments);
    row(kind === 'msp' ? 'template (targets)' : 'template', si.template);
    row(kind === 'msp' ? 'last saved by (transforms)' : 'last saved by', si.lastSavedBy);
    row(
      kind === 'msp'
        ? 'revision (patch code)'
        : kind === 'mst'
          ? 'revision (product codes and versions)'
          : 'revision (package code)',
      si.revisionNumber,
    );
    if (si.pageCount !== null) {
      out.field(
        'page count',
        `${si.pageCount} (Windows Installer ${(si.pageCount / 100).toFixed(1)} or later)`,
        4,
      );
    }
    if (si.wordCount !== null) out.field('word count', wordCountText(kind, si.wordCount), 4);
    if (si.security !== null) {
      out.field(
        'security',
        `${si.security}${SECURITY[si.security] ? ` (${SECURITY[si.security]})` : ''}`,
        4,
      );
    }
    row('creating application', si.creatingApplication);
    if (si.createTime) out.field('created', t(formatTime(si.createTime)), 4);
    if (si.lastSaveTime) out.field('last saved', t(formatTime(si.lastSaveTime)), 4);
    if (si.codePage !== null) out.field('code page', String(si.codePage), 4);
  } else {
    out.field('Summary information', 'none');
  }

  // A transform has change rows, not these tables (src/msi/transform.ts).
  if (pkg.transformTables !== null) return;
  const tables = pkg.tables;
  out.line(
    `  MsiPatchCertificate:${tables.msiPatchCertificate === null ? ' no table' : tables.msiPatchCertificate.length === 0 ? ' empty' : ''}`,
  );
  for (const row of tables.msiPatchCertificate ?? []) {
    out.line(`    ${t(row.patchCertificate)} -> ${t(row.digitalCertificate)}`);
  }
  out.line(
    `  MsiDigitalCertificate:${tables.msiDigitalCertificate === null ? ' no table' : tables.msiDigitalCertificate.length === 0 ? ' empty' : ''}`,
  );
  for (const row of tables.msiDigitalCertificate ?? []) {
    const what = row.certificate
      ? `${t(row.certificate.subject)}  ${out.paint('dim', `sha256:${t(row.certificate.sha256)}`)}`
      : out.paint('yellow', t(row.error ?? 'not a certificate'));
    out.line(`    ${t(row.id)}  (${row.size} bytes)  ${what}`);
  }
  out.line(
    `  MsiDigitalSignature:${tables.msiDigitalSignature === null ? ' no table' : tables.msiDigitalSignature.length === 0 ? ' empty' : ''}`,
  );
  for (const row of tables.msiDigitalSignature ?? []) {
    out.line(
      `    ${t(row.table)} ${t(row.signObject)}  certificate ${t(row.digitalCertificate)}  hash ${row.hash ? t(row.hash) : 'none'}`,
    );
  }
  out.line(
    `  Media:${tables.media === null ? ' no table' : tables.media.length === 0 ? ' empty' : ''}`,
  );
  for (const row of tables.media ?? []) {
    const cabinet =
      row.cabinet === null
        ? 'no cabinet'
        : `cabinet ${t(row.cabinet)} (${row.embedded ? 'embedded' : externalCabinet(row.beside)})`;
    const extra = [
      row.diskPrompt !== null ? `disk prompt ${t(row.diskPrompt)}` : '',
      row.volumeLabel !== null ? `volume ${t(row.volumeLabel)}` : '',
      row.source !== null ? `source ${t(row.source)}` : '',
    ].filter(Boolean);
    out.line(
      `    disk ${row.diskId}  last sequence ${row.lastSequence}  ${cabinet}${extra.length ? `  ${extra.join('  ')}` : ''}`,
    );
  }
}

/** Where an external cabinet was found beside the package (`beside` is null when not looked up). */
function externalCabinet(beside: ExternalCabinetLookup | null): string {
  if (beside === null) return 'external';
  switch (beside.status) {
    case 'found':
      return beside.foundAs === null
        ? 'external, beside the package'
        : `external, beside the package as ${t(JSON.stringify(beside.foundAs))}: the name differs in case (or in trailing dots and spaces), which Windows Installer ignores and a case-sensitive file system does not`;
    case 'missing':
      return 'external, not beside the package';
    case 'ambiguous':
      return `external, several files beside the package match it without regard to case: ${beside.candidates.map((n) => t(JSON.stringify(n))).join(', ')}`;
    case 'short-long':
      return 'external, in the short|long form the Cabinet data type does not allow: it names no file';
    case 'device':
      return 'external, a reserved Windows device name: not opened';
    case 'outside':
      return "external, the name leads outside the package's directory: not read";
    case 'not-a-file':
      return 'external, beside the package but not a regular file';
    case 'not-looked-up':
      return 'external, not looked up (past the limit of distinct cabinet names looked up for one package)';
  }
}

const UNSIGNED_REASONS: Readonly<Record<string, string>> = {
  'no-reserve': 'no reserve area',
  'reserve-too-small': 'the reserve is too small for a signature locator',
  'reserve-not-signature-area': 'the reserve is not a signature area',
  'no-signature-structure': 'the reserve holds no signature structure',
  'empty-locator': 'the locator is empty (space reserved for a signature)',
};

function peSection(out: Lines, pe: PeInspection): void {
  const hex = (n: number, width = 8) => `0x${n.toString(16).padStart(width, '0')}`;
  out.blank();
  out.heading('PE image');
  out.field('Format', `${pe.format}${pe.dll ? ', DLL' : ''}`);
  out.field('Machine', t(pe.machine));
  out.field('Subsystem', `${t(pe.subsystem)} (${pe.subsystemValue})`);
  out.field('CheckSum', `${hex(pe.checksum)} (not signed)`);
  out.field(
    'Alignment',
    `file ${pe.fileAlignment}, sections ${pe.sectionAlignment}; headers ${pe.sizeOfHeaders} bytes`,
  );
  out.field('Sections', String(pe.sections.length));
  for (const section of pe.sections) {
    out.line(
      `    ${t(section.name || '(unnamed)').padEnd(10)} raw ${section.rawSize} bytes at ${section.rawOffset}, virtual ${hex(section.virtualAddress)} (${section.virtualSize} bytes)`,
    );
  }
  if (pe.overlayBytes > 0) {
    out.field('Overlay', `${pe.overlayBytes} bytes after the last section (hashed)`);
  }
  const table = pe.certificateTable;
  if (!table) {
    out.field(
      'Signature location',
      pe.certificateDirectory && pe.certificateDirectory.size > 0
        ? `Certificate Table entry: ${pe.certificateDirectory.size} bytes at ${pe.certificateDirectory.offset} (unreadable)`
        : 'none (empty Certificate Table entry)',
    );
  } else {
    out.field(
      'Signature location',
      `certificate table of ${table.size} bytes at offset ${table.offset}, ${plural(table.entries.length, 'WIN_CERTIFICATE entry', 'WIN_CERTIFICATE entries')}`,
    );
    for (const entry of table.entries) {
      out.line(
        `    ${entry.length} bytes at ${entry.offset}, revision ${hex(entry.revision, 4)}, type ${hex(entry.type, 4)}`,
      );
    }
    if (table.unaccountedBytes > 0) {
      out.field(
        'Unaccounted bytes',
        `${table.unaccountedBytes} non-zero bytes in the table outside every entry`,
      );
    }
    if (table.trailingBytes > 0) {
      out.field('After the table', `${table.trailingBytes} bytes (the table should end the file)`);
    }
  }
  out.field(
    'Page hashes',
    pe.pageHashes
      ? `${pe.pageHashes.algorithm} (V${pe.pageHashes.version}), ${pe.pageHashes.entries} entries`
      : 'none',
  );
}

function cabinetSection(out: Lines, cab: CabinetInspection): void {
  out.blank();
  out.heading('Cabinet');
  out.field('Set', `setID ${cab.setID}, cabinet ${cab.iCabinet} (iCabinet)`);
  out.field(
    'Previous',
    cab.previous
      ? `${t(cab.previous.cabinet)} on disk "${t(cab.previous.disk)}"`
      : 'none (first in its set)',
  );
  out.field(
    'Next',
    cab.next ? `${t(cab.next.cabinet)} on disk "${t(cab.next.disk)}"` : 'none (last in its set)',
  );
  out.field('cbCabinet', `${cab.cbCabinet} bytes`);
  out.field('Folders', String(cab.folders.length));
  for (const folder of cab.folders) {
    out.line(
      `    ${folder.index}  ${t(folder.compression)}  ${plural(folder.dataBlocks, 'data block')}`,
    );
  }
  out.field('Files', String(cab.fileCount));
  const r = cab.reserve;
  out.field(
    'Reserve',
    r.present
      ? `header ${r.headerBytes} bytes, per folder ${r.folderBytes}, per data block ${r.dataBytes}` +
          (r.cbJunk !== null
            ? `; cbJunk ${r.cbJunk}, cbSig ${r.cbSig}, ${r.unusedBytes} unused`
            : '')
      : 'none',
  );
  const loc = cab.signatureLocation;
  if (loc) {
    const where =
      loc.kind === 'appended'
        ? `appended at offset ${loc.offset}, ${loc.length} bytes (locator at ${loc.locatorOffset})`
        : `inside the reserve at offset ${loc.offset}, ${loc.length} bytes (legacy layout)`;
    out.field('Signature', where);
    if (!loc.offsetMatchesCabinet)
      out.line(`    ${out.paint('yellow', '⚠ it does not start at cbCabinet')}`);
    if (!loc.fillerIsZero)
      out.line(`    ${out.paint('yellow', '⚠ the locator filler is not zero')}`);
  } else if (cab.unsignedReason) {
    out.field(
      'Signature',
      `none: ${UNSIGNED_REASONS[cab.unsignedReason] ?? t(cab.unsignedReason)}`,
    );
  }
  if (cab.trailingBytes !== null && cab.trailingBytes > 0) {
    out.field(
      'Trailing bytes',
      out.paint(
        'yellow',
        `${cab.trailingBytes} bytes at the end are neither hashed nor part of the signature`,
      ),
    );
  }
  for (const anomaly of cab.anomalies) {
    out.line(`    ${out.paint('yellow', '⚠')} ${t(anomaly.code)}: ${t(anomaly.message)}`);
  }
}
