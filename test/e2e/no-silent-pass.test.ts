/**
 * Issue 18 end to end, through the bundled dist/ as the runner runs it (INPUT_*, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY) and the CLI as a process: the action never passes without checking,
 * never loses its results, and says what it did. Issue 20 items 8 (report writes never follow
 * symbolic links) are here too; item 9 (escaping in the fill front ends) is in injection.test.ts.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { cli } from '../cli/cli-process.js';
import { runAction, type ActionRun } from '../support/action-runner.js';
import { REPO } from '../support/manifest.js';
import { run } from '../support/processes.js';
import { skipWithout } from '../support/tools.js';

const PKI = join(REPO, 'fixtures/pki');
const ROOTS = {
  'trusted-roots': join(PKI, 'trusted-roots.pem'),
  'tsa-roots': join(PKI, 'tsa-roots.pem'),
};
const PINNED = { 'signer-certificate': join(PKI, 'signer.pem'), ...ROOTS };
const SIGNED = 'fixtures/msi/signed-sha256.msi';
const SIGNER_CN = 'Contoso Release Signing';
/** The CLI's pin and trust options for the test PKI. */
const CLI_PINNED = [
  '--signer',
  join(PKI, 'signer.pem'),
  '--trusted-roots',
  join(PKI, 'trusted-roots.pem'),
];

let temp: string;
beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), 'va-issue18-'));
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A fresh workspace holding the given fixtures under the given names. */
function workspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(temp, 'ws-'));
  for (const [name, fixture] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    copyFileSync(join(REPO, fixture), join(dir, name));
  }
  return dir;
}

const errorsOf = (result: ActionRun) => result.commands.filter((c) => c.startsWith('::error'));
const warningsOf = (result: ActionRun) => result.commands.filter((c) => c.startsWith('::warning'));
const reportOf = (result: ActionRun) =>
  JSON.parse(readFileSync(result.outputs.report!, 'utf8')) as Report;

describe('1. no pin is a configuration error unless the workflow opts out', () => {
  it.each([
    ['no pin input at all', {}],
    ['an empty secret', { 'signer-certificate': '', 'signer-thumbprint': '' }],
    ['a whitespace-only secret', { 'signer-certificate': '  \n ' }],
  ])('action: %s fails the step with one line naming the inputs and the secret', (_w, pin) => {
    const result = runAction({ paths: SIGNED, ...ROOTS, ...pin });
    expect(result.status).toBe(1);
    expect(result.commands).toHaveLength(1);
    expect(result.commands[0]).toMatch(
      /^::error::no signer is pinned: set input signer-certificate .*signer-thumbprint .*pin-from-msi.*secret.*forks.*signer-certificate: any$/,
    );
    expect(result.outputs).toEqual({});
    expect(result.summary).toBe('');
  });

  it('action: signer-certificate: any verifies, with a warning annotation and a summary line', () => {
    const result = runAction({ paths: SIGNED, ...ROOTS, 'signer-certificate': 'any' });
    expect(result.status).toBe(0);
    expect(result.outputs.result).toBe('pass');
    expect(warningsOf(result).some((c) => c.includes('signer-not-pinned'))).toBe(true);
    expect(result.summary).toMatch(/⚠️ <a href="[^"]+#signer-not-pinned"><code>signer-not-pinned/);
    expect(reportOf(result).runFindings).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'signer-not-pinned' }),
    ]);
  });

  it('action: any cannot be combined with a pin', () => {
    const result = runAction({
      paths: SIGNED,
      ...ROOTS,
      'signer-certificate': 'any',
      'signer-thumbprint': `sha256:${'ab'.repeat(32)}`,
    });
    expect(result.status).toBe(1);
    expect(result.commands[0]).toContain('cannot be combined with a pin');
  });

  it('CLI: without a pin it warns on stderr and in the report; --signer any is a notice', () => {
    const unpinned = cli(['verify', '--trusted-roots', ROOTS['trusted-roots'], SIGNED]);
    expect(unpinned.status).toBe(0);
    expect(unpinned.stderr).toMatch(/^verify-authenticode: warning: no signer is pinned/);
    expect(unpinned.stdout).toContain('⚠ warning signer-not-pinned: no signer is pinned');
    const json = cli(['verify', '--trusted-roots', ROOTS['trusted-roots'], '--json', '-', SIGNED]);
    expect((JSON.parse(json.stdout) as Report).runFindings?.map((f) => f.code)).toEqual([
      'signer-not-pinned',
    ]);
    const any = cli([
      'verify',
      '--signer',
      'any',
      '--trusted-roots',
      ROOTS['trusted-roots'],
      SIGNED,
    ]);
    expect(any.status).toBe(0);
    expect(any.stderr).toBe('');
    expect(any.stdout).toContain('ℹ notice signer-not-pinned');
  });
});

describe('2. a missing literal path fails; a glob that matches nothing warns; counts are reported', () => {
  it('action: a misspelt literal path fails the run even though another path matched', () => {
    const result = runAction({
      paths: `${SIGNED}\nfixtures/msi/signed-sha256-typo.msi`,
      ...PINNED,
    });
    expect(result.status).toBe(1);
    expect(result.outputs).toMatchObject({ total: '1', passed: '1', result: 'fail' });
    expect(errorsOf(result).some((c) => c.includes('missing-path'))).toBe(true);
    expect(result.commands.at(-1)).toBe('::error::missing-path');
    const report = reportOf(result);
    expect(report.patterns).toEqual([
      { pattern: SIGNED, count: 1 },
      { pattern: 'fixtures/msi/signed-sha256-typo.msi', count: 0 },
    ]);
    expect(result.summary).toContain(
      `- Paths (files matched): <code>${SIGNED}</code> 1, <code>fixtures/msi/signed-sha256-typo.msi</code> 0 ⚠️`,
    );
  });

  it('action: a glob that matches nothing is a warning; the run passes on the rest', () => {
    const result = runAction({ paths: `${SIGNED}\nfixtures/msi/prodcut-*.msi`, ...PINNED });
    expect(result.status).toBe(0);
    expect(warningsOf(result).some((c) => c.includes('no-match'))).toBe(true);
    expect(reportOf(result).runFindings).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'no-match' }),
    ]);
    const strict = runAction({
      paths: `${SIGNED}\nfixtures/msi/prodcut-*.msi`,
      ...PINNED,
      'fail-on': 'warning',
    });
    expect(strict.status).toBe(1);
  });

  it('CLI: the JSON report lists each pattern with its count', () => {
    const result = cli([
      'verify',
      ...CLI_PINNED,
      '--json',
      '-',
      'fixtures/msi/signed-sha*.msi',
      'fixtures/msi/missing.msi',
    ]);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.patterns).toEqual([
      {
        pattern: 'fixtures/msi/signed-sha*.msi',
        count: readdirSync(join(REPO, 'fixtures/msi')).filter((n) => /^signed-sha.*\.msi$/.test(n))
          .length,
      },
      { pattern: 'fixtures/msi/missing.msi', count: 0 },
    ]);
    expect(report.runFindings).toEqual([
      {
        severity: 'error',
        code: 'missing-path',
        message: 'fixtures/msi/missing.msi: no such file or directory',
      },
    ]);
  });

  it('fill action: a missing literal path fails, a glob that matches nothing warns, counts logged', () => {
    const ws = workspace({ 'out/app.msi': 'fixtures/msi/unsigned.msi' });
    const result = runAction(
      {
        paths: 'out/app.msi\nout/typo.msi\nout/none-*.msi',
        certificate: join(PKI, 'signer.pem'),
      },
      { workspace: ws, script: 'fill-patch-certificate.js' },
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      'files matched: out/app.msi: 1, out/typo.msi: 0, out/none-*.msi: 0',
    );
    expect(result.commands).toContain(
      '::error title=missing-path::out/typo.msi: no such file or directory',
    );
    expect(result.commands).toContain(
      '::warning title=no-match::out/none-*.msi: the pattern matched no file',
    );
    expect(result.outputs).toMatchObject({ filled: '1', failed: '1' });
  });

  it('fill CLI: expands globs like verify and names a missing file in one line', () => {
    const ws = workspace({
      'out/a.msi': 'fixtures/msi/unsigned.msi',
      'out/b.msi': 'fixtures/msi/unsigned-msibuild.msi',
    });
    const result = cli(
      ['fill-patch-certificate', 'out/*.msi', 'out/typo.msi', '--cert', join(PKI, 'signer.pem')],
      { cwd: ws },
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^out\/a\.msi: added /m);
    expect(result.stdout).toMatch(/^out\/b\.msi: added /m);
    expect(result.stderr).toBe(
      'verify-authenticode: error: out/typo.msi: no such file or directory\n' +
        'verify-authenticode: files matched: out/*.msi: 2, out/typo.msi: 0\n',
    );
  });
});

describe('3. what weakens the verdict is visible in the CLI text and the summary', () => {
  it('a chain root reported rather than trusted shows for a passing artifact', () => {
    const text = cli([
      'verify',
      '--signer',
      join(PKI, 'signer.pem'),
      '--trusted-roots',
      'none',
      SIGNED,
    ]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(
      /\n {4}ℹ notice chain-root: trust was not checked; the chain ends at/,
    );
    const quiet = cli([
      'verify',
      '--quiet',
      '--signer',
      'any',
      '--trusted-roots',
      ROOTS['trusted-roots'],
      SIGNED,
    ]);
    expect(quiet.stdout).toContain('ℹ notice signer-not-pinned');
    const action = runAction({
      paths: SIGNED,
      'signer-certificate': PINNED['signer-certificate'],
      'trusted-roots': 'none',
    });
    expect(action.status).toBe(0);
    expect(action.summary).toMatch(
      /ℹ️ <a href="[^"]+#chain-root"><code>chain-root<\/code><\/a> trust was not checked; the chain ends at/,
    );
  });
});

describe('4. CA certificates are never signers or patch certificates', () => {
  const chainFile = () => {
    const path = join(temp, 'leaf-chain.pem');
    writeFileSync(
      path,
      readFileSync(join(PKI, 'signer.pem'), 'utf8') +
        readFileSync(join(PKI, 'intermediate.pem'), 'utf8'),
    );
    return path;
  };

  it('a chain file as the pin pins the signer only and says it skipped the CA', () => {
    const result = runAction({ paths: SIGNED, ...ROOTS, 'signer-certificate': chainFile() });
    expect(result.status).toBe(0);
    const skipped = reportOf(result).runFindings?.filter(
      (f) => f.code === 'ca-certificate-skipped',
    );
    expect(skipped).toEqual([
      expect.objectContaining({
        severity: 'notice',
        message: expect.stringContaining('VA Test Code Signing CA'),
      }),
    ]);
  });

  it('a pin of only CA certificates is refused', () => {
    const result = cli(['verify', '--signer', join(PKI, 'intermediate.pem'), SIGNED]);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      `verify-authenticode: --signer: ${join(PKI, 'intermediate.pem')} holds only CA certificates (basicConstraints CA:TRUE), which never sign files; give the signer's own certificate`,
    );
  });

  it('fill-patch-certificate --cert leaf-chain.pem lists the signer, not the intermediate', () => {
    const ws = workspace({ 'app.msi': 'fixtures/msi/unsigned.msi' });
    const filled = cli(['fill-patch-certificate', 'app.msi', '--cert', chainFile()], { cwd: ws });
    expect(filled.status, filled.stderr).toBe(0);
    expect(filled.stderr).toContain(
      'skipped "C=US, O=Verify-Authenticode Test PKI (TEST ONLY), CN=VA Test Code Signing CA"',
    );
    const inspect = cli(['inspect', '--json', join(ws, 'app.msi')]);
    const tables = (
      JSON.parse(inspect.stdout) as {
        package: { tables: { msiPatchCertificate: { patchCertificate: string }[] } };
      }
    ).package.tables;
    expect(tables.msiPatchCertificate.map((row) => row.patchCertificate)).toEqual([
      'PatchCert_0e89138aff9867dc',
    ]);
    expect(filled.stdout).toContain(`added ${SIGNER_CN} (sha256 0e89138aff9867dc…)`);
  });
});

describe('5. an extension that disagrees with the content is a warning', () => {
  it.each([
    ['a cabinet named .msi', 'fixtures/cab/signed-sha256.cab', 'x.msi', 'a cabinet (.cab)'],
    ['an installer database named .cab', SIGNED, 'x.cab', 'an installer database (.msi)'],
  ])('%s', (_w, fixture, name, content) => {
    const ws = workspace({ [name]: fixture });
    const result = runAction(
      { paths: name, ...PINNED, 'patch-certificate': 'off' },
      { workspace: ws },
    );
    expect(result.outputs.result).toBe('pass');
    const warning = warningsOf(result).find((c) => c.includes('extension-mismatch'));
    expect(warning).toContain(`its content is ${content}`);
  });
});

describe('6 and issue 20 item 8. reports are written safely and never lose results', () => {
  it('action: creates the missing directories of sarif-report and json-report', () => {
    const ws = workspace({ 'app.msi': SIGNED });
    const result = runAction(
      {
        paths: 'app.msi',
        ...PINNED,
        'sarif-report': 'reports/x.sarif',
        'json-report': 'a/b/r.json',
      },
      { workspace: ws },
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(readFileSync(join(ws, 'reports/x.sarif'), 'utf8'))).toHaveProperty('runs');
    expect(result.outputs.report).toBe(join(ws, 'a/b/r.json'));
  });

  it('action: a report that cannot be written fails with one line; everything else is written', () => {
    const ws = workspace({ 'app.msi': SIGNED });
    writeFileSync(join(ws, 'blocker'), 'a file where a directory should be');
    const result = runAction(
      { paths: 'app.msi', ...PINNED, 'sarif-report': 'blocker/x.sarif' },
      { workspace: ws },
    );
    expect(result.status).toBe(1);
    expect(result.stdout).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.outputs).toMatchObject({ total: '1', passed: '1', result: 'pass' });
    expect(existsSync(result.outputs.report!)).toBe(true);
    expect(result.summary).toContain('✅ Authenticode verification passed');
    expect(result.commands).toContain(
      `::error title=Report not written::input sarif-report: cannot write blocker/x.sarif: ${join(ws, 'blocker')} is not a directory`,
    );
    expect(result.commands.at(-1)).toBe(
      '::error::verification passed, but 1 report(s) could not be written',
    );
  });

  it('action: refuses a symbolic link as the report or its directory; the link target is untouched', () => {
    const ws = workspace({ 'app.msi': SIGNED });
    const victim = join(temp, 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(ws, 'report.sarif'));
    mkdirSync(join(temp, 'victim-dir'), { recursive: true });
    symlinkSync(join(temp, 'victim-dir'), join(ws, 'reports'));
    const result = runAction(
      {
        paths: 'app.msi',
        ...PINNED,
        'sarif-report': 'report.sarif',
        'json-report': 'reports/r.json',
      },
      { workspace: ws },
    );
    expect(result.status).toBe(1);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(existsSync(join(temp, 'victim-dir', 'r.json'))).toBe(false);
    expect(result.commands).toContain(
      '::error title=Report not written::input sarif-report: cannot write report.sarif: it is a symbolic link; reports are not written through links',
    );
    expect(result.commands).toContain(
      `::error title=Report not written::input json-report: cannot write reports/r.json: ${join(ws, 'reports')} is a symbolic link; reports are not written through links`,
    );
    expect(result.outputs.report).toBeUndefined();
    expect(result.outputs.result).toBe('pass');
  });

  it('CLI: --json into a missing directory creates it; an unwritable report exits 3 in one line', () => {
    const dir = join(temp, 'cli-missing', 'dir');
    const created = cli(['verify', ...CLI_PINNED, '--json', join(dir, 'r.json'), SIGNED]);
    expect(created.status).toBe(0);
    expect(existsSync(join(dir, 'r.json'))).toBe(true);

    const blocked = cli(['verify', ...CLI_PINNED, '--json', `${SIGNED}/r.json`, SIGNED]);
    expect(blocked.status).toBe(3);
    expect(blocked.stderr).toBe(
      `verify-authenticode: cannot write ${SIGNED}/r.json: ${join(REPO, SIGNED)} is not a directory\n`,
    );
    expect(blocked.stdout).toContain('1 artifact: 1 passed');
  });

  it('CLI: an existing report file is replaced; a symbolic link is not followed', () => {
    const path = join(temp, 'existing.json');
    writeFileSync(path, 'old');
    expect(cli(['verify', ...CLI_PINNED, '--json', path, SIGNED]).status).toBe(0);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toHaveProperty('schemaVersion', 1);
    const link = join(temp, 'link.json');
    symlinkSync(path, link);
    const result = cli(['verify', ...CLI_PINNED, '--sarif', link, SIGNED]);
    expect(result.status).toBe(3);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toHaveProperty('schemaVersion', 1);
  });
});

describe('7 and 8. the log says what was verified; the run-level error always shows', () => {
  it('prints the text report in a collapsed group even without annotations and summary', () => {
    const result = runAction({
      paths: `${SIGNED}\nfixtures/msi/unsigned.msi`,
      ...PINNED,
      annotations: 'false',
      summary: 'false',
    });
    expect(result.status).toBe(1);
    const group = result.stdout.slice(
      result.stdout.indexOf('::group::verify-authenticode: 2 artifact(s), 1 failed'),
      result.stdout.indexOf('::endgroup::'),
    );
    expect(group).toMatch(/✖ fixtures\/msi\/unsigned\.msi {2}msi {2}fail: unsigned/);
    expect(group).toMatch(/✔ fixtures\/msi\/signed-sha256\.msi {2}msi {2}pass/);
    expect(errorsOf(result)).toEqual(['::error::1 of 2 artifact(s) failed verification']);
  });

  it('with 12 failing artifacts, the step message is among the first 10 error annotations', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++)
      files[`out/u${String(i).padStart(2, '0')}.msi`] = 'fixtures/msi/unsigned.msi';
    const result = runAction({ paths: 'out/*.msi', ...PINNED }, { workspace: workspace(files) });
    const errors = errorsOf(result);
    expect(errors).toHaveLength(10);
    expect(errors.at(-1)).toBe('::error::12 of 12 artifact(s) failed verification');
    expect(result.commands.filter((c) => c.startsWith('::notice'))).toEqual([
      expect.stringContaining('3 more errors not shown as annotations'),
    ]);
  });
});

describe('9. the job summary reads like a tool people already use', () => {
  it('reason and fix in view, codes linked, valid-but-unpinned not called invalid', () => {
    const result = runAction({ paths: 'fixtures/msi/signed-signer2.msi', ...PINNED });
    expect(result.status).toBe(1);
    const summary = result.summary;
    expect(summary).toContain('#### ❌ <code>fixtures/msi/signed-signer2.msi</code>');
    expect(summary).toMatch(
      /<a href="https:\/\/github\.com\/[^"]+\/docs\/finding-codes\.md#wrong-signer"><code>wrong-signer<\/code><\/a> \*\*[^*]+\*\*: signed by /,
    );
    expect(summary).toMatch(/\n\*\*Fix:\*\* \S/);
    expect(summary).toContain(
      '**Signature 0** (primary, SHA-256, valid, but not by the pinned signer)',
    );
    expect(summary).not.toContain(', invalid)');
  });

  it('shows workspace-relative paths in patch findings', () => {
    const result = runAction({
      paths: 'fixtures/msp/signed-target-without-patchcert.msp',
      baseline: SIGNED,
      ...PINNED,
    });
    expect(result.status).toBe(0);
    expect(result.summary).toContain(`the target ${SIGNED} has no MsiPatchCertificate table`);
    expect(result.summary).not.toContain(REPO);
    expect(
      reportOf(result)
        .artifacts[0]!.findings.map((f) => f.message)
        .join(),
    ).not.toContain(REPO);
  });
});

describe('11. command-line niceties', () => {
  it('names a PKCS#12 file and shows the openssl command', ({ skip }) => {
    const reason = skipWithout('openssl');
    skip(reason !== undefined, reason);
    const pfx = join(temp, 'leaf.pfx');
    const made = run('openssl', [
      'pkcs12',
      '-export',
      '-in',
      join(PKI, 'signer.pem'),
      '-inkey',
      join(PKI, 'signer.key'),
      '-passout',
      'pass:',
      '-out',
      pfx,
    ]);
    expect(made.status, made.stderr).toBe(0);
    const result = cli(['verify', '--signer', pfx, SIGNED]);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      `verify-authenticode: --signer: ${pfx}: is a PKCS#12 (.pfx/.p12) file: it holds the private key, which verification never needs. Export the certificate alone: openssl pkcs12 -in ${pfx} -nokeys -clcerts -out signer.pem`,
    );
  });

  it('--sarif - writes SARIF to standard output', () => {
    const result = cli(['verify', ...CLI_PINNED, '--sarif', '-', SIGNED]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ version: '2.1.0' });
  });

  it.each([
    [
      'a Git LFS pointer',
      'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n',
      'a Git LFS pointer',
    ],
    ['an HTML error page', '\n<!DOCTYPE html>\n<html><body>404</body></html>', 'an HTML page'],
  ])('recognises %s saved as .msi by name', (_w, content, name) => {
    const path = join(temp, `${name.replace(/\W/g, '')}.msi`);
    writeFileSync(path, content);
    const result = cli(['verify', '--signer', 'any', '--json', '-', path]);
    const finding = (JSON.parse(result.stdout) as Report).artifacts[0]!.findings[0]!;
    expect(finding.code).toBe('not-a-package');
    expect(finding.message).toContain(`the file is ${name}`);
  });
});

describe('12. no @actions/github', () => {
  it('is not a dependency and is not bundled; the summary still names the pull request', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies)).not.toContain('@actions/github');
    expect(readFileSync(join(REPO, 'dist/index.js'), 'utf8')).not.toContain('@octokit');
    const result = runAction({ paths: SIGNED, ...PINNED });
    expect(result.summary).toContain(
      'Commit <code>0123456789abcdef0123456789abcdef01234567</code> · ref <code>refs/pull/42/merge</code> · pull request <a href="https://github.com/o/r/pull/42">#42</a>',
    );
  });
});

describe('14. small things', () => {
  it('refuses --min-digest md5', () => {
    const result = cli(['verify', '--signer', 'any', '--min-digest', 'md5', SIGNED]);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      'verify-authenticode: --min-digest must be one of sha1, sha256, sha384, sha512 (got "md5")',
    );
  });

  it('formats the expiry time in expires-soon', () => {
    const result = cli([
      'verify',
      ...CLI_PINNED,
      '--expiry-warning-days',
      '100000',
      '--json',
      '-',
      SIGNED,
    ]);
    const finding = (JSON.parse(result.stdout) as Report).artifacts[0]!.findings.find(
      (f) => f.code === 'expires-soon',
    );
    expect(finding?.message).toMatch(
      /^the signer certificate expires on \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC \(in \d+ days\)/,
    );
  });

  it('the fill action names the remove-signature input', () => {
    const ws = workspace({ 'app.msi': SIGNED });
    const result = runAction(
      { paths: 'app.msi', certificate: join(PKI, 'signer.pem') },
      { workspace: ws, script: 'fill-patch-certificate.js' },
    );
    expect(result.status).toBe(1);
    expect(errorsOf(result)[0]).toContain('(set the input remove-signature: true)');
    expect(result.stdout).not.toContain('--remove-signature');
  });

  it('inspect labels the RFC 3161 token serial as the token’s', () => {
    const result = cli(['inspect', '--no-color', 'fixtures/msi/signed-timestamped.msi']);
    expect(result.stdout).toMatch(/token serial number/);
  });
});

describe('13. release conventions', () => {
  it('ships a licence, a changelog and a security policy; the README names the real uses: form', () => {
    expect(readFileSync(join(REPO, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(readFileSync(join(REPO, 'CHANGELOG.md'), 'utf8')).toContain('## [Unreleased]');
    expect(readFileSync(join(REPO, 'SECURITY.md'), 'utf8')).toContain('Report a vulnerability');
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    expect(readme).not.toContain('<owner>');
    expect(readme).toMatch(/uses: [\w-]+\/verify-authenticode@v\d/);
    expect(readme).toContain('security-events: write');
    expect(readme).toContain('github/codeql-action/upload-sarif@v4');
    expect(readme).toContain('category:');
    const release = readFileSync(join(REPO, '.github/workflows/release.yml'), 'utf8');
    expect(release).toContain('git tag -f -a "$major"');
  });

  it('SARIF rules link into docs/finding-codes.md; informationUri is the repository', () => {
    const result = cli(['verify', '--signer', 'any', '--sarif', '-', 'fixtures/msi/unsigned.msi']);
    const sarif = JSON.parse(result.stdout) as {
      runs: {
        tool: { driver: { informationUri: string; rules: { id: string; helpUri: string }[] } };
      }[];
    };
    const driver = sarif.runs[0]!.tool.driver;
    expect(driver.informationUri).toMatch(/^https:\/\/github\.com\/[\w-]+\/verify-authenticode$/);
    const unsigned = driver.rules.find((rule) => rule.id === 'unsigned')!;
    expect(unsigned.helpUri).toBe(
      `${driver.informationUri}/blob/main/docs/finding-codes.md#unsigned`,
    );
  });
});
