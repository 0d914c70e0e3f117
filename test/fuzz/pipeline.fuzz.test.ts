/**
 * Issue #10: the short, fixed-seed fuzz run of `npm test`. Mutated fixtures of every kind (MSI,
 * MSP, CAB, non-packages) go through the whole pipeline; see harness.ts for the invariants. The
 * long run is `npx tsx scripts/fuzz.ts --count 100000` (docs/fuzzing.md).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/manifest.js';
import {
  checkInput,
  createFuzzContext,
  describeInput,
  generateInput,
  judgePass,
  type FuzzContext,
  type FuzzInput,
  type SeedKind,
} from './harness.js';
import { normalize, subtract } from './layout.js';
import { readCompoundTree, rewriteCompound } from './mutators.js';

/** Fixed: the same inputs on every run. Change it only together with a look at the results. */
const RUN_SEED = 20261121;
const INPUTS = 2000;

let context: FuzzContext;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'va-fuzz-'));
  context = await createFuzzContext({ workDir, timeBoundMs: 30_000 });
}, 120_000);
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function seed(name: string) {
  const found = context.seeds.find((s) => s.name === name);
  if (!found) throw new Error(`no seed ${name}`);
  return found;
}

describe('the fuzz harness', () => {
  it('has seeds of every kind, passing ones among them', () => {
    const kinds = new Set(context.seeds.map((s) => s.kind));
    expect([...kinds].sort()).toEqual(['cab', 'msi', 'msp', 'other', 'pe']);
    for (const kind of ['msi', 'msp', 'cab', 'pe'] as const) {
      expect(
        context.seeds.some((s) => s.kind === kind && s.verdict === 'pass'),
        kind,
      ).toBe(true);
    }
    // Rewritten copies (v4 sectors, reversed chains, a DIFAT) of passing packages still pass.
    const copies = context.seeds.filter((s) => s.name.includes('#'));
    expect(copies.length).toBeGreaterThan(10);
    for (const copy of copies) expect(copy.verdict, copy.name).toBe('pass');
  });

  it('explains a transplanted signature over identical content as equivalent', async () => {
    // unsigned.msi is what signed-sha256.msi signs: its signature makes it a valid package.
    const recipient = seed('fixtures/msi/unsigned.msi');
    const donor = seed('fixtures/msi/signed-sha256.msi');
    const blob = Buffer.concat(
      donor.layout.signature.map((r) => donor.bytes.subarray(r.offset, r.offset + r.length)),
    );
    const bytes = rewriteCompound(await readCompoundTree(recipient.bytes), { signature: blob });
    const input: FuzzInput = {
      index: -1,
      seed: recipient,
      bytes,
      mutations: [{ op: 'transplant', detail: donor.name, touched: null }],
    };
    const result = await checkInput(context, input);
    expect(result).toMatchObject({ verdict: 'pass', passReason: 'equivalent', problems: [] });
  });

  it('calls a pass of a file whose digested bytes changed a problem', () => {
    for (const name of [
      'fixtures/cab/signed-stored-sha256.cab',
      'fixtures/msi/signed-base-sha256.msi',
    ]) {
      const original = seed(name);
      const bytes = Buffer.from(original.bytes);
      // A byte of the payload: the embedded cabinet's data / the CFDATA of the cabinet.
      const at = name.endsWith('.cab') ? 400 : 3000 + 512;
      bytes[at]! ^= 1;
      const input: FuzzInput = {
        index: -1,
        seed: original,
        bytes,
        mutations: [{ op: 'bit-flip', detail: `${at}`, touched: [{ offset: at, length: 1 }] }],
      };
      // As if the pipeline had passed it: the oracle must not explain the pass.
      expect(judgePass(context, input).problem, name).toMatch(
        /no reference computes the signed sha256 digest/,
      );
    }
  });

  it('a passing package still passes with every byte outside the digest scrambled', async () => {
    for (const name of [
      'fixtures/msi/signed-dse.msi',
      'fixtures/msp/signed.msp',
      'fixtures/msi/signed-sha256.msi#v4-reversed',
    ]) {
      const original = seed(name);
      const bytes = Buffer.from(original.bytes);
      // The signature's unsigned parts are allowed to change one at a time, not all together
      // (scrambling its DER framing makes it undecodable, a legitimate failure).
      const scrambled = subtract(original.layout.passAllowed, normalize(original.layout.signature));
      for (const range of scrambled) {
        for (let i = range.offset; i < range.offset + range.length && i < bytes.length; i++) {
          bytes[i] = (bytes[i]! * 31 + i) & 0xff;
        }
      }
      const input: FuzzInput = {
        index: -1,
        seed: original,
        bytes,
        mutations: [{ op: 'scramble-allowed', detail: '', touched: scrambled }],
      };
      const result = await checkInput(context, input);
      expect(result, name).toMatchObject({
        verdict: 'pass',
        passReason: 'outside-digest',
        problems: [],
      });
    }
  });
});

describe(`${INPUTS} mutated fixtures through the whole pipeline (seed ${RUN_SEED})`, () => {
  it('never throw, never hit an unexpected error, never pass when they must not, stay in bounds', async () => {
    const problems: string[] = [];
    const kinds = new Map<SeedKind, number>();
    const statuses = new Set<string>();
    const ops = new Set<string>();
    let passes = 0;
    for (let index = 0; index < INPUTS; index++) {
      const input = generateInput(context, RUN_SEED, index);
      const result = await checkInput(context, input);
      kinds.set(result.kind, (kinds.get(result.kind) ?? 0) + 1);
      statuses.add(result.status);
      for (const m of input.mutations) ops.add(m.op);
      if (result.verdict === 'pass' && result.passReason !== 'unchanged') passes++;
      if (result.problems.length > 0)
        problems.push(`${describeInput(input)}\n    ${result.problems.join('\n    ')}`);
    }
    expect(problems).toEqual([]);
    // Every kind was fuzzed, with every mutation operator, and the inputs reached deep checks.
    for (const kind of ['msi', 'msp', 'cab', 'pe', 'other'] as const) {
      expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(INPUTS / 20);
    }
    expect([...ops].sort()).toEqual(
      [
        'bit-flip',
        'copy-range',
        'cross-link',
        'extend',
        'fill-ff',
        'hostile-value',
        'insert-copy',
        'table-flood',
        'transplant',
        'truncate',
        'zero-range',
      ].sort(),
    );
    for (const status of [
      'malformed-package',
      'not-a-package',
      'malformed-signature',
      'bad-digest',
      'unsigned',
      'valid',
    ]) {
      expect(statuses, status).toContain(status);
    }
    expect(passes).toBeGreaterThan(0);
  }, 300_000);
});

describe('fuzz regression inputs', () => {
  it('are in the manifest with their expected verdicts', () => {
    const manifest = JSON.parse(readFileSync(join(REPO, 'fixtures/manifest.json'), 'utf8')) as {
      fixtures: { path: string }[];
    };
    const listed = new Set(manifest.fixtures.map((f) => f.path));
    const files = context.seeds
      .filter((s) => s.name.startsWith('fixtures/fuzz/') && !s.name.includes('#'))
      .map((s) => s.name);
    for (const file of files) expect(listed, file).toContain(file);
  });
});
