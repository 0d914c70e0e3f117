/**
 * The long fuzz run (issue 10): `npx tsx scripts/fuzz.ts --count 100000 [--seed N]`.
 *
 * Mutates the fixtures with the harness of test/fuzz/ and feeds every input through the whole
 * pipeline in worker processes, under a watchdog: an input that throws, reports an "unexpected
 * error", passes when it must not, runs too long, allocates out of proportion, hangs or kills
 * its process is saved to fixtures/fuzz/candidates/ (input bytes + a .json description).
 * Prints the counts per verdict and status. Exit status 1 when any input broke an invariant.
 *
 * Options:
 *   --count N      inputs (default 100000)
 *   --seed N       run seed (default: random, printed); input i is a pure function of (seed, i)
 *   --start N      first input index (default 0)
 *   --workers N    processes (default: available parallelism)
 *   --only N       run input N alone and print what it is and what happened
 *   --out DIR      where failing inputs go (default fixtures/fuzz/candidates)
 *   --bound MS     per-input time bound counted as a failure (default 10000)
 *   --watchdog MS  per-input time after which the worker is killed as hung (default 60000)
 *   --recheck F…   re-run saved candidates (their .json files) against the current code
 *   --kinds K,…    only seeds of these kinds (msi, msp, cab, pe, other)
 *   --target T     pipeline (default): mutated fixtures through the whole pipeline;
 *                  decoders: mutated payload cabinets (fixtures/payload/) through the streaming
 *                  extraction and the LZX / MSZIP decoders (test/fuzz/decompress-harness.ts)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  checkInput,
  createFuzzContext,
  describeInput,
  generateInput,
  type FuzzContext,
  type FuzzInput,
  type InputResult,
} from '../test/fuzz/harness.js';
import {
  checkDecoderInput,
  createDecoderFuzzContext,
  describeDecoderInput,
  generateDecoderInput,
  type DecoderFuzzContext,
  type DecoderFuzzInput,
} from '../test/fuzz/decompress-harness.js';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SCRIPT = fileURLToPath(import.meta.url);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    count: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    start: { type: 'string', default: '0' },
    workers: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string', default: join(REPO, 'fixtures/fuzz/candidates') },
    bound: { type: 'string', default: '10000' },
    watchdog: { type: 'string', default: '60000' },
    child: { type: 'string' },
    recheck: { type: 'boolean' },
    target: { type: 'string', default: 'pipeline' },
    kinds: { type: 'string' },
  },
});

const seed =
  values.seed !== undefined ? Number(values.seed) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
const count = Number(values.count);
const start = Number(values.start);
const boundMs = Number(values.bound);
const watchdogMs = Number(values.watchdog);
const outDir = resolve(values.out!);

/** What one fuzz run exercises: how inputs are made, checked and described. */
interface Target {
  createContext(): Promise<unknown>;
  generate(context: unknown, runSeed: number, index: number): AnyInput;
  check(context: unknown, input: AnyInput): Promise<InputResult>;
  describe(input: AnyInput): string;
}
type AnyInput = FuzzInput | DecoderFuzzInput;

/** `--kinds pe,cab`: fuzz only seeds of these kinds (e.g. a run focused on one format). */
const kinds = values.kinds?.split(',').map((k) => k.trim());

const pipelineTarget: Target = {
  createContext: async () => {
    const context = await createFuzzContext({
      workDir: join(tmpdir(), `va-fuzz-${process.pid}`),
      timeBoundMs: boundMs,
    });
    if (!kinds) return context;
    const seeds = context.seeds.filter((s) => kinds.includes(s.kind));
    if (seeds.length === 0) throw new Error(`--kinds ${values.kinds}: no seeds of those kinds`);
    return { ...context, seeds };
  },
  generate: (context, runSeed, index) => generateInput(context as FuzzContext, runSeed, index),
  check: (context, input) => checkInput(context as FuzzContext, input as FuzzInput),
  describe: (input) => describeInput(input as FuzzInput),
};
const decoderTarget: Target = {
  createContext: () => Promise.resolve(createDecoderFuzzContext({ timeBoundMs: boundMs })),
  generate: (context, runSeed, index) =>
    generateDecoderInput(context as DecoderFuzzContext, runSeed, index),
  check: (context, input) =>
    checkDecoderInput(context as DecoderFuzzContext, input as DecoderFuzzInput),
  describe: (input) => describeDecoderInput(input as DecoderFuzzInput),
};
if (values.target !== 'pipeline' && values.target !== 'decoders') {
  throw new Error(`--target must be pipeline or decoders, not ${values.target}`);
}
const target = values.target === 'decoders' ? decoderTarget : pipelineTarget;

/** Growth of a worker's heap or array buffers (after gc) counted as a leak. */
const MAX_RETAINED_GROWTH = 64 * 1024 * 1024;

interface ResultMessage {
  type: 'result';
  result: InputResult;
}
interface MemoryMessage {
  type: 'memory';
  done: number;
  heapUsed: number;
  arrayBuffers: number;
  rss: number;
}
interface ReadyMessage {
  type: 'ready';
}
type WorkerMessage = ResultMessage | MemoryMessage | ReadyMessage;

function saveCandidate(input: AnyInput, problems: readonly string[]): string {
  mkdirSync(outDir, { recursive: true });
  const safe = input.seed.name.replace(/[^A-Za-z0-9.-]+/g, '_');
  const base = join(outDir, `seed${seed}-${input.index}-${safe}`);
  writeFileSync(`${base}${input.seed.extension}`, input.bytes);
  writeFileSync(
    `${base}.json`,
    JSON.stringify(
      {
        runSeed: seed,
        index: input.index,
        seed: input.seed.name,
        mutations: input.mutations,
        problems,
        replay: `npx tsx scripts/fuzz.ts --target ${values.target} --seed ${seed} --only ${input.index}`,
      },
      null,
      2,
    ) + '\n',
  );
  return `${base}${input.seed.extension}`;
}

// ---- worker ------------------------------------------------------------------------------------

async function runWorker(spec: string): Promise<void> {
  const [workerIndex, workers] = spec.split('/').map(Number) as [number, number];
  const context = await target.createContext();
  const send = (message: WorkerMessage) =>
    new Promise<void>((done) => process.send!(message, () => done()));
  await send({ type: 'ready' });
  let done = 0;
  const startIndex = Number(process.env.FUZZ_FIRST ?? start);
  for (let index = startIndex + workerIndex; index < start + count; index += workers) {
    const input = target.generate(context, seed, index);
    const result = await target.check(context, input);
    if (result.problems.length > 0) saveCandidate(input, result.problems);
    await send({ type: 'result', result });
    if (++done % 2000 === 0) {
      (globalThis as { gc?: () => void }).gc?.();
      const memory = process.memoryUsage();
      await send({
        type: 'memory',
        done,
        heapUsed: memory.heapUsed,
        arrayBuffers: memory.arrayBuffers,
        rss: memory.rss,
      });
    }
  }
  process.exit(0);
}

// ---- parent ------------------------------------------------------------------------------------

interface Totals {
  inputs: number;
  byVerdict: Map<string, number>;
  byStatus: Map<string, number>;
  byKind: Map<string, number>;
  passReasons: Map<string, number>;
  failures: { index: number; seed: string; problems: readonly string[] }[];
  slowest: { ms: number; index: number; seed: string };
  allocation: { ratio: number; bytes: number; size: number; index: number };
  memory: Map<number, MemoryMessage[]>;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

let parentContext: Promise<unknown> | undefined;
function context(): Promise<unknown> {
  parentContext ??= target.createContext();
  return parentContext;
}

async function runParent(): Promise<number> {
  const workers = Math.max(1, Number(values.workers ?? availableParallelism()));
  console.log(
    `fuzz (${values.target}): seed ${seed}, inputs ${start}..${start + count - 1}, ${workers} worker(s)`,
  );
  const totals: Totals = {
    inputs: 0,
    byVerdict: new Map(),
    byStatus: new Map(),
    byKind: new Map(),
    passReasons: new Map(),
    failures: [],
    slowest: { ms: 0, index: -1, seed: '' },
    allocation: { ratio: 0, bytes: 0, size: 0, index: -1 },
    memory: new Map(),
  };
  const started = performance.now();
  let lastReport = started;

  const record = (result: InputResult): void => {
    totals.inputs++;
    bump(totals.byVerdict, result.verdict);
    bump(totals.byStatus, result.status || '(none)');
    bump(totals.byKind, result.kind);
    if (result.verdict === 'pass') bump(totals.passReasons, result.passReason);
    if (result.elapsedMs > totals.slowest.ms) {
      totals.slowest = { ms: result.elapsedMs, index: result.index, seed: result.seed };
    }
    const ratio = result.largestAllocation / Math.max(1, result.size);
    if (result.largestAllocation > totals.allocation.bytes) {
      totals.allocation = {
        ratio,
        bytes: result.largestAllocation,
        size: result.size,
        index: result.index,
      };
    }
    if (result.problems.length > 0) {
      totals.failures.push({ index: result.index, seed: result.seed, problems: result.problems });
      console.log(
        `PROBLEM #${result.index} (${result.seed}): ${result.problems.join(' | ').slice(0, 2000)}`,
      );
    }
    const now = performance.now();
    if (now - lastReport > 15_000) {
      lastReport = now;
      const rate = totals.inputs / ((now - started) / 1000);
      console.log(
        `  ${totals.inputs}/${count} inputs, ${rate.toFixed(0)}/s, ${totals.failures.length} problem(s)`,
      );
    }
  };

  const runSlot = (workerIndex: number, firstIndex: number): Promise<void> =>
    new Promise((finish) => {
      let next = firstIndex;
      let ready = false;
      let timer: NodeJS.Timeout | undefined;
      const child: ChildProcess = fork(
        SCRIPT,
        [...process.argv.slice(2), '--child', `${workerIndex}/${workers}`],
        {
          execArgv: [...process.execArgv, '--expose-gc'],
          env: { ...process.env, FUZZ_FIRST: String(firstIndex - workerIndex) },
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        },
      );
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(
          () => {
            child.kill('SIGKILL');
          },
          ready ? watchdogMs : 600_000,
        );
      };
      arm();
      child.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') ready = true;
        if (message.type === 'result') {
          record(message.result);
          next = message.result.index + workers;
        }
        if (message.type === 'memory') {
          const samples = totals.memory.get(workerIndex) ?? [];
          samples.push(message);
          totals.memory.set(workerIndex, samples);
        }
        arm();
      });
      child.on('exit', async (code, signal) => {
        clearTimeout(timer);
        if (code === 0 || next >= start + count) return finish();
        // The worker died or hung on input `next`: keep that input and carry on after it.
        const why =
          signal === 'SIGKILL' && ready
            ? `hung (no result within ${watchdogMs} ms)`
            : `worker exited (${signal ?? code})`;
        totals.inputs++;
        bump(totals.byVerdict, 'crashed');
        try {
          const input = target.generate(await context(), seed, next);
          const file = saveCandidate(input, [why]);
          totals.failures.push({ index: next, seed: input.seed.name, problems: [why] });
          console.log(`PROBLEM #${next} (${input.seed.name}): ${why} — saved ${file}`);
        } catch (error) {
          totals.failures.push({
            index: next,
            seed: '?',
            problems: [why, `cannot regenerate: ${String(error)}`],
          });
          console.log(
            `PROBLEM #${next}: ${why}; the input cannot be regenerated: ${String(error)}`,
          );
        }
        if (next + workers < start + count) runSlot(workerIndex, next + workers).then(finish);
        else finish();
      });
    });

  await Promise.all(Array.from({ length: workers }, (_, w) => runSlot(w, start + w)));

  const seconds = (performance.now() - started) / 1000;
  const sorted = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `    ${k.padEnd(28)} ${v}`)
      .join('\n');
  console.log(
    `\nfuzz: seed ${seed}, ${totals.inputs} inputs in ${seconds.toFixed(1)} s (${(totals.inputs / seconds).toFixed(0)}/s)`,
  );
  console.log(`  by seed kind:\n${sorted(totals.byKind)}`);
  console.log(`  by verdict:\n${sorted(totals.byVerdict)}`);
  console.log(`  passes of changed files explained as:\n${sorted(totals.passReasons)}`);
  console.log(`  by status (first error code, or valid):\n${sorted(totals.byStatus)}`);
  console.log(
    `  slowest input: ${totals.slowest.ms.toFixed(0)} ms (#${totals.slowest.index}, ${totals.slowest.seed})`,
  );
  console.log(
    `  largest single allocation: ${totals.allocation.bytes} bytes for a ${totals.allocation.size}-byte file (#${totals.allocation.index})`,
  );
  for (const [worker, samples] of totals.memory) {
    const first = samples[0];
    const last = samples.at(-1);
    if (!first || !last) continue;
    const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
    console.log(
      `  worker ${worker} after gc: heap ${mib(first.heapUsed)} → ${mib(last.heapUsed)}, array buffers ${mib(first.arrayBuffers)} → ${mib(last.arrayBuffers)}, rss ${mib(first.rss)} → ${mib(last.rss)} (${first.done} → ${last.done} inputs)`,
    );
  }
  // Memory a worker still holds after garbage collection must not grow with the inputs it saw.
  for (const [worker, samples] of totals.memory) {
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const growth = Math.max(last.heapUsed - first.heapUsed, last.arrayBuffers - first.arrayBuffers);
    if (growth > MAX_RETAINED_GROWTH) {
      const problem = `worker ${worker} retains ${growth} more bytes after ${last.done} inputs than after ${first.done}`;
      totals.failures.push({ index: -1, seed: '', problems: [problem] });
      console.log(`PROBLEM: ${problem}`);
    }
  }
  console.log(
    `  problems: ${totals.failures.length}${totals.failures.length ? ` (inputs saved in ${outDir})` : ''}`,
  );
  return totals.failures.length > 0 ? 1 : 0;
}

async function runOnly(index: number): Promise<number> {
  const ctx = await context();
  const input = target.generate(ctx, seed, index);
  console.log(target.describe(input));
  const result = await target.check(ctx, input);
  console.log(JSON.stringify(result, null, 2));
  if (result.problems.length > 0) console.log(`saved ${saveCandidate(input, result.problems)}`);
  return result.problems.length > 0 ? 1 : 0;
}

/** Re-runs saved candidates (their .json next to the input) against the current code. */
async function runRecheck(files: string[]): Promise<number> {
  const ctx = (await pipelineTarget.createContext()) as FuzzContext;
  let failing = 0;
  for (const file of files) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      seed: string;
      index: number;
      mutations: FuzzInput['mutations'];
    };
    const seedFile = ctx.seeds.find((s) => s.name === saved.seed);
    if (!seedFile) throw new Error(`${file}: no seed ${saved.seed}`);
    const bytes = readFileSync(file.replace(/\.json$/, seedFile.extension));
    const result = await checkInput(ctx, {
      index: saved.index,
      seed: seedFile,
      bytes,
      mutations: saved.mutations,
    });
    if (result.problems.length > 0) failing++;
    console.log(
      `${file}: ${result.verdict} ${result.status} ${result.passReason} ${result.problems.join(' | ')}`,
    );
  }
  return failing > 0 ? 1 : 0;
}

if (values.recheck) {
  process.exitCode = await runRecheck(positionals);
} else if (values.child !== undefined) {
  await runWorker(values.child);
} else if (values.only !== undefined) {
  process.exitCode = await runOnly(Number(values.only));
} else {
  process.exitCode = await runParent();
}
