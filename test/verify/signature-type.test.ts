import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseAuthenticode,
  unusualDataType,
  type AuthenticodeSignature,
} from '../../src/authenticode/index.js';
import { detectContainer, openContainer, type SignedContainer } from '../../src/container/index.js';
import { RandomAccessFile } from '../../src/io/random-access-file.js';
import { defaultPolicy } from '../../src/verify/policy.js';
import { evaluateSignature } from '../../src/verify/signature-evaluation.js';
import { REPO } from '../support/manifest.js';

/** The container of a signed fixture and its primary signature. */
async function signedFixture(
  path: string,
): Promise<{ container: SignedContainer; signature: AuthenticodeSignature }> {
  const file = await RandomAccessFile.open(join(REPO, path));
  try {
    const detection = await detectContainer(file);
    if (detection.container === 'other') throw new Error(`${path} is not a package`);
    const container = await openContainer(file, detection);
    return { container, signature: parseAuthenticode(container.signature!) };
  } finally {
    await file.close();
  }
}

const cab = () => signedFixture('fixtures/cab/signed-sha256.cab');
const msi = () => signedFixture('fixtures/msi/signed-sha256.msi');

function evaluateOn(container: SignedContainer, signature: AuthenticodeSignature) {
  return evaluateSignature(
    signature,
    new Map(),
    defaultPolicy(),
    true,
    container.signatureTypeProblem(signature),
  );
}

describe('the signature data type is reported, the file digest decides', () => {
  it("warns about a cabinet's signature on an installer package", async () => {
    const evaluation = evaluateOn((await msi()).container, (await cab()).signature);
    const finding = evaluation.findings.find((f) => f.code === 'unusual-signature-type');
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toMatch(/SPC_CAB_DATA_OBJID.*write SPC_SIPINFO_OBJID/);
    expect(evaluation.findings.map((f) => f.code)).not.toContain('malformed-signature');
  });

  it("warns about an installer package's signature on a cabinet", async () => {
    const evaluation = evaluateOn((await cab()).container, (await msi()).signature);
    const finding = evaluation.findings.find((f) => f.code === 'unusual-signature-type');
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toMatch(/SPC_SIPINFO_OBJID.*SPC_CAB_DATA_OBJID or SPC_LINK_OBJID/);
  });

  it('accepts each on its own kind of file', async () => {
    for (const { container, signature } of [await cab(), await msi()]) {
      const evaluation = evaluateOn(container, signature);
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
