/**
 * OCSP answers (RFC 6960) made offline by `openssl ocsp` from the revocation CA's database, each
 * signed by a different responder, and read as the online checker reads them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ocspRequest, readOcspResponse } from '../../src/revocation/index.js';
import { Certificate } from '../../src/x509/certificate.js';
import { REPO } from '../support/manifest.js';
import { skipWithout, titled } from '../support/tools.js';

/** The answers are made by openssl ocsp (why the suites skip, when they do: test/support/tools.ts). */
const SKIP = skipWithout('openssl');

const R = join(REPO, 'fixtures/revocation');
const work = mkdtempSync(join(tmpdir(), 'ocsp-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cert = (path: string) => Certificate.fromDer(readFileSync(join(REPO, path)));
const ca = cert('fixtures/revocation/pki/revocation-ca.der');
const good = cert('fixtures/revocation/pki/leaf-good.der');
const compromised = cert('fixtures/revocation/pki/leaf-keycompromise.der');

let counter = 0;
/** `openssl ocsp` answering `certificate`'s request, signed by `signer` (pem and key paths). */
function answer(certificate: Certificate, signer: string, ...extra: string[]): Buffer {
  const n = ++counter;
  const request = join(work, `${n}.req`);
  const response = join(work, `${n}.resp`);
  writeFileSync(request, ocspRequest(certificate, ca));
  execFileSync(
    'openssl',
    [
      'ocsp',
      '-index',
      join(R, 'ca/index.txt'),
      '-CA',
      join(R, 'pki/revocation-ca.pem'),
      '-rsigner',
      join(REPO, `${signer}.pem`),
      '-rkey',
      join(REPO, `${signer}.key`),
      '-reqin',
      request,
      '-respout',
      response,
      '-ndays',
      '7',
      ...extra,
    ],
    { stdio: 'ignore' },
  );
  return readFileSync(response);
}

const now = new Date();

describe.skipIf(SKIP)(titled('OCSP answers', SKIP), () => {
  it('accepts a good answer from the delegated responder and from the CA itself', () => {
    for (const signer of [
      'fixtures/revocation/pki/ocsp-responder',
      'fixtures/revocation/pki/revocation-ca',
    ]) {
      expect(readOcspResponse(answer(good, signer), good, ca, now)).toMatchObject({
        status: 'good',
      });
    }
  });

  it('reads the revocation time and reason', () => {
    const result = readOcspResponse(
      answer(compromised, 'fixtures/revocation/pki/ocsp-responder'),
      compromised,
      ca,
      now,
    );
    expect(result).toMatchObject({ status: 'revoked', reason: 1 });
    expect('revokedAt' in result && result.revokedAt?.toISOString()).toBe(
      '2026-03-01T00:00:00.000Z',
    );
  });

  it('refuses an answer whose signature does not verify', () => {
    // Without certificates the signature BIT STRING ends the response: flip its last byte.
    const body = Buffer.from(
      answer(good, 'fixtures/revocation/pki/revocation-ca', '-resp_no_certs'),
    );
    body[body.length - 1]! ^= 0x01;
    expect(readOcspResponse(body, good, ca, now)).toMatchObject({
      problem: expect.stringMatching(
        /^the response's signature does not verify under the key of the issuer/,
      ),
    });
  });

  it('refuses a responder certificate without id-kp-OCSPSigning', () => {
    expect(
      readOcspResponse(answer(good, 'fixtures/revocation/pki/leaf-good'), good, ca, now),
    ).toEqual({
      problem:
        'the responder certificate "C=US, O=Contoso Ltd (TEST ONLY), CN=Contoso Signing (good)" lacks the OCSPSigning usage (id-kp-OCSPSigning)',
    });
  });

  it('refuses a responder the issuer did not certify', () => {
    expect(readOcspResponse(answer(good, 'fixtures/pki/signer'), good, ca, now)).toEqual({
      problem:
        'the responder certificate "C=US, O=Contoso Ltd (TEST ONLY), CN=Contoso Release Signing" was not issued by "C=US, O=Verify-Authenticode Test PKI (TEST ONLY), CN=VA Test Revocation CA"',
    });
  });

  it('refuses answers outside their validity window and answers about another certificate', () => {
    const body = answer(good, 'fixtures/revocation/pki/ocsp-responder');
    const later = new Date(now.getTime() + 30 * 86_400_000);
    const earlier = new Date(now.getTime() - 86_400_000);
    expect(readOcspResponse(body, good, ca, later)).toMatchObject({
      problem: expect.stringMatching(
        /^the answer is stale: its nextUpdate .* is before the validation time/,
      ),
    });
    expect(readOcspResponse(body, good, ca, earlier)).toMatchObject({
      problem: expect.stringMatching(/^the answer is not valid yet/),
    });
    expect(readOcspResponse(body, compromised, ca, now)).toEqual({
      problem: 'the response does not answer for this certificate',
    });
    expect(readOcspResponse(Buffer.from('<html>'), good, ca, now)).toMatchObject({
      problem: expect.stringMatching(/^the answer is not/),
    });
  });
});
