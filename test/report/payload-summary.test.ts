import { describe, expect, it } from 'vitest';
import type { ArtifactReport } from '../../src/report/model.js';
import { renderSummary } from '../../src/report/summary.js';
import { renderText } from '../../src/report/text.js';
import { artifact, finding, report, SIGNER } from './support/report-builder.js';

const HELPER = '[ProgramFilesFolder]/App/bin/x.dll';

function withPayload(base: ArtifactReport): ArtifactReport {
  return {
    ...base,
    payload: {
      level: 'warn',
      summary: `3 executables inside: 1 signed by you, 1 by Microsoft Corporation, 1 unsigned (${HELPER})`,
      files: [
        {
          path: '[ProgramFilesFolder]/App/app.exe',
          size: 10,
          verdict: 'pass',
          status: 'valid',
          signer: SIGNER,
          findings: [],
        },
        {
          path: '[SystemFolder]/vcruntime140.dll',
          size: 10,
          verdict: 'pass',
          status: 'valid',
          signer: SIGNER,
          findings: [],
        },
        {
          path: HELPER,
          size: 10,
          verdict: 'fail',
          status: 'unsigned',
          signer: null,
          findings: ['unsigned'],
        },
      ],
      allowUnsigned: [],
    },
  };
}

describe('the payload in the job summary and the text report', () => {
  const product = withPayload(
    artifact({
      path: 'out/product.msi',
      findings: [
        finding('payload-unsigned', 'warning', `1 executable(s) inside are not signed: ${HELPER}`),
      ],
    }),
  );
  const empty = {
    ...artifact({ path: 'out/plain.cab', kind: 'cab' }),
    payload: {
      level: 'warn' as const,
      summary: 'no executables inside',
      files: [],
      allowUnsigned: [],
    },
  };

  it('the summary has one line per artifact that carries executables', () => {
    const summary = renderSummary(report([product, empty]));
    expect(summary).toContain('### Inside the packages');
    expect(summary).toContain(
      '- <code>out/product.msi</code>: 3 executables inside&#58; 1 signed by you, 1 by Microsoft Corporation, 1 unsigned (&#91;ProgramFilesFolder&#93;/App/bin/x.dll)',
    );
    expect(summary).not.toContain('<code>out/plain.cab</code>:');
  });

  it('no section without payload', () => {
    expect(renderSummary(report([artifact({ path: 'out/a.msi' })]))).not.toContain(
      'Inside the packages',
    );
  });

  it('the text report names each inner file under its artifact', () => {
    const text = renderText(report([product]), { color: false, quiet: false });
    expect(text).toContain(`    payload: ${product.payload!.summary}\n`);
    expect(text).toContain(`    ⚠ out/product.msi ▸ ${HELPER}  unsigned  no signer\n`);
    expect(text).toContain(
      '    ✔ out/product.msi ▸ [ProgramFilesFolder]/App/app.exe  signed  Contoso Code Signing',
    );
    const quiet = renderText(report([product]), { color: false, quiet: true });
    expect(quiet).not.toContain('app.exe');
  });

  it('an unsigned file excused by payload-allow-unsigned is marked as excused, not as a problem', () => {
    const files = product.payload!.files.map((f) =>
      f.path === HELPER ? { ...f, allowedBy: '**/x.dll' } : f,
    );
    const excused = { ...product, payload: { ...product.payload!, files } };
    const text = renderText(report([excused]), { color: false, quiet: false });
    expect(text).toContain(
      `    ○ out/product.msi ▸ ${HELPER}  unsigned, allowed by **/x.dll  no signer\n`,
    );
    expect(text).not.toContain(`⚠ out/product.msi ▸ ${HELPER}`);
    const ascii = renderText(report([excused]), { color: false, quiet: false, ascii: true });
    expect(ascii).toContain(`    o out/product.msi ▸ ${HELPER}  unsigned, allowed by **/x.dll`);
    // Quiet shows problems only: an excused file is none.
    const failing = {
      ...excused,
      verdict: 'fail' as const,
      status: 'expired',
      findings: [finding('expired', 'error', 'the signer certificate expired')],
    };
    const quiet = renderText(report([failing]), { color: false, quiet: true });
    expect(quiet).toContain('out/product.msi');
    expect(quiet).not.toContain(`▸ ${HELPER}`);
  });
});
