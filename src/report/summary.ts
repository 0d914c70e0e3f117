import type { Finding } from '../findings.js';
import { describeCode } from './code-descriptions.js';
import { hresultName } from './hresult-names.js';
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
  signatureState,
  WEAKENING_CODES,
  plural,
  primarySignature,
  summaryLine,
  thumbprintPrefix,
} from './format.js';
import type {
  ArtifactReport,
  CertificateSummary,
  EndpointCertificate,
  Report,
  RevocationEntry,
  SignatureReport,
} from './model.js';
import { CODE_DOCS_URL } from '../verify/tool.js';
import { rulesForPath, withoutWorkspacePrefix, workspaceRelative } from '../io/path-rules.js';

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
  /**
   * GITHUB_WORKSPACE: absolute paths inside it (in artifact paths and finding messages) are
   * shown relative to it, as the workflow author wrote them.
   */
  workspace?: string;
  /**
   * Whether the JSON report is available as the step's `report` output: when details are cut
   * for size, the summary shows how to keep the report with actions/upload-artifact.
   */
  reportOutput?: boolean;
  /** Where each code's section is: `${codeDocs}#${code}` (default: the repository's docs). */
  codeDocs?: string;
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

/** Per-render settings: the workspace paths are shown relative to, and where codes link to. */
interface View {
  workspace?: string;
  codeDocs: string;
}

/** An absolute path inside the workspace, shown relative to it (forward slashes). */
function shownPath(view: View, path: string): string {
  if (!view.workspace) return path;
  return workspaceRelative(path, view.workspace, rulesForPath(view.workspace)) ?? path;
}

/** A message with the workspace prefix removed from any absolute path it quotes. */
function shownMessage(view: View, message: string): string {
  if (!view.workspace) return message;
  return withoutWorkspacePrefix(message, view.workspace, rulesForPath(view.workspace));
}

/**
 * Our own text (a code's title or fix), escaped like everything else, with its `code` spans
 * shown as code: backticks are escaped first, then each escaped pair becomes a <code> element.
 */
function ourInline(text: string): string {
  return md(text).replace(/&#96;(.+?)&#96;/g, '<code>$1</code>');
}

/** The code as a link to its section in docs/finding-codes.md. */
function codeLink(view: View, findingCode: string): string {
  const anchor = /^[a-z0-9-]+$/.test(findingCode) ? findingCode : '';
  return anchor
    ? `<a href="${escapeHtml(`${view.codeDocs}#${anchor}`)}"><code>${anchor}</code></a>`
    : code(findingCode);
}

function statusCell(view: View, artifact: ArtifactReport): string {
  const group = artifactGroup(artifact);
  if (group === 'failed') return `${STATUS_ICON.failed} ${codeLink(view, artifact.status)}`;
  const warnings = artifact.findings.filter((f) => f.severity === 'warning').length;
  if (group === 'warned') return `${STATUS_ICON.warned} valid, ${plural(warnings, 'warning')}`;
  return `${STATUS_ICON.passed} valid`;
}

/**
 * Seven narrow columns: GitHub's summary pane is about 900 pixels wide. Sizes, digests and full
 * thumbprints are in each failure's details and in the JSON report.
 */
const TABLE_HEAD = [
  '| Status | Artifact | Kind | Signer | Timestamp | Expires | MsiPatchCertificate |',
  '| --- | --- | --- | --- | --- | --- | --- |',
].join('\n');

/** Eight hex digits: enough to tell certificates apart at a glance; the details show all 64. */
const shortThumbprint = (sha256: string): string => thumbprintPrefix(sha256).slice(0, 8);

/** One table row, always one line: every cell is escaped, so no `|` or line break survives. */
function tableRow(view: View, artifact: ArtifactReport): string {
  const sig = primarySignature(artifact);
  const signer = sig?.signer;
  const ts = sig?.timestamp;
  const cells = [
    statusCell(view, artifact),
    `<code>${cell(shownPath(view, artifact.path))}</code>`,
    md(artifact.kind),
    signer
      ? `${cell(commonName(signer))} ${code(shortThumbprint(signer.sha256))}`
      : sig
        ? '—'
        : 'unsigned',
    ts ? `${date(ts.time)}${ts.valid ? '' : ' (invalid)'}` : '—',
    signer ? date(signer.notAfter) : '—',
    md(patchStateText(artifact) ?? '—'),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** "- `product.msi`: 3 executables inside: 2 signed by you, 1 unsigned (…/helper.dll)" */
function payloadListItem(view: View, artifact: ArtifactReport): string {
  return `- <code>${cell(shownPath(view, artifact.path))}</code>: ${md(artifact.payload?.summary ?? '')}`;
}

/** One line of the collapsed list of clean passing artifacts. */
function passingListItem(view: View, artifact: ArtifactReport): string {
  const signer = primarySignature(artifact)?.signer;
  const who = signer
    ? ` · ${cell(commonName(signer))} ${code(shortThumbprint(signer.sha256))}`
    : '';
  return `- <code>${cell(shownPath(view, artifact.path))}</code> · ${md(artifact.kind)} · ${formatBytes(artifact.size)}${who}`;
}

function hresultCell(finding: Finding): string {
  if (!finding.hresult) return '—';
  const name = hresultName(finding.hresult);
  return `${code(finding.hresult)}${name ? ` ${name}` : ''}`;
}

function findingsTable(view: View, findings: readonly Finding[]): string[] {
  const shown = findings.slice(0, MAX_FINDINGS_PER_ARTIFACT);
  const lines = ['| Severity | Code | HRESULT | Message |', '| --- | --- | --- | --- |'];
  for (const f of shown) {
    const sig =
      f.signatureIndex !== undefined && f.signatureIndex > 0
        ? ` (signature #${f.signatureIndex})`
        : '';
    lines.push(
      `| ${md(f.severity)} | ${codeLink(view, f.code)} | ${hresultCell(f)} | ${md(clip(shownMessage(view, f.message), MAX_MESSAGE_CHARS))}${sig} |`,
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

function signatureSection(sig: SignatureReport, artifact: ArtifactReport): string[] {
  const role = sig.index === 0 ? 'primary' : `nested #${sig.index}`;
  const lines = [
    `**Signature ${md(String(sig.index))}** (${role}, ${md(sig.digestAlgorithm)}, ${signatureState(sig, artifact)})`,
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
    return '### Revocation\n\nRevocation was not checked (<code>revocation: off</code> and no CRL files).\n';
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

/**
 * One failing artifact: the reason (the worst finding's message) and the fix in view, then a
 * `<details>` block with every finding and each signature's chain.
 */
function failureDetails(view: View, artifact: ArtifactReport): string {
  const worst = orderedFindings(artifact).find((f) => f.severity === 'error');
  const lines = [
    `#### ${STATUS_ICON.failed} <code>${cell(shownPath(view, artifact.path))}</code>`,
    '',
  ];
  if (worst) {
    const description = describeCode(worst.code);
    lines.push(
      `${codeLink(view, worst.code)} **${md(description.title)}**: ${md(clip(shownMessage(view, worst.message), MAX_MESSAGE_CHARS))}`,
      '',
      `**Fix:** ${ourInline(description.fix)}`,
      '',
    );
  }
  lines.push(
    '<details>',
    `<summary>All findings, signatures and certificates</summary>`,
    '',
    `Path: ${code(shownPath(view, artifact.path))} · ${md(artifact.kind)} · ${formatBytes(artifact.size)}`,
    '',
    ...findingsTable(view, orderedFindings(artifact)),
    '',
  );
  for (const sig of artifact.signatures.slice(0, 8)) lines.push(...signatureSection(sig, artifact));
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
function warningListItems(view: View, artifact: ArtifactReport): string[] {
  return orderedFindings(artifact)
    .filter((f) => f.severity === 'warning')
    .map(
      (f) =>
        `- ${STATUS_ICON.warned} <code>${cell(shownPath(view, artifact.path))}</code>: ${codeLink(view, f.code)} ${md(clip(shownMessage(view, f.message), MAX_MESSAGE_CHARS))}${f.hresult ? ` (${hresultCell(f)})` : ''}`,
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

/**
 * Run findings (errors, warnings, and the notices that weaken the verdict), then one line per
 * code of artifact notices that weaken it (a chain root reported rather than trusted), then
 * each path or glob with its match count.
 */
function runFindingsSection(view: View, report: Report): string {
  const findings = (report.runFindings ?? []).filter(
    (f) => f.severity !== 'notice' || WEAKENING_CODES.has(f.code),
  );
  const weakening = new Map<string, { finding: Finding; count: number }>();
  for (const artifact of report.artifacts) {
    for (const f of artifact.findings) {
      if (f.severity !== 'notice' || !WEAKENING_CODES.has(f.code)) continue;
      const entry = weakening.get(f.code);
      if (entry) entry.count++;
      else weakening.set(f.code, { finding: f, count: 1 });
    }
  }
  const patterns = report.patterns ?? [];
  if (findings.length === 0 && weakening.size === 0 && patterns.length === 0) return '';
  const lines = ['### Run', ''];
  for (const f of findings.slice(0, MAX_FINDINGS_PER_ARTIFACT)) {
    const icon =
      f.severity === 'error'
        ? STATUS_ICON.failed
        : f.severity === 'warning'
          ? STATUS_ICON.warned
          : 'ℹ️';
    lines.push(
      `- ${icon} ${codeLink(view, f.code)}: ${md(clip(shownMessage(view, f.message), MAX_MESSAGE_CHARS))}`,
    );
  }
  for (const { finding, count } of weakening.values()) {
    const on = count > 1 ? ` (${plural(count, 'artifact')}; the first:)` : '';
    lines.push(
      `- ℹ️ ${codeLink(view, finding.code)}${on} ${md(clip(shownMessage(view, finding.message), MAX_MESSAGE_CHARS))}`,
    );
  }
  if (patterns.length > 0) {
    const shown = patterns
      .slice(0, MAX_FINDINGS_PER_ARTIFACT)
      .map(
        (p) =>
          `${code(truncateMiddle(p.pattern, MAX_CELL_CHARS))} ${p.count}${p.count === 0 ? ' ⚠️' : ''}`,
      );
    const more =
      patterns.length > shown.length ? `, … (${patterns.length - shown.length} more)` : '';
    lines.push(`- Paths (files matched): ${shown.join(', ')}${more}`);
  }
  return `${lines.join('\n')}\n`;
}

/** What an endpoint needs for this certificate, in plain words. */
function endpointNeed(c: EndpointCertificate): string {
  if (c.role === 'intermediate') {
    return 'Must travel inside the signature (signtool /ac, osslsigncode -ac) or be installed on every endpoint';
  }
  const program = c.rootProgram;
  if (!program) return 'Must be in every endpoint’s Trusted Root Certification Authorities store';
  const list = `Microsoft’s Trusted Root Program (list of ${program.listDate.slice(0, 10)})`;
  if (program.trusted) {
    return `Trusted by Windows through ${list} as “${program.name ?? ''}” (${program.purposes ?? ''}); endpoints with automatic root update get it, others need it installed`;
  }
  if (program.listed) {
    return `Listed in ${list} as “${program.name ?? ''}” but not trusted for this signature: ${program.why ?? ''}`;
  }
  return `Not in ${list}: every endpoint needs it installed in Trusted Root Certification Authorities (Group Policy, Intune), or verification fails with 0x800B010A / 0x800B0109`;
}

function endpointRow(c: EndpointCertificate): string {
  return `| ${md(c.role)} | ${cell(c.subject)} | ${code(c.sha256)} | ${code(c.sha1)} | ${date(c.notAfter)} | ${md(clip(endpointNeed(c), MAX_MESSAGE_CHARS))} |`;
}

const ENDPOINT_HEAD = [
  '### Certificates endpoints need',
  '',
  'Machines that install these packages must trust these roots and be able to find these intermediates (Windows shows the SHA-1 thumbprint).',
  '',
  '| Role | Subject | SHA-256 | SHA-1 thumbprint | Expires | What endpoints need |',
  '| --- | --- | --- | --- | --- | --- |',
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
  const view: View = {
    codeDocs: options.codeDocs ?? CODE_DOCS_URL,
    ...(options.workspace ? { workspace: options.workspace } : {}),
  };
  const collapseAbove = options.collapsePassingAbove ?? DEFAULT_COLLAPSE_ABOVE;
  const ordered = orderArtifacts(report.artifacts);
  const failing = ordered.filter((a) => a.verdict === 'fail');
  const warned = ordered.filter((a) => artifactGroup(a) === 'warned');
  const clean = ordered.filter((a) => artifactGroup(a) === 'passed');
  const collapse = clean.length > collapseAbove;

  const context = contextLines(options.context);
  const head = context ? `${heading(report)}\n${context}` : heading(report);
  const run = runFindingsSection(view, report);

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
  const attentionRows = take(attention, (a) => tableRow(view, a), Math.max(0, budget * 0.4));
  budget -= attentionRows.used;

  const cleanItem = memo((a: ArtifactReport) => (collapse ? passingListItem : tableRow)(view, a));
  const cleanReserve = need(clean, cleanItem, Math.max(0, budget * 0.25));
  const details = take(failing, (a) => failureDetails(view, a), Math.max(0, budget - cleanReserve));
  budget -= details.used;
  const warningItems = warned.flatMap((a) => warningListItems(view, a));
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

  // What each package carries: one line per artifact whose payload holds executables.
  const carrying = ordered.filter((a) => (a.payload?.files.length ?? 0) > 0);
  const payloadLines = take(carrying, (a) => payloadListItem(view, a), Math.max(0, budget));
  if (carrying.length > 0) {
    out.push(`### Inside the packages\n\n${payloadLines.taken.join('\n')}\n`);
    if (payloadLines.taken.length < carrying.length) {
      out.push(`${moreArtifacts(carrying.length - payloadLines.taken.length)}\n`);
    }
  }

  const revocation = revocationSection(report);
  if (revocation) out.push(revocation);

  const text = out.join('\n');
  // Anything cut above says "see the JSON report": show how to keep it.
  const hint = /JSON report/.test(text) ? uploadHint(options.reportOutput ?? false) : '';
  const roots = report.tool.windowsRoots;
  const list = roots
    ? ` · Windows roots: Microsoft’s Trusted Root Program list of ${md(roots.thisUpdate.slice(0, 10))} (sequence ${md(roots.sequenceNumber)})`
    : '';
  return `${text}\n${hint}<sub>${md(report.tool.name)} ${md(report.tool.version)}${list}</sub>\n`;
}

/** How to keep the JSON report as a workflow artifact, for summaries that had to cut details. */
function uploadHint(reportOutput: boolean): string {
  const path = reportOutput ? '${{ steps.verify.outputs.report }}' : 'the json-report path';
  return [
    '<details>',
    '<summary>Keep the full JSON report with <code>actions/upload-artifact</code></summary>',
    '',
    'Give the verify step <code>id: verify</code> and add:',
    '',
    '<pre><code>- uses: actions/upload-artifact@v7',
    '  if: always()',
    '  with:',
    '    name: verify-authenticode-report',
    `    path: ${escapeHtml(path)}</code></pre>`,
    '',
    '</details>',
    '',
  ].join('\n');
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
