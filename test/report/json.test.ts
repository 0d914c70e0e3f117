import { describe, expect, it } from 'vitest';
import { HRESULT } from '../../src/findings.js';
import { artifactStatus, renderJson, summarize } from '../../src/report/json.js';
import type { Report } from '../../src/report/model.js';
import {
  artifact,
  finding,
  HOSTILE,
  hostileReport,
  mixedReport,
  report,
} from './support/report-builder.js';
import { RAW_CONTROL_EXCEPT_LF } from './support/patterns.js';

describe('artifactStatus', () => {
  it('passes with status "valid" when there is no error finding', () => {
    expect(artifactStatus([])).toEqual({ verdict: 'pass', status: 'valid' });
    expect(
      artifactStatus([finding('weak-digest', 'warning'), finding('chain-root', 'notice')]),
    ).toEqual({ verdict: 'pass', status: 'valid' });
  });

  it('fails with the first error in worst-first order', () => {
    expect(
      artifactStatus([
        finding('expires-soon', 'warning'),
        finding('chain-incomplete', 'error'),
        finding('wrong-signer', 'error'),
      ]),
    ).toEqual({ verdict: 'fail', status: 'chain-incomplete' });
  });
});

describe('summarize', () => {
  it('counts passes, failures and warning findings', () => {
    const r = mixedReport();
    expect(summarize(r.artifacts)).toEqual({ total: 3, passed: 2, failed: 1, warnings: 2 });
  });

  it('counts warnings of the run itself when given', () => {
    expect(summarize([], [finding('too-few-artifacts', 'warning')])).toEqual({
      total: 0,
      passed: 0,
      failed: 0,
      warnings: 1,
    });
  });
});

describe('renderJson', () => {
  it('writes the contract keys in their documented order with two-space indent and a final newline', () => {
    const text = renderJson(mixedReport());
    expect(text.endsWith('}\n')).toBe(true);
    expect(
      text.startsWith('{\n  "schemaVersion": 1,\n  "tool": {\n    "name": "verify-authenticode",'),
    ).toBe(true);
    const parsed = JSON.parse(text) as Report;
    expect(Object.keys(parsed)).toEqual([
      'schemaVersion',
      'tool',
      'artifacts',
      'summary',
      'endpointCertificates',
    ]);
    expect(Object.keys(parsed.artifacts[0]!)).toEqual([
      'path',
      'kind',
      'size',
      'verdict',
      'status',
      'findings',
      'signatures',
      'patchCertificate',
    ]);
    expect(Object.keys(parsed.artifacts[0]!.signatures[0]!)).toEqual([
      'index',
      'digestAlgorithm',
      'signer',
      'timestamp',
      'chain',
      'valid',
    ]);
    expect(Object.keys(parsed.artifacts[0]!.signatures[0]!.signer!)).toEqual([
      'subject',
      'issuer',
      'serialNumber',
      'sha1',
      'sha256',
      'notBefore',
      'notAfter',
    ]);
    expect(Object.keys(parsed.artifacts[0]!.signatures[0]!.timestamp!)).toEqual([
      'time',
      'kind',
      'signer',
      'valid',
    ]);
    expect(Object.keys(parsed.endpointCertificates![0]!)[0]).toBe('role');
  });

  it('does not depend on the order objects were built in', () => {
    const a = report([
      artifact({
        path: 'a.msi',
        findings: [finding('chain-incomplete', 'error', 'm', HRESULT.CERT_E_CHAINING)],
      }),
    ]);
    const shuffled = JSON.parse(JSON.stringify(a), (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as Record<string, unknown>).reverse())
        : v,
    ) as Report;
    expect(renderJson(shuffled)).toBe(renderJson(a));
  });

  it('writes findings worst first, keeping order within a severity', () => {
    const r = report([
      artifact({
        path: 'a.msi',
        findings: [
          finding('chain-root', 'notice'),
          finding('expires-soon', 'warning'),
          finding('untrusted-root', 'error'),
          finding('wrong-signer', 'error'),
        ],
      }),
    ]);
    const parsed = JSON.parse(renderJson(r)) as Report;
    expect(parsed.artifacts[0]!.findings.map((f) => f.code)).toEqual([
      'untrusted-root',
      'wrong-signer',
      'expires-soon',
      'chain-root',
    ]);
  });

  it('keeps exact file text for consumers but writes terminal-active characters as \\u escapes', () => {
    const r = hostileReport();
    const text = renderJson(r);
    expect(text).not.toMatch(RAW_CONTROL_EXCEPT_LF);
    expect(text).not.toMatch(/\udb40[\udc00-\udc7f]/);
    expect(text).toContain('\\u001b[31m');
    expect(text).toContain('\\u202e');
    expect(text).toContain('\\u009b');
    expect(text).toContain('\\udb40\\udc41');
    const parsed = JSON.parse(text) as Report;
    expect(parsed.artifacts[0]!.path).toBe(r.artifacts[0]!.path);
    expect(parsed.artifacts[0]!.path).toContain(HOSTILE.bidi);
    expect(parsed).toEqual(JSON.parse(JSON.stringify(r)));
  });
});
