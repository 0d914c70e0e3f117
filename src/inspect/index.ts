/** `inspect`: everything about one file's signatures, without a policy (docs/cli.md). */
export { inspectFile, inspectSource, type InspectOptions } from './inspect-file.js';
export type * from './model.js';
