/**
 * The payload walk shares the artifact's time budget (issue 17 with issue 10): a walk that
 * outlasts it stops with a payload-too-large finding at the payload policy's severity, never a
 * silent pass, and reports what it checked until then.
 */
import { describe, expect, it } from 'vitest';
import { RandomAccessFile } from '../../src/io/random-access-file.js';
import { verifyArtifact, verifySource } from '../../src/verify/artifact.js';
import { buildPolicy } from '../../src/verify/configure.js';
import { checkPayload } from '../../src/verify/payload-check.js';
import type { Policy } from '../../src/verify/policy.js';
import { TimeBudget } from '../../src/verify/time-budget.js';

const MSI = 'fixtures/payload/msi-signed-unsigned-dll.msi';
const HELPER = '[ProgramFilesFolder]/Contoso Payload/bin/helper.dll';

const policyFor = (payload: 'warn' | 'require'): Promise<Policy> =>
  buildPolicy({
    signers: ['fixtures/pki/signer.pem'],
    trustedRoots: 'fixtures/pki/trusted-roots.pem',
    tsaRoots: 'fixtures/pki/tsa-roots.pem',
    payload,
  });

/**
 * Checks the payload of the fixture with a budget whose clock jumps past its deadline once
 * `filesBeforeStop` inner files were unpacked: the walk is stopped mid-way, deterministically.
 */
async function checkWithBudget(payload: 'warn' | 'require', filesBeforeStop: number) {
  let clock = 0;
  const budget = new TimeBudget(60_000, () => clock);
  let unpacked = 0;
  const source = await RandomAccessFile.open(MSI);
  try {
    return await checkPayload(MSI, source, 'msi', await policyFor(payload), verifySource, {
      budget,
      onFile: () => {
        if (++unpacked >= filesBeforeStop) clock = 60_000;
      },
    });
  } finally {
    await source.close();
  }
}

describe('the payload walk within the artifact time budget', () => {
  it('a walk stopped mid-way is payload-too-large at the payload severity (require: error)', async () => {
    const check = await checkWithBudget('require', 1);
    expect(check.findings.map((f) => [f.code, f.severity])).toEqual([
      ['payload-too-large', 'error'],
    ]);
    expect(check.findings[0]!.message).toBe(
      "the payload walk was stopped when this file's 60-second time budget ran out, after 1 inner file(s) were unpacked and 1 executable(s) checked; the rest of the payload was not checked",
    );
    // What was checked before the stop is reported; helper.dll (last in the cabinet) is not.
    expect(check.report.files.map((f) => [f.path, f.status])).toEqual([
      ['[ProgramFilesFolder]/Contoso Payload/bin/app.exe', 'valid'],
    ]);
    expect(check.report.summary).toBe(
      '1 executable inside: 1 signed by you (walk stopped by the time budget after 1 inner file(s); the rest was not checked)',
    );
  });

  it('warn: the same stop is a warning', async () => {
    const check = await checkWithBudget('warn', 2);
    expect(check.findings.map((f) => [f.code, f.severity])).toEqual([
      ['payload-too-large', 'warning'],
    ]);
    expect(check.report.files).toHaveLength(2);
  });

  it('a budget already spent stops the walk before its first file', async () => {
    const source = await RandomAccessFile.open(MSI);
    try {
      const check = await checkPayload(
        MSI,
        source,
        'msi',
        await policyFor('require'),
        verifySource,
        { budget: new TimeBudget(0) },
      );
      expect(check.findings.map((f) => f.code)).toEqual(['payload-too-large']);
      expect(check.findings[0]!.message).toContain('after 0 inner file(s) were unpacked');
      expect(check.report.files).toEqual([]);
    } finally {
      await source.close();
    }
  });

  it('with time to spare the walk completes and finds the unsigned DLL', async () => {
    const check = await checkWithBudget('require', Infinity);
    expect(check.findings.map((f) => [f.code, f.innerPaths])).toEqual([
      ['payload-unsigned', [HELPER]],
    ]);
  });

  it('verifyArtifact hands its budget to the walk and reports each unpacked file', async () => {
    let unpacked = 0;
    const outcome = await verifyArtifact(MSI, MSI, await policyFor('require'), {
      onInnerFile: () => unpacked++,
    });
    // app.exe, core.dll, helper.dll and readme.txt.
    expect(unpacked).toBe(4);
    expect(outcome.report.status).toBe('payload-unsigned');
    // A budget too short for anything: the artifact itself is malformed-package (issue 10).
    const late = await verifyArtifact(MSI, MSI, {
      ...(await policyFor('require')),
      timeBudgetMs: 0,
    });
    expect(late.report.status).toBe('malformed-package');
    expect(late.report.payload).toBeUndefined();
  });
});
