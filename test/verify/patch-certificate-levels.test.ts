import { describe, expect, it } from 'vitest';
import { verifyJson } from '../support/cli-in-process.js';
import { loadManifest } from '../support/manifest.js';

const manifest = loadManifest();

type Level = 'off' | 'warn' | 'require';
type Expected = 'error' | 'warning' | 'notice' | null;

/**
 * Issue 14's table, one row per case: the artifact under test, the companions it runs with,
 * the finding code the case produces and its severity under off, warn and require.
 */
const CASES: {
  name: string;
  artifact: string;
  companions: string[];
  code: 'patch-certificate-missing' | 'patch-certificate-mismatch';
  levels: Record<Level, Expected>;
}[] = [
  {
    name: 'MSI has no MsiPatchCertificate table',
    artifact: 'fixtures/msi/signed-sha256.msi',
    companions: [],
    code: 'patch-certificate-missing',
    levels: { off: null, warn: 'warning', require: 'error' },
  },
  {
    name: "MSI's table does not list the pinned signer",
    artifact: 'fixtures/msi/signed-patchcert-signer2-sha256.msi',
    companions: [],
    code: 'patch-certificate-mismatch',
    levels: { off: null, warn: 'warning', require: 'error' },
  },
  {
    name: "patch's target has no table",
    artifact: 'fixtures/msp/signed-target-without-patchcert.msp',
    companions: ['fixtures/msi/signed-sha256.msi'],
    code: 'patch-certificate-missing',
    levels: { off: null, warn: 'warning', require: 'error' },
  },
  {
    name: "patch's target has a filled table that does not list the patch's signer",
    artifact: 'fixtures/msp/signed-target-patchcert-signer2.msp',
    companions: ['fixtures/msi/signed-patchcert-signer2-sha256.msi'],
    code: 'patch-certificate-mismatch',
    levels: { off: 'notice', warn: 'error', require: 'error' },
  },
  {
    name: 'no target MSI found for a patch',
    artifact: 'fixtures/msp/signed.msp',
    companions: [],
    code: 'patch-certificate-missing',
    levels: { off: null, warn: 'notice', require: 'warning' },
  },
];

describe('patch-certificate levels (issue 14 table)', () => {
  for (const testCase of CASES) {
    for (const level of ['off', 'warn', 'require'] as const) {
      const expected = testCase.levels[level];
      it(`${testCase.name}: ${level} → ${expected ?? 'nothing'}`, async () => {
        const { report } = await verifyJson([
          ...manifest.standardOptions,
          '--patch-certificate',
          level,
          testCase.artifact,
          ...testCase.companions,
        ]);
        const artifact = report.artifacts.find((a) => a.path === testCase.artifact)!;
        const patchFindings = artifact.findings
          .filter((f) => f.code.startsWith('patch-certificate-'))
          .map((f) => [f.severity, f.code]);
        expect(patchFindings).toEqual(expected ? [[expected, testCase.code]] : []);
        // Everything else about these fixtures is valid: the level alone decides the verdict.
        expect(artifact.verdict).toBe(expected === 'error' ? 'fail' : 'pass');
      });
    }
  }
});
