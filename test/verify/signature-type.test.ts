import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuthenticode, unusualDataType } from '../../src/authenticode/index.js';
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

describe('the signature data type is reported, the file digest decides', () => {
  it("warns about a cabinet's signature on an installer package", async () => {
    const evaluation = evaluateSignature(
      await cabSignature(),
      new Map(),
      defaultPolicy(),
      true,
      'msi',
    );
    const finding = evaluation.findings.find((f) => f.code === 'unusual-signature-type');
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toMatch(/SPC_CAB_DATA_OBJID.*write SPC_SIPINFO_OBJID/);
    expect(evaluation.findings.map((f) => f.code)).not.toContain('malformed-signature');
  });

  it("warns about an installer package's signature on a cabinet", async () => {
    const evaluation = evaluateSignature(
      await msiSignature(),
      new Map(),
      defaultPolicy(),
      true,
      'cab',
    );
    const finding = evaluation.findings.find((f) => f.code === 'unusual-signature-type');
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toMatch(/SPC_SIPINFO_OBJID.*SPC_CAB_DATA_OBJID or SPC_LINK_OBJID/);
  });

  it('accepts each on its own kind of file', async () => {
    for (const [signature, format] of [
      [await cabSignature(), 'cab'],
      [await msiSignature(), 'msi'],
    ] as const) {
      const evaluation = evaluateSignature(signature, new Map(), defaultPolicy(), true, format);
      expect(evaluation.findings.map((f) => f.code)).not.toContain('unusual-signature-type');
    }
  });

  it('accepts the three cabinet shapes: SPC_CAB_DATA (SpcLink or SpcPeImageData) and SPC_LINK', () => {
    for (const dataType of ['1.3.6.1.4.1.311.2.1.25', '1.3.6.1.4.1.311.2.1.28']) {
      expect(unusualDataType({ dataType, sipInfo: null }, 'cab')).toBeNull();
    }
    expect(unusualDataType({ dataType: '1.3.6.1.4.1.311.2.1.15', sipInfo: null }, 'cab')).toMatch(
      /SPC_PE_IMAGE_DATA_OBJID/,
    );
  });
});
