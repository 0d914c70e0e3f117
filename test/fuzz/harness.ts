/**
 * The fuzz harness shared by the short run in `npm test` (pipeline.fuzz.test.ts) and the long
 * run (scripts/fuzz.ts): seeds from fixtures/, structure-aware mutation, the whole pipeline
 * (verifyArtifacts on a temporary file, then every renderer), and the invariants.
 *
 * Invariants checked for every input:
 *  - nothing throws out of the pipeline or a renderer;
 *  - no finding says "unexpected error" (an exception we did not type: a bug to fix);
 *  - a failing verdict has at least one error finding, a passing one none, every code is known;
 *  - a mutated file passes only when the mutation provably touched no digested byte (and the
 *    seed itself passes), or when an independent reader (the `cfb` package for compound files,
 *    a sequential field walk for cabinets) computes exactly the digest that a known-good
 *    signature signs — anything else means we were talked into a pass;
 *  - it completes within a time bound;
 *  - no single allocation is out of proportion to the file size.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseAuthenticode, type AuthenticodeSignature } from '../../src/authenticode/index.js';
import { FINDING_CODES } from '../../src/findings.js';
import type { Report } from '../../src/report/model.js';
import {
  planAnnotations,
  renderJson,
  renderSarif,
  renderSummary,
  renderText,
} from '../../src/report/index.js';
import { buildPolicy } from '../../src/verify/configure.js';
import type { Policy } from '../../src/verify/policy.js';
import { verifyArtifacts } from '../../src/verify/verify-artifacts.js';
import type { NodeSpec } from '../support/cfb-builder.js';
import { REPO } from '../support/manifest.js';
import { startAllocationProbe, stopAllocationProbe } from './allocation-probe.js';
import { covers, layoutOf, normalize, overlaps, type ByteRange, type Layout } from './layout.js';
import {
  mutate,
  readCompoundTree,
  rewriteCompound,
  touchedRanges,
  transplantCabSignature,
  type MutationSeed,
  type Mutation,
  type TransplantSource,
} from './mutators.js';
import {
  cabReferenceAgrees,
  loadReferenceReaders,
  msiReferenceAgrees,
  referenceCabSignature,
  referenceMsiSignature,
  peReferenceAgrees,
  referencePeSignature,
} from './reference.js';
import { Rng } from './rng.js';

export type SeedKind = 'msi' | 'msp' | 'cab' | 'pe' | 'other';

export interface Seed extends MutationSeed {
  readonly kind: SeedKind;
  /** Extension the temporary file gets. */
  readonly extension: string;
  /** The pipeline's verdict on the unmutated seed. */
  readonly verdict: 'pass' | 'fail';
  readonly status: string;
  /**
   * Whether the seed's primary signature is valid (digest, signature, chain, signer), whatever
   * checks against other files say: an MSI whose external cabinet is not beside it fails, but
   * its signature is good.
   */
  readonly signatureValid: boolean;
}

export interface FuzzContext {
  readonly seeds: readonly Seed[];
  readonly policy: Policy;
  readonly workDir: string;
  readonly transplants: TransplantSource;
  /** Signed parts of every passing seed's primary signature → the digest it signs. */
  readonly knownGood: ReadonlyMap<string, { algorithm: string; digest: Buffer }>;
  /** Per-input wall-time bound (ms). */
  readonly timeBoundMs: number;
}

export interface FuzzInput {
  readonly index: number;
  readonly seed: Seed;
  readonly bytes: Buffer;
  readonly mutations: readonly Mutation[];
}

export interface InputResult {
  readonly index: number;
  readonly seed: string;
  readonly kind: SeedKind;
  readonly verdict: 'pass' | 'fail' | 'threw';
  readonly status: string;
  /** How a pass of a changed file was explained ('' for fails and unchanged files). */
  readonly passReason: '' | 'unchanged' | 'outside-digest' | 'equivalent';
  readonly elapsedMs: number;
  readonly largestAllocation: number;
  readonly size: number;
  /** Invariant violations: empty means the input is fine. */
  readonly problems: readonly string[];
}

/** The fixed validation time of fuzz runs, inside every fixture certificate's validity. */
export const FUZZ_TIME = '2026-06-01T00:00:00Z';

/** Fixture directories whose packages seed the mutations (fixtures/fuzz holds regressions). */
const SEED_DIRECTORIES = [
  'fixtures/msi',
  'fixtures/msp',
  'fixtures/cab',
  'fixtures/damaged',
  'fixtures/mst',
  'fixtures/fuzz',
  'fixtures/pe',
  'fixtures/pe/damaged',
];

function kindOf(path: string, bytes: Buffer): SeedKind {
  const layout = layoutOf(bytes);
  if (layout.container === 'cab') return 'cab';
  if (layout.container === 'pe') return 'pe';
  if (layout.container === 'cfb') return path.endsWith('.msp') ? 'msp' : 'msi';
  return 'other';
}

function listSeedFiles(): string[] {
  const files: string[] = [];
  for (const dir of SEED_DIRECTORIES) {
    if (!existsSync(join(REPO, dir))) continue;
    for (const name of readdirSync(join(REPO, dir)).sort()) {
      if (/\.(msi|msp|mst|cab|exe|dll)$/.test(name)) files.push(join(REPO, dir, name));
    }
  }
  const external = join(REPO, 'fixtures/msi/external');
  for (const dir of readdirSync(external).sort()) {
    for (const name of readdirSync(join(external, dir)).sort()) {
      if (/\.(msi|cab)$/.test(name)) files.push(join(external, dir, name));
    }
  }
  // The payload MSIs carry PE files in their cabinets and Binary table, so that mutations also
  // reach the payload walk's inner verification (the payload cabinets alone are the decoders'
  // target: scripts/fuzz.ts --target decoders).
  for (const name of readdirSync(join(REPO, 'fixtures/payload')).sort()) {
    if (/\.msi$/.test(name)) files.push(join(REPO, 'fixtures/payload', name));
  }
  return files;
}

/** Bytes of the signed parts of a signature, as one lookup key. */
export function signedPartsKey(signature: AuthenticodeSignature): string | null {
  const attributes = signature.rawAuthenticatedAttributes?.der;
  const certificate = signature.signerCertificate?.der;
  if (!attributes || !certificate) return null;
  return [signature.indirectDataContent, attributes, signature.encryptedDigest, certificate]
    .map((part) => Buffer.from(part).toString('base64'))
    .join('.');
}

function primarySignatureBlob(seed: { layout: Layout; bytes: Buffer }): Buffer | null {
  if (seed.layout.signature.length === 0) return null;
  return Buffer.concat(
    seed.layout.signature.map((r) => seed.bytes.subarray(r.offset, r.offset + r.length)),
  );
}

class Transplants implements TransplantSource {
  private readonly trees = new Map<string, Awaited<ReturnType<typeof readCompoundTree>> | null>();
  private readonly blobs: { container: 'cfb' | 'cab'; name: string; blob: Buffer }[];

  constructor(seeds: readonly Seed[]) {
    this.blobs = [];
    for (const seed of seeds) {
      const blob = primarySignatureBlob(seed);
      if (blob && (seed.layout.container === 'cfb' || seed.layout.container === 'cab')) {
        this.blobs.push({ container: seed.layout.container, name: seed.name, blob });
      }
    }
  }

  /** Trees must be read asynchronously once; the operators are synchronous. */
  async prepare(seeds: readonly Seed[]): Promise<void> {
    for (const seed of seeds) {
      if (seed.layout.container !== 'cfb' || this.trees.has(seed.name)) continue;
      this.trees.set(seed.name, await readCompoundTree(seed.bytes).catch(() => null));
    }
  }

  donors(except: string): readonly { container: 'cfb' | 'cab'; name: string; blob: Buffer }[] {
    return this.blobs.filter((b) => b.name !== except);
  }

  transplant(recipient: MutationSeed, donor: { name: string; blob: Buffer }): Buffer | null {
    if (recipient.layout.container === 'cab') {
      return transplantCabSignature(recipient.bytes, recipient.layout, donor.blob);
    }
    const tree = this.trees.get(recipient.name);
    if (!tree) return null;
    return rewriteCompound(tree, { signature: donor.blob });
  }

  rewrite(
    recipient: MutationSeed,
    edit: (children: NodeSpec[]) => NodeSpec[] | null,
  ): Buffer | null {
    const tree = this.trees.get(recipient.name);
    if (!tree) return null;
    const children = edit(tree.children);
    return children ? rewriteCompound({ ...tree, children }, {}) : null;
  }
}

async function runPipeline(path: string, displayPath: string, policy: Policy): Promise<Report> {
  return verifyArtifacts([{ path, displayPath }], policy, { concurrency: 1 });
}

/** Every renderer over the report: none may throw on whatever the file put in it. */
function renderAll(report: Report, workDir: string): void {
  renderJson(report);
  renderText(report, { color: true, quiet: false });
  renderText(report, { color: false, quiet: true });
  renderSummary(report, {});
  planAnnotations(report, { workspace: workDir });
  renderSarif(report, { baseDirectory: workDir });
}

/**
 * Loads the seeds (fixtures and rewritten copies of the passing packages), runs the pipeline on
 * each, and records the signed parts of every passing seed's signature.
 */
export async function createFuzzContext(options: {
  workDir: string;
  timeBoundMs?: number;
}): Promise<FuzzContext> {
  mkdirSync(options.workDir, { recursive: true });
  await loadReferenceReaders();
  const policy = await buildPolicy({
    signers: [join(REPO, 'fixtures/pki/signer.pem')],
    trustedRoots: join(REPO, 'fixtures/pki/trusted-roots.pem'),
    tsaRoots: join(REPO, 'fixtures/pki/tsa-roots.pem'),
    at: FUZZ_TIME,
  });

  const raw: { name: string; bytes: Buffer; extension: string }[] = listSeedFiles().map((path) => ({
    name: path.slice(REPO.length + 1),
    bytes: readFileSync(path),
    extension: extname(path),
  }));
  // Non-package inputs beyond the fixtures: magic numbers followed by little else.
  raw.push(
    {
      name: 'synthetic/cfb-magic-only',
      bytes: Buffer.from('d0cf11e0a1b11ae1', 'hex'),
      extension: '.msi',
    },
    {
      name: 'synthetic/mscf-only',
      bytes: Buffer.from('MSCF\0\0\0\0', 'latin1'),
      extension: '.cab',
    },
    {
      name: 'synthetic/pe-stub',
      bytes: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(126)]),
      extension: '.msi',
    },
  );

  const seeds: Seed[] = [];
  const add = async (name: string, bytes: Buffer, extension: string): Promise<Seed> => {
    const path = join(options.workDir, `seed-${process.pid}${extension}`);
    writeFileSync(path, bytes);
    const report = await runPipeline(path, name, policy);
    const artifact = report.artifacts[0]!;
    const seed: Seed = {
      name,
      bytes,
      extension,
      layout: layoutOf(bytes),
      kind: kindOf(name, bytes),
      verdict: artifact.verdict,
      status: artifact.status,
      signatureValid: artifact.signatures[0]?.valid === true,
    };
    seeds.push(seed);
    return seed;
  };
  for (const { name, bytes, extension } of raw) await add(name, bytes, extension);

  // The same signed content in other layouts (v4 sectors, scattered and reversed chains, a DIFAT):
  // every one must still pass.
  for (const seed of [...seeds]) {
    if (
      seed.layout.container !== 'cfb' ||
      seed.verdict !== 'pass' ||
      seed.name.includes('external')
    )
      continue;
    const tree = await readCompoundTree(seed.bytes);
    const variants = [
      { tag: 'v4-reversed', version: 4 as const, layout: 'reversed' as const },
      {
        tag: 'v3-gapped-difat',
        version: 3 as const,
        layout: 'gapped' as const,
        extraFatSectors: 110,
      },
    ];
    for (const variant of variants) {
      const bytes = rewriteCompound(tree, variant);
      const copy = await add(`${seed.name}#${variant.tag}`, bytes, seed.extension);
      if (copy.verdict !== 'pass') {
        throw new Error(`${copy.name}: a relaid copy of a passing package gives ${copy.status}`);
      }
    }
  }

  const knownGood = new Map<string, { algorithm: string; digest: Buffer }>();
  for (const seed of seeds) {
    if (!seed.signatureValid) continue;
    const blob = primarySignatureBlob(seed);
    if (!blob) continue;
    const signature = parseAuthenticode(blob);
    const key = signedPartsKey(signature);
    if (key && typeof signature.fileDigest.algorithm === 'string') {
      knownGood.set(key, {
        algorithm: signature.fileDigest.algorithm,
        digest: signature.fileDigest.digest,
      });
    }
  }

  const transplants = new Transplants(seeds);
  await transplants.prepare(seeds);
  return {
    seeds,
    policy,
    workDir: options.workDir,
    transplants,
    knownGood,
    timeBoundMs: options.timeBoundMs ?? 10_000,
  };
}

/** Seeds of each kind get a fixed share of the inputs, so every kind is covered. */
const KIND_WEIGHTS: readonly (readonly [number, SeedKind])[] = [
  [30, 'msi'],
  [15, 'msp'],
  [25, 'cab'],
  [20, 'pe'],
  [10, 'other'],
];

/** Input `index` of a run seeded with `runSeed`: a pure function of both. */
export function generateInput(context: FuzzContext, runSeed: number, index: number): FuzzInput {
  const rng = Rng.forInput(runSeed, index);
  const kind = rng.weighted(KIND_WEIGHTS);
  const candidates = context.seeds.filter((s) => s.kind === kind);
  const seed = rng.pick(candidates.length > 0 ? candidates : context.seeds);
  const { bytes, mutations } = mutate(rng, seed, context.transplants);
  return { index, seed, bytes, mutations };
}

/** Why a changed file may pass, or the problem it reveals. */
export function judgePass(
  context: FuzzContext,
  input: FuzzInput,
): { reason: InputResult['passReason']; problem?: string } {
  const { seed } = input;
  if (input.bytes.equals(seed.bytes)) return { reason: 'unchanged' };
  const touched =
    touchedRanges(input.mutations) === null ? null : changedRanges(seed.bytes, input.bytes);
  if (seed.verdict === 'pass' && touched !== null) {
    const allowed: ByteRange[] = [...seed.layout.passAllowed];
    if (seed.layout.appendAllowed)
      allowed.push({ offset: seed.bytes.length, length: Number.MAX_SAFE_INTEGER });
    if (covers(normalize(allowed), touched) && !overlaps(touched, seed.layout.critical)) {
      return { reason: 'outside-digest' };
    }
  }
  // Otherwise only an independent reader can vouch for it. Changes no digest reads (a chain
  // entry past a stream's end, a timestamp…) are undone first: the reference readers are
  // stricter there than the format requires, and they would hide the change that matters.
  const bytes = touched === null ? input.bytes : withoutIrrelevantChanges(seed, input.bytes);
  const container = layoutOf(bytes).container;
  let blob: Buffer | null;
  try {
    blob =
      container === 'cfb'
        ? referenceMsiSignature(bytes)
        : container === 'cab'
          ? referenceCabSignature(bytes)
          : container === 'pe'
            ? referencePeSignature(bytes)
            : null;
  } catch (error) {
    return {
      reason: '',
      problem: `passed, but no reference reader can read the file: ${(error as Error).message}`,
    };
  }
  if (!blob) return { reason: '', problem: 'passed, but the reference reader finds no signature' };
  let signature: AuthenticodeSignature;
  try {
    signature = parseAuthenticode(blob);
  } catch (error) {
    return {
      reason: '',
      problem: `passed, but its signature does not decode: ${(error as Error).message}`,
    };
  }
  const key = signedPartsKey(signature);
  const good = key ? context.knownGood.get(key) : undefined;
  if (!good)
    return {
      reason: '',
      problem: 'passed with a signature whose signed parts match no known-good signature',
    };
  const verdict =
    container === 'cfb'
      ? msiReferenceAgrees(bytes, good.algorithm, good.digest)
      : container === 'pe'
        ? peReferenceAgrees(bytes, good.algorithm, good.digest)
        : cabReferenceAgrees(bytes, good.algorithm, good.digest);
  if (!verdict.agreed) {
    return {
      reason: '',
      problem: `passed, but no reference computes the signed ${good.algorithm} digest ${good.digest.toString('hex')}: ${verdict.notes.join('; ')}`,
    };
  }
  return { reason: 'equivalent' };
}

/**
 * Where `after` differs from `before` (same coordinates: no bytes moved): differing bytes of
 * the common prefix, plus everything past the shorter one's end.
 */
export function changedRanges(before: Buffer, after: Buffer): ByteRange[] {
  const out: ByteRange[] = [];
  const common = Math.min(before.length, after.length);
  for (let i = 0; i < common; i++) {
    if (before[i] === after[i]) continue;
    let j = i;
    while (j < common && before[j] !== after[j]) j++;
    out.push({ offset: i, length: j - i });
    i = j;
  }
  if (before.length !== after.length) {
    out.push({ offset: common, length: Math.max(before.length, after.length) - common });
  }
  return out;
}

/** Every how many inputs allocations are measured (the wrappers cost time). */
const PROBE_EVERY = 4;

/** `bytes` (same coordinates as the seed) with the seed's bytes back wherever no digest reads. */
function withoutIrrelevantChanges(seed: Seed, bytes: Buffer): Buffer {
  const length = seed.layout.appendAllowed
    ? Math.min(bytes.length, seed.bytes.length)
    : bytes.length;
  const out = Buffer.from(bytes.subarray(0, length));
  for (const r of seed.layout.passAllowed) {
    const end = Math.min(r.offset + r.length, out.length, seed.bytes.length);
    if (r.offset < end) seed.bytes.copy(out, r.offset, r.offset, end);
  }
  return out;
}

/** Allocations above this are out of proportion to a file of `size` bytes. */
export function allocationBound(size: number): number {
  return 256 * 1024 + 4 * size;
}

/** Runs one input through the pipeline and every renderer, and checks the invariants. */
export async function checkInput(context: FuzzContext, input: FuzzInput): Promise<InputResult> {
  const path = join(context.workDir, `input-${process.pid}${input.seed.extension}`);
  writeFileSync(path, input.bytes);
  const problems: string[] = [];
  const probed = input.index % PROBE_EVERY === 0;
  startAllocationProbe(probed);
  const started = performance.now();
  let report: Report | undefined;
  try {
    report = await runPipeline(path, `fuzz/${basename(input.seed.name)}`, context.policy);
    renderAll(report, context.workDir);
  } catch (error) {
    problems.push(
      `threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
  const elapsedMs = performance.now() - started;
  const allocation = stopAllocationProbe();
  const base = {
    index: input.index,
    seed: input.seed.name,
    kind: input.seed.kind,
    elapsedMs,
    largestAllocation: allocation,
    size: input.bytes.length,
  };
  if (elapsedMs > context.timeBoundMs)
    problems.push(`took ${Math.round(elapsedMs)} ms (bound ${context.timeBoundMs} ms)`);
  if (allocation > allocationBound(input.bytes.length)) {
    problems.push(`allocated ${allocation} bytes at once for a ${input.bytes.length}-byte file`);
  }
  const artifact = report?.artifacts[0];
  if (!artifact) {
    if (report) problems.push('the report has no artifact');
    return { ...base, verdict: 'threw', status: '', passReason: '', problems };
  }
  for (const finding of artifact.findings) {
    if (/unexpected error/i.test(finding.message))
      problems.push(`unexpected error: ${finding.message}`);
    if (!(FINDING_CODES as readonly string[]).includes(finding.code))
      problems.push(`unknown code ${finding.code}`);
  }
  const errors = artifact.findings.filter((f) => f.severity === 'error');
  if (artifact.verdict === 'fail' && errors.length === 0)
    problems.push('failed without an error finding');
  if (artifact.verdict === 'pass' && errors.length > 0)
    problems.push('passed with an error finding');
  if (artifact.verdict === 'fail' && artifact.status !== errors[0]?.code)
    problems.push(`status ${artifact.status} is not the first error`);
  let passReason: InputResult['passReason'] = '';
  if (artifact.verdict === 'pass') {
    const judged = judgePass(context, input);
    passReason = judged.reason;
    if (judged.problem) problems.push(judged.problem);
  }
  return { ...base, verdict: artifact.verdict, status: artifact.status, passReason, problems };
}

/** A one-line description of an input, for failure messages and saved candidates. */
export function describeInput(input: FuzzInput): string {
  return `#${input.index} ${input.seed.name}: ${input.mutations.map((m) => `${m.op}(${m.detail})`).join(', ') || 'unchanged'}`;
}
