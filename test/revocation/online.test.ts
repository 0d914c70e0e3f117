/**
 * Issue 21, online: certificates of fixtures/revocation/pki name loopback CRL distribution
 * points and OCSP responders (http://127.0.0.1:47391/…). This test serves them itself on
 * 127.0.0.1 (support/revocation-server.ts: the committed CRLs, `openssl ocsp` over the CA's
 * database, a responder that never answers, an oversized body, a redirect loop) and stops the
 * server afterwards. No other host is contacted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactReport, Report } from '../../src/report/model.js';
import { verifyJson } from '../support/cli-in-process.js';
import { startRevocationServer, type RevocationServer } from './support/revocation-server.js';
import { skipWithout, titled } from '../support/tools.js';

/** The loopback OCSP responder runs openssl ocsp (why the suites skip, when they do: test/support/tools.ts). */
const SKIP = skipWithout('openssl');

const R = 'fixtures/revocation';
const BASE = 'http://127.0.0.1:47391';
const OPTIONS = [
  '--trusted-roots',
  'fixtures/pki/trusted-roots.pem',
  '--tsa-roots',
  'fixtures/pki/tsa-roots.pem',
  '--patch-certificate',
  'off',
];
/** For the responder that never answers; the others keep the default (5 s) so a loaded machine
 * running `openssl ocsp` per request does not turn their answers into timeouts. */
const SHORT_TIMEOUT = ['--revocation-timeout', '1'];

let server: RevocationServer;
beforeAll(async () => {
  if (SKIP) return;
  server = await startRevocationServer();
});
afterAll(async () => {
  await server?.close();
});

async function verify(
  mode: 'online' | 'require' | string[],
  ...files: string[]
): Promise<{ report: Report; artifacts: ArtifactReport[]; status: number }> {
  const extra = Array.isArray(mode) ? mode.slice(1) : [];
  if (Array.isArray(mode)) mode = mode[0] as 'online' | 'require';
  const { report, status } = await verifyJson([
    ...OPTIONS,
    ...extra,
    '--revocation',
    mode,
    ...files.map((f) => `${R}/${f}`),
  ]);
  return { report, artifacts: report.artifacts, status };
}

const codes = (artifact: ArtifactReport) => artifact.findings.map((f) => `${f.severity}:${f.code}`);

describe.skipIf(SKIP)(titled('online revocation (127.0.0.1 only)', SKIP), () => {
  it('passes a good signer: OCSP from a delegated responder, CRLs for the CA and the TSA', async () => {
    const { artifacts, report, status } = await verify('online', 'good-timestamped.cab');
    expect(status).toBe(0);
    expect(codes(artifacts[0]!)).toEqual([]);
    expect(report.revocation).toMatchObject({ mode: 'online', checked: true, requests: 3 });
    const entries = artifacts[0]!.signatures[0]!.revocation!;
    expect(entries.map((e) => [e.role, e.status, e.source?.kind, e.source?.location])).toEqual([
      ['signer', 'good', 'ocsp', `${BASE}/ocsp`],
      ['ca', 'good', 'crl', `${BASE}/crl/root.crl`],
      ['timestamp-authority', 'good', 'crl', `${BASE}/crl/tsa-root.crl`],
    ]);
    expect(entries[0]!.source!.thisUpdate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('fails keyCompromise after the timestamp (OCSP answered by the CA itself)', async () => {
    const { artifacts, status } = await verify('online', 'keycompromise-timestamped.cab');
    expect(status).toBe(1);
    expect(artifacts[0]!.status).toBe('revoked');
    expect(codes(artifacts[0]!)).toEqual(['error:revoked']);
    expect(artifacts[0]!.findings[0]!.hresult).toBe('0x800B010C');
    expect(artifacts[0]!.findings[0]!.message).toContain(
      `(keyCompromise) according to OCSP responder ${BASE}/ocsp-direct`,
    );
  });

  it('passes superseded after the timestamp with a notice, and fails it without a timestamp', async () => {
    const { artifacts } = await verify(
      'online',
      'superseded-timestamped.cab',
      'superseded-untimestamped.cab',
      'revoked-before-timestamp.cab',
    );
    expect(artifacts.map((a) => [a.verdict, ...codes(a)])).toEqual([
      ['pass', 'notice:revoked-after-timestamp'],
      ['fail', 'error:revoked'],
      ['fail', 'error:revoked'],
    ]);
  });

  it('fetches each URL once per run: the CA and TSA CRLs serve every file', async () => {
    const before = server.requests.length;
    const { report } = await verify('online', 'good-timestamped.cab', 'superseded-timestamped.cab');
    const seen = server.requests.slice(before);
    expect(seen.filter((r) => r === 'GET /crl/root.crl')).toHaveLength(1);
    expect(seen.filter((r) => r === 'GET /crl/tsa-root.crl')).toHaveLength(1);
    expect(report.revocation!.requests).toBe(seen.length);
  });

  it('gives up on a responder that never answers after the request timeout, naming the URL', async () => {
    const { artifacts, status } = await verify(
      ['online', ...SHORT_TIMEOUT],
      'responder-unreachable.cab',
    );
    expect(status).toBe(0);
    expect(codes(artifacts[0]!)).toEqual(['warning:revocation-unknown']);
    expect(artifacts[0]!.findings[0]!.hresult).toBe('0x80092013');
    expect(artifacts[0]!.findings[0]!.message).toContain(
      `OCSP ${BASE}/hang: no complete answer within 1 s`,
    );
    expect(artifacts[0]!.signatures[0]!.revocation![0]).toMatchObject({
      role: 'signer',
      status: 'unknown',
      failures: [`OCSP ${BASE}/hang: no complete answer within 1 s`],
    });
  });

  it('makes an unknown status an error under require', async () => {
    const { artifacts, status } = await verify(
      ['require', ...SHORT_TIMEOUT],
      'responder-unreachable.cab',
    );
    expect(status).toBe(1);
    expect(artifacts[0]!.status).toBe('revocation-unknown');
    expect(codes(artifacts[0]!)).toEqual(['error:revocation-unknown']);
  });

  it('refuses an oversized CRL by its declared length, before reading it', async () => {
    const { artifacts } = await verify('online', 'oversized-crl.cab');
    expect(codes(artifacts[0]!)).toEqual(['warning:revocation-unknown']);
    expect(artifacts[0]!.findings[0]!.message).toContain(
      `CRL ${BASE}/big: the response is 67108864 bytes, more than the limit of 16777216`,
    );
  });

  it('names a redirect loop instead of following it', async () => {
    const { artifacts } = await verify('online', 'redirect-loop.cab');
    expect(codes(artifacts[0]!)).toEqual(['warning:revocation-unknown']);
    expect(artifacts[0]!.findings[0]!.message).toContain(
      `CRL ${BASE}/loop: redirect loop: ${BASE}/loop → ${BASE}/loop`,
    );
  });

  it('prefers a CRL file over the network for the certificates it covers', async () => {
    const before = server.requests.length;
    const { report } = await verifyJson([
      ...OPTIONS,
      '--revocation',
      'online',
      '--crl',
      `${R}/crl/revocation-ca.crl`,
      `${R}/keycompromise-timestamped.cab`,
    ]);
    expect(codes(report.artifacts[0]!)).toEqual(['error:revoked']);
    const seen = server.requests.slice(before);
    expect(seen).not.toContain('POST /ocsp-direct');
  });
});
