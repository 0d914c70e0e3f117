import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCabinet } from '../../src/cab/index.js';
import {
  extractCabinet,
  extractLimitsFor,
  type CabExtraction,
  type ExtractFailure,
} from '../../src/cab/extract.js';
import { PayloadLimitError, UnsupportedCompressionError } from '../../src/cab/payload-errors.js';
import { MemorySource, RandomAccessFile } from '../../src/io/random-access-file.js';
import {
  extractionErrorFinding,
  extractionFindings,
} from '../../src/payload/extraction-findings.js';
import { makeTempDir } from '../cab/support/tools.js';
import { skipWithout, titled } from '../support/tools.js';

/** Why the cabextract cross-check skips, when it does (test/support/tools.ts). */
const SKIP_CABEXTRACT = skipWithout('cabextract');

interface ExpectedCabinet {
  path: string;
  description: string;
  cabextract: 'ok' | 'fails';
  files?: Record<string, string>;
  finding?: string;
  reason?: string;
}
const { cabinets } = JSON.parse(readFileSync('fixtures/payload/expected.json', 'utf8')) as {
  cabinets: ExpectedCabinet[];
};
const good = cabinets.filter((c) => c.files);
const hostile = cabinets.filter((c) => c.finding);

interface Extracted {
  extraction: CabExtraction | null;
  thrown: ExtractFailure | null;
  digests: Map<string, string>;
}

async function extract(path: string): Promise<Extracted> {
  const source = await RandomAccessFile.open(path);
  try {
    const cabinet = await openCabinet(source);
    const hashes = new Map<string, ReturnType<typeof createHash>>();
    try {
      const extraction = await extractCabinet(
        { name: basename(path), source, cabinet },
        {
          fileStart: (entry) => {
            hashes.set(entry.file.name, createHash('sha256'));
            return true;
          },
          fileData: (entry, chunk) => {
            hashes.get(entry.file.name)!.update(chunk);
          },
        },
        extractLimitsFor(source.size),
      );
      const digests = new Map([...hashes].map(([name, hash]) => [name, hash.digest('hex')]));
      return { extraction, thrown: null, digests };
    } catch (error) {
      if (error instanceof PayloadLimitError)
        return { extraction: null, thrown: error, digests: new Map() };
      throw error;
    }
  } finally {
    await source.close();
  }
}

describe('cabinet extraction of the payload fixtures', () => {
  const temp = makeTempDir('va-payload');
  afterAll(() => temp.cleanup());

  it.each(good.map((c) => [basename(c.path), c] as const))(
    'extracts %s exactly as cabextract does',
    async (_name, expected) => {
      const { extraction, digests } = await extract(expected.path);
      expect(extraction!.failures).toEqual([]);
      expect(extraction!.extracted).toBe(Object.keys(expected.files!).length);
      expect(Object.fromEntries(digests)).toEqual(expected.files);
    },
  );

  // cabextract is a Debian tool: off Linux (or without it) the cross-check skips, while the test
  // above still compares with the digests cabextract recorded in fixtures/payload/expected.json.
  it.skipIf(SKIP_CABEXTRACT).each(good.map((c) => [basename(c.path), c] as const))(
    titled(
      'extracts %s byte for byte like a fresh cabextract run (needs cabextract)',
      SKIP_CABEXTRACT,
    ),
    async (_name, expected) => {
      const { digests } = await extract(expected.path);
      const dir = join(temp.dir, basename(expected.path));
      execFileSync('cabextract', ['-q', '-d', dir, expected.path]);
      for (const name of readdirSync(dir)) {
        const theirs = createHash('sha256')
          .update(readFileSync(join(dir, name)))
          .digest('hex');
        expect(digests.get(name), name).toBe(theirs);
      }
    },
  );

  it.each(hostile.map((c) => [basename(c.path), c] as const))(
    'reports %s with its exact finding code and reason',
    async (_name, expected) => {
      const { extraction, thrown } = await extract(expected.path);
      const findings = thrown
        ? [extractionErrorFinding(basename(expected.path), thrown, 'error')]
        : extractionFindings(basename(expected.path), extraction!, 'error');
      expect(findings.map((f) => f.code)).toEqual([expected.finding]);
      const error = thrown ?? extraction!.failures[0]!.error;
      const reason =
        error instanceof PayloadLimitError
          ? error.limit
          : error instanceof UnsupportedCompressionError
            ? error.method
            : (error as { reason?: string }).reason;
      expect(reason).toBe(expected.reason);
    },
  );

  it('names the files a damaged folder leaves unchecked', async () => {
    const { extraction } = await extract('fixtures/payload/lzx-bad-checksum.cab');
    const [finding] = extractionFindings('lzx-bad-checksum.cab', extraction!, 'warning');
    expect(finding).toMatchObject({ code: 'corrupt-payload', severity: 'warning' });
    expect(finding!.message).toContain('1 file(s) not checked: notes.txt');
  });

  it('decodes nothing of a cabinet whose declared sizes exceed the limit', async () => {
    const bytes = readFileSync('fixtures/payload/bomb-4gib.cab');
    expect(bytes.length).toBeLessThan(1024);
    const source = new MemorySource(bytes);
    const cabinet = await openCabinet(source);
    let delivered = 0;
    await expect(
      extractCabinet(
        { name: 'bomb-4gib.cab', source, cabinet },
        { fileData: () => void delivered++ },
        extractLimitsFor(bytes.length),
      ),
    ).rejects.toMatchObject({ limit: 'total-bytes' });
    expect(delivered).toBe(0);
  });
});
