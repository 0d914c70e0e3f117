/**
 * Why fill-patch-certificate does not write with the npm `cfb` package (SheetJS, a
 * devDependency): the issue allows it only if it preserves everything a signed MSI depends on.
 * These tests pin down what it does to a package it rewrites (cfb 1.2.2).
 */
import CFB from 'cfb';
import { describe, expect, it } from 'vitest';
import { openCompoundFile } from '../../src/cfb/index.js';
import { MemorySource } from '../../src/io/random-access-file.js';
import { CLSID_MSI_DATABASE, encodeStreamName } from '../../src/msi/index.js';
import { buildCfb, storage, stream } from '../support/cfb-builder.js';
import { snapshot } from './cfb-snapshot.js';

const FILETIME = Uint8Array.of(0x00, 0x80, 0x3e, 0xd5, 0xde, 0xb1, 0x9d, 0x01);

function sample(version: 3 | 4): Uint8Array {
  return buildCfb(
    [
      stream(encodeStreamName('_StringPool', true), new Uint8Array(20)),
      stream('\u0005SummaryInformation', new Uint8Array(400)),
      storage('Sub', [stream('inner', 'x')], {
        clsid: CLSID_MSI_DATABASE,
        creationTime: FILETIME,
        modifiedTime: FILETIME,
        stateBits: Uint8Array.of(1, 0, 0, 0),
      }),
    ],
    { version, rootClsid: CLSID_MSI_DATABASE },
  ).toBytes();
}

async function roundTripThroughNpmCfb(input: Uint8Array): Promise<Uint8Array> {
  // The whole file goes in as one buffer and comes out as one buffer: no streaming.
  const container = CFB.read(Buffer.from(input), { type: 'buffer' });
  return CFB.write(container, { type: 'buffer' }) as Buffer;
}

describe('npm cfb 1.2.2 as an MSI writer', () => {
  it('writes a version 4 input as version 3 (the major version is hard-coded)', async () => {
    const output = await roundTripThroughNpmCfb(sample(4));
    expect(Buffer.from(output).readUInt16LE(0x1a)).toBe(3);
    expect((await openCompoundFile(new MemorySource(output))).version).toBe(3);
  });

  it('zeroes every creation and modified time (they feed MsiDigitalSignatureEx)', async () => {
    const output = await roundTripThroughNpmCfb(sample(3));
    const entries = await snapshot(await openCompoundFile(new MemorySource(output)));
    const sub = entries.find((entry) => entry.path === 'Sub')!;
    expect(sub.creationTime).toBe('0000000000000000');
    expect(sub.modifiedTime).toBe('0000000000000000');
    // What it does keep: CLSIDs and state bits.
    expect(sub.clsid).toBe(Buffer.from(CLSID_MSI_DATABASE).toString('hex'));
    expect(sub.stateBits).toBe('01000000');
  });

  it('adds a "\\x01Sh33tJ5" stream to the root, even after it was deleted', async () => {
    const output = await roundTripThroughNpmCfb(sample(3));
    const cfb = await openCompoundFile(new MemorySource(output));
    expect(cfb.child(cfb.root, '\u0001Sh33tJ5')?.size).toBe(4);

    const container = CFB.read(Buffer.from(sample(3)), { type: 'buffer' });
    CFB.utils.cfb_del(container, '/\u0001Sh33tJ5');
    const again = CFB.write(container, { type: 'buffer' }) as Buffer;
    const reread = await openCompoundFile(new MemorySource(again));
    expect(reread.child(reread.root, '\u0001Sh33tJ5')).toBeDefined();
  });
});
