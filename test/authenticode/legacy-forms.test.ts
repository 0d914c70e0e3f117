/**
 * Shapes real signers produce that osslsigncode does not: timestamps whose RSA block holds the
 * bare digest (Symantec/Thawte SHA-1 service), and the signature data types of signtool and
 * jsign. The fixtures are built by fixtures/make-trust.mjs.
 */
import { constants, createPrivateKey, privateEncrypt, createHash, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  OID,
  parseAuthenticode,
  verifySignerSignature,
  verifyTimestamps,
  type AuthenticodeSignature,
} from '../../src/authenticode/index.js';
import { verifySignedAttributes } from '../../src/authenticode/signature.js';
import { detectContainer, openContainer } from '../../src/container/index.js';
import { RandomAccessFile } from '../../src/io/random-access-file.js';
import { Certificate } from '../../src/x509/certificate.js';
import { REPO } from '../support/manifest.js';

async function signatureOf(path: string): Promise<AuthenticodeSignature> {
  const file = await RandomAccessFile.open(join(REPO, path));
  try {
    const detection = await detectContainer(file);
    if (detection.container === 'other') throw new Error(`${path} is not a package`);
    const container = await openContainer(file, detection);
    return parseAuthenticode(container.signature!);
  } finally {
    await file.close();
  }
}

describe('timestamps in the legacy bare-digest RSA form', () => {
  it('accepts an RFC 3161 token whose RSA block holds the bare SHA-1 digest, and says so', async () => {
    const signature = await signatureOf('fixtures/msi/signed-expired-rfc3161-bare-digest.msi');
    const [check] = verifyTimestamps(signature);
    expect(check).toMatchObject({ kind: 'rfc3161', ok: true, bareDigest: true });
    expect(check!.time?.toISOString()).toBe('2021-06-01T12:00:00.000Z');
  });

  it('accepts a legacy countersignature whose RSA block holds the bare digest, and says so', async () => {
    const signature = await signatureOf('fixtures/msi/signed-expired-legacy-bare-digest.msi');
    const [check] = verifyTimestamps(signature);
    expect(check).toMatchObject({ kind: 'legacy', ok: true, bareDigest: true });
  });

  it('reports the ordinary DigestInfo form as not bare', async () => {
    const [check] = verifyTimestamps(await signatureOf('fixtures/msi/signed-timestamped.msi'));
    expect(check).toMatchObject({ ok: true, bareDigest: false });
  });

  describe('verifySignedAttributes', () => {
    const certificate = Certificate.fromDer(readFileSync(join(REPO, 'fixtures/pki/signer.der')));
    const key = createPrivateKey(readFileSync(join(REPO, 'fixtures/pki/signer.key')));
    // A [0] IMPLICIT SET holding one attribute; the signature covers it with tag 31.
    const attributes = Buffer.from('a00b300906032a030431020400', 'hex');
    const signed = Buffer.from(attributes);
    signed[0] = 0x31;
    const signer = (encryptedDigest: Buffer) => ({
      digestAlgorithm: { algorithm: 'sha256' as const, oid: '2.16.840.1.101.3.4.2.1' },
      signatureAlgorithm: { oid: OID.rsaEncryption, name: 'rsaEncryption', parameters: null },
      encryptedDigest,
    });
    const bare = privateEncrypt(
      { key, padding: constants.RSA_PKCS1_PADDING },
      createHash('sha256').update(signed).digest(),
    );

    it('refuses the bare form unless asked (file signers never get it)', () => {
      expect(verifySignedAttributes(signer(bare), attributes, certificate)).toMatchObject({
        ok: false,
        reason: 'bad-signature',
      });
    });

    it('accepts the bare form for timestamp signers and marks it', () => {
      expect(
        verifySignedAttributes(signer(bare), attributes, certificate, { allowBareDigest: true }),
      ).toEqual({ ok: true, bareDigest: true });
    });

    it('still refuses a bare block over other content', () => {
      const other = privateEncrypt(
        { key, padding: constants.RSA_PKCS1_PADDING },
        createHash('sha256').update('something else').digest(),
      );
      expect(
        verifySignedAttributes(signer(other), attributes, certificate, { allowBareDigest: true })
          .ok,
      ).toBe(false);
    });

    it('accepts the DigestInfo form without marking it', () => {
      const normal = sign('sha256', signed, key);
      expect(
        verifySignedAttributes(signer(normal), attributes, certificate, { allowBareDigest: true }),
      ).toEqual({ ok: true });
    });
  });
});

describe('signature data types as other tools write them', () => {
  it('reads a signtool cabinet signature: SPC_LINK_OBJID with an SpcLink moniker', async () => {
    const signature = await signatureOf('fixtures/cab/signtool-spc-link.cab');
    expect(signature.dataType).toBe('1.3.6.1.4.1.311.2.1.28');
    expect(verifySignerSignature(signature).ok).toBe(true);
  });

  it('reads a jsign cabinet signature: SPC_CAB_DATA_OBJID with SpcPeImageData', async () => {
    const signature = await signatureOf('fixtures/cab/jsign-pe-image-data.cab');
    expect(signature.dataType).toBe(OID.spcCabData);
    expect(verifySignerSignature(signature).ok).toBe(true);
  });

  it('reads SpcSipInfo version 2 (signtool) as the MSI SIP', async () => {
    const signature = await signatureOf('fixtures/msi/signed-sipinfo-v2.msi');
    expect(signature.sipInfo).toMatchObject({ version: 2, isMsiSip: true });
  });
});
