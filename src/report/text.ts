import type { Finding } from '../findings.js';
import { hresultName } from './hresult-names.js';
import { sanitizeForTerminal } from './escape.js';
import {
  commonName,
  formatTime,
  nestedSignatures,
  orderedFindings,
  primarySignature,
  summaryLine,
  thumbprintPrefix,
  WEAKENING_CODES,
} from './format.js';
import type { ArtifactReport, Report, RevocationEntry, SignatureReport } from './model.js';

export interface TextOptions {
  /** ANSI colours (the CLI decides: a terminal, NO_COLOR, --no-color). */
  color: boolean;
  /** Only failures (with their errors and warnings), run errors and the summary line. */
  quiet: boolean;
  /** ASCII marks instead of ✔ ✖ ⚠ ℹ, for consoles without Unicode. */
  ascii?: boolean;
}

const SGR = { reset: 0, bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;
type Style = keyof typeof SGR;

interface Paint {
  (style: Style, text: string): string;
}

function painter(color: boolean): Paint {
  return color ? (style, text) => `\u001b[${SGR[style]}m${text}\u001b[0m` : (_style, text) => text;
}

const MARKS = {
  unicode: { pass: '✔', fail: '✖', error: '✖', warning: '⚠', notice: 'ℹ', excused: '○' },
  ascii: { pass: '+', fail: 'x', error: 'x', warning: '!', notice: 'i', excused: 'o' },
} as const;

type Marks = (typeof MARKS)[keyof typeof MARKS];

const SEVERITY_STYLE: Readonly<Record<Finding['severity'], Style>> = {
  error: 'red',
  warning: 'yellow',
  notice: 'cyan',
};

/** Escapes file-controlled text for the terminal. Everything from the report passes here. */
const t = (text: string | undefined): string => sanitizeForTerminal(text ?? '');

/** "0x800B010A CERT_E_CHAINING" */
function hresultText(hresult: string): string {
  const name = hresultName(hresult);
  return name ? `${t(hresult)} ${name}` : t(hresult);
}

/** `✖ error chain-incomplete (0x800B010A CERT_E_CHAINING): message` */
function findingLine(finding: Finding, marks: Marks, paint: Paint): string {
  const style = SEVERITY_STYLE[finding.severity] ?? 'red';
  const mark = paint(style, marks[finding.severity] ?? marks.error);
  const head = paint(style, `${t(finding.severity)} ${t(finding.code)}`);
  const hr = finding.hresult ? ` (${hresultText(finding.hresult)})` : '';
  const sig =
    finding.signatureIndex !== undefined && finding.signatureIndex > 0
      ? ` [signature #${finding.signatureIndex}]`
      : '';
  return `${mark} ${head}${hr}${sig}: ${t(finding.message)}`;
}

/** `Contoso Ltd  sha256:0123456789abcdef  timestamp 2024-05-01 10:00:00 UTC` */
function signatureText(signature: SignatureReport | undefined, paint: Paint): string {
  if (!signature) return 'no signature';
  const parts: string[] = [];
  if (signature.signer) {
    parts.push(t(commonName(signature.signer)));
    parts.push(paint('dim', `sha256:${t(thumbprintPrefix(signature.signer.sha256))}`));
  } else {
    parts.push('signer unknown');
  }
  const ts = signature.timestamp;
  if (ts) {
    const invalid = ts.valid ? '' : ' (invalid)';
    parts.push(`timestamp ${t(formatTime(ts.time))}${invalid}`);
  } else {
    parts.push('no timestamp');
  }
  return parts.join('  ');
}

function artifactLines(
  artifact: ArtifactReport,
  options: TextOptions,
  marks: Marks,
  paint: Paint,
): string[] {
  const failed = artifact.verdict === 'fail';
  const mark = failed ? paint('red', marks.fail) : paint('green', marks.pass);
  const verdict = failed ? paint('red', `fail: ${t(artifact.status)}`) : paint('green', 'pass');
  const head = [
    `${mark} ${t(artifact.path)}`,
    t(artifact.kind),
    verdict,
    signatureText(primarySignature(artifact), paint),
  ].join('  ');
  const lines = [head];
  // Failures show every finding; passes show their warnings and the notices that weaken the
  // verdict (a chain root reported, not trusted). Quiet drops the other notices.
  const shown = orderedFindings(artifact).filter(
    (f) => f.severity !== 'notice' || (failed && !options.quiet) || WEAKENING_CODES.has(f.code),
  );
  for (const finding of shown) lines.push(`    ${findingLine(finding, marks, paint)}`);
  lines.push(...payloadLines(artifact, options, marks, paint));
  if (!options.quiet) {
    for (const entry of primarySignature(artifact)?.revocation ?? [])
      lines.push(`    ${revocationLine(entry, paint)}`);
    for (const nested of nestedSignatures(artifact)) {
      const state = nested.valid ? 'valid' : paint('yellow', 'invalid');
      lines.push(
        `    nested signature #${nested.index}: ${t(nested.digestAlgorithm)}  ${signatureText(nested, paint)}  ${state}`,
      );
    }
  }
  return lines;
}

/**
 * The executables inside: the summary line, then one line per inner file
 * (`product.msi ▸ [ProgramFilesFolder]/App/app.exe  pass  Contoso  sha256:…`); an unsigned
 * file that payload-allow-unsigned excused is marked as such (○), not as a problem. Quiet keeps
 * only the inner files that failed and were not excused.
 */
function payloadLines(
  artifact: ArtifactReport,
  options: TextOptions,
  marks: Marks,
  paint: Paint,
): string[] {
  const payload = artifact.payload;
  // A package with no executable inside says nothing (its JSON still has the empty list).
  if (!payload || payload.files.length === 0) return [];
  const lines = [`    payload: ${t(payload.summary)}`];
  for (const file of payload.files) {
    const excused = file.allowedBy !== undefined;
    const failed = file.verdict === 'fail' && !excused;
    if (options.quiet && !failed) continue;
    let mark = paint('green', marks.pass);
    let verdict = paint('green', 'signed');
    if (excused) {
      mark = paint('dim', marks.excused);
      verdict = `${t(file.status)}, allowed by ${t(file.allowedBy!)}`;
    } else if (failed) {
      mark = paint('yellow', marks.warning);
      verdict = paint('yellow', t(file.status));
    }
    const signer = file.signer
      ? `${t(commonName(file.signer))}  ${paint('dim', `sha256:${t(thumbprintPrefix(file.signer.sha256))}`)}`
      : 'no signer';
    lines.push(`    ${mark} ${t(artifact.path)} ▸ ${t(file.path)}  ${verdict}  ${signer}`);
  }
  return lines;
}

const REVOCATION_ROLE: Readonly<Record<RevocationEntry['role'], string>> = {
  signer: 'signer',
  ca: 'CA',
  'timestamp-authority': 'timestamp authority',
  'timestamp-ca': 'timestamp CA',
};

/** `revocation: signer good (OCSP http://…, thisUpdate 2026-12-04 10:00:00 UTC)` */
function revocationLine(entry: RevocationEntry, paint: Paint): string {
  const role = REVOCATION_ROLE[entry.role] ?? t(entry.role);
  const style: Style =
    entry.status === 'good' ? 'green' : entry.status === 'revoked' ? 'red' : 'yellow';
  let status = paint(style, t(entry.status));
  if (entry.status === 'revoked')
    status += ` ${t(entry.revokedAt ? formatTime(entry.revokedAt) : '')} (${t(entry.reason)})`;
  const source = entry.source
    ? ` (${entry.source.kind === 'ocsp' ? 'OCSP' : entry.source.kind === 'crl' ? 'CRL' : 'CRL file'} ${t(entry.source.location)}, thisUpdate ${t(formatTime(entry.source.thisUpdate))})`
    : '';
  return `revocation: ${role} ${t(commonNameOf(entry.subject))} ${status}${source}`;
}

function commonNameOf(subject: string): string {
  const cn = /(?:^|, )CN=(.*)$/.exec(subject);
  return cn ? cn[1]! : subject;
}

/** `revocation: checked online (3 HTTP requests)`, or nothing when it was not checked. */
function revocationFooter(report: Report): string | undefined {
  const revocation = report.revocation;
  if (!revocation?.checked) return undefined;
  const files = revocation.crlFiles.length;
  const fileText = files > 0 ? `${files} CRL file${files === 1 ? '' : 's'}` : '';
  if (revocation.mode === 'off') return `revocation: checked from ${fileText} only (no network)`;
  const requests = `${revocation.requests} HTTP request${revocation.requests === 1 ? '' : 's'}`;
  return `revocation: checked ${t(revocation.mode)} (${requests}${fileText ? `, ${fileText}` : ''})`;
}

/**
 * Human output of `verify-authenticode verify`: one line per artifact (mark, path, kind,
 * verdict, signer common name, SHA-256 thumbprint prefix, timestamp), the findings of failures
 * and the warnings of passes below it, then run findings and a summary line. Every line starts
 * with our own text, and file-controlled text is sanitised, so nothing in a file name or a
 * certificate can start a CI log command or reach the terminal raw.
 */
export function renderText(report: Report, options: TextOptions): string {
  const marks = options.ascii ? MARKS.ascii : MARKS.unicode;
  const paint = painter(options.color);
  const lines: string[] = [];
  for (const artifact of report.artifacts) {
    if (options.quiet && artifact.verdict !== 'fail') continue;
    lines.push(...artifactLines(artifact, options, marks, paint));
  }
  const runFindings = (report.runFindings ?? []).filter((f) =>
    options.quiet ? f.severity === 'error' || WEAKENING_CODES.has(f.code) : true,
  );
  for (const finding of runFindings) lines.push(findingLine(finding, marks, paint));
  const revocation = options.quiet ? undefined : revocationFooter(report);
  if (revocation) lines.push(revocation);
  const summary = summaryLine(report.summary);
  const failed =
    report.summary.failed > 0 || (report.runFindings ?? []).some((f) => f.severity === 'error');
  lines.push(paint('bold', failed ? paint('red', summary) : summary));
  return `${lines.join('\n')}\n`;
}
