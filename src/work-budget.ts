/**
 * The time budget of the work running in this async context, for CPU-bound library code that
 * never reads the file (signature checks in chain building, timestamps, nested signatures).
 * The verifier (src/verify/time-budget.ts) runs each file's verification inside
 * {@link withinBudget}; library code calls {@link checkTimeBudget} before each expensive step
 * and needs no budget parameter. Outside a budget the call does nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Anything that throws once its budget is spent. */
export interface Budget {
  check(): void;
}

const currentBudget = new AsyncLocalStorage<Budget>();

/** Runs `work` with `budget` as the budget {@link checkTimeBudget} enforces inside it. */
export function withinBudget<T>(budget: Budget, work: () => Promise<T>): Promise<T> {
  return currentBudget.run(budget, work);
}

/**
 * Throws (the budget's error) when the work running in this async context has used up its
 * budget. Cheap: one context lookup and one clock read (docs/hostile-input.md). Call it before
 * each expensive step of a loop whose length a file controls.
 */
export function checkTimeBudget(): void {
  currentBudget.getStore()?.check();
}
