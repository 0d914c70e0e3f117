import type { Finding } from '../findings.js';
import { hresultName } from './code-descriptions.js';
import { escapeHtml, escapeMarkdownInline, truncateMiddle } from './escape.js';
import {
  artifactGroup,
  clip,
  commonName,
  formatBytes,
  formatDate,
  formatTime,
  orderArtifacts,
  orderedFindings,
  patchStateText,
  plural,
  primarySignature,
  summaryLine,
  thumbprintPrefix,
} from './format.js';
import type {
  ArtifactReport,
  CertificateSummary,
  Report,
  RevocationEntry,
  SignatureReport,
} from './model.js';

export interface SummaryContext {
  /** Commit the run verified (github.context.sha). */
  sha?: string;
  /** Ref (github.context.ref). */
  ref?: string;
  /** The pull request, from the event payload. Its title is attacker-controlled text. */
  pullRequest?: { number: number; title: string; url: string };
}

export interface SummaryOptions {
  context?: SummaryContext;
  /** Upper bound on the UTF-8 size of the output. GitHub rejects step summaries over 1 MiB. */
  maxBytes?: number;
  /**
   * With more clean passing artifacts than this, they leave the table for one collapsed list
   * (path, kind, size), which keeps the table about what needs attention.
   */
  collapsePassingAbove?: number;
}

const DEFAULT_MAX_BYTES = 1_000_000;
const DEFAULT_COLLAPSE_ABOVE = 50;
/** Longest path or name shown in a table cell, in characters (middle cut). */
const MAX_CELL_CHARS = 120;
/** Longest finding message shown, in characters. */
const MAX_MESSAGE_CHARS = 1000;
/** Most findings listed for one artifact. */
const MAX_FINDINGS_PER_ARTIFACT = 50;
/** Reports with at most this many artifacts are first rendered without a budget. */
const SMALL_REPORT = 200;

/** Escapes file-controlled text for Markdown and HTML. Everything from the report passes here. */
const md = (text: string | undefined | null): string => escapeMarkdownInline(text ?? '');
/** Inline code for file-controlled text: HTML `<code>`, whose content is escaped, never backticks. */
const code = (text: string | undefined | null): string => `<code>${md(text)}</code>`;
const cell = (text: string | undefined | null): string =>
  md(truncateMiddle(text ?? '', MAX_CELL_CHARS));
const bytesOf = (text: string): number => Buffer.byteLength(text, 'utf8');
/** A time as we format it (digits, `-`, `:`), or the escaped original when it is not a time. */
const time = (iso: string): string => {
  const formatted = formatTime(iso);
  return formatted === iso ? md(iso) : formatted;
};
const date = (iso: string): string => {
  const formatted = formatDate(iso);
  return formatted === iso ? md(iso) : formatted;
};

const STATUS_ICON = { failed: '❌', warned: '⚠️', passed: '✅' } as const;

function statusCell(artifact: ArtifactReport): string {
  const group = artifactGroup(artifact);
  if (group === 'failed') return `${STATUS_ICON.failed} ${code(artifact.status)}`;
  const warnings = artifact.findings.filter((f) => f.severity === 'warning').length;
  if (group === 'warned') return `${STATUS_ICON.warned} valid, ${plural(warnings, 'warning')}`;
  return `${STATUS_ICON.passed} valid`;
}

const TABLE_HEAD = [
  '| Status | Artifact | Kind | Size | Signer | SHA-256 | Digest | Timestamp | Expires | MsiPatchCertificate |',
  '| --- | --- | --- | --: | --- | --- | --- | --- | --- | --- |',
].join('\n');

/** One table row, always one line: every cell is escaped, so no `|` or line break survives. */
function tableRow(artifact: ArtifactReport): string {
  const sig = primarySignature(artifact);
  const signer = sig?.signer;
  const ts = sig?.timestamp;
  const cells = [
    statusCell(artifact),
    `<code>${cell(artifact.path)}</code>`,
    md(artifact.kind),
    formatBytes(artifact.size),
    signer ? cell(commonName(signer)) : sig ? '—' : 'unsigned',
    signer ? code(thumbprintPrefix(signer.sha256)) : '—',
    sig ? md(sig.digestAlgorithm) : '—',
    ts ? `${time(ts.time)}${ts.valid ? '' : ' (invalid)'}` : '—',
    signer ? date(signer.notAfter) : '—',
    md(patchStateText(artifact) ?? '—'),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** One line of the collapsed list of clean passing artifacts. */
function passingListItem(artifact: ArtifactReport): string {
  const signer = primarySignature(artifact)?.signer;
  const who = signer
    ? ` · ${cell(commonName(signer))} ${code(thumbprintPrefix(signer.sha256))}`
    : '';
  return `- <code>${cell(artifact.path)}</code> · ${md(artifact.kind)} · ${formatBytes(artifact.size)}${who}`;
}

function hresultCell(finding: Finding): string {
  if (!finding.hresult) return '—';
  const name = hresultName(finding.hresult);
  return `${code(finding.hresult)}${name ? ` ${name}` : ''}`;
}

function findingsTable(findings: readonly Finding[]): string[] {
  const shown = findings.slice(0, MAX_FINDINGS_PER_ARTIFACT);
  const lines = ['| Severity | Code | HRESULT | Message |', '| --- | --- | --- | --- |'];
  for (const f of shown) {
    const sig =
      f.signatureIndex !== undefined && f.signatureIndex > 0
        ? ` (signature #${f.signatureIndex})`
        : '';
    lines.push(
      `| ${md(f.severity)} | ${code(f.code)} | ${hresultCell(f)} | ${md(clip(f.message, MAX_MESSAGE_CHARS))}${sig} |`,
    );
  }
  if (findings.length > shown.length) {
    lines.push(
      '',
      `… and ${plural(findings.length - shown.length, 'more finding')} (see the JSON report)`,
    );
  }
  return lines;
}

function certificateLine(cert: CertificateSummary): string {
  return `${code(cert.subject)} · SHA-256 ${code(cert.sha256)} · expires ${date(cert.notAfter)}`;
}

function signatureSection(sig: SignatureReport): string[] {
  const role = sig.index === 0 ? 'primary' : `nested #${sig.index}`;
  const lines = [
    `**Signature ${md(String(sig.index))}** (${role}, ${md(sig.digestAlgorithm)}, ${sig.valid ? 'valid' : 'invalid'})`,
    '',
  ];
  if (sig.timestamp) {
    const ts = sig.timestamp;
    const tsa = ts.signer ? ` by ${code(commonName(ts.signer))}` : '';
    lines.push(
      `Timestamp: ${time(ts.time)} (${md(ts.kind)}${tsa}, ${ts.valid ? 'valid' : 'invalid'})`,
      '',
    );
  } else {
    lines.push('Timestamp: none', '');
  }
  const chain = sig.chain.length > 0 ? sig.chain : sig.signer ? [sig.signer] : [];
  if (chain.length > 0) {
    lines.push('Chain (signer first):', '');
    chain.slice(0, 16).forEach((cert, i) => lines.push(`${i + 1}. ${certificateLine(cert)}`));
    lines.push('');
  }
  if (sig.revocation && sig.revocation.length > 0) {
    lines.push('Revocation:', '');
    for (const entry of sig.revocation.slice(0, 16)) lines.push(`- ${revocationLine(entry)}`);
    lines.push('');
  }
  return lines;
}

const REVOCATION_ROLE: Readonly<Record<RevocationEntry['role'], string>> = {
  signer: 'signer',
  ca: 'CA',
  'timestamp-authority': 'timestamp authority',
  'timestamp-ca': 'timestamp CA',
};

/** `signer <code>CN</code>: revoked 2026-03-01 (keyCompromise) · CRL file <code>ca.crl</code>, thisUpdate …` */
function revocationLine(entry: RevocationEntry): string {
  const who = `${REVOCATION_ROLE[entry.role] ?? md(entry.role)} ${code(entry.subject)}`;
  let status = md(entry.status);
  if (entry.status === 'revoked')
    status = `revoked ${entry.revokedAt ? time(entry.revokedAt) : ''} (${md(entry.reason)})`;
  const source = entry.source
    ? ` · ${md(entry.source.kind === 'ocsp' ? 'OCSP' : entry.source.kind === 'crl' ? 'CRL' : 'CRL file')} ${code(entry.source.location)}, thisUpdate ${time(entry.source.thisUpdate)}`
    : '';
  const failed =
    entry.status === 'unknown' && entry.failures?.length
      ? ` · ${md(clip(entry.failures.join('; '), MAX_MESSAGE_CHARS))}`
      : '';
  return `${who}: ${status}${source}${failed}`;
}

/** How revocation was checked, and each certificate's status once (a release shares its chain). */
function revocationSection(report: Report): string {
  const revocation = report.revocation;
  if (!revocation) return '';
  if (!revocation.checked) {
    return '### Revocation\n\nRevocation was not checked (`revocation: off` and no CRL files).\n';
  }
  const how =
    revocation.mode === 'off'
      ? `from ${plural(revocation.crlFiles.length, 'CRL file')} only (no network)`
      : `${md(revocation.mode)}, ${plural(revocation.requests, 'HTTP request')}${revocation.crlFiles.length > 0 ? ` and ${plural(revocation.crlFiles.length, 'CRL file')}` : ''}`;
  const seen = new Map<string, RevocationEntry>();
  for (const artifact of report.artifacts)
    for (const sig of artifact.signatures)
      for (const entry of sig.revocation ?? [])
        if (!seen.has(`${entry.role}/${entry.sha256}`))
          seen.set(`${entry.role}/${entry.sha256}`, entry);
  const entries = [...seen.values()];
  const lines = [`### Revocation\n`, `Checked ${how}.`, ''];
  for (const entry of entries.slice(0, 50)) lines.push(`- ${revocationLine(entry)}`);
  if (entries.length > 50)
    lines.push(`- … and ${plural(entries.length - 50, 'more certificate')} (see the JSON report)`);
  return `${lines.join('\n')}\n`;
}

/** The `<details>` block for one failing artifact: every finding, each signature's chain. */
function failureDetails(artifact: ArtifactReport): string {
  const lines = [
    '<details>',
    `<summary>${STATUS_ICON.failed} <code>${cell(artifact.path)}</code>: ${md(artifact.status)}</summary>`,
    '',
    `Path: ${code(artifact.path)} · ${md(artifact.kind)} · ${formatBytes(artifact.size)}`,
    '',
    ...findingsTable(orderedFindings(artifact)),
    '',
  ];
  for (const sig of artifact.signatures.slice(0, 8)) lines.push(...signatureSection(sig));
  const patch = artifact.patchCertificate;
  if (patch && patch.state !== 'not-applicable') {
    lines.push(`MsiPatchCertificate: ${md(patchStateText(artifact))}`, '');
    patch.certificates.slice(0, 16).forEach((cert) => lines.push(`- ${certificateLine(cert)}`));
    if (patch.certificates.length > 0) lines.push('');
  }
  lines.push('</details>', '');
  return lines.join('\n');
}

/** One list line per warning of a passing artifact. */
function warningListItems(artifact: ArtifactReport): string[] {
  return orderedFindings(artifact)
    .filter((f) => f.severity === 'warning')
    .map(
      (f) =>
        `- ${STATUS_ICON.warned} <code>${cell(artifact.path)}</code>: ${code(f.code)} ${md(clip(f.message, MAX_MESSAGE_CHARS))}${f.hresult ? ` (${hresultCell(f)})` : ''}`,
    );
}

function heading(report: Report): string {
  const runErrors = (report.runFindings ?? []).filter((f) => f.severity === 'error').length;
  const failed = report.summary.failed > 0 || runErrors > 0;
  const title = failed
    ? report.summary.failed > 0
      ? `❌ Authenticode verification failed: ${report.summary.failed} of ${plural(report.summary.total, 'artifact')}`
      : '❌ Authenticode verification failed'
    : `✅ Authenticode verification passed: ${plural(report.summary.total, 'artifact')}`;
  return `## ${title}\n\n**${summaryLine(report.summary)}**\n`;
}

function contextLines(context: SummaryContext | undefined): string {
  if (!context) return '';
  const parts: string[] = [];
  if (context.sha) parts.push(`Commit ${code(context.sha)}`);
  if (context.ref) parts.push(`ref ${code(context.ref)}`);
  const pr = context.pullRequest;
  if (pr) {
    const label = `#${Number.isFinite(pr.number) ? pr.number : '?'}`;
    const link = /^https:\/\/[^\s"'<>]+$/.test(pr.url)
      ? `<a href="${escapeHtml(pr.url)}">${label}</a>`
      : label;
    parts.push(`pull request ${link} ${md(pr.title)}`);
  }
  return parts.length > 0 ? `${parts.join(' · ')}\n` : '';
}

function runFindingsSection(report: Report): string {
  const findings = (report.runFindings ?? []).filter((f) => f.severity !== 'notice');
  if (findings.length === 0) return '';
  const lines = ['### Run', ''];
  for (const f of findings.slice(0, MAX_FINDINGS_PER_ARTIFACT)) {
    const icon = f.severity === 'error' ? STATUS_ICON.failed : STATUS_ICON.warned;
    lines.push(`- ${icon} ${code(f.code)}: ${md(clip(f.message, MAX_MESSAGE_CHARS))}`);
  }
  return `${lines.join('\n')}\n`;
}

function endpointRow(c: CertificateSummary & { role: string }): string {
  return `| ${md(c.role)} | ${cell(c.subject)} | ${code(c.sha256)} | ${code(c.sha1)} | ${date(c.notAfter)} |`;
}

const ENDPOINT_HEAD = [
  '### Certificates endpoints need',
  '',
  'Machines that install these packages must trust these roots and be able to find these intermediates (Windows shows the SHA-1 thumbprint).',
  '',
  '| Role | Subject | SHA-256 | SHA-1 thumbprint | Expires |',
  '| --- | --- | --- | --- | --- |',
].join('\n');

/** Takes rendered items in order while they fit the budget; renders only what it looks at. */
function take<T>(
  items: readonly T[],
  render: (item: T) => string,
  budget: number,
): { taken: string[]; used: number } {
  const taken: string[] = [];
  let used = 0;
  for (const item of items) {
    if (used >= budget) break;
    const text = render(item);
    const size = bytesOf(text) + 1;
    if (used + size > budget) break;
    taken.push(text);
    used += size;
  }
  return { taken, used };
}

/** Bytes the items need, counting no further than `cap`. */
function need<T>(items: readonly T[], render: (item: T) => string, cap: number): number {
  let total = 0;
  for (const item of items) {
    if (total >= cap) return cap;
    total += bytesOf(render(item)) + 1;
  }
  return Math.min(total, cap);
}

/** Renders each item once, however often it is asked for. */
function memo<T>(render: (item: T) => string): (item: T) => string {
  const cache = new Map<T, string>();
  return (item) => {
    let text = cache.get(item);
    if (text === undefined) {
      text = render(item);
      cache.set(item, text);
    }
    return text;
  };
}

const moreArtifacts = (n: number) => `… and ${plural(n, 'more artifact')} (see the JSON report)`;

function render(report: Report, options: SummaryOptions, maxBytes: number): string {
  const collapseAbove = options.collapsePassingAbove ?? DEFAULT_COLLAPSE_ABOVE;
  const ordered = orderArtifacts(report.artifacts);
  const failing = ordered.filter((a) => a.verdict === 'fail');
  const warned = ordered.filter((a) => artifactGroup(a) === 'warned');
  const clean = ordered.filter((a) => artifactGroup(a) === 'passed');
  const collapse = clean.length > collapseAbove;

  const context = contextLines(options.context);
  const head = context ? `${heading(report)}\n${context}` : heading(report);
  const run = runFindingsSection(report);

  // Room for headings, notes and closing tags that are added around the variable parts.
  const OVERHEAD = 2048;
  let budget = maxBytes - bytesOf(head) - bytesOf(run) - OVERHEAD;

  const endpoints = take(
    report.endpointCertificates ?? [],
    endpointRow,
    Math.max(0, budget * 0.15),
  );
  budget -= endpoints.used + (endpoints.taken.length > 0 ? bytesOf(ENDPOINT_HEAD) : 0);

  // Failures and warnings lead the table; clean passes follow unless collapsed.
  const attention = [...failing, ...warned];
  const attentionRows = take(attention, tableRow, Math.max(0, budget * 0.4));
  budget -= attentionRows.used;

  const cleanItem = memo(collapse ? passingListItem : tableRow);
  const cleanReserve = need(clean, cleanItem, Math.max(0, budget * 0.25));
  const details = take(failing, failureDetails, Math.max(0, budget - cleanReserve));
  budget -= details.used;
  const warningItems = warned.flatMap(warningListItems);
  const cleanReserve2 = need(clean, cleanItem, Math.max(0, budget * 0.5));
  const warnings = take(warningItems, (item) => item, Math.max(0, budget - cleanReserve2));
  budget -= warnings.used;

  // Clean rows only join the table when every row before them made it, to keep the order.
  const cleanTaken =
    collapse || attentionRows.taken.length === attention.length
      ? take(clean, cleanItem, Math.max(0, budget))
      : { taken: [], used: 0 };

  const out: string[] = [head];
  if (run) out.push(run);

  const tableRows = collapse ? attentionRows.taken : [...attentionRows.taken, ...cleanTaken.taken];
  const inTable = collapse ? attention.length : attention.length + clean.length;
  if (inTable > 0) {
    out.push(`${TABLE_HEAD}\n${tableRows.join('\n')}\n`);
    if (tableRows.length < inTable) out.push(`${moreArtifacts(inTable - tableRows.length)}\n`);
  } else if (report.artifacts.length === 0) {
    out.push('No artifacts were verified.\n');
  }

  if (collapse) {
    const lines = [
      '<details>',
      `<summary>${STATUS_ICON.passed} ${plural(clean.length, 'passing artifact')} without warnings</summary>`,
      '',
      ...cleanTaken.taken,
      '',
    ];
    if (cleanTaken.taken.length < clean.length) {
      lines.push(moreArtifacts(clean.length - cleanTaken.taken.length), '');
    }
    lines.push('</details>', '');
    out.push(lines.join('\n'));
  }

  if (failing.length > 0) {
    out.push('### Failures\n');
    if (details.taken.length > 0) out.push(details.taken.join('\n'));
    if (details.taken.length < failing.length) {
      out.push(
        `… details of ${plural(failing.length - details.taken.length, 'more failing artifact')} are in the JSON report\n`,
      );
    }
  }

  if (warned.length > 0) {
    out.push(`### Warnings\n\n${warnings.taken.join('\n')}\n`);
    if (warnings.taken.length < warningItems.length) {
      out.push(
        `… and ${plural(warningItems.length - warnings.taken.length, 'more warning')} (see the JSON report)\n`,
      );
    }
  }

  if (endpoints.taken.length > 0 || (report.endpointCertificates?.length ?? 0) > 0) {
    out.push(`${ENDPOINT_HEAD}\n${endpoints.taken.join('\n')}\n`);
    const missing = (report.endpointCertificates?.length ?? 0) - endpoints.taken.length;
    if (missing > 0)
      out.push(`… and ${plural(missing, 'more certificate')} (see the JSON report)\n`);
  }

  const revocation = revocationSection(report);
  if (revocation) out.push(revocation);

  out.push(`<sub>${md(report.tool.name)} ${md(report.tool.version)}</sub>\n`);
  return out.join('\n');
}

/**
 * The job summary (GitHub-flavoured Markdown with a little HTML): a heading with the verdict and
 * counts, the commit and pull request, a table of artifacts with failures first, a collapsible
 * section per failing artifact with every finding, its HRESULT and the certificate chain, and the
 * certificates endpoints need. All text from files, certificates and the pull request is escaped.
 * The output stays under `maxBytes`: past `collapsePassingAbove` clean passes are listed in one
 * collapsed section, and when the budget runs out lists end with "… and N more artifacts (see the
 * JSON report)".
 */
export function renderSummary(report: Report, options: SummaryOptions = {}): string {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (report.artifacts.length <= SMALL_REPORT) {
    // Budget shares only matter when something must be cut; a small report may fit whole.
    const whole = render(report, options, Number.POSITIVE_INFINITY);
    if (bytesOf(whole) <= maxBytes) return whole;
  }
  let limit = maxBytes;
  for (let attempt = 0; attempt < 4; attempt++) {
    const text = render(report, options, limit);
    const size = bytesOf(text);
    if (size <= maxBytes) return text;
    limit -= size - maxBytes + 4096;
  }
  // Last resort (a budget too small for any row): the heading and a pointer to the JSON report.
  const minimal = `${heading(report)}\nThe full results did not fit in the job summary; see the JSON report.\n`;
  return bytesOf(minimal) <= maxBytes ? minimal : '';
}
