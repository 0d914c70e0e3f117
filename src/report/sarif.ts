import { CODE_DOCS_URL, REPOSITORY_URL } from '../verify/tool.js';
import { createHash } from 'node:crypto';
import { artifactLocation, fileUri, rulesForPath } from '../io/path-rules.js';
import { FINDING_CODES, sortFindings, type Finding } from '../findings.js';
import { codeHelpMarkdown, codeHelpText, describeCode } from './code-descriptions.js';
import { hresultName } from './hresult-names.js';
import { escapeInvisible } from './escape.js';
import type { Report } from './model.js';

export interface SarifOptions {
  /**
   * Directory artifact URIs are made relative to (the repository root / GITHUB_WORKSPACE), so
   * code scanning can attach results to files.
   */
  baseDirectory: string;
  /** Directory relative artifact paths are relative to (default: baseDirectory). */
  cwd?: string;
  /** Also emit notice findings as `note` results (default: only errors and warnings). */
  includeNotices?: boolean;
  /** `tool.driver.informationUri`. */
  informationUri?: string;
  /**
   * Base of per-code help links: `${helpUriBase}#${code}` (default: docs/finding-codes.md in the
   * repository; its headings are the codes).
   */
  helpUriBase?: string;
}

/** The repository, not a package registry page: the tool is published as an action. */
export const DEFAULT_INFORMATION_URI = REPOSITORY_URL;

export type SarifLevel = 'error' | 'warning' | 'note';

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; hresult?: string };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId?: string };
      region: { startLine: number };
    };
  }[];
  partialFingerprints: Record<string, string>;
  properties?: Record<string, unknown>;
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        semanticVersion: string;
        informationUri: string;
        rules: SarifRule[];
      };
    };
    invocations: {
      executionSuccessful: boolean;
      toolExecutionNotifications: {
        level: SarifLevel;
        message: { text: string };
        descriptor: { id: string };
      }[];
    }[];
    originalUriBaseIds: Record<string, { uri: string }>;
    results: SarifResult[];
  }[];
}

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Readonly<Record<Finding['severity'], SarifLevel>> = {
  error: 'error',
  warning: 'warning',
  notice: 'note',
};

/** PascalCase rule name from a kebab-case code (SARIF reportingDescriptor.name). */
function ruleName(code: string): string {
  return code.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());
}

/**
 * SARIF message text: invisible characters made visible, and `[`/`]` escaped because SARIF
 * messages treat `[text](id)` as an embedded link (SARIF 2.1.0 §3.11.6).
 */
function sarifText(text: string): string {
  return escapeInvisible(text)
    .replace(/\\(?=[[\]])/g, '\\\\')
    .replace(/[[\]]/g, (c) => `\\${c}`);
}

/**
 * The artifact's URI: relative to the base directory with forward slashes and each segment
 * percent-encoded; an absolute `file:` URI for a file outside it.
 */
export function artifactUri(
  path: string,
  baseDirectory: string,
  cwd: string = baseDirectory,
): { uri: string; relative: boolean } {
  return artifactLocation(path, baseDirectory, rulesForPath(baseDirectory), cwd);
}

/** Stable across runs: the rule, the file and the signature, never the message or the time. */
function fingerprint(ruleId: string, uri: string, finding: Finding): string {
  return createHash('sha256')
    .update(`${ruleId}\u0000${uri}\u0000${finding.signatureIndex ?? ''}`)
    .digest('hex');
}

function rules(helpUriBase: string | undefined): SarifRule[] {
  return FINDING_CODES.map((code) => {
    const d = describeCode(code);
    const fullDescription = d.hresult
      ? `${d.meaning} Windows reports ${d.hresult}${hresultName(d.hresult) ? ` (${hresultName(d.hresult)})` : ''}.`
      : d.meaning;
    return {
      id: code,
      name: ruleName(code),
      shortDescription: { text: d.title },
      fullDescription: { text: fullDescription },
      help: { text: codeHelpText(code), markdown: codeHelpMarkdown(code) },
      ...(helpUriBase ? { helpUri: `${helpUriBase}#${code}` } : {}),
      defaultConfiguration: { level: LEVEL[d.defaultSeverity] },
      properties: { tags: d.tags, ...(d.hresult ? { hresult: d.hresult } : {}) },
    };
  });
}

/**
 * SARIF 2.1.0 for code scanning: one run, one rule per finding code (with the help users read
 * when a pull request fails), one result per error and warning finding (notices on request),
 * located at the artifact. Findings about the run itself have no file, so they go to
 * `invocations[0].toolExecutionNotifications` rather than to results without a location.
 */
export function buildSarif(report: Report, options: SarifOptions): SarifLog {
  const ruleList = rules(options.helpUriBase ?? CODE_DOCS_URL);
  const ruleIndex = new Map(ruleList.map((r, i) => [r.id, i]));
  const wanted = (f: Finding) => f.severity !== 'notice' || options.includeNotices === true;
  const results: SarifResult[] = [];

  for (const artifact of report.artifacts) {
    const { uri, relative } = artifactUri(artifact.path, options.baseDirectory, options.cwd);
    for (const finding of sortFindings(artifact.findings).filter(wanted)) {
      const ruleId = String(finding.code);
      let index = ruleIndex.get(ruleId);
      if (index === undefined) {
        // A code this renderer does not know still gets a rule, so every result resolves.
        const d = describeCode(ruleId);
        index = ruleList.length;
        ruleList.push({
          id: ruleId,
          name: ruleName(ruleId),
          shortDescription: { text: d.title },
          fullDescription: { text: d.meaning },
          help: { text: codeHelpText(ruleId), markdown: codeHelpMarkdown(ruleId) },
          defaultConfiguration: { level: LEVEL[finding.severity] ?? 'error' },
          properties: { tags: [] },
        });
        ruleIndex.set(ruleId, index);
      }
      const hr = finding.hresult ? ` (HRESULT ${finding.hresult})` : '';
      const hash = fingerprint(ruleId, uri, finding);
      results.push({
        ruleId,
        ruleIndex: index,
        level: LEVEL[finding.severity] ?? 'error',
        message: {
          text: `${sarifText(artifact.path)}: ${sarifText(finding.message)}${sarifText(hr)}`,
        },
        locations: [
          {
            physicalLocation: {
              artifactLocation: relative ? { uri, uriBaseId: '%SRCROOT%' } : { uri },
              // Installers are binary: the whole file is the location. Code scanning expects a
              // line-based region, so point at line 1 rather than omit it.
              region: { startLine: 1 },
            },
          },
        ],
        partialFingerprints: {
          // Code scanning matches alerts across runs by this key; without it, it would hash
          // "lines" of the binary file, which change with every build.
          primaryLocationLineHash: `${hash.slice(0, 16)}:1`,
          'verifyAuthenticode/v1': hash.slice(0, 32),
        },
        properties: {
          artifactKind: artifact.kind,
          ...(finding.hresult ? { hresult: finding.hresult } : {}),
          ...(finding.signatureIndex !== undefined
            ? { signatureIndex: finding.signatureIndex }
            : {}),
        },
      });
    }
  }

  const notifications = sortFindings(report.runFindings ?? [])
    .filter(wanted)
    .map((f) => ({
      level: LEVEL[f.severity] ?? 'error',
      message: { text: sarifText(f.message) },
      descriptor: { id: String(f.code) },
    }));

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: options.informationUri ?? DEFAULT_INFORMATION_URI,
            rules: ruleList,
          },
        },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        originalUriBaseIds: { '%SRCROOT%': { uri: directoryUri(options.baseDirectory) } },
        results,
      },
    ],
  };
}

function directoryUri(directory: string): string {
  const rules = rulesForPath(directory);
  const uri = fileUri(rules.api.resolve(directory), rules);
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** The SARIF log as JSON text (two-space indent, final newline). */
export function renderSarif(report: Report, options: SarifOptions): string {
  return `${JSON.stringify(buildSarif(report, options), null, 2)}\n`;
}
