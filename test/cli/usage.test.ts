import { describe, expect, it } from 'vitest';
import { FILL_USAGE, INSPECT_USAGE, MAIN_USAGE, VERIFY_USAGE } from '../../src/cli/usage.js';
import { cli, VERSION } from './cli-process.js';

describe('help and version', () => {
  it.each([
    [['--help'], MAIN_USAGE],
    [['-h'], MAIN_USAGE],
    [['help'], MAIN_USAGE],
    [['verify', '--help'], VERIFY_USAGE],
    [['verify', '-h'], VERIFY_USAGE],
    [['help', 'verify'], VERIFY_USAGE],
    [['inspect', '--help'], INSPECT_USAGE],
    [['help', 'inspect'], INSPECT_USAGE],
    [['fill-patch-certificate', '--help'], FILL_USAGE],
    [['help', 'fill-patch-certificate'], FILL_USAGE],
  ])('%j prints the help on standard output and exits 0', (args, usage) => {
    const result = cli(args);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(usage);
    expect(result.stderr).toBe('');
  });

  it('lists every command in the main help', () => {
    for (const command of ['verify', 'inspect', 'fill-patch-certificate']) {
      expect(MAIN_USAGE).toMatch(new RegExp(`^  ${command} `, 'm'));
      expect(MAIN_USAGE).toContain(`verify-authenticode ${command} `);
    }
  });

  it('documents every verify option in the verify help', () => {
    for (const option of [
      '--signer',
      '--pin-from-msi',
      '--trusted-roots',
      '--tsa-roots',
      '--intermediates',
      '--baseline',
      '--patch-certificate',
      '--require-timestamp',
      '--signatures',
      '--min-digest',
      '--weak-digest',
      '--expiry-warning-days',
      '--at',
      '--min-artifacts',
      '--json',
      '--sarif',
      '--quiet',
      '--no-color',
      '--concurrency',
      '--help',
    ]) {
      expect(VERIFY_USAGE).toMatch(new RegExp(`^ +(-\\w, )?${option}(?![\\w-])`, 'm'));
    }
  });

  it.each([['--version'], ['-v']])('%s prints the package version and the root list', (flag) => {
    const result = cli([flag]);
    expect(result.status).toBe(0);
    const [version, store] = result.stdout.split('\n');
    expect(version).toBe(VERSION);
    expect(store).toBe(
      `windows trust store: Microsoft Trusted Root Program (authroot.stl, Windows automatic root update), list of 2025-06-16T17:56:11Z (sequence 1401DBDEE7F1A4F449)`,
    );
  });

  it('without a command prints the main help on standard error and exits 2', () => {
    const result = cli([]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(MAIN_USAGE);
  });
});

/** A usage error: one line saying what is wrong, the synopsis, where the options are. */
function expectUsageError(
  args: string[],
  reason: string | RegExp,
  command: string | undefined,
): void {
  const result = cli(args);
  expect(result.status, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  const first = lines[0] ?? '';
  expect(first.startsWith('verify-authenticode: ')).toBe(true);
  if (typeof reason === 'string') expect(first).toContain(reason);
  else expect(first).toMatch(reason);
  if (command) {
    expect(lines[1]).toMatch(/^Usage: verify-authenticode /);
    expect(lines[lines.length - 1]).toBe(
      `Run "verify-authenticode ${command} --help" for all options.`,
    );
  } else {
    expect(lines.slice(1)).toEqual([
      'Commands: verify, inspect, fill-patch-certificate',
      'Run "verify-authenticode --help" for more.',
    ]);
  }
  // A hint, not the whole manual.
  expect(lines.length).toBeLessThanOrEqual(5);
}

describe('usage and configuration errors exit 2 with a one-line reason and the usage hint', () => {
  it('an unknown command', () => {
    expectUsageError(['frobnicate'], 'unknown command "frobnicate"', undefined);
  });

  it('help for an unknown command', () => {
    expectUsageError(['help', 'toString'], 'unknown command "toString"', undefined);
  });

  it('an unknown option of verify', () => {
    expectUsageError(
      ['verify', '--sigher', 'fixtures/pki/signer.pem', 'fixtures/msi/signed-sha256.msi'],
      "unknown option '--sigher'",
      'verify',
    );
  });

  it('an unknown option of inspect', () => {
    expectUsageError(
      ['inspect', '--verbose', 'fixtures/msi/signed-sha256.msi'],
      "unknown option '--verbose'",
      'inspect',
    );
  });

  it('an option without its value', () => {
    expectUsageError(
      ['verify', 'fixtures/msi/signed-sha256.msi', '--signer'],
      /--signer/,
      'verify',
    );
  });

  it('verify without artifacts', () => {
    expectUsageError(
      ['verify', '--signer', 'fixtures/pki/signer.pem'],
      'no artifacts given',
      'verify',
    );
  });

  it('a --signer file that does not exist', () => {
    expectUsageError(
      ['verify', '--signer', 'no-such-signer.pem', 'fixtures/msi/signed-sha256.msi'],
      /^verify-authenticode: --signer: .*no-such-signer\.pem/,
      'verify',
    );
  });

  it('a --trusted-roots bundle that holds no certificate', () => {
    expectUsageError(
      ['verify', '--trusted-roots', 'README.md', 'fixtures/msi/signed-sha256.msi'],
      /^verify-authenticode: --trusted-roots: README\.md: /,
      'verify',
    );
  });

  it('a --tsa-roots bundle that cannot be read', () => {
    expectUsageError(
      ['verify', '--tsa-roots', 'fixtures/no-such-roots.pem', 'fixtures/msi/signed-sha256.msi'],
      /^verify-authenticode: --tsa-roots: /,
      'verify',
    );
  });

  it('a policy value that is not one of the choices', () => {
    expectUsageError(
      ['verify', '--signatures', 'some', 'fixtures/msi/signed-sha256.msi'],
      '--signatures must be one of primary, all (got "some")',
      'verify',
    );
  });

  it('a count that is not a number', () => {
    expectUsageError(
      ['verify', '--min-artifacts', 'many', 'fixtures/msi/signed-sha256.msi'],
      '--min-artifacts must be a whole number (got "many")',
      'verify',
    );
  });

  it('inspect without a file, with two files, with a directory, with a bad --at', () => {
    expectUsageError(['inspect'], 'no file given', 'inspect');
    expectUsageError(
      ['inspect', 'fixtures/msi/signed-sha256.msi', 'fixtures/cab/signed-sha256.cab'],
      'inspect takes one file (got 2)',
      'inspect',
    );
    expectUsageError(['inspect', 'fixtures/cab'], '"fixtures/cab" is a directory', 'inspect');
    expectUsageError(
      ['inspect', 'fixtures/msi/signed-sha256.msi', '--at', 'soon'],
      '--at: "soon" is not a date',
      'inspect',
    );
  });
});
