import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/manifest.js';
import { cli, cliOnTerminal, SKIP_SCRIPT, STANDARD_OPTIONS } from './cli-process.js';
import { titled } from '../support/tools.js';

/* eslint-disable no-control-regex -- terminal control sequences are what these tests look for */
const ESC = '\u001b';
/** The progress line is redrawn in place: carriage return, erase line, text. */
const PROGRESS = /\r\u001b\[2K(verifying|inspecting) {2}/;
const COLOUR = /\u001b\[\d+m/;

const temp = mkdtempSync(join(tmpdir(), 'va-tty-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('output that is not a terminal', () => {
  it('has no progress and no colour: standard error stays empty', () => {
    const result = cli(['verify', 'fixtures', ...STANDARD_OPTIONS]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toContain(ESC);
    expect(result.stdout).not.toContain('\r');
  });

  it('inspect neither, even when progress would show at once', () => {
    const result = cli(['inspect', 'fixtures/msi/signed-sha256.msi'], {
      env: { VERIFY_AUTHENTICODE_PROGRESS_DELAY_MS: '0' },
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toContain(ESC);
  });
});

describe.skipIf(SKIP_SCRIPT)(
  titled('output on a terminal (pseudo-terminal via script)', SKIP_SCRIPT),
  () => {
    it('verify of many files shows progress (files done, bytes hashed, rate), erased before the report', () => {
      const result = cliOnTerminal(['verify', 'fixtures', ...STANDARD_OPTIONS, '--quiet']);
      expect(result.stdout).toMatch(PROGRESS);
      expect(result.stdout).toMatch(
        /verifying {2}\d+\/\d+ files {2}[\d.]+ (B|KiB|MiB) hashed {2}[\d.]+ (B|KiB|MiB|GiB)\/s/,
      );
      // The last drawing counts every file, then the line is erased and the report starts.
      const [, total] = /verifying {2}\d+\/(\d+) files/.exec(result.stdout)!;
      expect(result.stdout).toContain(`verifying  ${total}/${total} files`);
      const lastProgress = result.stdout.lastIndexOf('verifying  ');
      const firstReport = result.stdout.search(/(✔|✖)(\u001b\[0m)? fixtures\//);
      expect(firstReport).toBeGreaterThan(0);
      expect(lastProgress).toBeLessThan(firstReport);
      expect(result.stdout.slice(lastProgress, firstReport)).toContain('\r\u001b[2K');
    });

    it('a single file shows no progress before the delay', () => {
      // The default delay is 500 ms; a generous one keeps a loaded machine from drawing it.
      const result = cliOnTerminal(
        ['verify', 'fixtures/msi/signed-sha256.msi', ...STANDARD_OPTIONS],
        {
          env: { VERIFY_AUTHENTICODE_PROGRESS_DELAY_MS: '10000' },
        },
      );
      expect(result.stdout).not.toMatch(PROGRESS);
    });

    it('inspect shows bytes of the file hashed once the work outlasts the delay', () => {
      const result = cliOnTerminal(['inspect', 'fixtures/msi/signed-sha256.msi'], {
        env: { VERIFY_AUTHENTICODE_PROGRESS_DELAY_MS: '0' },
      });
      expect(result.stdout).toMatch(
        /inspecting {2}[\d.]+ (B|KiB) of 19\.0 KiB hashed \(\d+%\) {2}[\d.]+ \w+\/s/,
      );
      expect(result.stdout).toContain('inspecting  19.0 KiB of 19.0 KiB hashed (100%)');
    });

    it('colours the report', () => {
      const result = cliOnTerminal([
        'verify',
        'fixtures/msi/signed-sha256.msi',
        'fixtures/msi/unsigned.msi',
        ...STANDARD_OPTIONS,
      ]);
      expect(result.stdout).toMatch(COLOUR);
      expect(result.stdout).toContain(`${ESC}[32m✔${ESC}[0m fixtures/msi/signed-sha256.msi`);
      expect(result.stdout).toContain(`${ESC}[31m✖${ESC}[0m fixtures/msi/unsigned.msi`);
      const inspect = cliOnTerminal(['inspect', 'fixtures/msi/signed-sha256.msi']);
      expect(inspect.stdout).toContain(`${ESC}[32m✔${ESC}[0m digest`);
    });

    it.each([
      ['NO_COLOR=1', { NO_COLOR: '1' }, []],
      ['--no-color', {}, ['--no-color']],
    ])('never colours with %s', (_name, env, flags) => {
      const result = cliOnTerminal(
        [
          'verify',
          'fixtures/msi/signed-sha256.msi',
          'fixtures/msi/unsigned.msi',
          ...STANDARD_OPTIONS,
          ...flags,
        ],
        { env },
      );
      expect(result.stdout).toContain('✔ fixtures/msi/signed-sha256.msi');
      expect(result.stdout).not.toMatch(COLOUR);
      const inspect = cliOnTerminal(['inspect', 'fixtures/msi/signed-sha256.msi', ...flags], {
        env,
      });
      expect(inspect.stdout).toContain('✔ digest');
      expect(inspect.stdout).not.toMatch(COLOUR);
    });
  },
);

describe('file names that hold terminal controls', () => {
  // A name with an escape sequence (red, clear screen) and a newline that fakes a passing line.
  const hostile = `evil\u001b[31m\u001b[2Jname\n✔ fake.msi  msi  pass.msi`;
  const copied = (() => {
    try {
      copyFileSync(join(REPO, 'fixtures', 'msi', 'unsigned.msi'), join(temp, hostile));
      return true;
    } catch {
      return false; // a file system that refuses such names has nothing to test
    }
  })();

  it.skipIf(!copied)('reach neither verify nor inspect output raw', () => {
    for (const result of [
      cli(
        [
          'verify',
          hostile,
          ...STANDARD_OPTIONS.map((o) => (o.startsWith('fixtures/') ? join(REPO, o) : o)),
        ],
        {
          cwd: temp,
        },
      ),
      cli(['verify', '.', '--signer', join(REPO, 'fixtures/pki/signer.pem')], { cwd: temp }),
      cli(['inspect', hostile], { cwd: temp }),
    ]) {
      expect(result.stdout).not.toContain(ESC);
      expect(result.stdout).toContain('evil\\x1b[31m\\x1b[2Jname\\n✔ fake.msi  msi  pass.msi');
      expect(result.stdout.split('\n').some((line) => line.startsWith('✔ fake.msi'))).toBe(false);
    }
  });

  it.skipIf(!copied || SKIP_SCRIPT)(
    titled('do not reach a terminal raw, even with colours on', SKIP_SCRIPT),
    () => {
      const result = cliOnTerminal(['inspect', hostile], { cwd: temp });
      expect(result.stdout).toMatch(COLOUR);
      expect(result.stdout).not.toContain(`${ESC}[2J`);
      expect(result.stdout).toContain('evil\\x1b[31m\\x1b[2Jname\\n');
    },
  );

  it.skipIf(!copied)('in JSON stay exact (JSON escapes them)', () => {
    const result = cli(['inspect', hostile, '--json'], { cwd: temp });
    expect((JSON.parse(result.stdout) as { path: string }).path).toBe(hostile);
    expect(result.stdout).not.toContain(ESC);
  });
});
