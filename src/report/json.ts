import { sortFindings, type Finding } from '../findings.js';
import type { ArtifactReport, Report, ReportSummary } from './model.js';

/**
 * Verdict and status from an artifact's findings: fail iff any error; the status is the code of
 * the first error in worst-first order (sortFindings keeps the findings' order within a
 * severity), or "valid".
 */
export function artifactStatus(findings: readonly Finding[]): {
  verdict: 'pass' | 'fail';
  status: string;
} {
  const firstError = sortFindings(findings).find((f) => f.severity === 'error');
  return firstError
    ? { verdict: 'fail', status: firstError.code }
    : { verdict: 'pass', status: 'valid' };
}

/**
 * Counts for the report's summary. `warnings` counts warning findings of the artifacts and, when
 * given, of the run itself.
 */
export function summarize(
  artifacts: readonly ArtifactReport[],
  runFindings: readonly Finding[] = [],
): ReportSummary {
  const passed = artifacts.filter((a) => a.verdict === 'pass').length;
  const countWarnings = (findings: readonly Finding[]) =>
    findings.filter((f) => f.severity === 'warning').length;
  return {
    total: artifacts.length,
    passed,
    failed: artifacts.length - passed,
    warnings:
      artifacts.reduce((n, a) => n + countWarnings(a.findings), 0) + countWarnings(runFindings),
  };
}

/*
 * Key order of each object in the JSON report (issue #2's contract order, then additions).
 * Keys not listed (fields added later) follow in alphabetical order, so output never depends on
 * how an object was built.
 */
type Shape =
  | 'report'
  | 'tool'
  | 'artifact'
  | 'finding'
  | 'signature'
  | 'certificate'
  | 'timestamp'
  | 'patchCertificate'
  | 'summary'
  | 'pattern'
  | 'payload'
  | 'innerFile'
  | 'allowUnsigned';

interface ShapeRule {
  order: readonly string[];
  /** Shapes of object-valued (or array-of-object) children. */
  children?: Readonly<Record<string, Shape>>;
}

const SHAPES: Readonly<Record<Shape, ShapeRule>> = {
  report: {
    order: [
      'schemaVersion',
      'tool',
      'artifacts',
      'summary',
      'runFindings',
      'endpointCertificates',
      'patterns',
    ],
    children: {
      patterns: 'pattern',
      tool: 'tool',
      artifacts: 'artifact',
      summary: 'summary',
      runFindings: 'finding',
      endpointCertificates: 'certificate',
    },
  },
  tool: { order: ['name', 'version'] },
  summary: { order: ['total', 'passed', 'failed', 'warnings'] },
  pattern: { order: ['pattern', 'count'] },
  artifact: {
    order: [
      'path',
      'kind',
      'size',
      'verdict',
      'status',
      'findings',
      'signatures',
      'patchCertificate',
      'payload',
    ],
    children: {
      findings: 'finding',
      signatures: 'signature',
      patchCertificate: 'patchCertificate',
      payload: 'payload',
    },
  },
  finding: { order: ['severity', 'code', 'message', 'hresult', 'signatureIndex', 'innerPaths'] },
  signature: {
    order: [
      'index',
      'digestAlgorithm',
      'signer',
      'timestamp',
      'chain',
      'valid',
      'storedDigest',
      'computedDigest',
    ],
    children: { signer: 'certificate', timestamp: 'timestamp', chain: 'certificate' },
  },
  certificate: {
    order: [
      'role',
      'subject',
      'commonName',
      'issuer',
      'serialNumber',
      'sha1',
      'sha256',
      'notBefore',
      'notAfter',
    ],
  },
  timestamp: {
    order: ['time', 'kind', 'signer', 'valid'],
    children: { signer: 'certificate' },
  },
  patchCertificate: { order: ['state', 'certificates'], children: { certificates: 'certificate' } },
  payload: {
    order: ['level', 'summary', 'files', 'allowUnsigned'],
    children: { files: 'innerFile', allowUnsigned: 'allowUnsigned' },
  },
  innerFile: {
    order: ['path', 'size', 'verdict', 'status', 'signer', 'findings', 'allowedBy'],
    children: { signer: 'certificate' },
  },
  allowUnsigned: { order: ['glob', 'count'] },
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function orderKeys(value: unknown, shape: Shape | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => orderKeys(item, shape));
  if (!isPlainObject(value)) return value;
  const rule = shape ? SHAPES[shape] : undefined;
  const known = rule?.order ?? [];
  const keys = Object.keys(value);
  const ordered = [
    ...known.filter((k) => keys.includes(k)),
    ...keys.filter((k) => !known.includes(k)).sort(),
  ];
  const out: Record<string, unknown> = {};
  for (const key of ordered) {
    let child = value[key];
    if (shape === 'artifact' && key === 'findings' && Array.isArray(child)) {
      child = sortFindings(child as Finding[]);
    }
    if (shape === 'report' && key === 'runFindings' && Array.isArray(child)) {
      child = sortFindings(child as Finding[]);
    }
    out[key] = orderKeys(child, rule?.children?.[key]);
  }
  return out;
}

/*
 * Characters JSON.stringify leaves raw that a terminal or an editor acts on: DEL, C1 controls
 * (U+009B is a one-character CSI), bidi controls, invisible and tag characters. They only occur
 * inside strings, where a \u escape decodes to the same text, so consumers see no difference.
 */
const JSON_UNSAFE =
  /[\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb]|\udb40[\udc00-\udc7f]/g;

function escapeUnsafe(json: string): string {
  return json.replace(JSON_UNSAFE, (s) =>
    Array.from(
      { length: s.length },
      (_, i) => `\\u${s.charCodeAt(i).toString(16).padStart(4, '0')}`,
    ).join(''),
  );
}

/**
 * The JSON report: the public contract (schemaVersion 1). Keys in a fixed order, findings worst
 * first, two-space indent, a final newline. Strings keep their exact text (a JSON consumer gets
 * the real paths and names); characters that could act on a terminal are written as \u escapes.
 */
export function renderJson(report: Report): string {
  return `${escapeUnsafe(JSON.stringify(orderKeys(report, 'report'), null, 2))}\n`;
}
