/**
 * The generated fixture cabinets (fixtures/generate.sh): every signature's digest, primary and
 * nested, must equal the one osslsigncode calculates. Skipped when the fixtures are not built.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DigestAlgorithm } from '../../src/digest.js';
import { RandomAccessFile } from '../../src/io/random-access-file.js';
import { cabContentDigests, openCabinet, readCabSignature } from '../../src/cab/index.js';
import { osslsigncodeDigests } from './support/tools.js';
import { skipWithout, titled } from '../support/tools.js';

const FIXTURES = resolve('fixtures/cab');
const cabinets = existsSync(FIXTURES)
  ? readdirSync(FIXTURES).filter((name) => name.endsWith('.cab'))
  : [];

const ALGORITHMS: Record<string, DigestAlgorithm> = {
  MD5: 'md5',
  SHA1: 'sha1',
  SHA256: 'sha256',
  SHA384: 'sha384',
  SHA512: 'sha512',
};

/** Each cabinet's digests are compared with what osslsigncode reports. */
const SKIP = skipWithout('osslsigncode');

describe.skipIf(cabinets.length === 0 || SKIP)(titled('fixture cabinets', SKIP), () => {
  for (const name of cabinets) {
    it(`reads ${name} and agrees with osslsigncode`, async () => {
      const path = join(FIXTURES, name);
      const source = await RandomAccessFile.open(path);
      try {
        const cab = await openCabinet(source);
        expect(cab.files.length).toBeGreaterThan(0);
        if (name.startsWith('unsigned')) {
          expect(cab.signatureLocation).toBeNull();
          expect(await readCabSignature(source, cab)).toBeNull();
          return;
        }
        expect(cab.signatureLocation?.kind).toBe('appended');
        expect(cab.anomalies).toEqual([]);
        const reported = osslsigncodeDigests(path, '/dev/null', FIXTURES);
        const algorithms = reported.map((d) => ALGORITHMS[d.algorithm]!);
        const ours = await cabContentDigests(source, cab, algorithms);
        for (const d of reported) {
          expect(ours.get(ALGORITHMS[d.algorithm]!)!.toString('hex')).toBe(d.calculated);
        }
      } finally {
        await source.close();
      }
    });
  }
});
