/**
 * Records the largest single buffer the code under test asks for, so the fuzz harness can check
 * that no declared count or size in a file makes the pipeline allocate out of proportion to the
 * file's real size. It wraps the allocators JavaScript code reaches through globals
 * (`Buffer.alloc*`, `ArrayBuffer`, typed-array constructors given a length); Node's internal
 * allocations are not seen, and need not be: they are sized by what our code passes them.
 *
 * The wrappers cost time (ASN.1 decoding creates many typed-array views), so they are switched
 * on per input: the harness probes a fixed share of its inputs.
 */

const state = { largest: 0 };

function note(bytes: unknown): void {
  if (typeof bytes === 'number' && Number.isFinite(bytes) && bytes > state.largest) {
    state.largest = bytes;
  }
}

const TYPED_ARRAYS = [
  'Uint8Array',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigUint64Array',
] as const;
const BUFFER_ALLOCATORS = ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const;

type Globals = Record<string, unknown>;
const globals = globalThis as unknown as Globals;
const buffer = Buffer as unknown as Globals;

const originals: Globals = {};
const wrapped: Globals = {};
for (const name of BUFFER_ALLOCATORS) {
  const original = Buffer[name];
  originals[`Buffer.${name}`] = original;
  wrapped[`Buffer.${name}`] = (...args: unknown[]) => {
    note(args[0]);
    return (original as (...a: unknown[]) => Buffer).apply(Buffer, args);
  };
}
originals.ArrayBuffer = ArrayBuffer;
wrapped.ArrayBuffer = new Proxy(ArrayBuffer, {
  construct(target, args, newTarget) {
    note(args[0]);
    return Reflect.construct(target, args, newTarget) as object;
  },
});
for (const name of TYPED_ARRAYS) {
  const ctor = globals[name] as { BYTES_PER_ELEMENT: number } & (new (
    ...args: unknown[]
  ) => object);
  originals[name] = ctor;
  wrapped[name] = new Proxy(ctor, {
    construct(target, args, newTarget) {
      if (typeof args[0] === 'number') note(args[0] * target.BYTES_PER_ELEMENT);
      return Reflect.construct(target, args, newTarget) as object;
    },
  });
}

function install(from: Globals): void {
  for (const name of BUFFER_ALLOCATORS) buffer[name] = from[`Buffer.${name}`];
  globals.ArrayBuffer = from.ArrayBuffer;
  for (const name of TYPED_ARRAYS) globals[name] = from[name];
}

/** Starts a measurement, with the wrappers on or off. */
export function startAllocationProbe(enabled: boolean): void {
  state.largest = 0;
  install(enabled ? wrapped : originals);
}

/** Ends the measurement (wrappers off) and returns the largest allocation seen, in bytes. */
export function stopAllocationProbe(): number {
  install(originals);
  return state.largest;
}
