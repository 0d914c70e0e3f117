/**
 * Cross-check against an independent implementation: osslsigncode's verdict and its calculated
 * digests on every committed fixture. Where we deliberately differ, the difference is named in
 * OSSLSIGNCODE_DIFFERENCES (src/report/code-descriptions.ts) with its reason, and rendered into
 * docs/finding-codes.md.
 */
import { describe, expect, it } from 'vitest';
import { run } from '../support/processes.js';
import { skipWithout, titled } from '../support/tools.js';
import { loadManifest, REPO } from '../support/manifest.js';
import { verifyJson } from '../support/cli-in-process.js';
import { OSSLSIGNCODE_DIFFERENCES } from '../../src/report/index.js';

const manifest = loadManifest();

/** Codes about our policy (pin, patch certificates, cabinets), which osslsigncode does not check. */
const POLICY_CODES = new Set([
  'wrong-signer',
  'patch-certificate-missing',
  'patch-certificate-mismatch',
  'external-cabinet-missing',
  'external-cabinet-mismatch',
  'weak-digest',
  'timestamp-missing',
]);

/**
 * Fixtures where our verdict on the signature itself deliberately differs from osslsigncode's:
 * the list docs/finding-codes.md renders, so every difference is named there with its reason.
 */
const NAMED_DIFFERENCES: Record<string, string> = Object.fromEntries(
  OSSLSIGNCODE_DIFFERENCES.flatMap((d) =>
    d.fixtures.map((path) => [path, `${d.topic}: ${d.why}`] as const),
  ),
);

/** Fixtures whose computed digest deliberately differs from osslsigncode's calculated one. */
const DIGEST_DIFFERENCES: Record<string, string> = {
  'fixtures/msi/signed-dse-metadata-changed.msi':
    'osslsigncode feeds its recomputed pre-hash into the digest (docs/formats.md §5.4)',
  'fixtures/msi/signed-dse-empty-stream-added.msi':
    'osslsigncode feeds its recomputed pre-hash into the digest (docs/formats.md §5.4)',
  'fixtures/damaged/cab-gap-before-signature.cab':
    'osslsigncode hashes up to the signature offset, we (and jsign) up to cbCabinet; the bytes in between are a trailing-data error for us (docs/hostile-input.md)',
};

function osslsigncodeVerify(path: string, extra: readonly string[] = []) {
  const result = run(
    'osslsigncode',
    [
      'verify',
      '-CAfile',
      'fixtures/pki/trusted-roots.pem',
      '-TSA-CAfile',
      'fixtures/pki/tsa-roots.pem',
      ...extra,
      '-in',
      path,
    ],
    { cwd: REPO },
  );
  const output = result.stdout + result.stderr;
  const calculated: string[] = [];
  for (const match of output.matchAll(
    /^Calculated (?:DigitalSignature|message digest)\s*:\s*([0-9A-F]+)/gm,
  )) {
    calculated.push(match[1]!.toLowerCase());
  }
  return { ok: result.status === 0, output, calculated };
}

describe('named differences', () => {
  it('name committed fixtures of the manifest only', () => {
    const paths = new Set(manifest.fixtures.map((f) => f.path));
    for (const path of Object.keys(NAMED_DIFFERENCES)) expect(paths, path).toContain(path);
  });

  it("match the manifest's recorded osslsigncode observations", () => {
    for (const difference of OSSLSIGNCODE_DIFFERENCES) {
      for (const path of difference.fixtures) {
        const fixture = manifest.fixtures.find((f) => f.path === path)!;
        const oursOk = !fixture.expected.codes.some((c) => !POLICY_CODES.has(c));
        expect(oursOk, `${path}: ${difference.topic}`).not.toBe(fixture.osslsigncode === 'ok');
      }
    }
  });
});

/** Why the suite skips, when it does (test/support/tools.ts). */
const SKIP = skipWithout('osslsigncode');

describe.skipIf(SKIP)(titled('agreement with osslsigncode on every fixture', SKIP), () => {
  const cases = manifest.fixtures.map((f) => [f.path, f] as const);

  it.each(cases)('%s', async (path, fixture) => {
    const theirs = osslsigncodeVerify(path, fixture.osslsigncodeOptions);
    const { report } = await verifyJson([
      ...manifest.standardOptions,
      ...(fixture.options ?? []),
      path,
      ...(fixture.companions ?? []),
    ]);
    const artifact = report.artifacts.find((a) => a.path === path)!;
    // Our verdict on the signature alone: every error except those about our extra policy.
    const signatureErrors = artifact.findings.filter(
      (f) => f.severity === 'error' && !POLICY_CODES.has(f.code),
    );
    const oursOk = signatureErrors.length === 0;
    const difference = NAMED_DIFFERENCES[path];
    if (difference) {
      expect(oursOk, difference).not.toBe(theirs.ok);
    } else {
      expect(
        oursOk,
        `${signatureErrors.map((f) => f.code).join(', ')} vs osslsigncode:\n${theirs.output}`,
      ).toBe(theirs.ok);
    }
    expect(theirs.ok ? 'ok' : 'not ok').toBe(fixture.osslsigncode === 'ok' ? 'ok' : 'not ok');
  });

  it.each(cases.filter(([, f]) => f.kind !== 'unknown'))(
    "%s: our computed digests equal osslsigncode's calculated ones",
    async (path, fixture) => {
      const theirs = osslsigncodeVerify(path, fixture.osslsigncodeOptions);
      if (theirs.calculated.length === 0) return; // osslsigncode computed nothing (unsigned, refused)
      const { report } = await verifyJson([
        ...manifest.standardOptions,
        path,
        ...(fixture.companions ?? []),
      ]);
      const ours = report.artifacts
        .find((a) => a.path === path)!
        .signatures.map((s) => s.computedDigest);
      const difference = DIGEST_DIFFERENCES[path];
      if (difference) {
        expect(theirs.calculated, difference).not.toContain(ours[0]);
        return;
      }
      // osslsigncode prints, per signature, the file digest first (then, for MSI, the messageDigest).
      for (const digest of ours) expect(theirs.calculated).toContain(digest);
    },
  );
});
