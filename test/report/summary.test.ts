import { describe, expect, it } from 'vitest';
import { HRESULT } from '../../src/findings.js';
import type { EndpointCertificate, Report } from '../../src/report/model.js';
import { renderSummary } from '../../src/report/summary.js';
import { CODE_DOCS_URL } from '../../src/verify/tool.js';
import {
  artifact,
  finding,
  INTERMEDIATE,
  mixedReport,
  report,
  ROOT,
  signature,
  SIGNER,
} from './support/report-builder.js';
import { RAW_CONTROL_EXCEPT_LF } from './support/patterns.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
/** A finding code as the summary shows it: a link to its section of docs/finding-codes.md. */
const link = (code: string) => `<a href="${CODE_DOCS_URL}#${code}"><code>${code}</code></a>`;
const lines = (text: string) => text.split('\n');

/** Cells of a table line: split on `|` (escaped text never contains a raw one). */
const cells = (line: string) => line.slice(1, -1).split('|');

/** Structural checks of the Markdown a person sees: tags balanced, tables rectangular. */
function assertWellFormed(markdown: string): void {
  const opens = markdown.match(/<details>/g)?.length ?? 0;
  const closes = markdown.match(/<\/details>/g)?.length ?? 0;
  expect(opens).toBe(closes);
  let depth = 0;
  for (const line of lines(markdown)) {
    if (line === '<details>') depth++;
    if (line === '</details>') depth--;
    expect(depth).toBeGreaterThanOrEqual(0);
  }
  expect((markdown.match(/<summary>/g) ?? []).length).toBe(
    (markdown.match(/<\/summary>/g) ?? []).length,
  );
  expect((markdown.match(/<code>/g) ?? []).length).toBe((markdown.match(/<\/code>/g) ?? []).length);
  // Each table: a header, a delimiter row, and rows with the header's number of cells.
  let columns = 0;
  for (const line of lines(markdown)) {
    if (!line.startsWith('|')) {
      columns = 0;
      continue;
    }
    expect(line.endsWith('|')).toBe(true);
    const n = cells(line).length;
    if (columns === 0) columns = n;
    else expect(n).toBe(columns);
  }
  expect(markdown).not.toMatch(RAW_CONTROL_EXCEPT_LF);
  expect(markdown).not.toContain('`');
}

describe('renderSummary', () => {
  it('starts with a heading naming the verdict and the counts', () => {
    const out = lines(renderSummary(mixedReport()));
    expect(out[0]).toBe('## ❌ Authenticode verification failed: 1 of 3 artifacts');
    expect(out[2]).toBe('**3 artifacts: 2 passed, 1 failed, 2 warnings**');
    const passing = report([artifact({ path: 'a.msi' })]);
    expect(lines(renderSummary(passing))[0]).toBe(
      '## ✅ Authenticode verification passed: 1 artifact',
    );
    const runFailed = report([artifact({ path: 'a.msi' })], {
      runFindings: [finding('too-few-artifacts', 'error', 'found 1 of 2')],
    });
    const text = renderSummary(runFailed);
    expect(lines(text)[0]).toBe('## ❌ Authenticode verification failed');
    expect(text).toContain(`- ❌ ${link('too-few-artifacts')}: found 1 of 2`);
  });

  it('tables every artifact in seven narrow columns, failures first, the code linked to its docs, thumbprints shortened', () => {
    const out = lines(renderSummary(mixedReport()));
    const header = out.indexOf(
      '| Status | Artifact | Kind | Signer | Timestamp | Expires | MsiPatchCertificate |',
    );
    expect(header).toBeGreaterThan(0);
    const prefix = SIGNER.sha256.slice(0, 8);
    expect(out.slice(header + 2, header + 5)).toEqual([
      `| ❌ ${link('chain-incomplete')} | <code>dist/data1.cab</code> | cab | Contoso Code Signing <code>${prefix}</code> | — | 2027-01-01 | — |`,
      `| ⚠️ valid, 1 warning | <code>dist/patch.msp</code> | msp | Contoso Code Signing <code>${prefix}</code> | 2025-03-04 | 2027-01-01 | — |`,
      `| ✅ valid | <code>dist/app.msi</code> | msi | Contoso Code Signing <code>${prefix}</code> | 2025-03-04 | 2027-01-01 | listed |`,
    ]);
  });

  it('puts the reason and the fix of each failure in view, then every finding, its HRESULT and the chain', () => {
    const text = renderSummary(mixedReport());
    const heading = text.indexOf('#### ❌ <code>dist/data1.cab</code>');
    expect(heading).toBeGreaterThan(0);
    const start = text.indexOf(
      '<details>\n<summary>All findings, signatures and certificates</summary>',
      heading,
    );
    expect(start).toBeGreaterThan(0);
    const inView = text.slice(heading, start);
    expect(inView).toContain(
      `${link('chain-incomplete')} **Certificate chain is incomplete**: the issuer &quot;CN=Contoso Intermediate CA&quot;`,
    );
    expect(inView).toMatch(/\*\*Fix:\*\* \S/);
    const block = text.slice(start, text.indexOf('</details>', start));
    expect(block).toContain(
      `| error | ${link('chain-incomplete')} | <code>0x800B010A</code> CERT_E_CHAINING | the issuer &quot;CN=Contoso Intermediate CA&quot; of &quot;CN=Contoso Code Signing&quot; is in neither the signature nor the trusted roots |`,
    );
    expect(block).toContain(
      `| warning | ${link('expires-soon')} | — | the signer expires in 10 days`,
    );
    expect(block).toContain('**Signature 0** (primary, SHA-256, invalid)');
    expect(block).toContain(
      `1. <code>CN=Contoso Code Signing, O=Contoso Ltd, C=US</code> · SHA-256 <code>${SIGNER.sha256}</code> · expires 2027-01-01`,
    );
    // A blank line after <summary> so GitHub renders the Markdown inside.
    expect(block).toMatch(/<\/summary>\n\n/);
  });

  it('shows the chain of every signature, nested ones included', () => {
    const r = report([
      artifact({
        path: 'n.msi',
        findings: [
          finding('nested-signature-invalid', 'warning'),
          finding('wrong-signer', 'error'),
        ],
        signatures: [signature(), signature({ index: 1, digestAlgorithm: 'SHA-1', valid: false })],
      }),
    ]);
    const text = renderSummary(r);
    expect(text).toContain('**Signature 0** (primary, SHA-256, valid)');
    expect(text).toContain('**Signature 1** (nested #1, SHA-1, invalid)');
    expect(text).toContain(
      `2. <code>CN=Contoso Intermediate CA, O=Contoso Ltd, C=US</code> · SHA-256 <code>${INTERMEDIATE.sha256}</code>`,
    );
    expect(text).toContain(
      `3. <code>CN=Contoso Root CA, O=Contoso Ltd, C=US</code> · SHA-256 <code>${ROOT.sha256}</code>`,
    );
  });

  it('lists the certificates endpoints need with both thumbprints', () => {
    const text = renderSummary(mixedReport());
    expect(text).toContain('### Certificates endpoints need');
    expect(text).toContain(
      `| root | CN=Contoso Root CA, O=Contoso Ltd, C=US | <code>${ROOT.sha256}</code> | <code>${ROOT.sha1}</code> | 2027-01-01 |`,
    );
    expect(text).toContain(
      `| intermediate | CN=Contoso Intermediate CA, O=Contoso Ltd, C=US | <code>${INTERMEDIATE.sha256}</code> |`,
    );
    expect(renderSummary(report([artifact({ path: 'a.msi' })]))).not.toContain(
      'Certificates endpoints need',
    );
  });

  it('says per root whether Windows trusts it through the root program, and that intermediates travel in the signature', () => {
    const listed = (program: NonNullable<EndpointCertificate['rootProgram']>) =>
      renderSummary(
        report([artifact({ path: 'a.msi' })], {
          endpointCertificates: [
            { ...ROOT, role: 'root', rootProgram: program },
            { ...INTERMEDIATE, role: 'intermediate' },
          ],
        }),
      );
    const trusted = listed({
      listDate: '2025-06-16T17:56:11Z',
      listed: true,
      trusted: true,
      name: 'Contoso Root',
      purposes: 'trusted for codeSigning, timeStamping',
    });
    expect(trusted).toContain(
      '| 2027-01-01 | Trusted by Windows through Microsoft’s Trusted Root Program (list of 2025-06-16) as “Contoso Root” (trusted for codeSigning, timeStamping); endpoints with automatic root update get it, others need it installed |',
    );
    expect(trusted).toContain(
      '| Must travel inside the signature (signtool /ac, osslsigncode -ac) or be installed on every endpoint |',
    );
    const absent = listed({ listDate: '2025-06-16T17:56:11Z', listed: false, trusted: false });
    // The summary escapes ':' (&#58;) so that no text becomes a link.
    expect(absent).toContain(
      'Not in Microsoft’s Trusted Root Program (list of 2025-06-16)&#58; every endpoint needs it installed in Trusted Root Certification Authorities',
    );
    const refused = listed({
      listDate: '2025-06-16T17:56:11Z',
      listed: true,
      trusted: false,
      name: 'Contoso Root',
      why: 'Microsoft’s root program trusts it only for serverAuth, not for code signing',
    });
    expect(refused).toContain(
      'Listed in Microsoft’s Trusted Root Program (list of 2025-06-16) as “Contoso Root” but not trusted for this signature&#58; Microsoft’s root program trusts it only for serverAuth, not for code signing',
    );
  });

  it('names the Windows root list in the footer', () => {
    const text = renderSummary({
      ...report([artifact({ path: 'a.msi' })]),
      tool: {
        name: 'verify-authenticode',
        version: '0.1.0',
        windowsRoots: {
          thisUpdate: '2025-06-16T17:56:11Z',
          sequenceNumber: '1401DBDEE7F1A4F449',
          origin: 'Microsoft Trusted Root Program',
        },
      },
    });
    expect(text).toContain(
      '<sub>verify-authenticode 0.1.0 · Windows roots: Microsoft’s Trusted Root Program list of 2025-06-16 (sequence 1401DBDEE7F1A4F449)</sub>',
    );
  });

  it('names the commit and the pull request, escaping the title and linking only https URLs', () => {
    const text = renderSummary(mixedReport(), {
      context: {
        sha: '0123456789abcdef0123456789abcdef01234567',
        ref: 'refs/pull/7/merge',
        pullRequest: {
          number: 7,
          title: 'Fix <script>alert(1)</script> | `x`',
          url: 'https://github.com/o/r/pull/7',
        },
      },
    });
    expect(lines(text)[4]).toBe(
      'Commit <code>0123456789abcdef0123456789abcdef01234567</code> · ref <code>refs/pull/7/merge</code> · pull request <a href="https://github.com/o/r/pull/7">#7</a> Fix &lt;script&gt;alert(1)&lt;/script&gt; &#124; &#96;x&#96;',
    );
    const js = renderSummary(mixedReport(), {
      context: { pullRequest: { number: 7, title: 't', url: 'javascript:alert(1)' } },
    });
    expect(js).toContain('pull request #7 t');
    expect(js).not.toContain('javascript');
  });

  it('lists warnings of passing artifacts', () => {
    expect(renderSummary(mixedReport())).toContain(
      `- ⚠️ <code>dist/patch.msp</code>: ${link('weak-digest')} the nested signature uses SHA-1 (<code>0x80092026</code> CRYPT_E_SECURITY_SETTINGS)`,
    );
  });

  it('is well-formed Markdown', () => {
    assertWellFormed(renderSummary(mixedReport()));
  });

  it('collapses many clean passes into one list', () => {
    const r = report([
      artifact({
        path: 'bad.msi',
        findings: [finding('bad-digest', 'error', 'changed', HRESULT.TRUST_E_BAD_DIGEST)],
      }),
      ...Array.from({ length: 60 }, (_, i) => artifact({ path: `ok/${i}.msi` })),
    ]);
    const text = renderSummary(r);
    assertWellFormed(text);
    expect(text).toContain('<summary>✅ 60 passing artifacts without warnings</summary>');
    expect(text).toContain(
      `- <code>ok/0.msi</code> · msi · 1.5 MiB · Contoso Code Signing <code>${SIGNER.sha256.slice(0, 8)}</code>`,
    );
    expect(text).not.toContain('| ✅ valid |');
    expect(renderSummary(r, { collapsePassingAbove: 100 })).toContain(
      '| ✅ valid | <code>ok/59.msi</code>',
    );
  });

  describe('with 5,000 artifacts with long names', () => {
    const longName = (i: number) =>
      `build/output/${'very-long-directory-name-'.repeat(8)}${i}/Contoso.Product.Installer.${'x'.repeat(80)}.${i}.msi`;
    const cases: [string, Report][] = [
      [
        'mostly passing',
        report(
          Array.from({ length: 5000 }, (_, i) =>
            artifact({
              path: longName(i),
              findings:
                i % 50 === 0
                  ? [
                      finding(
                        'bad-digest',
                        'error',
                        `stream ${'Binary.'.repeat(20)}${i} changed after signing`,
                        HRESULT.TRUST_E_BAD_DIGEST,
                      ),
                      finding('weak-digest', 'warning', 'SHA-1'),
                    ]
                  : i % 7 === 0
                    ? [finding('expires-soon', 'warning', 'expires in 5 days')]
                    : [],
            }),
          ),
          {
            endpointCertificates: [
              { ...ROOT, role: 'root' },
              { ...INTERMEDIATE, role: 'intermediate' },
            ],
          },
        ),
      ],
      [
        'all failing',
        report(
          Array.from({ length: 5000 }, (_, i) =>
            artifact({
              path: longName(i),
              findings: [
                finding(
                  'chain-incomplete',
                  'error',
                  `issuer of ${longName(i)} missing`,
                  HRESULT.CERT_E_CHAINING,
                ),
                finding('expires-soon', 'warning', 'soon'),
              ],
            }),
          ),
        ),
      ],
      [
        'all passing',
        report(Array.from({ length: 5000 }, (_, i) => artifact({ path: longName(i) }))),
      ],
    ];

    it.each(cases)('stays under 1 MiB and well-formed (%s)', (_name, r) => {
      const text = renderSummary(r);
      expect(bytes(text)).toBeLessThan(1_000_000);
      expect(bytes(text)).toBeLessThan(1024 * 1024);
      assertWellFormed(text);
      expect(text).toMatch(/… and [\d,]+ more artifacts \(see the JSON report\)/);
      expect(lines(text)[0]).toMatch(/^## (❌|✅) Authenticode verification/);
    });

    it('keeps failures ahead of passes when it has to cut', () => {
      const text = renderSummary(cases[0]![1]);
      const firstPass = text.indexOf('| ✅ valid');
      const lastFailure = text.lastIndexOf('| ❌ ');
      expect(lastFailure).toBeGreaterThan(0);
      if (firstPass >= 0) expect(lastFailure).toBeLessThan(firstPass);
      expect(text).toContain('### Failures');
      expect(text).toContain('### Certificates endpoints need');
    });

    it('honours a small byte budget', () => {
      for (const maxBytes of [20_000, 60_000, 200_000]) {
        const text = renderSummary(cases[1]![1], { maxBytes });
        expect(bytes(text)).toBeLessThanOrEqual(maxBytes);
        assertWellFormed(text);
        expect(text).toContain('(see the JSON report)');
      }
    });

    it('shows how to keep the JSON report with actions/upload-artifact when it cut details', () => {
      const text = renderSummary(cases[1]![1], { maxBytes: 60_000, reportOutput: true });
      expect(text).toContain(
        '<summary>Keep the full JSON report with <code>actions/upload-artifact</code></summary>',
      );
      expect(text).toContain('    path: ${{ steps.verify.outputs.report }}</code></pre>');
      expect(renderSummary(mixedReport(), { reportOutput: true })).not.toContain('upload-artifact');
    });
  });

  it('shows paths inside the workspace relative to it, in rows and in messages', () => {
    const r = report([
      artifact({
        path: '/home/runner/work/r/r/out/app.msp',
        findings: [
          finding(
            'patch-certificate-missing',
            'warning',
            'the target /home/runner/work/r/r/base/product.msi has no MsiPatchCertificate table',
          ),
        ],
      }),
    ]);
    const text = renderSummary(r, { workspace: '/home/runner/work/r/r' });
    expect(text).toContain('<code>out/app.msp</code>');
    expect(text).toContain('the target base/product.msi has no MsiPatchCertificate table');
    expect(text).not.toContain('/home/runner');
  });

  it('falls back to the heading when even one row would not fit', () => {
    const text = renderSummary(mixedReport(), { maxBytes: 300 });
    expect(bytes(text)).toBeLessThanOrEqual(300);
    expect(lines(text)[0]).toBe('## ❌ Authenticode verification failed: 1 of 3 artifacts');
    expect(text).toContain('see the JSON report');
    expect(renderSummary(mixedReport(), { maxBytes: 50 })).toBe('');
  });

  it('renders a small report whole when it fits, however tight the budget', () => {
    const whole = renderSummary(mixedReport());
    expect(renderSummary(mixedReport(), { maxBytes: bytes(whole) })).toBe(whole);
  });

  it('matches the snapshot of a mixed run', () => {
    expect(
      renderSummary(mixedReport(), { context: { sha: 'abc1234', ref: 'refs/heads/main' } }),
    ).toMatchSnapshot();
  });
});
