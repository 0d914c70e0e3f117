import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTrustList, verifyTrustList, type CertificateTrustList } from '../../src/trust/ctl.js';
import { listAllowsSigning } from '../../src/trust/root-program.js';
import { WINDOWS_ROOT_LIST } from '../../src/trust/windows-roots-list.js';
import {
  generateWindowsRoots,
  MICROSOFT_LIST_ROOT,
  renderWindowsRootCertificates,
  renderWindowsRootJson,
  renderWindowsRootList,
} from '../../src/trust/windows-roots-generator.js';
import { Certificate } from '../../src/x509/certificate.js';
import { REPO } from '../support/manifest.js';

/**
 * Microsoft's authroot.stl of 2025-06-16 (test/trust/data/README.md says where it comes from),
 * read with our CTL reader and checked against the committed trust data and an independent
 * table of the same list.
 */

const DATA = join(REPO, 'test/trust/data');
const STL = readFileSync(join(DATA, 'authroot.stl'));

/** The root certificates the committed data carries, by SHA-1. */
const ROOTS_JSON = readFileSync(join(REPO, 'src/trust/windows-roots.json'), 'utf8');
const CERTIFICATES_JSON = readFileSync(
  join(REPO, 'src/trust/windows-roots-certificates.json'),
  'utf8',
);
const committed = new Map(
  Object.entries(
    (JSON.parse(CERTIFICATES_JSON) as { certificates: Record<string, string> }).certificates,
  ).map(([sha1, base64]) => [sha1, Certificate.fromDer(Buffer.from(base64, 'base64'))]),
);

/** The third-party table's purpose names (authroot-purposes.tsv) as EKU OIDs. */
const TSV_PURPOSES: Readonly<Record<string, string>> = {
  'Server Authentication': '1.3.6.1.5.5.7.3.1',
  'Client Authentication': '1.3.6.1.5.5.7.3.2',
  'Code Signing': '1.3.6.1.5.5.7.3.3',
  'Secure Email': '1.3.6.1.5.5.7.3.4',
  'IP security end system': '1.3.6.1.5.5.7.3.5',
  'IP security tunnel termination': '1.3.6.1.5.5.7.3.6',
  'IP security user': '1.3.6.1.5.5.7.3.7',
  'Time Stamping': '1.3.6.1.5.5.7.3.8',
  'OCSP Signing': '1.3.6.1.5.5.7.3.9',
  'IP security IKE intermediate': '1.3.6.1.5.5.8.2.2',
  'Encrypting File System': '1.3.6.1.4.1.311.10.3.4',
  'Document Signing': '1.3.6.1.4.1.311.10.3.12',
};

let list: CertificateTrustList;

beforeAll(() => {
  list = readTrustList(STL);
});

describe("Microsoft's authroot.stl", () => {
  it('names 514 roots, produced 2025-06-16 17:56:11 UTC', () => {
    expect(list.entries).toHaveLength(514);
    expect(list.thisUpdate.toISOString()).toBe('2025-06-16T17:56:11.000Z');
    expect(list.sequenceNumber).toBe('1401DBDEE7F1A4F449');
    expect(list.subjectUsage).toEqual(['1.3.6.1.4.1.311.10.3.9']);
    expect(new Set(list.entries.map((e) => e.sha1)).size).toBe(514);
  });

  it('verifies: Microsoft Certificate Trust List Publisher → List CA 2011 → Root CA 2010', () => {
    const root = committed.get(MICROSOFT_LIST_ROOT.sha1)!;
    expect(root.sha256).toBe(MICROSOFT_LIST_ROOT.sha256);
    const result = verifyTrustList(list, [root]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.chain.map((c) => c.commonName)).toEqual([
      'Microsoft Certificate Trust List Publisher',
      'Microsoft Certificate List CA 2011',
      'Microsoft Root Certificate Authority 2010',
    ]);
  });

  it('fails to verify after a one-bit change to a root’s properties', () => {
    // Flip the lowest bit of the first root's Disable date (an OCTET STRING inside the CTL).
    const changed = Buffer.from(STL);
    const at = changed.indexOf(Buffer.from('0080c82b6886d701', 'hex'));
    expect(at).toBeGreaterThan(0);
    changed[at] ^= 0x01;
    const result = verifyTrustList(readTrustList(changed), [
      committed.get(MICROSOFT_LIST_ROOT.sha1)!,
    ]);
    expect(result).toEqual({
      ok: false,
      problem: 'its messageDigest does not match the list: the list was changed after signing',
    });
  });

  it('has, for every root it allows for code signing or time stamping, the certificate in the committed data (SHA-1 and SHA-256 agree)', () => {
    const needed = list.entries.filter(listAllowsSigning);
    expect(needed.length).toBe(372);
    for (const entry of needed) {
      const certificate = committed.get(entry.sha1);
      expect(certificate?.sha1, entry.sha1).toBe(entry.sha1);
      expect(certificate?.sha256, entry.sha1).toBe(entry.sha256);
    }
  });

  it('gives every root the purposes the independent table lists', () => {
    const rows = readFileSync(join(DATA, 'authroot-purposes.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const table = new Map(
      rows.map((row) => {
        const [sha1, purposes] = row.split('\t');
        const names = (purposes ?? '')
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
        return [sha1!.toLowerCase(), names.map((n) => TSV_PURPOSES[n] ?? `unknown ${n}`)];
      }),
    );
    expect(table.size).toBe(514);
    for (const entry of list.entries) {
      const expected = table.get(entry.sha1);
      expect(expected, entry.sha1).toBeDefined();
      // The table shows no purposes for roots the list trusts for every purpose.
      const ours = entry.purposes ?? [];
      expect([...ours].sort(), entry.sha1).toEqual([...expected!].sort());
    }
  });

  it('reads the dates of documented examples (VeriSign G5, DigiCert Global Root G2, Thawte Timestamping CA)', () => {
    const bySha1 = new Map(list.entries.map((e) => [e.sha1, e]));
    expect(bySha1.get('4eb6d578499b1ccf5f581ead56be3d9b6744a5e5')).toMatchObject({
      disabledFrom: null, // emptied: the 2023 Disable was withdrawn
      notBefore: new Date('2021-02-01T00:00:00Z'),
    });
    expect(bySha1.get('df3c24f9bfd666761b268073fe06d1cc8d4f82a4')).toMatchObject({
      notBefore: new Date('2021-08-01T00:00:00Z'),
      notBeforePurposes: ['1.3.6.1.5.5.7.3.3'],
    });
    expect(bySha1.get('be36a4562fb2ee05dbb3d32323adf445084ed656')).toMatchObject({
      purposes: ['1.3.6.1.5.5.7.3.8'],
      disabledFrom: new Date('2023-02-01T00:00:00Z'),
      notBefore: new Date('2021-02-01T00:00:00Z'),
      notBeforePurposes: null,
    });
  });

  it('regenerates the committed trust data byte for byte', () => {
    const generated = generateWindowsRoots({
      list: STL,
      certificate: (sha1) => committed.get(sha1) ?? null,
      origin: WINDOWS_ROOT_LIST.origin,
    });
    const list = readFileSync(join(REPO, 'src/trust/windows-roots-list.ts'), 'utf8');
    expect(renderWindowsRootList(generated)).toBe(list);
    expect(renderWindowsRootJson(generated) === ROOTS_JSON).toBe(true);
    expect(renderWindowsRootCertificates(generated) === CERTIFICATES_JSON).toBe(true);
  });
});
