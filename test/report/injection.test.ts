import { describe, expect, it } from 'vitest';
import { formatWorkflowCommand, planAnnotations } from '../../src/report/annotations.js';
import { renderJson } from '../../src/report/json.js';
import type { Report } from '../../src/report/model.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderSummary } from '../../src/report/summary.js';
import { renderText } from '../../src/report/text.js';
import { EVERYTHING_HOSTILE, HOSTILE, hostileReport } from './support/report-builder.js';
import { OUR_SGR, RAW_CONTROL_EXCEPT_LF } from './support/patterns.js';
import { commandsIn, outputLines } from './support/runner-commands.js';

/*
 * Issue #10: file names and certificate subjects containing newlines, `%`, `::`, table pipes,
 * HTML and terminal escape sequences cannot start a workflow command, break the summary table,
 * or reach a terminal raw — in any renderer. The hostile report puts the string in an artifact
 * path, the signer's subject and common name, the chain, MsiPatchCertificate, finding messages,
 * a run finding and an endpoint certificate.
 */

const workspace = '/home/runner/work/app/app';
const cases: [string, string][] = [...Object.entries(HOSTILE), ['everything', EVERYTHING_HOSTILE]];

/** Lines a benign report of the same shape renders to, for comparing line structure. */
function benign(): Report {
  return hostileReport('benign.msi');
}

describe.each(cases)('hostile text (%s)', (_name, hostile) => {
  const r = hostileReport(hostile);

  it('cannot start a command or reach the terminal raw through the CLI text', () => {
    for (const color of [false, true]) {
      for (const quiet of [false, true]) {
        const out = renderText(r, { color, quiet });
        expect(commandsIn(out)).toEqual([]);
        expect(out.replace(OUR_SGR, '')).not.toMatch(RAW_CONTROL_EXCEPT_LF);
        // Same number of lines as for a harmless name: nothing in the name made a line.
        expect(outputLines(out)).toHaveLength(
          outputLines(renderText(benign(), { color, quiet })).length,
        );
        // Every line starts with our own text, never with file-controlled text.
        for (const line of outputLines(out).filter(Boolean)) {
          expect(line.replace(OUR_SGR, '')).toMatch(
            /^(?:[✔✖⚠ℹ] |\d+ artifacts?: | {4}(?:[✔✖⚠ℹ] |nested ))/u,
          );
        }
      }
    }
  });

  it('cannot add a workflow command through annotations', () => {
    const annotations = planAnnotations(r, { workspace });
    const output = annotations.map(formatWorkflowCommand).join('\n');
    expect(commandsIn(output)).toEqual(annotations.map((a) => `::${a.level}`));
    expect(outputLines(output)).toHaveLength(annotations.length);
    for (const a of annotations) {
      expect(a.message).not.toMatch(RAW_CONTROL_EXCEPT_LF);
      expect(a.title).not.toMatch(RAW_CONTROL_EXCEPT_LF);
      if (a.file !== undefined) expect(a.file).not.toMatch(RAW_CONTROL_EXCEPT_LF);
    }
  });

  it('cannot add a table row or cell, raw HTML or a code span to the job summary', () => {
    const out = renderSummary(r, {
      context: { pullRequest: { number: 1, title: hostile, url: 'https://github.com/o/r/pull/1' } },
    });
    const reference = renderSummary(benign(), {
      context: {
        pullRequest: { number: 1, title: 'benign', url: 'https://github.com/o/r/pull/1' },
      },
    });
    expect(out).not.toMatch(RAW_CONTROL_EXCEPT_LF);
    expect(out).not.toContain('`');
    expect(out).not.toMatch(/<img|<script/i);
    expect(out).toContain(hostile.includes('<img') ? '&lt;img' : '');
    // Only our own tags appear.
    const tags = new Set(out.match(/<\/?[a-z]+/gi));
    for (const tag of tags)
      expect([
        '<details',
        '</details',
        '<summary',
        '</summary',
        '<code',
        '</code',
        '<a',
        '</a',
        '<sub',
        '</sub',
      ]).toContain(tag);
    // Same lines, and the same cells in every table line, as for a harmless name.
    const shape = (md: string) =>
      outputLines(md).map((l) => (l.startsWith('|') ? l.split('|').length : l === '' ? 0 : -1));
    expect(shape(out)).toEqual(shape(reference));
  });

  it('keeps exact text in JSON and SARIF without raw control characters', () => {
    const json = renderJson(r);
    expect(json).not.toMatch(RAW_CONTROL_EXCEPT_LF);
    expect((JSON.parse(json) as Report).artifacts[0]!.path).toBe(`dist/${hostile}`);
    const sarif = renderSarif(r, { baseDirectory: workspace });
    expect(sarif).not.toMatch(RAW_CONTROL_EXCEPT_LF);
    expect(() => JSON.parse(sarif)).not.toThrow();
  });
});
