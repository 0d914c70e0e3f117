/**
 * Issue #10: a per-file time budget turns a pathological file into a `malformed-package`
 * finding instead of a stuck job.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MalformedPackageError } from '../../src/errors.js';
import { MemorySource } from '../../src/io/random-access-file.js';
import { verifyArtifact } from '../../src/verify/artifact.js';
import { buildPolicy } from '../../src/verify/configure.js';
import { defaultPolicy } from '../../src/verify/policy.js';
import {
  DEFAULT_TIME_BUDGET_MS,
  TimeBudget,
  TimeBudgetExceededError,
} from '../../src/verify/time-budget.js';
import { REPO } from '../support/manifest.js';

const temp = mkdtempSync(join(tmpdir(), 'va-budget-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function fakeClock(start = 1000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('TimeBudget', () => {
  it('expires at its deadline and then throws a MalformedPackageError on check', () => {
    const clock = fakeClock();
    const budget = new TimeBudget(50, clock.now);
    expect(budget.remainingMs).toBe(50);
    budget.check();
    clock.advance(49);
    expect(budget.expired).toBe(false);
    clock.advance(1);
    expect(budget.expired).toBe(true);
    expect(() => budget.check()).toThrow(TimeBudgetExceededError);
    expect(() => budget.check()).toThrow(MalformedPackageError);
    expect(() => budget.check()).toThrow(/50 ms time budget/);
  });

  it('guards every read of a source', async () => {
    const clock = fakeClock();
    const budget = new TimeBudget(10, clock.now);
    const source = budget.guard(new MemorySource(Buffer.from('hello world')));
    expect(source.size).toBe(11);
    expect((await source.read(0, 5)).toString()).toBe('hello');
    clock.advance(10);
    await expect(source.read(0, 5)).rejects.toThrow(TimeBudgetExceededError);
    await expect(source.readInto(new Uint8Array(5), 0, 5, 0)).rejects.toThrow(
      TimeBudgetExceededError,
    );
  });

  it('stops waiting for work that never finishes', async () => {
    const budget = new TimeBudget(30);
    const started = performance.now();
    const never = new Promise<never>(() => undefined);
    expect(await budget.race(never)).toEqual({ timedOut: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('hands back the work result or its error when it finishes in time', async () => {
    const budget = new TimeBudget(10_000);
    expect(await budget.race(Promise.resolve(42))).toEqual({ timedOut: false, value: 42 });
    await expect(budget.race(Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });

  it('never fires for a budget beyond what a timer can hold, or for Infinity', async () => {
    // setTimeout would fire at once for delays above 2^31 − 1 ms.
    for (const ms of [2 ** 31 + 5, Infinity]) {
      const budget = new TimeBudget(ms);
      const result = await budget.race(new Promise((r) => setTimeout(() => r('done'), 20)));
      expect(result).toEqual({ timedOut: false, value: 'done' });
    }
  });

  it('refuses a negative or NaN budget', () => {
    expect(() => new TimeBudget(-1)).toThrow(RangeError);
    expect(() => new TimeBudget(Number.NaN)).toThrow(RangeError);
  });

  it('is two minutes per file unless the policy says otherwise', () => {
    expect(DEFAULT_TIME_BUDGET_MS).toBe(120_000);
    expect(defaultPolicy().timeBudgetMs).toBe(120_000);
  });
});

/**
 * A signed cabinet whose cbCabinet claims almost 4 GiB: the signature sits after a sparse hole,
 * so the file costs nothing on disk but hashing it takes seconds.
 */
function hugeCabinet(): string {
  const original = readFileSync(join(REPO, 'fixtures/cab/signed-sha256.cab'));
  const cbCabinet = original.readUInt32LE(8);
  const signature = original.subarray(cbCabinet);
  const claimed = 0xffff0000;
  const header = Buffer.from(original.subarray(0, cbCabinet));
  header.writeUInt32LE(claimed, 8);
  // The locator (osslsigncode's 20-byte reserve: cbJunk 0, cbSig 16) points at the new end.
  header.writeUInt32LE(claimed, 44);
  const path = join(temp, 'huge.cab');
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header, 0, header.length, 0);
    ftruncateSync(fd, claimed);
    writeSync(fd, signature, 0, signature.length, claimed);
  } finally {
    closeSync(fd);
  }
  return path;
}

describe('verifyArtifact under a time budget', () => {
  const standard = () =>
    buildPolicy({
      signers: [join(REPO, 'fixtures/pki/signer.pem')],
      trustedRoots: join(REPO, 'fixtures/pki/trusted-roots.pem'),
    });

  it('reports a file that outlasts its budget as malformed-package, quickly', async () => {
    const path = hugeCabinet();
    const policy = { ...(await standard()), timeBudgetMs: 200 };
    const started = performance.now();
    const outcome = await verifyArtifact(path, 'huge.cab', policy);
    const elapsed = performance.now() - started;
    expect(outcome.report).toMatchObject({
      kind: 'cab',
      verdict: 'fail',
      status: 'malformed-package',
    });
    const errors = outcome.report.findings.filter((f) => f.severity === 'error');
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'malformed-package',
        message: expect.stringMatching(/200 ms time budget/),
      }),
    ]);
    expect(outcome.primaryValid).toBe(false);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('with no time at all, stops at the first read', async () => {
    const policy = { ...(await standard()), timeBudgetMs: 0 };
    const outcome = await verifyArtifact(
      join(REPO, 'fixtures/msi/signed-sha256.msi'),
      'a.msi',
      policy,
    );
    expect(outcome.report.status).toBe('malformed-package');
    expect(outcome.report.findings[0]!.message).toMatch(/time budget/);
  });

  it('leaves normal files alone under the default budget', async () => {
    const outcome = await verifyArtifact(
      join(REPO, 'fixtures/msi/signed-sha256.msi'),
      'a.msi',
      await standard(),
    );
    expect(outcome.report.verdict).toBe('pass');
  });
});
