import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuthenticode } from '../../src/authenticode/index.js';
import { openCabinet, readCabSignature } from '../../src/cab/index.js';
import { openCompoundFile } from '../../src/cfb/index.js';
import { RandomAccessFile } from '../../src/io/random-access-file.js';
import { readMsiSignatureStreams } from '../../src/msi/content-digest.js';
import { defaultPolicy } from '../../src/verify/policy.js';
import { evaluateSignature } from '../../src/verify/signature-evaluation.js';
import { REPO } from '../support/manifest.js';

async function cabSignature() {
  const file = await RandomAccessFile.open(join(REPO, 'fixtures/cab/signed-sha256.cab'));
  try {
    return parseAuthenticode((await readCabSignature(file, await openCabinet(file)))!);
  } finally {
    await file.close();
  }
}

async function msiSignature() {
  const file = await RandomAccessFile.open(join(REPO, 'fixtures/msi/signed-sha256.msi'));
  try {
    return parseAuthenticode(
      (await readMsiSignatureStreams(await openCompoundFile(file))).signature!,
    );
  } finally {
    await file.close();
  }
}

describe('a signature must describe the kind of file it is attached to', () => {
  it("rejects a cabinet's signature on an installer package", async () => {
    const evaluation = evaluateSignature(
      await cabSignature(),
      new Map(),
      defaultPolicy(),
      true,
      'msi',
    );
    const finding = evaluation.findings.find((f) => f.code === 'malformed-signature');
    expect(finding?.message).toMatch(/SPC_CAB_DATA_OBJID.*needs SPC_SIPINFO_OBJID/);
    expect(finding?.hresult).toBe('0x800B0003');
  });

  it("rejects an installer package's signature on a cabinet", async () => {
    const evaluation = evaluateSignature(
      await msiSignature(),
      new Map(),
      defaultPolicy(),
      true,
      'cab',
    );
    expect(evaluation.findings.find((f) => f.code === 'malformed-signature')?.message).toMatch(
      /needs SPC_CAB_DATA_OBJID/,
    );
  });

  it('accepts each on its own kind of file', async () => {
    for (const [signature, format] of [
      [await cabSignature(), 'cab'],
      [await msiSignature(), 'msi'],
    ] as const) {
      const evaluation = evaluateSignature(signature, new Map(), defaultPolicy(), true, format);
      expect(evaluation.findings.map((f) => f.code)).not.toContain('malformed-signature');
    }
  });
});
