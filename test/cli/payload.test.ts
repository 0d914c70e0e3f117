import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ArtifactReport, Report } from '../../src/report/model.js';
import { cli, plainLines, STANDARD_OPTIONS } from './cli-process.js';

/*
 * Issue 17's "Done when": a wixl-built MSI, signed by the pinned signer, whose cabinet holds
 * app.exe and core.dll signed by the same signer and helper.dll unsigned.
 */
const MSI = 'fixtures/payload/msi-signed-unsigned-dll.msi';
const HELPER = '[ProgramFilesFolder]/Contoso Payload/bin/helper.dll';
const temp = mkdtempSync(join(tmpdir(), 'va-payload-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function verify(name: string, extra: string[]) {
  const json = join(temp, `${name}.json`);
  const result = cli(['verify', MSI, ...STANDARD_OPTIONS, ...extra, '--json', json]);
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  const artifact = report.artifacts[0]!;
  const codes = (severity: string) =>
    artifact.findings.filter((f) => f.severity === severity).map((f) => f.code);
  return { result, artifact, codes, lines: plainLines(result.stdout) };
}

function payloadOf(artifact: ArtifactReport) {
  expect(artifact.payload).toBeDefined();
  return artifact.payload!;
}

describe('verify --payload: the executables inside an MSI', () => {
  it('require: the unsigned DLL is an error naming its install path; exit 1', () => {
    const { result, artifact, codes, lines } = verify('require', ['--payload', 'require']);
    expect(result.status).toBe(1);
    expect(artifact.verdict).toBe('fail');
    expect(artifact.status).toBe('payload-unsigned');
    expect(codes('error')).toEqual(['payload-unsigned']);
    const finding = artifact.findings.find((f) => f.code === 'payload-unsigned')!;
    expect(finding.message).toContain(HELPER);
    expect(lines).toContain(
      `    ✖ error payload-unsigned: 1 executable(s) inside are not signed: ${HELPER}`,
    );
    expect(lines).toContain(`    ⚠ ${MSI} ▸ ${HELPER}  unsigned  no signer`);
    const payload = payloadOf(artifact);
    expect(payload.level).toBe('require');
    expect(payload.summary).toBe(`3 executables inside: 2 signed by you, 1 unsigned (${HELPER})`);
    expect(
      payload.files.map((f) => [f.path, f.verdict, f.status, f.signer?.commonName ?? null]),
    ).toEqual([
      [
        '[ProgramFilesFolder]/Contoso Payload/bin/app.exe',
        'pass',
        'valid',
        'Contoso Release Signing',
      ],
      [
        '[ProgramFilesFolder]/Contoso Payload/bin/core.dll',
        'pass',
        'valid',
        'Contoso Release Signing',
      ],
      [HELPER, 'fail', 'unsigned', null],
    ]);
  });

  it('warn (the default): the same file is a warning and the package passes; exit 0', () => {
    for (const extra of [['--payload', 'warn'], []]) {
      const { result, artifact, codes } = verify(`warn-${extra.length}`, extra);
      expect(result.status).toBe(0);
      expect(artifact.verdict).toBe('pass');
      expect(codes('error')).toEqual([]);
      expect(codes('warning')).toContain('payload-unsigned');
      expect(payloadOf(artifact).level).toBe('warn');
    }
  });

  it('payload-allow-unsigned excuses the DLL with a notice and a count of 1; exit 0', () => {
    const { result, artifact, codes, lines } = verify('allow', [
      '--payload',
      'require',
      '--payload-allow-unsigned',
      '**/helper.dll',
      '--payload-allow-unsigned',
      '**/gone.dll',
    ]);
    expect(result.status).toBe(0);
    expect(artifact.verdict).toBe('pass');
    expect(codes('error')).toEqual([]);
    expect(codes('warning')).not.toContain('payload-unsigned');
    expect(codes('notice')).toEqual(['payload-unsigned-excused', 'payload-unsigned-excused']);
    expect(payloadOf(artifact).allowUnsigned).toEqual([
      { glob: '**/helper.dll', count: 1 },
      { glob: '**/gone.dll', count: 0 },
    ]);
    expect(payloadOf(artifact).summary).toBe(
      '3 executables inside: 2 signed by you, 1 unsigned and allowed',
    );
    expect(lines).toContain(
      '    ℹ notice payload-unsigned-excused: payload-allow-unsigned "**/helper.dll" excused 1 unsigned executable(s)',
    );
    // The excused file is shown as excused, not with the ⚠ of a problem.
    expect(lines).toContain(
      `    ○ ${MSI} ▸ ${HELPER}  unsigned, allowed by **/helper.dll  no signer`,
    );
    expect(lines.some((l) => l.includes('⚠') && l.includes('helper.dll'))).toBe(false);
    expect(payloadOf(artifact).files.map((f) => f.allowedBy ?? null)).toEqual([
      null,
      null,
      '**/helper.dll',
    ]);
  });

  it('a payload signer that matches nobody inside changes nothing; signed files stay "by you"', () => {
    const { artifact } = verify('signer', [
      '--payload',
      'require',
      '--payload-signer',
      'sha256:' + '00'.repeat(32),
    ]);
    expect(payloadOf(artifact).summary).toBe(
      `3 executables inside: 2 signed by you, 1 unsigned (${HELPER})`,
    );
  });

  it('off: nothing inside is looked at', () => {
    const { result, artifact, codes } = verify('off', ['--payload', 'off']);
    expect(result.status).toBe(0);
    expect(artifact.payload).toBeUndefined();
    expect(codes('warning')).toEqual(['patch-certificate-missing']);
    expect(result.stdout).not.toContain('▸');
    // A damaged cabinet: the walk would report its broken CFDATA checksum; off does not.
    const damaged = cli([
      'verify',
      'fixtures/damaged/cab-data-byte-flipped.cab',
      ...STANDARD_OPTIONS,
      '--payload',
      'off',
    ]);
    expect(damaged.stdout).not.toContain('corrupt-payload');
  });

  it('SARIF: one result for the unsigned DLL, named by its inner path', () => {
    const sarif = join(temp, 'require.sarif');
    cli(['verify', MSI, ...STANDARD_OPTIONS, '--payload', 'require', '--sarif', sarif]);
    const log = JSON.parse(readFileSync(sarif, 'utf8')) as {
      runs: {
        results: {
          ruleId: string;
          level: string;
          message: { text: string };
          logicalLocations?: { fullyQualifiedName: string; kind: string }[];
          properties: Record<string, unknown>;
        }[];
      }[];
    };
    const results = log.runs[0]!.results.filter((r) => r.ruleId.startsWith('payload-'));
    expect(results.map((r) => [r.ruleId, r.level, r.properties.innerPath])).toEqual([
      ['payload-unsigned', 'error', HELPER],
    ]);
    expect(results[0]!.message.text).toBe(
      // SARIF message text escapes the brackets (sarif.ts).
      `${MSI} ▸ \\[ProgramFilesFolder\\]/Contoso Payload/bin/helper.dll: this executable inside is not signed`,
    );
    expect(results[0]!.logicalLocations).toEqual([
      { name: 'helper.dll', fullyQualifiedName: `${MSI} ▸ ${HELPER}`, kind: 'module' },
    ]);
    expect(results[0]!.properties).toMatchObject({ signer: null, status: 'unsigned' });
  });

  it('a wrong --payload value is a usage error (exit 2)', () => {
    const result = cli(['verify', MSI, ...STANDARD_OPTIONS, '--payload', 'sometimes']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--payload must be one of off, warn, require');
  });
});

describe('verify --payload: the cabinet a patch embeds', () => {
  // make-payload-msp.mjs: a signed MSP whose PATCH.cab stream holds core.dll signed by the
  // pinned signer and helper.dll unsigned.
  const MSP = 'fixtures/payload/msp-signed-unsigned-dll.msp';
  const verifyAs = (name: string, extra: string[]) => {
    const json = join(temp, `msp-${name}.json`);
    const result = cli(['verify', MSP, ...STANDARD_OPTIONS, ...extra, '--json', json]);
    const artifact = (JSON.parse(readFileSync(json, 'utf8')) as Report).artifacts[0]!;
    return { result, artifact, lines: plainLines(result.stdout) };
  };

  it('warn: #PATCH.cab/helper.dll is a payload-unsigned warning; exit 0', () => {
    const { result, artifact, lines } = verifyAs('warn', ['--payload', 'warn']);
    expect(result.status).toBe(0);
    expect(artifact.kind).toBe('msp');
    expect(
      artifact.findings
        .filter((f) => f.severity !== 'notice')
        .map((f) => [f.severity, f.code, f.innerPaths]),
    ).toEqual([['warning', 'payload-unsigned', ['#PATCH.cab/helper.dll']]]);
    expect(payloadOf(artifact).summary).toBe(
      '2 executables inside: 1 signed by you, 1 unsigned (#PATCH.cab/helper.dll)',
    );
    expect(lines).toContain(`    ⚠ ${MSP} ▸ #PATCH.cab/helper.dll  unsigned  no signer`);
  });

  it('require: the same DLL fails the patch; exit 1', () => {
    const { result, artifact } = verifyAs('require', ['--payload', 'require']);
    expect(result.status).toBe(1);
    expect(artifact.status).toBe('payload-unsigned');
    expect(artifact.findings.filter((f) => f.severity === 'error').map((f) => f.message)).toEqual([
      '1 executable(s) inside are not signed: #PATCH.cab/helper.dll',
    ]);
    expect(payloadOf(artifact).files.map((f) => [f.path, f.status])).toEqual([
      ['#PATCH.cab/core.dll', 'valid'],
      ['#PATCH.cab/helper.dll', 'unsigned'],
    ]);
  });
});

describe('inspect --payload: the same evaluation as verify, without a policy', () => {
  const BINARY_MSI = 'fixtures/payload/msi-binary-table-dll.msi';
  interface InspectedPayload {
    summary: string;
    files: {
      path: string;
      size: number;
      container: string;
      compression: string;
      kind: string;
      verdict?: string;
      status?: string;
      signer?: { sha256: string } | null;
    }[];
    findings: { severity: string; code: string; innerPaths?: string[] }[];
  }
  const inspectJson = (path: string) => {
    const result = cli(['inspect', path, '--payload', '--json']);
    return (JSON.parse(result.stdout) as { payload?: InspectedPayload }).payload;
  };

  it('lists every inner file, with each executable’s verdict and signer', () => {
    const result = cli(['inspect', BINARY_MSI, '--payload', '--no-color']);
    expect(result.status).toBe(0);
    const lines = plainLines(result.stdout);
    expect(lines).toContain(
      `Payload: 5 file(s); 4 executables inside: 3 by Contoso Release Signing, 1 unsigned (${HELPER})`,
    );
    expect(lines).toContain(
      `  ${HELPER}  12288 bytes  (#payload.cab, mszip)  executable  unsigned`,
    );
    expect(lines).toContain(
      '  [Binary]/ContosoCustomActions  14936 bytes  (Binary.ContosoCustomActions, stream)  executable  signed  Contoso Release Signing',
    );
    expect(lines).toContain(
      '  [ProgramFilesFolder]/Contoso Payload/readme.txt  9000 bytes  (#payload.cab, mszip)',
    );
    expect(lines).toContain(
      `  warning payload-unsigned: 1 executable(s) inside are not signed: ${HELPER}`,
    );
  });

  it('agrees with verify on every executable: verdict, status and signer', () => {
    const inspected = inspectJson(MSI)!;
    expect(inspected.findings.map((f) => [f.severity, f.code, f.innerPaths])).toEqual([
      ['warning', 'payload-unsigned', [HELPER]],
    ]);
    const { artifact } = verify('agree', ['--payload', 'warn']);
    const fromVerify = payloadOf(artifact).files.map((f) => [
      f.path,
      f.verdict,
      f.status,
      f.signer?.sha256 ?? null,
    ]);
    const fromInspect = inspected.files
      .filter((f) => f.kind === 'pe')
      .map((f) => [f.path, f.verdict, f.status, f.signer?.sha256 ?? null]);
    expect(fromInspect).toEqual(fromVerify);
    expect(fromInspect.map((f) => f[2])).toEqual(['valid', 'valid', 'unsigned']);
  });

  it('a patch lists its embedded cabinet; a PE has no payload', () => {
    const patch = inspectJson('fixtures/payload/msp-signed-unsigned-dll.msp')!;
    expect(patch.files.map((f) => [f.path, f.container, f.status])).toEqual([
      ['#PATCH.cab/core.dll', '#PATCH.cab', 'valid'],
      ['#PATCH.cab/helper.dll', '#PATCH.cab', 'unsigned'],
    ]);
    expect(inspectJson('fixtures/pe/signed-x64-sha256.dll')).toBeUndefined();
  });
});
