/**
 * The time budget reaches CPU-bound work that never reads the file (issue 20, item 2): a
 * checkpoint before every certificate-signature check in chain building and every signer or
 * timestamp signature check. Counted in work units, never timed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { isSignedBy } from '../../src/trust/facts.js';
import { TimeBudget, TimeBudgetExceededError } from '../../src/verify/time-budget.js';
import { verifyArtifacts } from '../../src/verify/verify-artifacts.js';
import { buildPolicy } from '../../src/verify/configure.js';
import { checkTimeBudget, withinBudget } from '../../src/work-budget.js';
import { Certificate } from '../../src/x509/certificate.js';
import { REPO } from '../support/manifest.js';

const certificate = (name: string) =>
  Certificate.fromDer(readFileSync(join(REPO, `fixtures/pki/${name}.der`)));

/** A budget whose clock advances one unit per reading: it expires after `units` checks. */
function countingBudget(units: number): { budget: TimeBudget; readings: () => number } {
  let now = 0;
  const budget = new TimeBudget(units, () => now++);
  return { budget, readings: () => now };
}

describe('the time budget inside CPU-bound work', () => {
  it('does nothing outside a budget', () => {
    expect(() => checkTimeBudget()).not.toThrow();
  });

  it('stops a loop that only computes, at the first check after the budget is spent', () => {
    const { budget } = countingBudget(1000);
    let steps = 0;
    expect(() =>
      withinBudget(budget, () => {
        for (;;) {
          checkTimeBudget();
          steps++;
        }
      }),
    ).toThrow(TimeBudgetExceededError);
    expect(steps).toBeLessThan(1000);
  });

  it('is checked before each certificate-signature check of chain building', async () => {
    const signer = certificate('signer');
    const issuer = certificate('intermediate');
    expect(isSignedBy(signer, issuer)).toBe(true); // outside a budget: checked, and cached
    const { budget } = countingBudget(0);
    // A pair not checked yet needs a public-key operation: the spent budget stops it.
    expect(() => withinBudget(budget, () => isSignedBy(issuer, certificate('root')))).toThrow(
      TimeBudgetExceededError,
    );
  });

  it('ends with the work: the budget does not leak into what runs next, and nests', () => {
    const { budget } = countingBudget(0);
    expect(() => withinBudget(budget, () => checkTimeBudget())).toThrow(TimeBudgetExceededError);
    expect(() => checkTimeBudget()).not.toThrow();
    const roomy = countingBudget(1_000).budget;
    withinBudget(roomy, () => {
      expect(() => withinBudget(budget, () => checkTimeBudget())).toThrow(TimeBudgetExceededError);
      expect(() => checkTimeBudget()).not.toThrow(); // the outer budget again
    });
  });

  it('refuses asynchronous work, whose awaits the scope would not cover', () => {
    const { budget } = countingBudget(1_000);
    expect(() => withinBudget(budget, async () => 1)).toThrow(
      'withinBudget takes synchronous work only',
    );
    expect(() => checkTimeBudget()).not.toThrow();
  });

  it('many small files: a pass costs a handful of checks per file, all in budget', async () => {
    const policy = await buildPolicy({
      signers: [join(REPO, 'fixtures/pki/signer.pem')],
      trustedRoots: join(REPO, 'fixtures/pki/trusted-roots.pem'),
    });
    const files = ['fixtures/msi/signed-sha256.msi', 'fixtures/cab/signed-sha256.cab'];
    const checks = vi.spyOn(TimeBudget.prototype, 'check');
    const report = await verifyArtifacts(
      files.map((path) => ({ path: join(REPO, path), displayPath: path })),
      policy,
    );
    expect(report.artifacts.map((a) => a.findings.filter((f) => f.severity === 'error'))).toEqual([
      [],
      [],
    ]);
    // The budget is consulted during the work, and cheaply: a handful of checks per file.
    expect(checks.mock.calls.length).toBeGreaterThan(0);
    expect(checks.mock.calls.length).toBeLessThan(200 * files.length);
    checks.mockRestore();
  });
});
