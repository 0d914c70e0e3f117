/**
 * Every property test runs with a fixed seed, so that a failure in CI replays exactly on a
 * developer's machine. FC_SEED=<n> replays another seed; FC_SEED=random explores new ones (the
 * seed of a failure is printed by fast-check, so it can be replayed with FC_SEED).
 */
import fc from 'fast-check';

const DEFAULT_SEED = 20261204;
const requested = process.env['FC_SEED'];

if (requested !== 'random') {
  const seed = requested === undefined || requested === '' ? DEFAULT_SEED : Number(requested);
  if (!Number.isInteger(seed))
    throw new Error(`FC_SEED must be an integer or "random", got ${requested}`);
  fc.configureGlobal({ seed });
}
