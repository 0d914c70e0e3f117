import { CODE_DOCS_URL, REPOSITORY_URL } from '../verify/tool.js';
import { createHash } from 'node:crypto';
import { artifactLocation, fileUri, rulesForPath } from '../io/path-rules.js';
import { FINDING_CODES, sortFindings, type Finding } from '../findings.js';
import { codeHelpMarkdown, codeHelpText, describeCode } from './code-descriptions.js';
import { hresultName } from './hresult-names.js';
import { escapeInvisible } from './escape.js';
import { commonName } from './format.js';
import type { ArtifactReport, InnerFileReport, Report } from './model.js';

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
  /** For a file inside the artifact: where it is (`product.msi ▸ [ProgramFilesFolder]/App/x.dll`). */
  logicalLocations?: SarifLogicalLocation[];
  partialFingerprints: Record<string, string>;
  properties?: Record<string, unknown>;
}

export interface SarifLogicalLocation {
  name: string;
  fullyQualifiedName: string;
  /** SARIF 2.1.0 §3.33.7: `module` for an executable, `resource` for any other inner file. */
  kind: 'module' | 'resource';
}

/**
 * Results about files inside one artifact (one per file) before the rest are counted in one
 * result: a package of thousands of unsigned DLLs must not flood code scanning.
 */
export const MAX_INNER_RESULTS_PER_ARTIFACT = 50;

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

/**
 * Stable across runs: the rule, the file, the signature and the inner file, never the message
 * or the time. Results about the artifact itself hash as they always did.
 */
function fingerprint(ruleId: string, uri: string, finding: Finding, innerPath?: string): string {
  const inner = innerPath === undefined ? '' : `\u0000${innerPath}`;
  return createHash('sha256')
    .update(`${ruleId}\u0000${uri}\u0000${finding.signatureIndex ?? ''}${inner}`)
    .digest('hex');
}

/** What one result says about one inner file, after `artifact ▸ inner path: `. */
function innerMessage(finding: Finding, file: InnerFileReport | undefined): string {
  if (finding.code === 'payload-unsigned') {
    return !file || file.status === 'unsigned'
      ? 'this executable inside is not signed'
      : `this executable inside has a signature that does not verify (${file.status})`;
  }
  if (finding.code === 'payload-wrong-signer') {
    return `this executable inside is signed by ${commonName(file?.signer) ?? 'an unnamed signer'}, neither the pinned signer nor one of payload-signers`;
  }
  return finding.message;
}

const LEVEL_RANK: Readonly<Record<SarifLevel, number>> = { error: 0, warning: 1, note: 2 };

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
 * located at the artifact. A finding about files inside the artifact (`innerPaths`) gives one
 * result per file, with a logical location naming it, up to
 * {@link MAX_INNER_RESULTS_PER_ARTIFACT} per artifact and then one result counting the rest.
 * Findings about the run itself have no file, so they go to
 * `invocations[0].toolExecutionNotifications` rather than to results without a location.
 */
export function buildSarif(report: Report, options: SarifOptions): SarifLog {
  const ruleList = rules(options.helpUriBase ?? CODE_DOCS_URL);
  const ruleIndex = new Map(ruleList.map((r, i) => [r.id, i]));
  const wanted = (f: Finding) => f.severity !== 'notice' || options.includeNotices === true;
  const results: SarifResult[] = [];

  const ruleFor = (ruleId: string, severity: Finding['severity']): number => {
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
        defaultConfiguration: { level: LEVEL[severity] ?? 'error' },
        properties: { tags: [] },
      });
      ruleIndex.set(ruleId, index);
    }
    return index;
  };

  for (const artifact of report.artifacts) {
    const { uri, relative } = artifactUri(artifact.path, options.baseDirectory, options.cwd);
    const location = {
      physicalLocation: {
        artifactLocation: relative ? { uri, uriBaseId: '%SRCROOT%' } : { uri },
        // Installers are binary: the whole file is the location. Code scanning expects a
        // line-based region, so point at line 1 rather than omit it.
        region: { startLine: 1 },
      },
    };
    const result = (
      ruleId: string,
      level: SarifLevel,
      text: string,
      hash: string,
      properties: Record<string, unknown>,
      logicalLocations?: SarifLogicalLocation[],
    ): SarifResult => ({
      ruleId,
      ruleIndex: ruleFor(ruleId, 'error'),
      level,
      message: { text },
      locations: [location],
      ...(logicalLocations ? { logicalLocations } : {}),
      partialFingerprints: {
        // Code scanning matches alerts across runs by this key; without it, it would hash
        // "lines" of the binary file, which change with every build.
        primaryLocationLineHash: `${hash.slice(0, 16)}:1`,
        'verifyAuthenticode/v1': hash.slice(0, 32),
      },
      properties: { artifactKind: artifact.kind, ...properties },
    });
    const inner = innerFiles(artifact);
    let innerResults = 0;
    const dropped = new Map<string, number>();
    let droppedLevel: SarifLevel = 'note';

    for (const finding of sortFindings(artifact.findings).filter(wanted)) {
      const ruleId = String(finding.code);
      ruleFor(ruleId, finding.severity);
      const level = LEVEL[finding.severity] ?? 'error';
      const hr = finding.hresult ? ` (HRESULT ${finding.hresult})` : '';
      const common = {
        ...(finding.hresult ? { hresult: finding.hresult } : {}),
        ...(finding.signatureIndex !== undefined ? { signatureIndex: finding.signatureIndex } : {}),
      };
      const paths = finding.innerPaths ?? [];
      if (paths.length === 0) {
        results.push(
          result(
            ruleId,
            level,
            `${sarifText(artifact.path)}: ${sarifText(finding.message)}${sarifText(hr)}`,
            fingerprint(ruleId, uri, finding),
            common,
          ),
        );
        continue;
      }
      // One result per inner file, so each one is an alert of its own in code scanning.
      for (const innerPath of paths) {
        if (innerResults >= MAX_INNER_RESULTS_PER_ARTIFACT) {
          dropped.set(ruleId, (dropped.get(ruleId) ?? 0) + 1);
          if (LEVEL_RANK[level] < LEVEL_RANK[droppedLevel]) droppedLevel = level;
          continue;
        }
        innerResults++;
        const file = inner.get(innerPath);
        const qualified = `${artifact.path} ▸ ${innerPath}`;
        results.push(
          result(
            ruleId,
            level,
            `${sarifText(qualified)}: ${sarifText(innerMessage(finding, file))}${sarifText(hr)}`,
            fingerprint(ruleId, uri, finding, innerPath),
            {
              ...common,
              innerPath,
              signer: commonName(file?.signer) ?? null,
              status: file?.status ?? ruleId,
            },
            [
              {
                // The file's own name: the last segment of the innermost path.
                name: innerPath.split(/ ▸ |\//).at(-1) || innerPath,
                fullyQualifiedName: qualified,
                // Only executables are verified and listed in the payload report.
                kind: file ? 'module' : 'resource',
              },
            ],
          ),
        );
      }
    }
    if (dropped.size > 0) {
      const count = [...dropped.values()].reduce((a, b) => a + b, 0);
      const detail = [...dropped].map(([code, n]) => `${n} × ${code}`).join(', ');
      const hash = createHash('sha256')
        .update(`findings-capped\u0000${uri}\u0000inner`)
        .digest('hex');
      results.push(
        result(
          'findings-capped',
          droppedLevel,
          sarifText(
            `${artifact.path}: ${count} more inner files have findings (${detail}); only ${MAX_INNER_RESULTS_PER_ARTIFACT} are reported one by one per artifact, the JSON report lists them all`,
          ),
          hash,
          { innerFilesNotShown: count },
        ),
      );
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

/** The artifact's verified inner executables by inner path. */
function innerFiles(artifact: ArtifactReport): Map<string, InnerFileReport> {
  return new Map((artifact.payload?.files ?? []).map((file) => [file.path, file]));
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
