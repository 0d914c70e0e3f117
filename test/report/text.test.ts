import { describe, expect, it } from 'vitest';
import { FINDING_CODES, HRESULT } from '../../src/findings.js';
import { hresultName } from '../../src/report/hresult-names.js';
import { renderText } from '../../src/report/text.js';
import {
  artifact,
  certificate,
  FAILURE_HRESULTS,
  finding,
  mixedReport,
  report,
  signature,
  timestamp,
} from './support/report-builder.js';
import { OUR_SGR } from './support/patterns.js';

const plain = { color: false, quiet: false };
const lines = (text: string) => text.split('\n');

describe('renderText', () => {
  it('prints one line per artifact with mark, path, kind, verdict, signer, thumbprint and timestamp', () => {
    const out = lines(renderText(mixedReport(), plain));
    expect(out[0]).toBe(
      '✔ dist/app.msi  msi  pass  Contoso Code Signing  sha256:a56611d858d6173c  timestamp 2025-03-04 05:06:07 UTC',
    );
    expect(out).toContain(
      '✖ dist/data1.cab  cab  fail: chain-incomplete  Contoso Code Signing  sha256:a56611d858d6173c  no timestamp',
    );
  });

  it('follows a failure with its findings, worst first, each with its code and HRESULT', () => {
    const out = lines(renderText(mixedReport(), plain));
    const at = out.indexOf(
      '✖ dist/data1.cab  cab  fail: chain-incomplete  Contoso Code Signing  sha256:a56611d858d6173c  no timestamp',
    );
    expect(out[at + 1]).toBe(
      '    ✖ error chain-incomplete (0x800B010A CERT_E_CHAINING): the issuer "CN=Contoso Intermediate CA" of "CN=Contoso Code Signing" is in neither the signature nor the trusted roots',
    );
    expect(out[at + 2]).toBe(
      '    ⚠ warning expires-soon: the signer expires in 10 days and the signature has no timestamp',
    );
  });

  it('shows warnings and nested signatures under passing artifacts', () => {
    const out = lines(renderText(mixedReport(), plain));
    const at = out.findIndex((l) => l.startsWith('✔ dist/patch.msp'));
    expect(out[at + 1]).toBe(
      '    ⚠ warning weak-digest (0x80092026 CRYPT_E_SECURITY_SETTINGS) [signature #1]: the nested signature uses SHA-1',
    );
    expect(out[at + 2]).toBe(
      '    nested signature #1: SHA-1  Contoso Code Signing  sha256:a56611d858d6173c  timestamp 2025-03-04 05:06:07 UTC  valid',
    );
  });

  it('ends with a summary line', () => {
    const out = lines(renderText(mixedReport(), plain));
    expect(out.at(-2)).toBe('3 artifacts: 2 passed, 1 failed, 2 warnings');
    expect(out.at(-1)).toBe('');
    const one = report([
      artifact({ path: 'a.msi', findings: [finding('weak-digest', 'warning')] }),
    ]);
    expect(lines(renderText(one, plain)).at(-2)).toBe('1 artifact: 1 passed, 0 failed, 1 warning');
  });

  it('prints only failures and the summary line when quiet', () => {
    const out = renderText(mixedReport(), { color: false, quiet: true });
    expect(out).not.toContain('dist/app.msi');
    expect(out).not.toContain('dist/patch.msp');
    expect(out).not.toContain('nested signature');
    expect(lines(out)).toEqual([
      '✖ dist/data1.cab  cab  fail: chain-incomplete  Contoso Code Signing  sha256:a56611d858d6173c  no timestamp',
      '    ✖ error chain-incomplete (0x800B010A CERT_E_CHAINING): the issuer "CN=Contoso Intermediate CA" of "CN=Contoso Code Signing" is in neither the signature nor the trusted roots',
      '    ⚠ warning expires-soon: the signer expires in 10 days and the signature has no timestamp',
      '3 artifacts: 2 passed, 1 failed, 2 warnings',
      '',
    ]);
  });

  it('uses ANSI colours only when asked', () => {
    expect(renderText(mixedReport(), plain)).not.toContain('\u001b');
    const coloured = renderText(mixedReport(), { color: true, quiet: false });
    expect(coloured).toContain('\u001b[32m✔\u001b[0m dist/app.msi');
    expect(coloured).toContain('\u001b[31mfail: chain-incomplete\u001b[0m');
    expect(coloured.replace(OUR_SGR, '')).toBe(renderText(mixedReport(), plain));
  });

  it('keeps a mark in ASCII mode', () => {
    const out = lines(renderText(mixedReport(), { color: false, quiet: false, ascii: true }));
    expect(out[0]?.startsWith('+ dist/app.msi  msi  pass')).toBe(true);
    expect(out.some((l) => l.startsWith('x dist/data1.cab  cab  fail: chain-incomplete'))).toBe(
      true,
    );
    expect(out.some((l) => l.startsWith('    ! warning expires-soon'))).toBe(true);
    expect(out.join('\n')).toMatch(/^[\x20-\x7e\n]*$/);
  });

  it('says when a file has no signature', () => {
    const r = report([
      artifact({
        path: 'u.msi',
        findings: [
          finding('unsigned', 'error', 'the package has no signature', HRESULT.TRUST_E_NOSIGNATURE),
        ],
        signatures: [],
      }),
    ]);
    expect(lines(renderText(r, plain)).slice(0, 2)).toEqual([
      '✖ u.msi  msi  fail: unsigned  no signature',
      '    ✖ error unsigned (0x800B0100 TRUST_E_NOSIGNATURE): the package has no signature',
    ]);
  });

  it('marks an invalid timestamp and uses the certificate common name', () => {
    const signer = certificate('CN=Fabrikam, Inc., O=Fabrikam, C=US');
    const r = report([
      artifact({
        path: 't.cab',
        kind: 'cab',
        findings: [
          finding('timestamp-invalid', 'error', 'imprint mismatch', HRESULT.TRUST_E_TIME_STAMP),
        ],
        signatures: [signature({ signer, timestamp: timestamp({ valid: false }) })],
      }),
    ]);
    expect(lines(renderText(r, plain))[0]).toBe(
      `✖ t.cab  cab  fail: timestamp-invalid  Fabrikam, Inc.  sha256:${signer.sha256.slice(0, 16)}  timestamp 2025-03-04 05:06:07 UTC (invalid)`,
    );
  });

  it.each(FINDING_CODES.map((code) => [code]))('reports %s with its code and HRESULT', (code) => {
    const hr = FAILURE_HRESULTS[code];
    const r = report([
      artifact({ path: 'f.msi', findings: [finding(code, 'error', `why ${code} failed`, hr)] }),
    ]);
    const out = lines(renderText(r, plain));
    expect(out[0]).toContain(`fail: ${code}`);
    const hrText = hr ? ` (${hr} ${hresultName(hr)})` : '';
    expect(out[1]).toBe(`    ✖ error ${code}${hrText}: why ${code} failed`);
  });

  it('lists run findings before the summary line, and errors among them even when quiet', () => {
    const r = report([], {
      runFindings: [
        finding('too-few-artifacts', 'error', 'found 0 artifact(s), fewer than the 1 required'),
      ],
    });
    for (const quiet of [false, true]) {
      expect(lines(renderText(r, { color: false, quiet }))).toEqual([
        '✖ error too-few-artifacts: found 0 artifact(s), fewer than the 1 required',
        '0 artifacts: 0 passed, 0 failed, 0 warnings',
        '',
      ]);
    }
  });

  it('matches the snapshot of a mixed run', () => {
    expect(renderText(mixedReport(), plain)).toMatchSnapshot();
  });
});
