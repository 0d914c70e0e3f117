import { describe, expect, it } from 'vitest';
import { loadManifest } from '../support/manifest.js';
import { verifyJson } from '../support/cli-in-process.js';

const manifest = loadManifest();

describe('every committed fixture gets its expected verdict and finding codes', () => {
  it.each(manifest.fixtures.map((f) => [f.path, f] as const))('%s', async (_path, fixture) => {
    const { status, report } = await verifyJson([
      ...manifest.standardOptions,
      ...(fixture.options ?? []),
      fixture.path,
      ...(fixture.companions ?? []),
    ]);
    const artifact = report.artifacts.find((a) => a.path === fixture.path);
    expect(artifact, `report has ${fixture.path}`).toBeDefined();
    const errors = artifact!.findings.filter((f) => f.severity === 'error').map((f) => f.code);
    const warnings = artifact!.findings.filter((f) => f.severity === 'warning').map((f) => f.code);
    expect({
      kind: artifact!.kind,
      verdict: artifact!.verdict,
      status: artifact!.status,
      errors: [...new Set(errors)].sort(),
      warnings: [...new Set(warnings)].sort(),
    }).toEqual({
      kind: fixture.kind,
      verdict: fixture.expected.verdict,
      status: fixture.expected.status,
      errors: [...new Set(fixture.expected.codes)].sort(),
      warnings: [...new Set(fixture.expected.warnings)].sort(),
    });
    expect(status).toBe(fixture.expected.verdict === 'pass' ? 0 : 1);
  });

  it('the corpus covers every kind and the main finding codes', () => {
    const kinds = new Set(manifest.fixtures.map((f) => f.kind));
    for (const kind of ['msi', 'msp', 'cab', 'pe', 'unknown']) expect(kinds).toContain(kind);
    const statuses = new Set(manifest.fixtures.map((f) => f.expected.status));
    for (const code of [
      'valid',
      'not-a-package',
      'malformed-package',
      'unsigned',
      'malformed-signature',
      'bad-digest',
      'chain-incomplete',
      'untrusted-root',
      'expired',
      'not-yet-valid',
      'no-codesigning-eku',
      'wrong-signer',
    ]) {
      expect(statuses, code).toContain(code);
    }
  });
});
