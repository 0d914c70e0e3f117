/**
 * Issue #10, end to end: file names and certificate subjects that contain newlines, `%`, `::`,
 * Markdown table pipes, HTML and terminal escape sequences cannot start a workflow command,
 * break the job summary table, or reach a terminal raw — through the bundled action
 * (dist/index.js: annotations, summary) and the bundled CLI (dist/cli.js: terminal text).
 *
 * The subjects are real: openssl makes a code-signing certificate whose CN, O, OU and L hold the
 * hostile text as UTF8Strings, and osslsigncode signs an MSI and a CAB with it. (Renderer-level
 * cases with more strings are in test/report/injection.test.ts.)
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { OUR_SGR, RAW_CONTROL_EXCEPT_LF } from '../report/support/patterns.js';
import {
  commandsIn,
  hasLogCommand,
  outputLines,
  parseV2,
} from '../report/support/runner-commands.js';
import { runAction, type ActionRun } from '../support/action-runner.js';
import { REPO } from '../support/manifest.js';
import { run } from '../support/processes.js';
import { skipWithout, titled } from '../support/tools.js';

/** The hostile subject, one attribute per kind of attack (each at most 64 characters). */
const SUBJECT = {
  CN: 'Evil\n::error file=x::pwned %0A %25 \u001b[31mRED\u001b[0m',
  O: 'Org\r\n::warning::x | a | b <img src=x onerror=alert(1)>',
  OU: '\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007 \u202egnp.exe',
  L: '##[error]boom `tick` <script>x</script> 100%',
} as const;

/** Hostile file names (no `/`: they are names in one directory). */
const NAMES = [
  'evil\n::error::pwned.msi',
  'evil\r::warning::pwned.msi',
  'a%0A::error::x.msi',
  'a|b|c.msi',
  '<img src=x onerror=alert(1)>.msi',
  'red\u001b[31mALERT\u001b[0m.msi',
  'link\u001b]8;;evil.example\u0007x\u001b]8;;\u0007.msi',
  'invoice\u202egnp.msi',
  'x ##[error]pwned.msi',
  'tick`code`.cab',
  'pipe|<b>bold<\u2215b>.cab',
];

/** Why the suite skips, when it does (test/support/tools.ts). */
const SKIP = skipWithout('openssl', 'osslsigncode');

/** An openssl request config: values escaped for its parser (`\n`, `\r`, `\#`, `\\`). */
function requestConfig(): string {
  const escape = (value: string) =>
    value
      .replace(/\\/g, '\\\\')
      .replace(/\n/g, '\\n')
      .replace(/\r/g, '\\r')
      .replace(/#/g, '\\#')
      .replace(/\$/g, '\\$');
  return [
    '[req]',
    'prompt = no',
    'utf8 = yes',
    'string_mask = utf8only',
    'distinguished_name = dn',
    'x509_extensions = ext',
    '[dn]',
    ...Object.entries(SUBJECT).map(([k, v]) => `${k} = ${escape(v)}`),
    '[ext]',
    'basicConstraints = CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = codeSigning',
    '',
  ].join('\n');
}

let workspace: string;

beforeAll(() => {
  if (SKIP) return;
  workspace = mkdtempSync(join(tmpdir(), 'va-injection-'));
  const keys = join(workspace, 'keys');
  mkdirSync(keys);
  mkdirSync(join(workspace, 'out'));
  writeFileSync(join(keys, 'req.cnf'), requestConfig());
  run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '3650',
    '-keyout',
    join(keys, 'k.pem'),
    '-out',
    join(keys, 'c.pem'),
    '-config',
    join(keys, 'req.cnf'),
  ]);
  for (const [input, output] of [
    ['fixtures/msi/unsigned.msi', 'signed.msi'],
    ['fixtures/cab/unsigned-mszip.cab', 'signed.cab'],
  ] as const) {
    const result = run('osslsigncode', [
      'sign',
      '-certs',
      join(keys, 'c.pem'),
      '-key',
      join(keys, 'k.pem'),
      '-h',
      'sha256',
      '-in',
      join(REPO, input),
      '-out',
      join(keys, output),
    ]);
    expect(result.status, result.stderr).toBe(0);
  }
  for (const name of NAMES) {
    copyFileSync(
      join(keys, name.endsWith('.cab') ? 'signed.cab' : 'signed.msi'),
      join(workspace, 'out', name),
    );
  }
});
afterAll(() => {
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

const pinned = {
  'signer-certificate': join(REPO, 'fixtures/pki/signer.pem'),
  'trusted-roots': join(REPO, 'fixtures/pki/trusted-roots.pem'),
};

describe.skipIf(SKIP)(titled('hostile names and certificate subjects, end to end', SKIP), () => {
  let action: ActionRun;
  beforeAll(() => {
    action = runAction({ paths: 'out/*.msi\nout/*.cab', ...pinned }, { workspace });
  });

  it('the certificate really carries the hostile subject', () => {
    const report = JSON.parse(readFileSync(action.outputs.report!, 'utf8')) as Report;
    expect(report.artifacts).toHaveLength(NAMES.length);
    for (const artifact of report.artifacts) {
      // JSON keeps the exact text (escaped by JSON itself).
      expect(artifact.signatures[0]?.signer?.commonName).toBe(SUBJECT.CN);
      expect(artifact.signatures[0]?.signer?.subject).toContain(SUBJECT.O);
      expect(artifact.findings.map((f) => f.code)).toContain('wrong-signer');
    }
    expect(report.artifacts.map((a) => a.path).sort()).toEqual(NAMES.map((n) => `out/${n}`).sort());
  });

  it('action: every workflow command is one of ours, one error annotation per artifact', () => {
    expect(action.status).toBe(1);
    const commands = outputLines(action.stdout).flatMap((line) => {
      const command = parseV2(line);
      if (command) return [command];
      // No v1 (`##[…]`) or Azure (`##vso[`) log command anywhere outside our own v2 lines.
      expect(hasLogCommand(line), line).toBe(false);
      return [];
    });
    expect(
      commands.every((c) => ['error', 'warning', 'notice', 'group', 'endgroup'].includes(c.name)),
    ).toBe(true);
    // The text report's log group is titled with counts only.
    expect(commands.find((c) => c.name === 'group')?.data).toBe(
      `verify-authenticode: ${NAMES.length} artifact(s), ${NAMES.length} failed`,
    );
    const errors = commands.filter((c) => c.name === 'error');
    // One per artifact (GitHub keeps ten per step: nine for artifacts, a notice counts the
    // rest), and the step's own failure message, which must be among the ten.
    expect(errors).toHaveLength(Math.min(NAMES.length, 9) + 1);
    if (NAMES.length > 10) expect(commands.filter((c) => c.name === 'notice')).toHaveLength(1);
    expect(errors.at(-1)!.data).toBe(
      `${NAMES.length} of ${NAMES.length} artifact(s) failed verification`,
    );
    for (const error of errors.slice(0, -1)) {
      // The runner decodes %XX: what it shows is our text, with the subject's "%0A" literal,
      // and no control character other than the line breaks of a multi-line message.
      expect(error.data).toContain('pwned %0A %25');
      expect(error.data).not.toMatch(RAW_CONTROL_EXCEPT_LF);
      expect(error.properties.title ?? '').not.toMatch(RAW_CONTROL_EXCEPT_LF);
      expect(error.properties.file ?? '').not.toMatch(RAW_CONTROL_EXCEPT_LF);
    }
    expect(action.stdout).not.toMatch(RAW_CONTROL_EXCEPT_LF);
  });

  it('action: the job summary has no raw HTML, code span breakout or extra table cell', () => {
    const summary = action.summary;
    expect(summary).not.toMatch(RAW_CONTROL_EXCEPT_LF);
    expect(summary).not.toMatch(/<img|<script|<b>/i);
    expect(summary).not.toContain('`');
    const tags = new Set(summary.match(/<\/?[a-z]+/gi));
    for (const tag of tags) {
      expect([
        '<details',
        '</details',
        '<summary',
        '</summary',
        '<code',
        '</code',
        '<a',
        '</a',
        '<pre',
        '</pre',
        '<sub',
        '</sub',
      ]).toContain(tag);
    }
    // Every table keeps its header's number of cells on every row.
    let cells = 0;
    for (const line of outputLines(summary)) {
      if (!line.startsWith('|')) {
        cells = 0;
        continue;
      }
      const count = line.split('|').length;
      if (cells === 0) cells = count;
      expect(count, line).toBe(cells);
    }
    // One row per artifact in the overview table.
    const rows = outputLines(summary).filter((l) => l.startsWith('| ❌'));
    expect(rows).toHaveLength(NAMES.length);
  });

  it.each([
    ['without colour', { NO_COLOR: '1' }],
    ['with colour', { FORCE_COLOR: '1' }],
  ])('CLI terminal output %s: nothing raw, nothing that starts a command', (_how, env) => {
    const result = run(
      process.execPath,
      [
        join(REPO, 'dist/cli.js'),
        'verify',
        '--signer',
        pinned['signer-certificate'],
        '--trusted-roots',
        pinned['trusted-roots'],
        'out/*.msi',
        'out/*.cab',
      ],
      { cwd: workspace, env: { PATH: process.env.PATH, ...env } },
    );
    expect(result.status).toBe(1);
    const text = result.stdout.replace(OUR_SGR, '');
    expect(text).not.toMatch(RAW_CONTROL_EXCEPT_LF);
    expect(result.stderr).not.toMatch(RAW_CONTROL_EXCEPT_LF);
    expect(commandsIn(result.stdout)).toEqual([]);
    const lines = outputLines(text).filter(Boolean);
    // Every line starts with our own text, never with file-controlled text.
    for (const line of lines) {
      expect(line).toMatch(/^(?:[✔✖⚠ℹ] |\d+ artifacts?: | {4}(?:[✔✖⚠ℹ] |nested ))/u);
    }
    // One header line per artifact: no name or subject made a line of its own.
    expect(lines.filter((l) => /^[✔✖] /u.test(l))).toHaveLength(NAMES.length);
    // The hostile text is shown, visibly escaped.
    expect(text).toContain('Evil\\n::error file=x::pwned');
    expect(text).toContain('\\x1b[31mRED');
    expect(text).toContain('\\u202egnp');
  });

  // Issue 20 item 9: the fill front ends print names through the same escaping.
  it('fill CLI: hostile file names and subjects reach standard output and error escaped', () => {
    const dir = join(workspace, 'fill-cli');
    mkdirSync(dir, { recursive: true });
    for (const name of NAMES.filter((n) => n.endsWith('.msi'))) {
      copyFileSync(join(REPO, 'fixtures/msi/unsigned.msi'), join(dir, name));
    }
    copyFileSync(join(workspace, 'keys', 'signed.msi'), join(dir, 'signed\n::error::x.msi'));
    const result = run(
      process.execPath,
      [
        join(REPO, 'dist/cli.js'),
        'fill-patch-certificate',
        'fill-cli/*.msi',
        '--cert',
        'keys/c.pem',
      ],
      { cwd: workspace, env: { PATH: process.env.PATH } },
    );
    expect(result.status, result.stderr).toBe(1); // the signed one is refused
    for (const stream of [result.stdout, result.stderr]) {
      expect(stream).not.toMatch(RAW_CONTROL_EXCEPT_LF);
      expect(commandsIn(stream)).toEqual([]);
      for (const line of outputLines(stream).filter(Boolean)) {
        expect(line).toMatch(/^(?:fill-cli\/|verify-authenticode: )/);
      }
    }
    expect(result.stdout).toContain('fill-cli/evil\\n::error::pwned.msi: added Evil\\n::error');
    expect(result.stderr).toContain('fill-cli/signed\\n::error::x.msi: the package is signed');
  });

  it('fill action: every workflow command is one of ours; names are escaped', () => {
    const dir = join(workspace, 'fill-action');
    mkdirSync(dir, { recursive: true });
    for (const name of NAMES.filter((n) => n.endsWith('.msi'))) {
      copyFileSync(join(REPO, 'fixtures/msi/unsigned.msi'), join(dir, name));
    }
    copyFileSync(join(workspace, 'keys', 'signed.msi'), join(dir, 'signed\n::error::x.msi'));
    const result = runAction(
      { paths: 'fill-action/*.msi', certificate: 'keys/c.pem' },
      { workspace, script: 'fill-patch-certificate.js' },
    );
    expect(result.status).toBe(1);
    expect(result.stdout).not.toMatch(RAW_CONTROL_EXCEPT_LF);
    const commands = outputLines(result.stdout).flatMap((line) => {
      const command = parseV2(line);
      if (command) return [command];
      expect(hasLogCommand(line), line).toBe(false);
      // Plain log lines start with our text or the escaped file name.
      expect(line).toMatch(/^(?:fill-action\/|files matched: |$)/);
      return [];
    });
    expect(commands.map((c) => c.name).sort()).toEqual(['error', 'error']);
    const [fileError, stepError] = commands;
    expect(fileError!.data).toContain('fill-action/signed\\n::error::x.msi: the package is signed');
    expect(fileError!.data).toContain('(set the input remove-signature: true)');
    expect(stepError!.data).toBe('1 file(s) could not be filled');
    expect(result.outputs).toMatchObject({
      filled: String(NAMES.filter((n) => n.endsWith('.msi')).length),
      failed: '1',
    });
  });
});
