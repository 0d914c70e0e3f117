/**
 * The bundle loads pkijs (dist/pkijs.js, a third of the code) only when something uses it
 * (scripts/bundle.mjs, issue 19): verifying a package in the usual shapes must not need it, and
 * what does need it must get it. Shown on a copy of dist/ without that file: the default path
 * still works, and a path that uses pkijs fails for want of it (so the loading is real, not an
 * accident of the copy).
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/manifest.js';
import { run } from '../support/processes.js';
import { STANDARD_OPTIONS } from './cli-process.js';

const temp = mkdtempSync(join(tmpdir(), 'va-bundle-loading-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** dist/ copied beside a package.json that makes its .js files ES modules, minus `without`. */
function distWithout(name: string, without: string[]): string {
  const directory = join(temp, name);
  cpSync(join(REPO, 'dist'), join(directory, 'dist'), { recursive: true });
  writeFileSync(join(directory, 'package.json'), '{"type":"module"}\n');
  for (const file of without) rmSync(join(directory, 'dist', file));
  return join(directory, 'dist', 'cli.js');
}

const cliAt = (cli: string, args: string[]) =>
  run(process.execPath, [cli, ...args], { cwd: REPO, env: { PATH: process.env.PATH } });

describe('pkijs is loaded on first use only', () => {
  it('dist/pkijs.js exists beside the entry points', () => {
    expect(existsSync(join(REPO, 'dist/pkijs.js'))).toBe(true);
  });

  const cli = distWithout('no-pkijs', ['pkijs.js']);

  it.each(['fixtures/msi/signed-sha256.msi', 'fixtures/cab/signed-sha256.cab'])(
    'verify %s passes without it',
    (fixture) => {
      const result = cliAt(cli, ['verify', fixture, ...STANDARD_OPTIONS, '--quiet']);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('1 passed, 0 failed');
    },
  );

  it('inspect, which reads certificates through pkijs, fails without it (and works with it)', () => {
    const without = cliAt(cli, ['inspect', 'fixtures/msi/signed-sha256.msi']);
    expect(without.status).not.toBe(0);
    expect(without.stdout + without.stderr).toMatch(/pkijs\.js/);
    const complete = cliAt(distWithout('complete', []), [
      'inspect',
      'fixtures/msi/signed-sha256.msi',
    ]);
    expect(complete.status).toBe(0);
  });
});
