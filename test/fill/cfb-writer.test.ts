import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import CFB from 'cfb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCompoundFile, type CompoundFile } from '../../src/cfb/index.js';
import {
  bufferContent,
  compareEntryNames,
  compoundFileBytes,
  specFromCompoundFile,
  writeCompoundFile,
  writeCompoundFileToPath,
  type StreamContent,
} from '../../src/cfb/writer.js';
import { MemorySource } from '../../src/io/random-access-file.js';
import { CLSID_MSI_DATABASE, encodeStreamName } from '../../src/msi/index.js';
import { buildCfb, storage, stream, type NodeSpec } from '../support/cfb-builder.js';
import { checkAllTrees, rawLayout, snapshot } from './cfb-snapshot.js';
import {
  titled,
  SKIP_MSITOOLS,
  SKIP_OSSLSIGNCODE,
  makeLargeMsi,
  msiExport,
  msiStreams,
  msiTables,
  osslsigncodeVerify,
  pseudoRandomBytes,
  tempDir,
  withCompoundFile,
  type TempDir,
} from './support.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const FILETIME_A = bytes(0x00, 0x80, 0x3e, 0xd5, 0xde, 0xb1, 0x9d, 0x01);
const FILETIME_B = bytes(0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0xd7, 0x01);
const CLSID_X = bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);

/** A tree exercising every kind of entry and every metadata field. */
function syntheticTree(): NodeSpec[] {
  return [
    stream('\u0005SummaryInformation', pseudoRandomBytes(400, 1)),
    stream('big', pseudoRandomBytes(10_000, 2), {
      stateBits: bytes(1, 2, 3, 4),
      creationTime: FILETIME_A,
      modifiedTime: FILETIME_B,
    }),
    stream('exact4096', pseudoRandomBytes(4096, 3)),
    stream('mini4095', pseudoRandomBytes(4095, 4)),
    stream('empty', new Uint8Array(0)),
    stream('abc', 'lower'),
    stream('ABD', 'upper'),
    stream(encodeStreamName('_StringPool', true), pseudoRandomBytes(20, 5)),
    stream(encodeStreamName('MsiDigitalCertificate.Cert1', false), pseudoRandomBytes(900, 6)),
    storage(
      'Sub',
      [
        stream('inner', pseudoRandomBytes(100, 7), { modifiedTime: FILETIME_A }),
        storage('Deeper', [stream('x', pseudoRandomBytes(5000, 8))], { clsid: CLSID_X }),
        storage('EmptyStorage', []),
      ],
      {
        clsid: CLSID_MSI_DATABASE,
        stateBits: bytes(0, 0, 0, 0x80),
        creationTime: FILETIME_B,
        modifiedTime: FILETIME_A,
      },
    ),
  ];
}

function syntheticFile(version: 3 | 4): Uint8Array {
  return buildCfb(syntheticTree(), {
    version,
    rootClsid: CLSID_MSI_DATABASE,
    rootStateBits: bytes(9, 9, 9, 9),
    rootModifiedTime: FILETIME_B,
  }).toBytes();
}

async function rewrite(input: Uint8Array, version?: 3 | 4) {
  const cfb = await openCompoundFile(new MemorySource(input));
  return compoundFileBytes(specFromCompoundFile(cfb), { version: version ?? cfb.version });
}

/** Content yielding `size` bytes of a repeating pattern in `chunk`-byte pieces, counting them. */
function patternContent(size: number, chunk: number): StreamContent & { chunksServed: number } {
  const piece = Buffer.alloc(chunk);
  for (let i = 0; i < chunk; i++) piece[i] = (i * 31 + 7) & 0xff;
  const content = {
    size,
    chunksServed: 0,
    async *chunks() {
      for (let done = 0; done < size; done += chunk) {
        content.chunksServed++;
        yield piece.subarray(0, Math.min(chunk, size - done));
      }
    },
  };
  return content;
}

describe('compareEntryNames (MS-CFB §2.6.4 tree order)', () => {
  it('orders by length first, then by upper-cased code units', () => {
    expect(compareEntryNames('b', 'aa')).toBeLessThan(0);
    expect(compareEntryNames('zz', 'aaa')).toBeLessThan(0);
    expect(compareEntryNames('abc', 'ABD')).toBeLessThan(0);
    expect(compareEntryNames('ABC', 'abd')).toBeLessThan(0);
    expect(compareEntryNames('abc', 'ABC')).toBe(0);
    expect(compareEntryNames('\u00e9', '\u00c9')).toBe(0);
    // ß has no one-unit upper case: it stays itself (0xDF) and sorts before 'ā' (0x100).
    expect(compareEntryNames('\u00df', '\u0101')).toBeLessThan(0);
    // MSI-mangled names are CJK code units without case: plain code-unit order.
    expect(compareEntryNames('\u4840\u3f3f', '\u4840\u4216')).toBeLessThan(0);
  });
});

describe('writeCompoundFile round trip through our reader', () => {
  for (const version of [3, 4] as const) {
    it(`keeps every entry's name, CLSID, state bits, times and content (version ${version})`, async () => {
      const input = syntheticFile(version);
      const before = await snapshot(await openCompoundFile(new MemorySource(input)));
      const { bytes: output, written } = await rewrite(input);
      expect(written.version).toBe(version);
      expect(written.size).toBe(output.length);
      expect(written.entryCount).toBe(before.length);
      const cfb = await openCompoundFile(new MemorySource(output));
      expect(cfb.version).toBe(version);
      expect(cfb.warnings).toEqual([]);
      expect(cfb.trailingBytes).toBe(0);
      expect(await snapshot(cfb)).toEqual(before);
      // Root metadata: CLSID, state bits and modified time as built, creation time zero.
      const root = before.find((entry) => entry.path === '')!;
      expect(root).toMatchObject({
        clsid: '84100c0000000000c000000000000046',
        stateBits: '09090909',
        creationTime: '0000000000000000',
        modifiedTime: Buffer.from(FILETIME_B).toString('hex'),
      });
    });
  }

  it('writes a valid header, allocation and red-black directory (v4: 0x28 = directory chain)', async () => {
    for (const version of [3, 4] as const) {
      const { bytes: output } = await rewrite(syntheticFile(version));
      const layout = await rawLayout(output);
      const ss = version === 3 ? 512 : 4096;
      expect(output.subarray(0, 8)).toEqual(
        Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      );
      expect(layout.header.minorVersion).toBe(0x3e);
      expect(layout.header.majorVersion).toBe(version);
      expect(layout.header.directorySectorCount).toBe(
        version === 4 ? layout.directoryChainLength : 0,
      );
      if (version === 4) expect(output.subarray(512, 4096).every((b) => b === 0)).toBe(true);
      // No free sector and nothing after the last allocated one (§1.8, §1.9 rule 5).
      expect([...layout.fat.subarray(0, output.length / ss - 1)]).not.toContain(0xffffffff);
      expect(output.length % ss).toBe(0);
      const lastUsed = layout.fat.findLastIndex((value) => value !== 0xffffffff);
      expect(output.length).toBe((lastUsed + 2) * ss);
      // Every storage's children form a valid red-black tree in CFB order.
      const used = layout.entries.filter((entry) => entry.type !== 0);
      expect(checkAllTrees(layout.entries)).toBe(used.length);
      // Unused directory slots: zero with all links NOSTREAM.
      for (const slot of layout.entries.filter((entry) => entry.type === 0)) {
        expect(slot).toMatchObject({
          name: '',
          left: 0xffffffff,
          right: 0xffffffff,
          child: 0xffffffff,
        });
      }
      // Cutoff: 4095 bytes → mini stream, 4096 → regular sectors; empty → ENDOFCHAIN.
      const entry = (name: string) => layout.entries.find((e) => e.name === name)!;
      expect(layout.fat[entry('exact4096').start]).toBe(
        version === 3 ? entry('exact4096').start + 1 : 0xfffffffe,
      );
      expect(entry('empty')).toMatchObject({ size: 0, start: 0xfffffffe });
      const root = layout.entries[0]!;
      const miniBytes = [...layout.entries]
        .filter((e) => e.type === 2 && e.size > 0 && e.size < 4096)
        .reduce((sum, e) => sum + Math.ceil(e.size / 64) * 64, 0);
      expect(root.size).toBe(miniBytes);
      expect(entry('mini4095').start * 64 + 4095).toBeLessThanOrEqual(root.size);
    }
  });

  it('is itself a fixed point: rewriting its own output gives the same bytes', async () => {
    const once = (await rewrite(syntheticFile(3))).bytes;
    const twice = (await rewrite(once)).bytes;
    expect(twice.equals(once)).toBe(true);
  });

  it('builds a valid red-black tree for any set of sibling names', async () => {
    const name = fc
      .array(
        fc.constantFrom('a', 'B', 'c', 'D', '_', '\u4840', '\u3f3f', '\u00e9', '\u00c9', '5'),
        {
          minLength: 1,
          maxLength: 31,
        },
      )
      .map((units) => units.join(''));
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(name, { maxLength: 120, selector: (n) => n.toUpperCase() }),
        async (names) => {
          const { bytes: output } = await compoundFileBytes({
            children: names.map((n) => ({
              kind: 'stream',
              name: n,
              content: bufferContent(Buffer.from(n)),
            })),
          });
          const layout = await rawLayout(output);
          expect(checkAllTrees(layout.entries)).toBe(names.length + 1);
          const cfb = await openCompoundFile(new MemorySource(output));
          expect(
            cfb
              .children(cfb.root)
              .map((e) => e.name)
              .sort(),
          ).toEqual([...names].sort());
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('writeCompoundFile with large streams', () => {
  it('copies a 9 MiB stream in chunks and writes DIFAT sectors in a v3 file', async () => {
    const content = patternContent(9 * 1024 * 1024, 64 * 1024);
    const { bytes: output, written } = await compoundFileBytes({
      children: [
        { kind: 'stream', name: 'payload', content },
        { kind: 'stream', name: 'small', content: bufferContent(Buffer.from('tiny')) },
      ],
    });
    expect(written.version).toBe(3);
    expect(content.chunksServed).toBe(144);
    const layout = await rawLayout(output);
    // 9 MiB needs more than the header's 109 FAT sector slots (≈ 6.8 MiB in v3).
    expect(layout.header.fatSectorCount).toBeGreaterThan(109);
    expect(layout.header.difatSectorCount).toBe(
      Math.ceil((layout.header.fatSectorCount - 109) / 127),
    );
    const cfb = await openCompoundFile(new MemorySource(output));
    expect(cfb.trailingBytes).toBe(0);
    const payload = cfb.child(cfb.root, 'payload')!;
    const hash = createHash('sha256');
    for await (const chunk of cfb.streamChunks(payload)) hash.update(chunk);
    const expected = createHash('sha256');
    for await (const chunk of patternContent(9 * 1024 * 1024, 64 * 1024).chunks())
      expected.update(chunk);
    expect(hash.digest('hex')).toBe(expected.digest('hex'));
    // An independent reader (SheetJS cfb) agrees.
    const other = CFB.read(output, { type: 'buffer' });
    expect((CFB.find(other, 'small')!.content as Buffer).toString()).toBe('tiny');
    expect(CFB.find(other, 'payload')!.size).toBe(9 * 1024 * 1024);
  });

  it('switches to version 4 only when a stream exceeds the 2 GiB v3 limit', async () => {
    const huge: StreamContent = patternContent(0x80000001, 1024 * 1024);
    let firstWrite: Uint8Array | undefined;
    const stop = new Error('stop after the first write');
    await expect(
      writeCompoundFile(
        { children: [{ kind: 'stream', name: 'huge', content: huge }] },
        {
          async write(chunk) {
            firstWrite = chunk;
            throw stop;
          },
        },
        { version: 3 },
      ),
    ).rejects.toBe(stop);
    expect(Buffer.from(firstWrite!.subarray(0x1a, 0x1c)).readUInt16LE()).toBe(4);
    // Just below the limit, v3 is kept.
    const { written } = await compoundFileBytes(
      { children: [{ kind: 'stream', name: 's', content: bufferContent(new Uint8Array(5000)) }] },
      { version: 3 },
    );
    expect(written.version).toBe(3);
  });
});

describe('writeCompoundFile refuses what it cannot write', () => {
  const one = (name: string, content: StreamContent = bufferContent(new Uint8Array(1))) => ({
    children: [{ kind: 'stream' as const, name, content }],
  });

  it('rejects sibling names equal under the CFB comparator', async () => {
    await expect(
      compoundFileBytes({
        children: [
          { kind: 'stream', name: 'Name', content: bufferContent(new Uint8Array(1)) },
          { kind: 'stream', name: 'NAME', content: bufferContent(new Uint8Array(1)) },
        ],
      }),
    ).rejects.toThrow(/two entries named "Name" and "NAME"|two entries named "NAME" and "Name"/);
  });

  it('rejects names longer than 31 code units and empty names', async () => {
    await expect(compoundFileBytes(one('x'.repeat(32)))).rejects.toThrow(/32 code units/);
    await expect(compoundFileBytes(one(''))).rejects.toThrow(/0 code units/);
  });

  it('rejects a stream whose content does not have its declared size', async () => {
    const short: StreamContent = {
      size: 10,
      chunks: () => bufferContent(new Uint8Array(3)).chunks(),
    };
    await expect(compoundFileBytes(one('s', short))).rejects.toThrow(
      /produced 3 bytes, not the 10/,
    );
    const long: StreamContent = {
      size: 2,
      chunks: () => bufferContent(new Uint8Array(3)).chunks(),
    };
    await expect(compoundFileBytes(one('s', long))).rejects.toThrow(
      /more than its declared 2 bytes/,
    );
  });

  it('rejects metadata of the wrong size', async () => {
    await expect(compoundFileBytes({ clsid: new Uint8Array(15), children: [] })).rejects.toThrow(
      /CLSID of "Root Entry" is 15 bytes, not 16/,
    );
  });
});

describe.skipIf(SKIP_MSITOOLS)(
  titled('writeCompoundFile on real installers (msitools cross-check)', SKIP_MSITOOLS),
  () => {
    let dir: TempDir;
    beforeAll(() => {
      dir = tempDir('writer');
    });
    afterAll(() => dir.remove());

    async function rewriteFile(input: string, output: string, version?: 3 | 4): Promise<void> {
      await withCompoundFile(input, async (cfb: CompoundFile) => {
        await writeCompoundFileToPath(specFromCompoundFile(cfb), output, {
          version: version ?? cfb.version,
        });
      });
    }

    for (const fixturePath of ['msi/unsigned.msi', 'msi/unsigned-msibuild.msi']) {
      it(`rewrites ${fixturePath} with identical entries, streams and tables`, async () => {
        const input = dir.copy(fixturePath);
        const output = dir.file(`rewritten-${fixturePath.replace(/\W/g, '_')}`);
        await rewriteFile(input, output);
        const before = await withCompoundFile(input, snapshot);
        expect(await withCompoundFile(output, snapshot)).toEqual(before);
        expect(msiStreams(output)).toEqual(msiStreams(input));
        for (const table of msiTables(input)) {
          expect(msiExport(output, table), table).toBe(msiExport(input, table));
        }
        // Both inputs are compact v3 files: the rewrite reproduces their size.
        expect(readFileSync(output).length).toBe(readFileSync(input).length);
      });
    }

    it.skipIf(SKIP_OSSLSIGNCODE)(
      titled(
        'keeps an osslsigncode signature valid (v4 as v4, and converted to v3)',
        SKIP_OSSLSIGNCODE,
      ),
      async () => {
        const { signed } = makeLargeMsi(dir.path);
        expect(readFileSync(signed).readUInt16LE(0x1a)).toBe(4);
        for (const version of [4, 3] as const) {
          const output = dir.file(`big-rewritten-v${version}.msi`);
          await rewriteFile(signed, output, version);
          expect(readFileSync(output).readUInt16LE(0x1a)).toBe(version);
          const verified = osslsigncodeVerify(output);
          expect(verified.ok, verified.output).toBe(true);
          expect(verified.output).toContain('Signature verification: ok');
          expect(await withCompoundFile(output, snapshot)).toEqual(
            await withCompoundFile(signed, snapshot),
          );
        }
      },
    );
  },
);
