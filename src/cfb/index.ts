export { openCompoundFile, DEFAULT_MAX_STREAM_BYTES } from './reader.js';
export type { CompoundFile, DirectoryEntry, EntryKind } from './types.js';
