import * as core from '@actions/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HRESULT } from '../../src/findings.js';
import {
  formatWorkflowCommand,
  planAnnotations,
  workspaceRelativePath,
  type Annotation,
} from '../../src/report/annotations.js';
import { artifact, finding, HOSTILE, mixedReport, report } from './support/report-builder.js';
import { commandsIn, parseV2 } from './support/runner-commands.js';
import { RAW_CONTROL_EXCEPT_LF } from './support/patterns.js';

const workspace = '/home/runner/work/app/app';

/** What `core.error/warning/notice(message, properties)` writes to stdout. */
function viaToolkit(annotation: Annotation): string {
  const writes: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
  try {
    const properties = {
      title: annotation.title,
      ...(annotation.file ? { file: annotation.file } : {}),
    };
    if (annotation.level === 'error') core.error(annotation.message, properties);
    else if (annotation.level === 'warning') core.warning(annotation.message, properties);
    else core.notice(annotation.message, properties);
  } finally {
    spy.mockRestore();
  }
  return writes.join('');
}

afterEach(() => vi.restoreAllMocks());

describe('planAnnotations', () => {
  it('makes one error per failing artifact, worst finding first, the others after it', () => {
    const annotations = planAnnotations(mixedReport(), { workspace });
    const failure = annotations.find((a) => a.level === 'error');
    expect(failure).toEqual({
      level: 'error',
      title: 'chain-incomplete: Certificate chain is incomplete (+1 more)',
      file: 'dist/data1.cab',
      message: [
        'dist/data1.cab: the issuer "CN=Contoso Intermediate CA" of "CN=Contoso Code Signing" is in neither the signature nor the trusted roots (0x800B010A)',
        '- warning expires-soon: the signer expires in 10 days and the signature has no timestamp',
      ].join('\n'),
    });
  });

  it('makes a warning for a passing artifact with warnings, and nothing for clean passes', () => {
    const annotations = planAnnotations(mixedReport(), { workspace });
    expect(annotations.map((a) => [a.level, a.file])).toEqual([
      ['warning', 'dist/patch.msp'],
      ['error', 'dist/data1.cab'],
    ]);
    expect(annotations[0]?.title).toBe('weak-digest: Weak digest algorithm');
  });

  it('annotates errors and warnings of the run itself without a file', () => {
    const r = report([], {
      runFindings: [finding('too-few-artifacts', 'error', 'found 0 artifacts')],
    });
    expect(planAnnotations(r, { workspace })).toEqual([
      {
        level: 'error',
        title: 'too-few-artifacts: Fewer artifacts than expected',
        message: 'found 0 artifacts',
      },
    ]);
  });

  it('keeps 10 errors and 10 warnings and points to the summary for the rest', () => {
    const failing = Array.from({ length: 25 }, (_, i) =>
      artifact({
        path: `out/f${i}.msi`,
        findings: [finding('bad-digest', 'error', 'changed', HRESULT.TRUST_E_BAD_DIGEST)],
      }),
    );
    const warned = Array.from({ length: 12 }, (_, i) =>
      artifact({ path: `out/w${i}.msi`, findings: [finding('weak-digest', 'warning')] }),
    );
    const annotations = planAnnotations(report([...warned, ...failing]), { workspace });
    expect(annotations.filter((a) => a.level === 'error')).toHaveLength(10);
    expect(annotations.filter((a) => a.level === 'warning')).toHaveLength(10);
    expect(annotations.filter((a) => a.level === 'error').map((a) => a.file)).toEqual(
      Array.from({ length: 10 }, (_, i) => `out/f${i}.msi`),
    );
    const notices = annotations.filter((a) => a.level === 'notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.message).toBe(
      '15 more errors and 2 more warnings not shown as annotations: GitHub shows at most 10 errors and 10 warnings per step. The job summary and the JSON report list every artifact.',
    );
    expect(annotations.at(-1)).toBe(notices[0]);
  });

  it('sets file relative to the workspace with forward slashes', () => {
    expect(workspaceRelativePath('dist/a.msi', workspace)).toBe('dist/a.msi');
    expect(workspaceRelativePath(`${workspace}/out/x/a.msi`, workspace)).toBe('out/x/a.msi');
    expect(workspaceRelativePath('./a b.msi', workspace)).toBe('a b.msi');
    expect(workspaceRelativePath('a.msi', workspace, `${workspace}/sub`)).toBe('sub/a.msi');
    expect(workspaceRelativePath('D:\\a\\app\\app\\out\\x.msi', 'D:\\a\\app\\app')).toBe(
      'out/x.msi',
    );
    expect(workspaceRelativePath('out\\x.msi', 'D:\\a\\app\\app')).toBe('out/x.msi');
  });

  it('leaves file out for paths outside the workspace or with control characters', () => {
    expect(workspaceRelativePath('../other/a.msi', workspace)).toBeUndefined();
    expect(workspaceRelativePath('/tmp/a.msi', workspace)).toBeUndefined();
    expect(workspaceRelativePath('E:\\x.msi', 'D:\\a\\app')).toBeUndefined();
    expect(workspaceRelativePath(HOSTILE.newlineCommand, workspace)).toBeUndefined();
    expect(workspaceRelativePath(HOSTILE.bidi, workspace)).toBeUndefined();
    expect(workspaceRelativePath('..foo/a.msi', workspace)).toBe('..foo/a.msi');
    const r = report([artifact({ path: '/tmp/a.msi', findings: [finding('unsigned')] })]);
    const [annotation] = planAnnotations(r, { workspace });
    expect(annotation?.file).toBeUndefined();
    expect(annotation?.message.startsWith('/tmp/a.msi: ')).toBe(true);
  });
});

describe('formatWorkflowCommand', () => {
  it('prints the exact command line', () => {
    expect(
      formatWorkflowCommand({
        level: 'error',
        title: 'bad-digest: File changed after signing',
        file: 'dist/a.msi',
        message: 'dist/a.msi: digest mismatch (0x80096010)\n- warning weak-digest: SHA-1',
      }),
    ).toBe(
      '::error file=dist/a.msi,title=bad-digest%3A File changed after signing::dist/a.msi: digest mismatch (0x80096010)%0A- warning weak-digest: SHA-1',
    );
    expect(formatWorkflowCommand({ level: 'notice', title: '', message: 'm' })).toBe('::notice::m');
  });

  it('escapes a file named to inject a command', () => {
    const file = 'a%0A::error::x.msi';
    const line = formatWorkflowCommand({
      level: 'error',
      title: 't',
      file,
      message: `${file}: bad`,
    });
    expect(line).toBe(
      '::error file=a%250A%3A%3Aerror%3A%3Ax.msi,title=t::a%250A::error::x.msi: bad',
    );
    expect(commandsIn(line)).toEqual(['::error']);
    const parsed = parseV2(line);
    expect(parsed?.properties).toEqual({ file, title: 't' });
    expect(parsed?.data).toBe(`${file}: bad`);
  });

  it.each([
    ['comma and colon', 'out/a,b:c.msi'],
    ['percent', 'out/100%.msi'],
    ['newline', 'out/a\n::error::pwned.msi'],
    ['carriage return', 'out/a\r::warning::pwned.msi'],
    ['equals', 'out/a=b.msi'],
  ])('keeps a file name with %s on one line and decodes it exactly', (_name, file) => {
    const annotation: Annotation = {
      level: 'warning',
      title: 'x: y, z',
      file,
      message: `see ${file}`,
    };
    const line = formatWorkflowCommand(annotation);
    expect(line).not.toMatch(/[\r\n]/);
    expect(commandsIn(line)).toEqual(['::warning']);
    const parsed = parseV2(line);
    expect(parsed?.name).toBe('warning');
    expect(parsed?.properties).toEqual({ file, title: 'x: y, z' });
    expect(parsed?.data).toBe(`see ${file}`);
  });

  it('agrees with what @actions/core prints for the same annotation', () => {
    const cases: Annotation[] = [
      {
        level: 'error',
        title: 'a: b, c',
        file: 'a%0A::error::x.msi',
        message: 'x\n::error::y %25',
      },
      { level: 'warning', title: 'w', file: 'd,e:f.msi', message: 'line1\r\nline2' },
      { level: 'notice', title: 'n', message: 'plain' },
    ];
    for (const annotation of cases) {
      const printed = viaToolkit(annotation);
      expect(printed.endsWith('\n')).toBe(true);
      const toolkitLine = printed.replace(/\r?\n$/, '');
      expect(toolkitLine).not.toMatch(/[\r\n]/);
      expect(parseV2(toolkitLine)).toEqual(parseV2(formatWorkflowCommand(annotation)));
    }
  });

  it('keeps every planned annotation of a hostile run to one command each, through both paths', () => {
    const names = Object.values(HOSTILE);
    const r = report(
      names.map((name) =>
        artifact({
          path: `dist/${name}`,
          findings: [
            finding('wrong-signer', 'error', `signed by "CN=${name}"`),
            finding('weak-digest', 'warning', name),
          ],
        }),
      ),
    );
    const annotations = planAnnotations(r, { workspace, maxPerLevel: 100 });
    expect(annotations).toHaveLength(names.length);
    const ours = annotations.map(formatWorkflowCommand).join('\n');
    const toolkit = annotations.map(viaToolkit).join('');
    for (const output of [ours, toolkit]) {
      expect(commandsIn(output)).toEqual(names.map(() => '::error'));
    }
    for (const annotation of annotations) {
      expect(annotation.message).not.toMatch(RAW_CONTROL_EXCEPT_LF);
      expect(annotation.message).not.toMatch(/##\[|##vso\[/);
      expect(parseV2(formatWorkflowCommand(annotation))?.data).toBe(annotation.message);
    }
  });
});
