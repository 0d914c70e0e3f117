/**
 * Cross-checks against real tools: MSIs built by wixl, signed by osslsigncode, listed by msiinfo
 * and the cfb package. Skipped when the tools are not installed.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import CFB from 'cfb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompoundFile, DirectoryEntry } from '../../src/cfb/index.js';
import { msiContentDigests, msiMetadataPrehash } from '../../src/msi/content-digest.js';
import { buildCfb, storage, stream, type NodeSpec } from '../support/cfb-builder.js';
import {
  decodeMsiStreamName,
  SKIP_SIGNING_TOOLS,
  makeSigningKey,
  makeTempDir,
  openFile,
  osslsigncodeCalculated,
  run,
  runBytes,
  sign,
  writeWxs,
} from './tools.js';
import { titled } from '../support/tools.js';

const hex = (b: Buffer | undefined): string | undefined => b?.toString('hex');

function allStreams(cfb: CompoundFile): { path: string; entry: DirectoryEntry }[] {
  const out: { path: string; entry: DirectoryEntry }[] = [];
  const pending: [DirectoryEntry, string][] = [[cfb.root, '']];
  while (pending.length > 0) {
    const [storageEntry, prefix] = pending.pop()!;
    for (const entry of cfb.children(storageEntry)) {
      const path = prefix + entry.name;
      if (entry.kind === 'storage') pending.push([entry, `${path}/`]);
      else out.push({ path, entry });
    }
  }
  return out;
}

describe.skipIf(SKIP_SIGNING_TOOLS)(
  titled('cross-checks with wixl, msiinfo and osslsigncode', SKIP_SIGNING_TOOLS),
  () => {
    const temp = makeTempDir('cfb-real');
    const dir = temp.path;
    const file = (name: string) => join(dir, name);
    let keys: { key: string; cert: string };

    beforeAll(() => {
      keys = makeSigningKey(dir);
      writeFileSync(file('hello.txt'), 'hello\n');
      writeFileSync(file('notes.bin'), randomBytes(20_000));
      const wxs = writeWxs(dir, ['hello.txt', 'notes.bin']);
      run('wixl', ['-o', file('a.msi'), wxs], dir);
      sign(keys, file('a.msi'), file('sha256.msi'), ['-h', 'sha256']);
      sign(keys, file('a.msi'), file('dse.msi'), ['-h', 'sha256', '-add-msi-dse']);
      sign(keys, file('sha256.msi'), file('nested.msi'), ['-h', 'sha1', '-nest']);
    });
    afterAll(() => temp.remove());

    for (const name of ['a.msi', 'sha256.msi', 'dse.msi', 'nested.msi']) {
      it(`reads every stream of ${name} as msiinfo and the cfb package do`, async () => {
        const listed = run('msiinfo', ['streams', file(name)])
          .split('\n')
          .filter(Boolean);
        expect(listed).toContain('data.cab');
        const other = CFB.read(readFileSync(file(name)), { type: 'buffer' });
        await openFile(file(name), async (cfb) => {
          const streams = allStreams(cfb);
          for (const logical of listed) {
            const match = streams.find(
              ({ path }) =>
                path === `\u0005${logical}` || decodeMsiStreamName(path).name === logical,
            );
            expect(match, logical).toBeDefined();
            const bytes = await cfb.readStream(match!.entry);
            if (!match!.path.startsWith('\u0005')) {
              // msiinfo extract only serves the _Streams table (not \x05 OLE streams).
              expect(
                bytes.equals(runBytes('msiinfo', ['extract', file(name), logical])),
                logical,
              ).toBe(true);
            }
          }
          // Every stream, tables included, matches the cfb package's reading.
          const theirs = other.FileIndex.filter((f) => f.type === 2);
          expect(streams.length).toBe(theirs.length);
          for (const { path, entry } of streams) {
            const found = CFB.find(other, `Root Entry/${path}`);
            expect(found, path).toBeDefined();
            const content = Buffer.from((found!.content ?? []) as Uint8Array);
            expect((await cfb.readStream(entry)).equals(content), path).toBe(true);
          }
        });
      });
    }

    it('computes the SHA-256 digest osslsigncode calculates', async () => {
      const expected = osslsigncodeCalculated(file('sha256.msi'));
      const digests = await openFile(file('sha256.msi'), (cfb) =>
        msiContentDigests(cfb, ['sha256']),
      );
      expect(hex(digests.digests.get('sha256'))).toBe(expected.digestSignature[0]);
      expect(digests.storedPrehash).toBeNull();
    });

    it('computes both digests of a nested SHA-256 + SHA-1 signature in one pass', async () => {
      const expected = osslsigncodeCalculated(file('nested.msi'));
      expect(expected.digestSignature).toHaveLength(2);
      const result = await openFile(file('nested.msi'), (cfb) =>
        msiContentDigests(cfb, ['sha256', 'sha1']),
      );
      expect(hex(result.digests.get('sha256'))).toBe(expected.digestSignature[0]);
      expect(hex(result.digests.get('sha1'))).toBe(expected.digestSignature[1]);
    });

    it('prepends MsiDigitalSignatureEx and recomputes it as osslsigncode does', async () => {
      const expected = osslsigncodeCalculated(file('dse.msi'));
      await openFile(file('dse.msi'), async (cfb) => {
        const result = await msiContentDigests(cfb, ['sha256']);
        expect(hex(result.digests.get('sha256'))).toBe(expected.digestSignature[0]);
        expect(result.storedPrehash).toHaveLength(32);
        const prehash = await msiMetadataPrehash(cfb, 'sha256');
        expect(hex(prehash)).toBe(expected.msiDigitalSignatureEx[0]);
        expect(prehash.equals(result.storedPrehash!)).toBe(true);
      });
    });

    it('agrees with osslsigncode on storages, their CLSIDs and metadata (signed by osslsigncode)', async () => {
      // One level of storages: osslsigncode 2.9 rewrites deeper nesting incorrectly.
      const meta = () => ({
        clsid: randomBytes(16),
        stateBits: randomBytes(4),
        creationTime: randomBytes(8),
        modifiedTime: randomBytes(8),
      });
      for (const version of [3, 4] as const) {
        const tree: NodeSpec[] = [
          stream('\u0005SummaryInformation', randomBytes(400)),
          stream('a', randomBytes(6000)),
          storage(
            't1',
            [
              stream('x', randomBytes(100)),
              stream('y', randomBytes(5000)),
              stream('e', new Uint8Array(0)),
            ],
            meta(),
          ),
          storage('T2', [stream('\u0005DigitalSignature', 'not the root one')], meta()),
          stream('z', randomBytes(10)),
        ];
        const input = file(`storages${version}.msi`);
        const output = file(`storages${version}-signed.msi`);
        writeFileSync(input, buildCfb(tree, { version, rootClsid: randomBytes(16) }).toBytes());
        sign(keys, input, output, ['-h', 'sha256', '-add-msi-dse']);
        const expected = osslsigncodeCalculated(output);
        await openFile(output, async (cfb) => {
          const result = await msiContentDigests(cfb, ['sha256']);
          expect(result.signatureInSubStorage).toBe(true);
          expect(hex(result.digests.get('sha256'))).toBe(expected.digestSignature[0]);
          expect(hex(await msiMetadataPrehash(cfb, 'sha256'))).toBe(
            expected.msiDigitalSignatureEx[0],
          );
        });
      }
    });

    it('agrees with osslsigncode on nested storages (signature grafted in, digest compared)', async () => {
      // osslsigncode prints its calculated digest even when it does not match the signature.
      const signature = await openFile(file('sha256.msi'), async (cfb) =>
        cfb.readStream(cfb.child(cfb.root, '\u0005DigitalSignature')!),
      );
      const tree: NodeSpec[] = [
        stream('\u0005DigitalSignature', signature),
        stream('a', randomBytes(300)),
        storage(
          'outer',
          [
            stream('k', randomBytes(5000)),
            storage(
              'middle',
              [
                stream('\u0005DigitalSignature', 'zz'),
                storage('inner', [stream('w', randomBytes(9))], { clsid: randomBytes(16) }),
              ],
              { clsid: randomBytes(16), stateBits: randomBytes(4) },
            ),
          ],
          { clsid: randomBytes(16), creationTime: randomBytes(8) },
        ),
      ];
      for (const version of [3, 4] as const) {
        const path = file(`grafted${version}.msi`);
        writeFileSync(
          path,
          buildCfb(tree, { version, rootClsid: randomBytes(16), layout: 'gapped' }).toBytes(),
        );
        const expected = osslsigncodeCalculated(path);
        const result = await openFile(path, (cfb) => msiContentDigests(cfb, ['sha256']));
        expect(hex(result.digests.get('sha256'))).toBe(expected.digestSignature[0]);
      }
    });

    it('hashes a >7 MB MSI (DIFAT in v3, 4096-byte sectors once signed) like osslsigncode', async () => {
      writeFileSync(file('payload.bin'), randomBytes(8 * 1024 * 1024));
      const wxs = writeWxs(dir, ['payload.bin']);
      run('wixl', ['-o', file('big.msi'), wxs], dir);
      sign(keys, file('big.msi'), file('big-signed.msi'), ['-h', 'sha256']);
      sign(keys, file('big-signed.msi'), file('big-nested.msi'), ['-h', 'sha1', '-nest']);

      const unsigned = readFileSync(file('big.msi')).subarray(0, 512);
      expect(unsigned.readUInt16LE(0x1a)).toBe(3);
      expect(unsigned.readUInt32LE(0x48)).toBeGreaterThan(0); // DIFAT sectors in use

      const expected = osslsigncodeCalculated(file('big-nested.msi'));
      const result = await openFile(file('big-nested.msi'), async (cfb) => {
        expect(cfb.version).toBe(4);
        expect(cfb.trailingBytes).toBe(0);
        return msiContentDigests(cfb, ['sha256', 'sha1']);
      });
      expect(hex(result.digests.get('sha256'))).toBe(expected.digestSignature[0]);
      expect(hex(result.digests.get('sha1'))).toBe(expected.digestSignature[1]);

      // The unsigned v3 original (read through its DIFAT) has the same content digest.
      const original = await openFile(file('big.msi'), (cfb) => msiContentDigests(cfb, ['sha256']));
      expect(hex(original.digests.get('sha256'))).toBe(expected.digestSignature[0]);
    });
  },
);
