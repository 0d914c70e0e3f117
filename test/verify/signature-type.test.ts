import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuthenticode, type AuthenticodeSignature } from '../../src/authenticode/index.js';
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

describe('a signature must describe the kind of file it is attached to', () => {
  it("rejects a cabinet's signature on an installer package", async () => {
    const evaluation = evaluateOn((await msi()).container, (await cab()).signature);
    const finding = evaluation.findings.find((f) => f.code === 'malformed-signature');
    expect(finding?.message).toMatch(/SPC_CAB_DATA_OBJID.*needs SPC_SIPINFO_OBJID/);
    expect(finding?.hresult).toBe('0x800B0003');
  });

  it("rejects an installer package's signature on a cabinet", async () => {
    const evaluation = evaluateOn((await cab()).container, (await msi()).signature);
    expect(evaluation.findings.find((f) => f.code === 'malformed-signature')?.message).toMatch(
      /needs SPC_CAB_DATA_OBJID/,
    );
  });

  it('accepts each on its own kind of file', async () => {
    for (const { container, signature } of [await cab(), await msi()]) {
      const evaluation = evaluateOn(container, signature);
      expect(evaluation.findings.map((f) => f.code)).not.toContain('malformed-signature');
    }
  });
});
