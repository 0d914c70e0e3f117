import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings.js';
import { evaluatePayload, type InnerVerdict } from '../../src/payload/policy.js';
import type { PayloadFile } from '../../src/payload/walk.js';
import type { ArtifactReport, InnerFileReport } from '../../src/report/model.js';
import {
  buildSarif,
  MAX_INNER_RESULTS_PER_ARTIFACT,
  type SarifResult,
} from '../../src/report/sarif.js';
import { loadCertificateFile } from '../../src/trust/bundle.js';
import { PinSet, parsePin } from '../../src/trust/pin.js';
import { artifact, certificate, finding, report, SIGNER } from './support/report-builder.js';

/*
 * SARIF for the files inside a package (issue 17): one result per problematic inner file, named
 * by a logical location, from the findings' innerPaths (data), never from their message text.
 */

const base = '/home/runner/work/app/app';
const pem = (name: string) => loadCertificateFile(`fixtures/pki/${name}.pem`)[0]!;
const pinned = new PinSet(parsePin('fixtures/pki/signer.pem'));
const VENDOR = certificate('CN=Fabrikam Redistributables, O=Fabrikam, C=US');

const APP = '[ProgramFilesFolder]/App/app.exe';
const HELPER = '[ProgramFilesFolder]/App/bin/helper.dll';
const REDIST = '[SystemFolder]/fabrikam.dll';
const BROKEN = '[ProgramFilesFolder]/App/broken.dll';

const pe = (path: string): PayloadFile => ({
  path: [path],
  size: 4096,
  origin: 'cabinet',
  container: '#product.cab',
  compression: 'mszip',
  kind: 'pe',
});
const verdict = (path: string, overrides: Partial<InnerVerdict>): InnerVerdict => ({
  file: pe(path),
  unsigned: false,
  valid: false,
  signer: null,
  signerName: null,
  problem: null,
  ...overrides,
});
const inner = (path: string, overrides: Partial<InnerFileReport>): InnerFileReport => ({
  path,
  size: 4096,
  verdict: 'fail',
  status: 'unsigned',
  signer: null,
  findings: ['unsigned'],
  ...overrides,
});

/** An MSI whose payload findings come from the real policy module. */
function product(verdicts: InnerVerdict[], files: InnerFileReport[], extra: Finding[] = []) {
  const evaluation = evaluatePayload(
    verdicts,
    { level: 'require', signers: null, allowUnsigned: [] },
    pinned,
  );
  const base_: ArtifactReport = artifact({
    path: 'out/product.msi',
    findings: [...evaluation.findings, ...extra],
  });
  return {
    ...base_,
    payload: { level: 'require' as const, summary: 'x', files, allowUnsigned: [] },
  };
}

const resultsOf = (a: ArtifactReport): SarifResult[] =>
  buildSarif(report([a]), { baseDirectory: base }).runs[0]!.results;

describe('SARIF results for the files inside a package', () => {
  const signer = pem('signer');
  const stranger = pem('ecdsa');
  const msi = product(
    [
      verdict(APP, { valid: true, signer, signerName: 'Contoso Release Signing' }),
      verdict(HELPER, { unsigned: true }),
      verdict(BROKEN, { problem: 'bad-digest' }),
      verdict(REDIST, { valid: true, signer: stranger, signerName: 'Fabrikam Redistributables' }),
    ],
    [
      inner(APP, { verdict: 'pass', status: 'valid', signer: SIGNER, findings: [] }),
      inner(HELPER, {}),
      inner(BROKEN, { status: 'bad-digest', signer: SIGNER, findings: ['bad-digest'] }),
      inner(REDIST, { verdict: 'pass', status: 'valid', signer: VENDOR, findings: [] }),
    ],
  );

  it('the policy findings carry their inner paths as data', () => {
    expect(msi.findings.map((f) => [f.code, f.innerPaths])).toEqual([
      ['payload-unsigned', [HELPER]],
      ['payload-unsigned', [BROKEN]],
      ['payload-wrong-signer', [REDIST]],
    ]);
  });

  it('one result per problematic inner file, with its logical location and properties', () => {
    const results = resultsOf(msi);
    expect(results.map((r) => [r.ruleId, r.level, r.properties?.innerPath])).toEqual([
      ['payload-unsigned', 'error', HELPER],
      ['payload-unsigned', 'error', BROKEN],
      ['payload-wrong-signer', 'error', REDIST],
    ]);
    const [helper, broken, redist] = results;
    expect(helper!.logicalLocations).toEqual([
      {
        name: 'helper.dll',
        fullyQualifiedName: `out/product.msi ▸ ${HELPER}`,
        kind: 'module',
      },
    ]);
    expect(helper!.properties).toEqual({
      artifactKind: 'msi',
      innerPath: HELPER,
      signer: null,
      status: 'unsigned',
    });
    // SARIF message text escapes brackets (embedded links, SARIF 2.1.0 §3.11.6).
    expect(helper!.message.text).toBe(
      'out/product.msi ▸ \\[ProgramFilesFolder\\]/App/bin/helper.dll: this executable inside is not signed',
    );
    expect(broken!.properties).toMatchObject({
      signer: 'Contoso Code Signing',
      status: 'bad-digest',
    });
    expect(broken!.message.text).toContain('has a signature that does not verify (bad-digest)');
    expect(redist!.properties).toMatchObject({
      signer: 'Fabrikam Redistributables',
      status: 'valid',
    });
    expect(redist!.message.text).toContain('signed by Fabrikam Redistributables');
    // The physical location stays the artifact: code scanning attaches the alert to the file.
    expect(helper!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('out/product.msi');
    // Each inner file is an alert of its own across runs.
    const keys = results.map((r) => r.partialFingerprints['verifyAuthenticode/v1']);
    expect(new Set(keys).size).toBe(3);
  });

  it('a file that is not a verified executable is a resource; its status is the finding code', () => {
    const cab = '[ProgramFilesFolder]/App/inner.cab';
    const a = product(
      [],
      [],
      [
        finding('corrupt-payload', 'warning', 'inner.cab: bad header', undefined, {
          innerPaths: [cab],
        }),
      ],
    );
    const [result] = resultsOf(a);
    expect(result!.ruleId).toBe('corrupt-payload');
    expect(result!.logicalLocations).toEqual([
      { name: 'inner.cab', fullyQualifiedName: `out/product.msi ▸ ${cab}`, kind: 'resource' },
    ]);
    expect(result!.properties).toMatchObject({
      innerPath: cab,
      signer: null,
      status: 'corrupt-payload',
    });
    expect(result!.message.text).toContain('inner.cab: bad header');
  });

  it('a finding about the artifact itself keeps its single result and fingerprint', () => {
    const plain = finding('expires-soon', 'warning', 'the signer expires in 10 days');
    const a = product([], [], [plain]);
    const [result] = resultsOf(a);
    expect(result!.ruleId).toBe('expires-soon');
    expect(result!.logicalLocations).toBeUndefined();
    expect(result!.properties).toEqual({ artifactKind: 'msi' });
    const alone = resultsOf(artifact({ path: 'out/product.msi', findings: [plain] }))[0]!;
    expect(result!.partialFingerprints).toEqual(alone.partialFingerprints);
  });

  it(`caps inner results at ${MAX_INNER_RESULTS_PER_ARTIFACT} per artifact, then one result counts the rest`, () => {
    const paths = Array.from({ length: 120 }, (_, i) => `[ProgramFilesFolder]/App/x${i}.dll`);
    const a = product(
      paths.map((p) => verdict(p, { unsigned: true })),
      paths.map((p) => inner(p, {})),
    );
    expect(a.findings.map((f) => f.code)).toEqual(['payload-unsigned']);
    expect(a.findings[0]!.innerPaths).toHaveLength(120);
    const results = resultsOf(a);
    expect(MAX_INNER_RESULTS_PER_ARTIFACT).toBe(50);
    expect(results).toHaveLength(51);
    expect(results.slice(0, 50).every((r) => r.ruleId === 'payload-unsigned')).toBe(true);
    expect(results.slice(0, 50).map((r) => r.properties?.innerPath)).toEqual(paths.slice(0, 50));
    const rest = results[50]!;
    expect(rest.ruleId).toBe('findings-capped');
    expect(rest.level).toBe('error');
    expect(rest.message.text).toBe(
      'out/product.msi: 70 more inner files have findings (70 × payload-unsigned); only 50 are reported one by one per artifact, the JSON report lists them all',
    );
    expect(rest.properties).toEqual({ artifactKind: 'msi', innerFilesNotShown: 70 });
    // The cap is per artifact: a second package gets its own 50.
    const two = buildSarif(report([a, { ...a, path: 'out/other.msi' }]), { baseDirectory: base });
    expect(two.runs[0]!.results).toHaveLength(102);
  });
});
