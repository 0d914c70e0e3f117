import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCabinet } from '../../src/cab/index.js';
import { RandomAccessFile, type RandomAccessSource } from '../../src/io/random-access-file.js';
import { openCompoundFile } from '../../src/cfb/index.js';
import { openMsiDatabase } from '../../src/msi/index.js';
import {
  payloadLimitsFor,
  walkPayload,
  type OpenedPackage,
  type PayloadFile,
  type PayloadWalk,
} from '../../src/payload/walk.js';
import { makeTempDir } from '../cab/support/tools.js';
import { skipWithout } from '../support/tools.js';

/** gcab builds the nested cabinets (why those tests skip, when they do: test/support/tools.ts). */
const SKIP_GCAB = skipWithout('gcab');

interface ExpectedPayload {
  path: string;
  payload?: Record<string, { kind: string; signed?: boolean; sha256: string }>;
}
const { cabinets } = JSON.parse(readFileSync('fixtures/payload/expected.json', 'utf8')) as {
  cabinets: ExpectedPayload[];
};
const expectedFor = (path: string) => cabinets.find((c) => c.path === path)!.payload!;

async function walk(
  path: string,
  kind: 'msi' | 'cab',
  limits = {},
): Promise<PayloadWalk & { executables: Map<string, string> }> {
  const source = await RandomAccessFile.open(path);
  const executables = new Map<string, string>();
  try {
    const result = await walkPayload(path, source, kind, {
      limits: { ...payloadLimitsFor(source.size), ...limits },
      severity: 'warning',
      onExecutable: async (file: PayloadFile, bytes: Buffer) => {
        executables.set(file.path.join(' ▸ '), createHash('sha256').update(bytes).digest('hex'));
      },
    });
    return { ...result, executables };
  } finally {
    await source.close();
  }
}

const temp = makeTempDir('va-walk');
afterAll(() => temp.cleanup());

describe('payload walk', () => {
  it('names every file of an MSI cabinet by its install path and hands each PE to the PE hook', async () => {
    const path = 'fixtures/payload/msi-unsigned-dll.msi';
    const expected = expectedFor(path);
    const result = await walk(path, 'msi');
    expect(result.findings).toEqual([]);
    expect(Object.fromEntries(result.files.map((f) => [f.path.join(' ▸ '), f.kind]))).toEqual(
      Object.fromEntries(Object.entries(expected).map(([p, e]) => [p, e.kind])),
    );
    expect(
      result.files.every((f) => f.container === '#payload.cab' && f.compression === 'mszip'),
    ).toBe(true);
    const pes = Object.entries(expected).filter(([, e]) => e.kind === 'pe');
    expect(Object.fromEntries(result.executables)).toEqual(
      Object.fromEntries(pes.map(([p, e]) => [p, e.sha256])),
    );
  });

  it('reads an already opened package through its own source, with the same result and no second parse', async () => {
    const path = 'fixtures/payload/msi-binary-table-dll.msi';
    const file = await RandomAccessFile.open(path);
    try {
      // What the verifier parsed, through a source the walk must not use.
      let verifierReads = 0;
      const verifierSource: RandomAccessSource = {
        size: file.size,
        read: (position, length) => (verifierReads++, file.read(position, length)),
        readInto: (target, offset, length, position) => (
          verifierReads++,
          file.readInto(target, offset, length, position)
        ),
        close: async () => {},
      };
      const cfb = await openCompoundFile(verifierSource);
      const database = await openMsiDatabase(cfb);
      const afterParse = verifierReads;
      // The walk's own source, counted.
      const run = async (opened?: OpenedPackage) => {
        let reads = 0;
        const executables: string[] = [];
        const result = await walkPayload(path, file, 'msi', {
          limits: payloadLimitsFor(file.size),
          severity: 'warning',
          guard: (source) => ({
            size: source.size,
            read: (position, length) => (reads++, source.read(position, length)),
            readInto: (target, offset, length, position) => (
              reads++,
              source.readInto(target, offset, length, position)
            ),
            close: () => source.close(),
          }),
          opened,
          onExecutable: async (f: PayloadFile) => {
            executables.push(f.path.join(' ▸ '));
          },
        });
        return { result, executables, reads };
      };
      const fresh = await run();
      const shared = await run({ cfb, database });
      expect(shared.result).toEqual(fresh.result);
      expect(shared.executables).toEqual(fresh.executables);
      expect(shared.executables.length).toBeGreaterThan(0);
      // No read went through the verifier's source, and the walk read less than when parsing.
      expect(verifierReads).toBe(afterParse);
      expect(shared.reads).toBeGreaterThan(0);
      expect(shared.reads).toBeLessThan(fresh.reads);
    } finally {
      await file.close();
    }
  });

  it('includes Binary table streams (custom action DLLs)', async () => {
    const path = 'fixtures/payload/msi-binary-table-dll.msi';
    const result = await walk(path, 'msi');
    const custom = result.files.find((f) => f.path[0] === '[Binary]/ContosoCustomActions');
    expect(custom).toMatchObject({ origin: 'binary-table', kind: 'pe', compression: 'stream' });
    expect(result.executables.get('[Binary]/ContosoCustomActions')).toBe(
      expectedFor(path)['[Binary]/ContosoCustomActions']!.sha256,
    );
  });

  it('reads an external cabinet beside the package', async () => {
    const result = await walk('fixtures/msi/external/ok/product.msi', 'msi');
    expect(result.findings).toEqual([]);
    expect(result.files.map((f) => [f.path[0], f.container]).sort()).toEqual([
      ['[ProgramFilesFolder]/ContosoFixture/payload.bin', 'data1.cab'],
      ['[ProgramFilesFolder]/ContosoFixture/readme.txt', 'data1.cab'],
    ]);
  });

  it('walks an MSI inside a cabinet artifact, naming the inner files under the MSI', async ({
    skip,
  }) => {
    skip(SKIP_GCAB !== undefined, SKIP_GCAB);
    const dir = join(temp.dir, 'nested');
    mkdirSync(dir, { recursive: true });
    copyFileSync('fixtures/payload/msi-unsigned-dll.msi', join(dir, 'product.msi'));
    execFileSync('gcab', ['-c', '-z', '-n', join(dir, 'outer.cab'), join(dir, 'product.msi')]);
    const result = await walk(join(dir, 'outer.cab'), 'cab');
    expect(result.findings).toEqual([]);
    expect(result.files.find((f) => f.path.length === 1)).toMatchObject({
      path: ['product.msi'],
      kind: 'msi',
    });
    expect([...result.executables.keys()].sort()).toEqual([
      'product.msi ▸ [ProgramFilesFolder]/Contoso Payload/bin/app.exe',
      'product.msi ▸ [ProgramFilesFolder]/Contoso Payload/bin/core.dll',
      'product.msi ▸ [ProgramFilesFolder]/Contoso Payload/bin/helper.dll',
    ]);
  });

  it('stops at the depth limit with payload-too-large', async ({ skip }) => {
    skip(SKIP_GCAB !== undefined, SKIP_GCAB);
    const dir = join(temp.dir, 'deep');
    mkdirSync(dir, { recursive: true });
    copyFileSync('fixtures/payload/msi-unsigned-dll.msi', join(dir, 'level0.msi'));
    for (let level = 1; level <= 3; level++) {
      execFileSync('gcab', [
        '-c',
        '-n',
        join(dir, `level${level}.cab`),
        join(dir, `level${level - 1}.${level === 1 ? 'msi' : 'cab'}`),
      ]);
    }
    // level3.cab ▸ level2.cab ▸ level1.cab ▸ level0.msi: the MSI is 3 containers down.
    const result = await walk(join(dir, 'level3.cab'), 'cab', { maxDepth: 2 });
    expect(result.findings.map((f) => f.code)).toEqual(['payload-too-large']);
    expect(result.findings[0]!.message).toContain('level2.cab ▸ level1.cab ▸ level0.msi');
    expect(result.findings[0]!.innerPaths).toEqual(['level2.cab ▸ level1.cab ▸ level0.msi']);
    expect(result.executables.size).toBe(0);
  });

  it('turns damaged compressed data into a finding with the policy severity', async () => {
    const result = await walk('fixtures/payload/lzx-bad-huffman-table.cab', 'cab');
    expect(result.findings.map((f) => [f.code, f.severity])).toEqual([
      ['corrupt-payload', 'warning'],
    ]);
    // The files the damaged folder left unchecked, as data (SARIF gives each its own result).
    const source = await RandomAccessFile.open('fixtures/payload/lzx-bad-huffman-table.cab');
    try {
      const cabinet = await openCabinet(source);
      expect(result.findings[0]!.innerPaths).toEqual(cabinet.files.map((f) => f.name));
    } finally {
      await source.close();
    }
  });
});
