/**
 * The per-file time budget (issue 10): a file built to make verification crawl — millions of
 * tiny sectors, a huge declared cabinet, a signature that takes long to decode — becomes a
 * `malformed-package` finding after a bounded time instead of a stuck CI job.
 *
 * Three mechanisms, because none alone is enough:
 *  - cooperative, on reads: every read of the file goes through {@link TimeBudget.guard}, which
 *    throws once the budget is spent. Hashing loops, chain walks and table reads all read, so
 *    they stop at their next read even while the event loop is kept busy;
 *  - cooperative, on CPU-bound steps: work that never reads (signature checks during chain
 *    building, timestamp and nested-signature verification) calls `checkTimeBudget` (src/work-budget.ts)
 *    before each expensive step. The budget of the file being verified is in force around the
 *    synchronous evaluation of its signatures (`withinBudget`), so library code needs no budget
 *    parameter; outside a budget the call does nothing. Synchronous work blocks the timer of
 *    `race`, so without these checks a file with hundreds of same-named issuers could run for
 *    minutes (issue 20, item 2). A check costs one variable read and one clock read
 *    (docs/hostile-input.md);
 *  - racing: {@link TimeBudget.race} stops waiting when the budget runs out even if the work is
 *    parked on something that never answers (or hashing on a worker thread, which the guard
 *    does not see). The abandoned work is left to fail on its next guarded read.
 */
import { MalformedPackageError } from '../errors.js';
import type { RandomAccessSource } from '../io/random-access-file.js';

/** Default per-file budget: far above what any real installer needs (hashing GiBs takes seconds). */
export const DEFAULT_TIME_BUDGET_MS = 120_000;

/** setTimeout takes at most a signed 32-bit delay; longer ones fire at once. */
const MAX_TIMER_MS = 0x7fffffff;

/** The file used up its time budget. A MalformedPackageError: the file is built to be slow. */
export class TimeBudgetExceededError extends MalformedPackageError {
  constructor(readonly budgetMs: number) {
    super(
      `verification of this file did not finish within its ${describeBudget(budgetMs)} time budget; a real package is verified far faster, so the file is treated as malformed (built to exhaust the verifier)`,
    );
    this.name = 'TimeBudgetExceededError';
  }
}

/** `120-second`, `200 ms`: the budget as the findings say it. */
export function describeBudget(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}-second` : `${ms} ms`;
}

export type RaceResult<T> = { timedOut: false; value: T } | { timedOut: true };

/** A deadline for one file. `Infinity` (or any non-finite budget) never expires. */
export class TimeBudget {
  private readonly deadline: number;

  constructor(
    readonly budgetMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    if (Number.isNaN(budgetMs) || budgetMs < 0) {
      throw new RangeError(`time budget ${budgetMs} ms is not a non-negative number`);
    }
    this.deadline = clock() + budgetMs;
  }

  /** Milliseconds left (0 when spent, Infinity without a limit). */
  get remainingMs(): number {
    return Math.max(0, this.deadline - this.clock());
  }

  get expired(): boolean {
    return this.clock() >= this.deadline;
  }

  /** Throws {@link TimeBudgetExceededError} once the budget is spent. */
  check(): void {
    if (this.expired) throw new TimeBudgetExceededError(this.budgetMs);
  }

  /** `source` with a budget check before every read. */
  guard(source: RandomAccessSource): RandomAccessSource {
    const check = () => this.check();
    return {
      get size() {
        return source.size;
      },
      async read(position, length) {
        check();
        return source.read(position, length);
      },
      async readInto(target, offset, length, position) {
        check();
        return source.readInto(target, offset, length, position);
      },
      close() {
        return source.close();
      },
    };
  }

  /**
   * Waits for `work` at most the remaining budget. When the budget runs out first, resolves
   * `{ timedOut: true }`; the work keeps its own course and its eventual failure is swallowed
   * (the caller decides when to release what the work uses: see {@link settled}).
   */
  race<T>(work: Promise<T>): Promise<RaceResult<T>> {
    work.catch(() => undefined);
    const remaining = this.remainingMs;
    if (remaining > MAX_TIMER_MS) {
      return work.then((value) => ({ timedOut: false as const, value }));
    }
    return new Promise<RaceResult<T>>((resolve, reject) => {
      const timer = setTimeout(() => resolve({ timedOut: true }), remaining);
      work.then(
        (value) => {
          clearTimeout(timer);
          resolve({ timedOut: false, value });
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}

/** Resolves when `work` has settled, whichever way. */
export function settled(work: Promise<unknown>): Promise<void> {
  return work.then(
    () => undefined,
    () => undefined,
  );
}
