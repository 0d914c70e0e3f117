// Extracts every file of a cabinet through src/cab and src/decompress, hashing each file with
// SHA-256 as deep verification digests inner files, and prints the file count and bytes: the
// payload benchmark of issue 17 (against `cabextract -t`, which MD5s every file).
// bench/run.mjs bundles it into bench/out/extract-payload.mjs and runs it under /usr/bin/time -v.
import { createHash, type Hash } from 'node:crypto';
import { basename } from 'node:path';
import { openCabinet } from '../src/cab/index.js';
import { extractCabinet, extractLimitsFor } from '../src/cab/extract.js';
import { RandomAccessFile } from '../src/io/random-access-file.js';

const path = process.argv[2];
if (!path) throw new Error('usage: extract-payload.mjs FILE.cab');
const source = await RandomAccessFile.open(path);
try {
  const cabinet = await openCabinet(source);
  let hash: Hash | null = null;
  let bytes = 0;
  const result = await extractCabinet(
    { name: basename(path), source, cabinet },
    {
      fileStart: () => {
        hash = createHash('sha256');
        return true;
      },
      fileData: (_entry, chunk) => {
        hash!.update(chunk);
        bytes += chunk.length;
      },
      fileEnd: () => {
        hash!.digest();
      },
    },
    extractLimitsFor(source.size),
  );
  if (result.failures.length > 0) {
    throw new Error(result.failures.map((f) => f.error.message).join('; '));
  }
  process.stdout.write(`${result.extracted} files, ${bytes} bytes\n`);
} finally {
  await source.close();
}
