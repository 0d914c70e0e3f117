// Reads every stream of a compound file through src/cfb, chunk by chunk, and prints how many
// streams and bytes it read: the memory check of issue 3 (peak RSS while reading a 1 GiB MSI).
// bench/run.mjs bundles it into bench/out/read-all-streams.mjs and runs it under /usr/bin/time -v.
import { openCompoundFile, type DirectoryEntry } from '../src/cfb/index.js';
import { RandomAccessFile } from '../src/io/random-access-file.js';

const path = process.argv[2];
if (!path) throw new Error('usage: read-all-streams.mjs FILE');
const source = await RandomAccessFile.open(path);
try {
  const cfb = await openCompoundFile(source);
  let streams = 0;
  let bytes = 0;
  let xor = 0;
  const pending: DirectoryEntry[] = [cfb.root];
  while (pending.length > 0) {
    const storage = pending.pop()!;
    for (const entry of cfb.children(storage)) {
      if (entry.kind === 'storage') pending.push(entry);
      if (entry.kind !== 'stream') continue;
      streams++;
      for await (const chunk of cfb.streamChunks(entry)) {
        bytes += chunk.length;
        // Touch the bytes so that nothing is optimised away.
        xor ^= chunk[chunk.length - 1]!;
      }
    }
  }
  process.stdout.write(`${streams} streams, ${bytes} bytes (check ${xor})\n`);
} finally {
  await source.close();
}
