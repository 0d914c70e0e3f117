import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotARegularFileError, RandomAccessFile } from '../../src/io/random-access-file.js';
import { buildPolicy } from '../../src/verify/configure.js';
import { verifyArtifacts } from '../../src/verify/verify-artifacts.js';
import { REPO } from '../support/manifest.js';

// An artifact path that is not a regular file is reported, never read: a FIFO in particular
// must not block the run waiting for a writer (RandomAccessFile.open opens it without waiting
// where the system can, and checks what it opened).
const temp = mkdtempSync(join(tmpdir(), 'va-special-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('artifacts that are not regular files', () => {
  it.each([
    ['a directory', (path: string) => mkdirSync(path)],
    ['a FIFO', (path: string) => execFileSync('mkfifo', [path])],
  ])('%s: io-error, nothing read', async (what, make) => {
    const path = join(temp, `artifact-${what.replace(/\W/g, '')}.msi`);
    make(path);
    const policy = await buildPolicy({
      signers: [join(REPO, 'fixtures/pki/signer.pem')],
      trustedRoots: join(REPO, 'fixtures/pki/trusted-roots.pem'),
    });
    const report = await verifyArtifacts([{ path, displayPath: 'artifact.msi' }], policy);
    const findings = report.artifacts[0]!.findings;
    expect(findings.map((f) => [f.severity, f.code])).toEqual([['error', 'io-error']]);
    expect(findings[0]!.message).toBe(
      'not a regular file (a directory, FIFO, socket or device); nothing was read',
    );
    expect(report.artifacts[0]!.size).toBe(0);
  });
});

describe('RandomAccessFile.open', () => {
  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const path = join(temp, 'fifo-open');
    execFileSync('mkfifo', [path]);
    await expect(RandomAccessFile.open(path)).rejects.toBeInstanceOf(NotARegularFileError);
  });
});
