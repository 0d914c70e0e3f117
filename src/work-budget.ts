/**
 * The time budget of the work running now, for CPU-bound library code that never reads the file
 * (signature checks in chain building, timestamps, nested signatures). The verifier
 * (src/verify/time-budget.ts) runs each file's signature evaluation inside {@link withinBudget};
 * library code calls {@link checkTimeBudget} before each expensive step and needs no budget
 * parameter. Outside a budget the call does nothing.
 *
 * The scope is synchronous: that work is synchronous (evaluateSignature), so the budget in force
 * is simply the one set around the call now running, and nothing else can run in between. An
 * AsyncLocalStorage carried it across awaits before, but on Node 20 that turns on promise hooks
 * for the whole process, a few per cent of a run of many small files (issue 19).
 */

/** Anything that throws once its budget is spent. */
export interface Budget {
  check(): void;
}

let current: Budget | undefined;

/**
 * Runs `work` — synchronous work — with `budget` as the budget {@link checkTimeBudget} enforces
 * inside it. Work that returns a promise is refused: the scope would end at its first await.
 */
export function withinBudget<T>(budget: Budget, work: () => T): T {
  const outer = current;
  current = budget;
  try {
    const result = work();
    if (result instanceof Promise) {
      // Settled quietly: the refusal below is the caller's error, not an unhandled rejection.
      result.catch(() => undefined);
      throw new TypeError('withinBudget takes synchronous work only');
    }
    return result;
  } finally {
    current = outer;
  }
}

/**
 * Throws (the budget's error) when the work running now has used up its budget. Cheap: one
 * variable read and one clock read (docs/hostile-input.md). Call it before each expensive step
 * of a loop whose length a file controls.
 */
export function checkTimeBudget(): void {
  current?.check();
}
