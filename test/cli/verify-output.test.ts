import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { loadManifest, REPO } from '../support/manifest.js';
import { cli, plainLines, STANDARD_OPTIONS } from './cli-process.js';

const manifest = loadManifest();
const temp = mkdtempSync(join(tmpdir(), 'va-cli-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('verify: human output', () => {
  it('a pass: mark, path, kind, verdict, signer, thumbprint prefix, timestamp; summary; exit 0', () => {
    const result = cli(['verify', 'fixtures/msi/signed-patchcert-sha256.msi', ...STANDARD_OPTIONS]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      '✔ fixtures/msi/signed-patchcert-sha256.msi  msi  pass  Contoso Release Signing  sha256:0e89138aff9867dc  no timestamp\n' +
        '1 artifact: 1 passed, 0 failed, 0 warnings\n',
    );
  });

  it('a pass with a timestamp shows its time', () => {
    const result = cli(['verify', 'fixtures/cab/signed-timestamped.cab', ...STANDARD_OPTIONS]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^✔ fixtures\/cab\/signed-timestamped\.cab {2}cab {2}pass {2}Contoso Release Signing {2}sha256:0e89138aff9867dc {2}timestamp \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n/,
    );
  });

  it('a nested signature is listed under its file', () => {
    const result = cli(['verify', 'fixtures/msi/signed-nested-sha512.msi', ...STANDARD_OPTIONS]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      '    nested signature #1: SHA-512  Contoso Release Signing  sha256:0e89138aff9867dc  no timestamp  valid\n',
    );
  });

  const failing = manifest.fixtures.filter((f) => f.expected.verdict === 'fail');
  const codes = new Set(failing.flatMap((f) => f.expected.codes));

  it('the failing fixtures cover the failure codes this test is about', () => {
    expect(codes.size).toBeGreaterThanOrEqual(12);
  });

  it.each(failing.map((f) => [f.path, f] as const))(
    'a failure: %s shows each error code with its HRESULT',
    (_path, fixture) => {
      const jsonFile = join(temp, `${fixture.path.replace(/[/\\]/g, '_')}.json`);
      const args = [
        'verify',
        fixture.path,
        ...(fixture.companions ?? []),
        ...STANDARD_OPTIONS,
        ...(fixture.options ?? []),
        '--json',
        jsonFile,
      ];
      const result = cli(args);
      expect(result.status, result.stdout + result.stderr).toBe(1);
      const report = JSON.parse(readFileSync(jsonFile, 'utf8')) as Report;
      const artifact = report.artifacts.find((a) => a.path === fixture.path)!;
      const lines = result.stdout.split('\n');

      const head = lines.find((line) => line.startsWith(`✖ ${fixture.path}  `));
      expect(head, result.stdout).toBeDefined();
      expect(head).toContain(`  fail: ${fixture.expected.status}`);

      // The artifact's findings follow its line, indented, up to the next artifact line.
      const start = lines.indexOf(head!);
      const own: string[] = [];
      for (let i = start + 1; i < lines.length && lines[i]!.startsWith('    '); i++)
        own.push(lines[i]!);
      for (const code of fixture.expected.codes) {
        const findings = artifact.findings.filter((f) => f.code === code && f.severity === 'error');
        expect(findings.length, `${code} in the JSON report`).toBeGreaterThan(0);
        for (const finding of findings) {
          const hresult = finding.hresult ? ` \\(${finding.hresult} [A-Z_]+\\)` : '';
          const signature = finding.signatureIndex
            ? ` \\[signature #${finding.signatureIndex}\\]`
            : '';
          expect(own, `${code} line`).toContainEqual(
            expect.stringMatching(new RegExp(`^    ✖ error ${code}${hresult}${signature}: \\S`)),
          );
        }
      }
      // Every finding in plain words: no line is just a code.
      expect(own.every((line) => /: \S/.test(line))).toBe(true);
    },
  );

  it('a code with a Windows HRESULT shows it with its name (e.g. TRUST_E_BAD_DIGEST)', () => {
    const result = cli(['verify', 'fixtures/msp/tampered.msp', ...STANDARD_OPTIONS]);
    expect(result.stdout).toContain('✖ error bad-digest (0x80096010 TRUST_E_BAD_DIGEST): ');
  });

  it('--quiet prints only failures and the summary line', () => {
    const result = cli([
      'verify',
      'fixtures/msi/signed-sha256.msi',
      'fixtures/msi/unsigned.msi',
      ...STANDARD_OPTIONS,
      '--quiet',
    ]);
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain('signed-sha256.msi');
    expect(result.stdout).toContain('✖ fixtures/msi/unsigned.msi  msi  fail: unsigned');
    expect(result.stdout.trimEnd().split('\n').pop()).toBe(
      '2 artifacts: 1 passed, 1 failed, 2 warnings',
    );
  });

  it('--json - prints the JSON report instead of the text', () => {
    const result = cli([
      'verify',
      'fixtures/cab/signed-sha256.cab',
      ...STANDARD_OPTIONS,
      '--json',
      '-',
    ]);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.artifacts.map((a) => [a.path, a.verdict])).toEqual([
      ['fixtures/cab/signed-sha256.cab', 'pass'],
    ]);
  });
});

describe('verify: which files, shown how', () => {
  const cabinets = [
    'jsign-pe-image-data.cab',
    'signed-nested-sha512.cab',
    'signed-sha1.cab',
    'signed-sha256.cab',
    'signed-signer2.cab',
    'signed-stored-sha256.cab',
    'signed-timestamped.cab',
    'signtool-spc-link.cab',
    'unsigned-mszip.cab',
    'unsigned-stored.cab',
  ];
  const artifactPaths = (stdout: string) =>
    plainLines(stdout)
      .filter((line) => /^[✔✖] /.test(line))
      .map((line) => line.slice(2).split('  ')[0]);

  it('expands a quoted glob itself (no shell involved)', () => {
    const result = cli(['verify', 'fixtures/cab/*.cab', ...STANDARD_OPTIONS]);
    expect(artifactPaths(result.stdout)).toEqual(cabinets.map((name) => `fixtures/cab/${name}`));
  });

  it('expands ** globs', () => {
    const result = cli(['verify', 'fixtures/msi/external/**/*.cab', ...STANDARD_OPTIONS]);
    expect(artifactPaths(result.stdout)).toEqual([
      'fixtures/msi/external/cab-other-digest/data1.cab',
      'fixtures/msi/external/cab-signer2/data1.cab',
      'fixtures/msi/external/cab-unsigned/data1.cab',
      'fixtures/msi/external/ok/data1.cab',
    ]);
  });

  it('searches a directory argument for packages, showing paths under the directory as given', () => {
    const result = cli(['verify', 'fixtures/cab/', ...STANDARD_OPTIONS]);
    expect(artifactPaths(result.stdout)).toEqual(cabinets.map((name) => `fixtures/cab/${name}`));
    const dotted = cli(['verify', './fixtures/msp', ...STANDARD_OPTIONS]);
    expect(artifactPaths(dotted.stdout)).toEqual([
      './fixtures/msp/signed-signer2.msp',
      './fixtures/msp/signed-target-patchcert-signer2.msp',
      './fixtures/msp/signed-target-without-patchcert.msp',
      './fixtures/msp/signed.msp',
      './fixtures/msp/tampered.msp',
      './fixtures/msp/unsigned.msp',
    ]);
  });

  it('shows a literal path exactly as given: relative with dots, absolute', () => {
    const odd = './fixtures/cab/../cab/signed-sha256.cab';
    const absolute = join(REPO, 'fixtures', 'msi', 'signed-sha256.msi');
    const result = cli([
      'verify',
      odd,
      absolute,
      ...STANDARD_OPTIONS,
      '--json',
      join(temp, 'paths.json'),
    ]);
    expect(artifactPaths(result.stdout)).toEqual([odd, absolute]);
    const report = JSON.parse(readFileSync(join(temp, 'paths.json'), 'utf8')) as Report;
    expect(report.artifacts.map((a) => a.path)).toEqual([odd, absolute]);
  });

  it('a pattern that matches nothing fails the run (exit 1) and says so', () => {
    const result = cli(['verify', 'fixtures/nothing-here/*.msi', ...STANDARD_OPTIONS]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('fixtures/nothing-here/*.msi');
  });
});
