import { describe, expect, it } from 'vitest';
import { FINDING_CODES, HRESULT } from '../../src/findings.js';
import type { Report } from '../../src/report/model.js';
import { artifactUri, buildSarif, renderSarif, type SarifLog } from '../../src/report/sarif.js';
import { artifact, finding, hostileReport, mixedReport, report } from './support/report-builder.js';
import { RAW_CONTROL } from './support/patterns.js';

const base = '/home/runner/work/app/app';
const LEVELS = new Set(['none', 'note', 'warning', 'error']);

/** The structural rules of SARIF 2.1.0 a consumer relies on (a subset of the JSON schema). */
function assertValidSarif(log: SarifLog): void {
  expect(log.$schema).toMatch(/sarif-2\.1\.0/);
  expect(log.version).toBe('2.1.0');
  expect(log.runs).toHaveLength(1);
  const run = log.runs[0]!;
  const driver = run.tool.driver;
  expect(typeof driver.name).toBe('string');
  expect(driver.name.length).toBeGreaterThan(0);
  expect(driver.informationUri).toMatch(/^https:\/\//);
  const ids = driver.rules.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const rule of driver.rules) {
    expect(rule.id).toMatch(/^[a-z0-9-]+$/);
    expect(rule.shortDescription.text.length).toBeGreaterThan(0);
    expect(rule.fullDescription.text.length).toBeGreaterThan(0);
    expect(rule.help.text.length).toBeGreaterThan(0);
    expect(rule.help.markdown.length).toBeGreaterThan(0);
    expect(Array.isArray(rule.properties.tags)).toBe(true);
    expect(LEVELS.has(rule.defaultConfiguration.level)).toBe(true);
  }
  for (const result of run.results) {
    expect(ids).toContain(result.ruleId);
    expect(driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
    expect(LEVELS.has(result.level)).toBe(true);
    expect(result.message.text.length).toBeGreaterThan(0);
    expect(result.locations).toHaveLength(1);
    const location = result.locations[0]!.physicalLocation;
    expect(location.artifactLocation.uri).not.toMatch(/[\\\s]/);
    expect(location.region.startLine).toBeGreaterThanOrEqual(1);
    expect(Object.keys(result.partialFingerprints).length).toBeGreaterThan(0);
  }
  for (const n of run.invocations[0]!.toolExecutionNotifications) {
    expect(LEVELS.has(n.level)).toBe(true);
  }
}

describe('buildSarif', () => {
  it('produces a structurally valid SARIF 2.1.0 log with one rule per finding code', () => {
    const log = buildSarif(mixedReport(), { baseDirectory: base });
    assertValidSarif(log);
    const driver = log.runs[0]!.tool.driver;
    expect(driver.name).toBe('verify-authenticode');
    expect(driver.version).toBe('0.1.0');
    expect(driver.rules.map((r) => r.id)).toEqual([...FINDING_CODES]);
    const chain = driver.rules.find((r) => r.id === 'chain-incomplete')!;
    expect(chain.name).toBe('ChainIncomplete');
    expect(chain.shortDescription.text).toBe('Certificate chain is incomplete');
    expect(chain.fullDescription.text).toContain('0x800B010A (CERT_E_CHAINING)');
    expect(chain.help.text).toContain('osslsigncode sign -ac');
    expect(chain.help.markdown).toContain('**HRESULT:** `0x800B010A` (CERT_E_CHAINING)');
    expect(chain.properties.tags).toContain('authenticode');
  });

  it('reports every error and warning finding at its artifact, not notices by default', () => {
    const r = report([
      artifact({
        path: 'dist/a.msi',
        findings: [
          finding('chain-root', 'notice'),
          finding('expires-soon', 'warning', 'expires in 3 days'),
          finding('bad-digest', 'error', 'stream Binary.x changed', HRESULT.TRUST_E_BAD_DIGEST),
        ],
      }),
    ]);
    const results = buildSarif(r, { baseDirectory: base }).runs[0]!.results;
    expect(results.map((x) => [x.ruleId, x.level])).toEqual([
      ['bad-digest', 'error'],
      ['expires-soon', 'warning'],
    ]);
    expect(results[0]!.message.text).toBe(
      'dist/a.msi: stream Binary.x changed (HRESULT 0x80096010)',
    );
    expect(results[0]!.locations[0]!.physicalLocation.artifactLocation).toEqual({
      uri: 'dist/a.msi',
      uriBaseId: '%SRCROOT%',
    });
    const withNotes = buildSarif(r, { baseDirectory: base, includeNotices: true }).runs[0]!.results;
    expect(withNotes.map((x) => x.level)).toEqual(['error', 'warning', 'note']);
  });

  it('keeps fingerprints stable across runs whatever the messages or order', () => {
    const one = report([
      artifact({ path: 'dist/a.msi', findings: [finding('bad-digest', 'error', 'digest 1234')] }),
      artifact({ path: 'dist/b.msi', findings: [finding('bad-digest', 'error', 'digest 1')] }),
    ]);
    const two = report([
      artifact({ path: 'dist/b.msi', findings: [finding('bad-digest', 'error', 'digest 2')] }),
      artifact({ path: './dist/a.msi', findings: [finding('bad-digest', 'error', 'digest 5678')] }),
    ]);
    const prints = (r: Report) =>
      Object.fromEntries(
        buildSarif(r, { baseDirectory: base }).runs[0]!.results.map((x) => [
          x.locations[0]!.physicalLocation.artifactLocation.uri,
          x.partialFingerprints,
        ]),
      );
    expect(prints(two)).toEqual(prints(one));
    const values = Object.values(prints(one));
    expect(values[0]).not.toEqual(values[1]);
    expect(values[0]!.primaryLocationLineHash).toMatch(/^[0-9a-f]{16}:1$/);
  });

  it('puts findings about the run in tool execution notifications', () => {
    const r = report([], {
      runFindings: [finding('too-few-artifacts', 'error', 'found 0 artifacts')],
    });
    const run = buildSarif(r, { baseDirectory: base }).runs[0]!;
    expect(run.results).toEqual([]);
    expect(run.invocations[0]!.toolExecutionNotifications).toEqual([
      {
        level: 'error',
        message: { text: 'found 0 artifacts' },
        descriptor: { id: 'too-few-artifacts' },
      },
    ]);
  });

  it('escapes hostile text and keeps the log valid', () => {
    const log = buildSarif(hostileReport(), { baseDirectory: base });
    assertValidSarif(log);
    for (const result of log.runs[0]!.results) {
      expect(result.message.text).not.toMatch(RAW_CONTROL);
      // SARIF embedded links are [text](id): no unescaped bracket may remain.
      expect(result.message.text).not.toMatch(/(?<!\\)[[\]]/);
    }
    const text = renderSarif(hostileReport(), { baseDirectory: base });
    expect(() => JSON.parse(text)).not.toThrow();
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('uses the given information and help URIs', () => {
    const log = buildSarif(mixedReport(), {
      baseDirectory: base,
      informationUri: 'https://github.com/example/verify-authenticode',
      helpUriBase: 'https://github.com/example/verify-authenticode/blob/main/docs/finding-codes.md',
    });
    const driver = log.runs[0]!.tool.driver;
    expect(driver.informationUri).toBe('https://github.com/example/verify-authenticode');
    expect(driver.rules[0]!.helpUri).toBe(
      'https://github.com/example/verify-authenticode/blob/main/docs/finding-codes.md#not-a-package',
    );
  });
});

describe('artifactUri', () => {
  it('is relative to the base with forward slashes and each segment URI-escaped', () => {
    expect(artifactUri('dist/My App 1.0.msi', base)).toEqual({
      uri: 'dist/My%20App%201.0.msi',
      relative: true,
    });
    expect(artifactUri(`${base}/out/a#b?c%d.msi`, base).uri).toBe('out/a%23b%3Fc%25d.msi');
    expect(artifactUri('dist/ü.msi', base).uri).toBe('dist/%C3%BC.msi');
    expect(artifactUri('out\\x y.msi', 'D:\\a\\app\\app')).toEqual({
      uri: 'out/x%20y.msi',
      relative: true,
    });
  });

  it('is an absolute file URI outside the base', () => {
    expect(artifactUri('/tmp/a b.msi', base)).toEqual({
      uri: 'file:///tmp/a%20b.msi',
      relative: false,
    });
    expect(artifactUri('E:\\out\\a.msi', 'D:\\a\\app')).toEqual({
      uri: 'file:///E:/out/a.msi',
      relative: false,
    });
  });
});
