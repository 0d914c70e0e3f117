import { sortFindings, type Finding } from '../findings.js';
import { displayRelative, rulesForPath } from '../io/path-rules.js';
import { describeCode } from './code-descriptions.js';
import {
  escapeWorkflowData,
  escapeWorkflowProperty,
  hasInvisible,
  sanitizeForTerminal,
  truncateMiddle,
} from './escape.js';
import { clip, orderedFindings, plural } from './format.js';
import type { ArtifactReport, Report } from './model.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  /** Names the finding code. Our text only. */
  title: string;
  /** May span lines; file-controlled text in it is already sanitised. */
  message: string;
  /** Artifact path relative to the workspace, forward slashes; absent when it cannot link. */
  file?: string;
}

export interface AnnotationOptions {
  /** GITHUB_WORKSPACE: `file` is made relative to it. */
  workspace: string;
  /** Directory relative artifact paths are relative to (default: the workspace). */
  cwd?: string;
  /** GitHub shows at most 10 error and 10 warning annotations per step. */
  maxPerLevel?: number;
  /**
   * Error annotations the front end will add itself (the step's failure message, a report that
   * could not be written): left free so the runner keeps them.
   */
  reservedErrors?: number;
}

/** Keeps one annotation readable and well under the runner's limits. */
const MAX_MESSAGE_CHARS = 4000;
const MAX_FINDING_CHARS = 600;
const MAX_PATH_CHARS = 300;

/**
 * The path GitHub needs to attach an annotation to a file: relative to the workspace with
 * forward slashes. Undefined for a file outside the workspace (GitHub could not show it) and for
 * a name with control or invisible characters (the path would not survive display; the message
 * still names the file, sanitised).
 */
export function workspaceRelativePath(
  path: string,
  workspace: string,
  cwd: string = workspace,
): string | undefined {
  if (!path || hasInvisible(path)) return undefined;
  const rules = rulesForPath(workspace);
  return displayRelative(rules.api.resolve(cwd, path), workspace, rules);
}

const s = (text: string): string => sanitizeForTerminal(text);

function findingText(finding: Finding): string {
  const hr = finding.hresult ? ` (${s(finding.hresult)})` : '';
  return `${clip(s(finding.message), MAX_FINDING_CHARS)}${hr}`;
}

function titleFor(finding: Finding, others: number): string {
  const more = others > 0 ? ` (+${others} more)` : '';
  return `${s(finding.code)}: ${describeCode(finding.code).title}${more}`;
}

/**
 * One annotation for an artifact: the worst finding leads the message, every other error and
 * warning (and, for failures, notice) is listed after it.
 */
function artifactAnnotation(
  artifact: ArtifactReport,
  level: 'error' | 'warning',
  options: AnnotationOptions,
): Annotation {
  const findings = orderedFindings(artifact).filter(
    (f) => f.severity !== 'notice' || level === 'error',
  );
  const [worst, ...others] = findings;
  const lines: string[] = [];
  if (worst)
    lines.push(`${truncateMiddle(s(artifact.path), MAX_PATH_CHARS)}: ${findingText(worst)}`);
  let length = lines[0]?.length ?? 0;
  let omitted = 0;
  for (const other of others) {
    const line = `- ${other.severity} ${s(other.code)}: ${findingText(other)}`;
    if (length + line.length + 1 > MAX_MESSAGE_CHARS) {
      omitted++;
      continue;
    }
    lines.push(line);
    length += line.length + 1;
  }
  if (omitted > 0) lines.push(`… and ${plural(omitted, 'more finding')} (see the job summary)`);
  const file = workspaceRelativePath(artifact.path, options.workspace, options.cwd);
  return {
    level,
    title: worst ? titleFor(worst, others.length) : `${level}`,
    message: lines.join('\n'),
    ...(file !== undefined ? { file } : {}),
  };
}

/**
 * The annotations for a run: run-level errors and warnings first, then one error per failing
 * artifact and one warning per passing artifact with warnings, in report order. GitHub shows at
 * most `maxPerLevel` (10) errors and warnings per step; past that a single notice says how many
 * more there are and points to the job summary.
 */
export function planAnnotations(report: Report, options: AnnotationOptions): Annotation[] {
  const max = options.maxPerLevel ?? 10;
  const candidates: Annotation[] = [];
  for (const finding of sortFindings(report.runFindings ?? [])) {
    if (finding.severity === 'notice') continue;
    candidates.push({
      level: finding.severity,
      title: titleFor(finding, 0),
      message: findingText(finding),
    });
  }
  for (const artifact of report.artifacts) {
    if (artifact.verdict === 'fail') {
      candidates.push(artifactAnnotation(artifact, 'error', options));
    } else if (artifact.findings.some((f) => f.severity === 'warning')) {
      candidates.push(artifactAnnotation(artifact, 'warning', options));
    }
  }

  const kept: Annotation[] = [];
  const dropped = { error: 0, warning: 0 };
  const count = { error: 0, warning: 0 };
  const limit = { error: Math.max(0, max - (options.reservedErrors ?? 0)), warning: max };
  for (const annotation of candidates) {
    const level = annotation.level === 'error' ? 'error' : 'warning';
    if (count[level] < limit[level]) {
      count[level]++;
      kept.push(annotation);
    } else {
      dropped[level]++;
    }
  }
  if (dropped.error + dropped.warning > 0) {
    const parts = [
      dropped.error > 0 ? plural(dropped.error, 'more error') : '',
      dropped.warning > 0 ? plural(dropped.warning, 'more warning') : '',
    ].filter(Boolean);
    kept.push({
      level: 'notice',
      title: 'More results in the job summary',
      message: `${parts.join(' and ')} not shown as annotations: GitHub shows at most ${max} errors and ${max} warnings per step. The job summary and the JSON report list every artifact.`,
    });
  }
  return kept;
}

/**
 * The workflow command line for an annotation, `::error file=dist/a.msi,title=…::message`, with
 * the escaping the toolkit's `core.error(message, { file, title })` applies (which prints the
 * same properties, title first).
 */
export function formatWorkflowCommand(annotation: Annotation): string {
  const properties = [
    annotation.file ? `file=${escapeWorkflowProperty(annotation.file)}` : '',
    annotation.title ? `title=${escapeWorkflowProperty(annotation.title)}` : '',
  ].filter(Boolean);
  const head =
    properties.length > 0 ? `${annotation.level} ${properties.join(',')}` : annotation.level;
  return `::${head}::${escapeWorkflowData(annotation.message)}`;
}
