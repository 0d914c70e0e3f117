/**
 * Cabinets made by gcab and signed by osslsigncode: our listing must equal gcab's, our reserve
 * and appended blob must equal what gcab dumps, and our digest must equal the one osslsigncode
 * calculates for every algorithm and for nested signatures.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout, titled } from '../support/tools.js';
import type { DigestAlgorithm } from '../../src/digest.js';
import { RandomAccessFile, type RandomAccessSource } from '../../src/io/random-access-file.js';
import {
  DIGEST_READ_BYTES,
  cabContentDigests,
  openCabinet,
  readCabSignature,
  type Cabinet,
  type CabFile,
} from '../../src/cab/index.js';
import {
  makeSigningCert,
  makeTempDir,
  osslsigncodeDigests,
  run,
  runStatus,
} from './support/tools.js';

/** Debian tools the cabinets are built, signed and cross-checked with (why the suites skip, when they do). */
const SKIP = skipWithout('gcab', 'osslsigncode', 'cabextract', 'openssl');

let dir: string;
let cleanup: () => void;
let cert: string;
let key: string;

/** Paths of the cabinets built in beforeAll, by role. */
const cabs: Record<string, string> = {};

function sign(input: string, output: string, hash: string, nest = false): void {
  run(
    'osslsigncode',
    [
      'sign',
      ...(nest ? ['-nest'] : []),
      '-certs',
      cert,
      '-key',
      key,
      '-h',
      hash,
      '-in',
      input,
      '-out',
      output,
    ],
    dir,
  );
}

beforeAll(() => {
  if (SKIP) return;
  ({ dir, cleanup } = makeTempDir('cab-real'));
  ({ cert, key } = makeSigningCert(dir));

  const small = join(dir, 'small');
  mkdirSync(small);
  writeFileSync(join(small, 'hello.txt'), 'hello\n');
  writeFileSync(join(small, 'world.txt'), 'world\n');
  writeFileSync(join(small, 'random.bin'), randomBytes(5000));

  const many = join(dir, 'many');
  mkdirSync(many);
  for (let i = 0; i < 48; i++) {
    const text = `file ${i} `.repeat(1 + i * 37);
    writeFileSync(join(many, `f${String(i).padStart(2, '0')}.txt`), text);
  }
  writeFileSync(join(many, 'noise.bin'), randomBytes(200_000));
  writeFileSync(join(many, 'café-ü.txt'), 'non-ASCII name\n');

  const big = join(dir, 'big');
  mkdirSync(big);
  // > 2 MiB of incompressible data: the digest must stream it in several reads.
  writeFileSync(join(big, 'big.bin'), randomBytes(2_500_000 + 17));

  run(
    'gcab',
    [
      '-c',
      '-n',
      'stored.cab',
      ...['hello.txt', 'world.txt', 'random.bin'].map((f) => join(small, f)),
    ],
    dir,
  );
  run('gcab', ['-cz', 'mszip.cab', 'many'], dir);
  run('gcab', ['-c', '-n', 'big.cab', join(big, 'big.bin')], dir);
  cabs.stored = join(dir, 'stored.cab');
  cabs.mszip = join(dir, 'mszip.cab');
  cabs.big = join(dir, 'big.cab');

  sign('stored.cab', 'stored-sha256.cab', 'sha256');
  sign('mszip.cab', 'mszip-sha256.cab', 'sha256');
  sign('mszip.cab', 'mszip-sha1.cab', 'sha1');
  sign('mszip.cab', 'mszip-sha512.cab', 'sha512');
  sign('mszip-sha256.cab', 'mszip-nested.cab', 'sha1', true);
  sign('big.cab', 'big-sha256.cab', 'sha256');
  for (const name of [
    'stored-sha256',
    'mszip-sha256',
    'mszip-sha1',
    'mszip-sha512',
    'mszip-nested',
    'big-sha256',
  ]) {
    cabs[name] = join(dir, `${name}.cab`);
  }
});

afterAll(() => cleanup?.());

async function withCab<T>(
  path: string,
  fn: (source: RandomAccessSource, cab: Cabinet) => Promise<T>,
): Promise<T> {
  const source = await RandomAccessFile.open(path);
  try {
    return await fn(source, await openCabinet(source));
  } finally {
    await source.close();
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** One line of `gcab -l` (gcab reads DOS times as UTC and prints them in local time: TZ=UTC). */
function gcabLine(file: CabFile): string {
  const m = file.modified;
  const when = `${m.year}-${pad(m.month)}-${pad(m.day)} ${pad(m.hour)}:${pad(m.minute)}:${pad(m.second)}`;
  return `${file.name} ${file.size} ${when} 0x${file.attributes.toString(16).toUpperCase()}`;
}

function gcabListing(path: string): string[] {
  // gcab prints names in the locale's charset: under LANG=C a UTF-8 name comes out as "?".
  return run('gcab', ['-l', path], dir, { TZ: 'UTC', LC_ALL: 'C.UTF-8' })
    .split('\n')
    .filter((l) => l.length > 0);
}

describe.skipIf(SKIP)(
  titled('cabinets made by gcab (needs gcab, osslsigncode, cabextract, openssl)', SKIP),
  () => {
    for (const role of [
      'stored',
      'mszip',
      'big',
      'stored-sha256',
      'mszip-sha256',
      'mszip-nested',
    ]) {
      it(`lists the same files as gcab -l (${role})`, async () => {
        const path = cabs[role]!;
        const ours = await withCab(path, async (_s, cab) => cab.files.map(gcabLine));
        expect(ours).toEqual(gcabListing(path));
      });
    }

    it('reads the folder of a stored cabinet and of an MSZIP cabinet with 50 files', async () => {
      await withCab(cabs.stored!, async (_s, cab) => {
        expect(cab.folders).toHaveLength(1);
        expect(cab.folders[0]!.compression).toBe('none');
        expect(cab.files.map((f) => f.name)).toEqual(['hello.txt', 'world.txt', 'random.bin']);
        expect(cab.files.every((f) => f.folder === 0 && f.continuation === 'none')).toBe(true);
      });
      await withCab(cabs.mszip!, async (_s, cab) => {
        expect(cab.files).toHaveLength(50);
        expect(cab.folders).toHaveLength(1);
        expect(cab.folders[0]!.compression).toBe('mszip');
        expect(cab.files.find((f) => f.name.includes('café'))?.name).toBe('many\\café-ü.txt');
        // Uncompressed offsets run back to back through the folder.
        let expected = 0;
        for (const file of cab.files) {
          expect(file.folderOffset).toBe(expected);
          expected += file.size;
        }
      });
    });

    it('sees an unsigned gcab cabinet as unsigned, without trailing data', async () => {
      await withCab(cabs.mszip!, async (_s, cab) => {
        expect(cab.header.hasReserve).toBe(false);
        expect(cab.signature.location).toBeNull();
        expect(cab.signature.unsignedReason).toBe('no-reserve');
        expect(cab.trailingBytes).toBe(0);
        expect(cab.anomalies).toEqual([]);
        expect(cab.set).toEqual({ setID: cab.header.setID, index: 0, previous: null, next: null });
      });
    });

    it('passes cabextract --test on every cabinet used here', () => {
      for (const path of Object.values(cabs)) {
        expect(runStatus('cabextract', ['-t', path], dir).status).toBe(0);
      }
    });
  },
);

describe.skipIf(SKIP)(
  titled('cabinets signed by osslsigncode (needs gcab, osslsigncode, cabextract, openssl)', SKIP),
  () => {
    const cases: [string, DigestAlgorithm][] = [
      ['stored-sha256', 'sha256'],
      ['mszip-sha256', 'sha256'],
      ['mszip-sha1', 'sha1'],
      ['mszip-sha512', 'sha512'],
      ['big-sha256', 'sha256'],
    ];
    for (const [role, algorithm] of cases) {
      it(`computes the ${algorithm} digest osslsigncode calculates (${role})`, async () => {
        const [primary] = osslsigncodeDigests(cabs[role]!, cert, dir);
        expect(primary!.current).toBe(primary!.calculated);
        const digests = await withCab(cabs[role]!, (source, cab) =>
          cabContentDigests(source, cab.header, [algorithm]),
        );
        expect(digests.get(algorithm)!.toString('hex')).toBe(primary!.calculated);
      });
    }

    it('computes both digests of a nested signature in one pass', async () => {
      const reported = osslsigncodeDigests(cabs['mszip-nested']!, cert, dir);
      expect(reported.map((d) => d.algorithm)).toEqual(['SHA256', 'SHA1']);
      const digests = await withCab(cabs['mszip-nested']!, (source, cab) =>
        cabContentDigests(source, cab, ['sha256', 'sha1']),
      );
      expect(digests.get('sha256')!.toString('hex')).toBe(reported[0]!.calculated);
      expect(digests.get('sha1')!.toString('hex')).toBe(reported[1]!.calculated);
      // Nesting rewrites only the blob and its length in the locator: the content digest is unchanged.
      const primaryOnly = osslsigncodeDigests(cabs['mszip-sha256']!, cert, dir)[0]!;
      expect(primaryOnly.calculated).toBe(reported[0]!.calculated);
    });

    it('locates the appended signature and matches the reserve and blob gcab dumps', async () => {
      for (const role of ['stored-sha256', 'mszip-sha512', 'mszip-nested']) {
        const path = cabs[role]!;
        run('gcab', ['-D', path], dir);
        const dumpedReserve = readFileSync(`${path}.header`);
        const dumpedBlob = readFileSync(`${path}.signature`);
        await withCab(path, async (source, cab) => {
          expect(cab.header.cbCFHeader).toBe(20);
          expect(cab.header.reserve).toEqual(dumpedReserve);
          const location = cab.signature.location!;
          expect(location).toMatchObject({
            kind: 'appended',
            offset: cab.header.cbCabinet,
            length: source.size - cab.header.cbCabinet,
            locatorOffset: 44,
            offsetMatchesCabinet: true,
            fillerIsZero: true,
            unusedReserveBytes: 0,
          });
          expect(cab.signatureLocation).toBe(location);
          expect(cab.trailingBytes).toBe(0);
          expect(cab.anomalies).toEqual([]);
          // osslsigncode pads to 8 bytes and records the padded length.
          expect(location.length % 8).toBe(0);
          const blob = await readCabSignature(source, cab.header);
          expect(blob).toEqual(dumpedBlob);
          expect(await readCabSignature(source, cab)).toEqual(blob);
        });
      }
    });

    it('returns signature bytes openssl parses and that equal extract-signature up to zero padding', async () => {
      for (const role of ['mszip-sha256', 'mszip-nested']) {
        const path = cabs[role]!;
        const extracted = join(dir, `${role}.p7`);
        run('osslsigncode', ['extract-signature', '-in', path, '-out', extracted], dir);
        const der = readFileSync(extracted);
        const blob = (await withCab(path, (source, cab) => readCabSignature(source, cab.header)))!;
        expect(blob.length).toBeGreaterThanOrEqual(der.length);
        expect(blob.length - der.length).toBeLessThan(8);
        expect(blob.subarray(0, der.length)).toEqual(der);
        expect(blob.subarray(der.length).every((b) => b === 0)).toBe(true);
        const ours = join(dir, `${role}.ours.p7`);
        writeFileSync(ours, blob);
        const parsed = runStatus('openssl', ['asn1parse', '-inform', 'DER', '-in', ours], dir);
        expect(parsed.status).toBe(0);
        expect(parsed.output).toContain(':pkcs7-signedData');
      }
    });

    it('reads only the header region when opening, and hashes in bounded reads', async () => {
      const file = await RandomAccessFile.open(cabs['big-sha256']!);
      const reads: number[] = [];
      const spy: RandomAccessSource = {
        size: file.size,
        read: (position, length) => {
          reads.push(length);
          return file.read(position, length);
        },
        readInto: (target, offset, length, position) => {
          reads.push(length);
          return file.readInto(target, offset, length, position);
        },
        close: () => file.close(),
      };
      try {
        const cab = await openCabinet(spy);
        const headerBytes = reads.reduce((a, b) => a + b, 0);
        expect(headerBytes).toBeLessThanOrEqual(40 + 64 * 1024 * 2);
        expect(headerBytes).toBeLessThan(file.size / 10);
        reads.length = 0;
        await cabContentDigests(spy, cab.header, ['sha256', 'sha1']);
        // A few large reads of at most DIGEST_READ_BYTES; the header fields the digest skips may
        // be read along with their neighbours (and not hashed), but no byte is read twice.
        expect(Math.max(...reads)).toBeLessThanOrEqual(DIGEST_READ_BYTES);
        expect(reads.length).toBeLessThanOrEqual(Math.ceil(file.size / DIGEST_READ_BYTES) + 2);
        const total = reads.reduce((a, b) => a + b, 0);
        expect(total).toBeGreaterThanOrEqual(cab.header.cbCabinet - 4 - 4 - 2 - 16);
        expect(total).toBeLessThanOrEqual(cab.header.cbCabinet);
      } finally {
        await spy.close();
      }
    });
  },
);
