import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Inspection } from '../../src/inspect/model.js';
import { buildCab, pattern } from '../cab/support/cab-builder.js';
import { REPO } from '../support/manifest.js';
import { run } from '../support/processes.js';
import { skipWithout, titled } from '../support/tools.js';
import { cli, plainLines, VERSION } from './cli-process.js';

const temp = mkdtempSync(join(tmpdir(), 'va-inspect-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function inspectJson(
  path: string,
  ...extra: string[]
): { status: number | null; inspection: Inspection } {
  const result = cli(['inspect', path, '--json', ...extra]);
  expect(result.stderr).toBe('');
  return { status: result.status, inspection: JSON.parse(result.stdout) as Inspection };
}

const keys = (value: object | null | undefined) => Object.keys(value ?? {}).sort();

/** The public JSON shape (docs/cli.md): fields may be added, never renamed or removed. */
const SHAPE = {
  inspection: [
    'cabinet',
    'container',
    'containerDescription',
    'digestAlgorithms',
    'errors',
    'kind',
    'msiDigitalSignatureEx',
    'nestedSignatureErrors',
    'package',
    'path',
    'pe',
    'readable',
    'schemaVersion',
    'signatures',
    'signed',
    'size',
    'tool',
    'validationTime',
  ],
  signature: [
    'chain',
    'checks',
    'dataType',
    'digestAlgorithm',
    'digestAlgorithmOid',
    'embeddedCertificates',
    'index',
    'moreInfoUrl',
    'programName',
    'signatureAlgorithm',
    'signatureAlgorithmOid',
    'signer',
    'signerDigestAlgorithm',
    'signerIdentifier',
    'signingTime',
    'sipInfo',
    'statementTypes',
    'storedDigest',
    'computedDigest',
    'timestamps',
  ].sort(),
  certificate: [
    'basicConstraints',
    'commonName',
    'extendedKeyUsage',
    'issuer',
    'keyUsage',
    'notAfter',
    'notBefore',
    'publicKey',
    'selfIssued',
    'serialNumber',
    'sha1',
    'sha256',
    'subject',
  ],
  chain: [
    'certificates',
    'missingIssuer',
    'problems',
    'rootProgram',
    'status',
    'time',
    'timeReason',
  ],
  checks: ['chain', 'digest', 'fileType', 'signerSignature', 'timestamp'],
  timestamp: [
    'chain',
    'digestAlgorithm',
    'index',
    'kind',
    'policy',
    'problem',
    'serialNumber',
    'time',
    'tsa',
    'valid',
  ],
  dse: ['algorithm', 'matches', 'present', 'recomputed', 'stored'],
  package: [
    'clsid',
    'clsidKind',
    'compoundFile',
    'manufacturer',
    'productCode',
    'productName',
    'productVersion',
    'summaryInformation',
    'tables',
    'targetProductCodes',
    'transformTables',
    'upgradeCode',
  ],
  summary: [
    'author',
    'characterCount',
    'codePage',
    'comments',
    'createTime',
    'creatingApplication',
    'keywords',
    'lastSaveTime',
    'lastSavedBy',
    'pageCount',
    'revisionNumber',
    'security',
    'subject',
    'template',
    'title',
    'wordCount',
  ],
  tables: ['media', 'msiDigitalCertificate', 'msiDigitalSignature', 'msiPatchCertificate'],
  cabinet: [
    'anomalies',
    'cbCabinet',
    'fileCount',
    'flags',
    'folders',
    'iCabinet',
    'next',
    'previous',
    'reserve',
    'setID',
    'signatureLocation',
    'trailingBytes',
    'unsignedReason',
    'version',
  ],
};

function expectSignatureShape(signature: Inspection['signatures'][number]): void {
  expect(keys(signature)).toEqual(SHAPE.signature);
  expect(keys(signature.signer)).toEqual(SHAPE.certificate);
  expect(keys(signature.chain)).toEqual(SHAPE.chain);
  for (const cert of signature.chain!.certificates) expect(keys(cert)).toEqual(SHAPE.certificate);
  expect(keys(signature.checks)).toEqual(SHAPE.checks);
  for (const ts of signature.timestamps) expect(keys(ts)).toEqual(SHAPE.timestamp);
}

describe('inspect --json', () => {
  it('an MSI: signature, signer, chain, checks, MsiDigitalSignatureEx, summary and signing tables', () => {
    const { status, inspection } = inspectJson(
      'fixtures/msi/signed-dse.msi',
      '--at',
      '2030-01-01T00:00:00Z',
    );
    expect(status).toBe(0);
    expect(keys(inspection)).toEqual(SHAPE.inspection);
    expect(inspection).toMatchObject({
      schemaVersion: 1,
      tool: { name: 'verify-authenticode', version: VERSION },
      path: 'fixtures/msi/signed-dse.msi',
      kind: 'msi',
      container: 'compound-file',
      readable: true,
      signed: true,
      validationTime: '2030-01-01T00:00:00.000Z',
      digestAlgorithms: ['SHA-256'],
      errors: [],
      cabinet: null,
    });
    expect(inspection.signatures).toHaveLength(1);
    const [signature] = inspection.signatures;
    expectSignatureShape(signature!);
    expect(signature).toMatchObject({
      index: 0,
      dataType: 'SPC_SIPINFO_OBJID',
      sipInfo: { guid: '{000C10F1-0000-0000-C000-000000000046}', isMsiSip: true },
      digestAlgorithm: 'SHA-256',
      signer: {
        commonName: 'Contoso Release Signing',
        sha256: '0e89138aff9867dcb9f34c8bc2fb0e7155bedf7bf833401652c5ea1fb36b4572',
        extendedKeyUsage: [{ oid: '1.3.6.1.5.5.7.3.3', name: 'codeSigning' }],
        keyUsage: ['digitalSignature'],
      },
      chain: {
        time: '2030-01-01T00:00:00.000Z',
        timeReason: 'no-timestamp',
        status: 'no-anchors',
        missingIssuer: 'C=US, O=Verify-Authenticode Test PKI (TEST ONLY), CN=VA Test Root CA',
        problems: [],
        // The root its last issuer names is not in Microsoft's list: endpoints must install it.
        rootProgram: { listDate: '2025-06-16T17:56:11Z', listed: false, trusted: false },
      },
      timestamps: [],
      checks: {
        fileType: { state: 'pass' },
        digest: { state: 'pass' },
        signerSignature: { state: 'pass' },
        timestamp: { state: 'absent' },
        chain: { state: 'pass' },
      },
    });
    expect(signature!.storedDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(signature!.computedDigest).toBe(signature!.storedDigest);
    expect(signature!.chain!.certificates.map((c) => c.commonName)).toEqual([
      'Contoso Release Signing',
      'VA Test Code Signing CA',
    ]);

    expect(keys(inspection.msiDigitalSignatureEx)).toEqual(SHAPE.dse);
    expect(inspection.msiDigitalSignatureEx).toMatchObject({
      present: true,
      algorithm: 'SHA-256',
      matches: true,
    });
    expect(inspection.msiDigitalSignatureEx!.recomputed).toBe(
      inspection.msiDigitalSignatureEx!.stored,
    );

    const pkg = inspection.package!;
    expect(keys(pkg)).toEqual(SHAPE.package);
    expect(keys(pkg.summaryInformation)).toEqual(SHAPE.summary);
    expect(keys(pkg.tables)).toEqual(SHAPE.tables);
    expect(pkg).toMatchObject({
      clsid: '{000C1084-0000-0000-C000-000000000046}',
      clsidKind: 'msi',
      productCode: expect.stringMatching(/^\{[0-9A-F-]{36}\}$/),
      summaryInformation: {
        template: 'Intel;1033',
        revisionNumber: expect.stringMatching(/^\{[0-9A-F-]{36}\}$/),
        pageCount: expect.any(Number),
        wordCount: expect.any(Number),
        security: expect.any(Number),
        creatingApplication: expect.any(String),
      },
    });
    expect(pkg.tables.media).toEqual([
      expect.objectContaining({ diskId: 1, cabinet: '#product.cab', embedded: true }),
    ]);
  });

  it('an MSI with signing tables: MsiPatchCertificate and MsiDigitalCertificate rows with the certificate', () => {
    const { inspection } = inspectJson('fixtures/msi/signed-patchcert-signer2-sha256.msi');
    expect(inspection.package!.tables.msiPatchCertificate).toEqual([
      { patchCertificate: 'PatchCert1', digitalCertificate: 'Cert1' },
    ]);
    expect(inspection.package!.tables.msiDigitalCertificate).toEqual([
      expect.objectContaining({
        id: 'Cert1',
        error: null,
        certificate: expect.objectContaining({
          commonName: 'Fabrikam Build Agent',
          sha256: '95f08317769c551da7a94408cd1e4d80df7091d5494a171bef2132d2c15c3cff',
        }),
      }),
    ]);
  });

  it('an MSI with an external cabinet: MsiDigitalSignature rows with the cabinet hash, Media rows', () => {
    const { inspection } = inspectJson('fixtures/msi/external/ok/product.msi');
    const tables = inspection.package!.tables;
    expect(tables.msiDigitalSignature).toEqual([
      expect.objectContaining({
        table: 'Media',
        signObject: '1',
        hash: expect.stringMatching(/^[0-9a-f]+$/),
      }),
    ]);
    expect(tables.media).toEqual([
      expect.objectContaining({
        cabinet: 'data1.cab',
        embedded: false,
        beside: { status: 'found', foundAs: null, candidates: [] },
      }),
    ]);
  });

  describe('external cabinets are looked up as verify looks them up (without regard to case)', () => {
    /** external/ok/product.msi in a directory of its own, with these files beside it. */
    function packageWith(name: string, cabinets: string[]): string {
      const directory = join(temp, name);
      mkdirSync(directory);
      copyFileSync(
        join(REPO, 'fixtures/msi/external/ok/product.msi'),
        join(directory, 'product.msi'),
      );
      for (const cabinet of cabinets) {
        copyFileSync(join(REPO, 'fixtures/msi/external/ok/data1.cab'), join(directory, cabinet));
      }
      return join(directory, 'product.msi');
    }
    const mediaLine = (path: string) =>
      plainLines(cli(['inspect', path]).stdout).find((l) => l.includes('last sequence'));

    it('found under a name that differs in case: the name on disk, and why it matters', () => {
      const path = packageWith('upper', ['DATA1.CAB']);
      expect(inspectJson(path).inspection.package!.tables.media![0]!.beside).toEqual({
        status: 'found',
        foundAs: 'DATA1.CAB',
        candidates: [],
      });
      expect(mediaLine(path)).toContain(
        'cabinet data1.cab (external, beside the package as "DATA1.CAB": the name differs in case',
      );
    });

    it('missing', () => {
      const path = packageWith('none', []);
      expect(inspectJson(path).inspection.package!.tables.media![0]!.beside).toEqual({
        status: 'missing',
        foundAs: null,
        candidates: [],
      });
      expect(mediaLine(path)).toContain('cabinet data1.cab (external, not beside the package)');
    });

    it('two files that match only without regard to case', () => {
      const path = packageWith('two', ['DATA1.CAB', 'Data1.Cab']);
      const beside = inspectJson(path).inspection.package!.tables.media![0]!.beside!;
      expect(beside.status).toBe('ambiguous');
      expect([...beside.candidates].sort()).toEqual(['DATA1.CAB', 'Data1.Cab']);
      expect(mediaLine(path)).toContain('several files beside the package match it');
    });

    it.each([
      ['../a1.cab', 'outside', "the name leads outside the package's directory: not read"],
      ['CON.cab  ', 'device', 'a reserved Windows device name: not opened'],
      ['A~1.C|b.c', 'short-long', 'in the short|long form the Cabinet data type does not allow'],
    ])('a Media table naming %j: %s, never opened', (name, status, text) => {
      // The Media row's "data1.cab" rewritten in place (same length: the string pool's
      // lengths stay right); the package's signature no longer matches, which inspect shows
      // and which does not matter here.
      const path = packageWith(`named-${status}`, ['data1.cab']);
      const bytes = readFileSync(path);
      bytes.write(name, bytes.indexOf('data1.cab'), 'latin1');
      writeFileSync(path, bytes);
      expect(inspectJson(path).inspection.package!.tables.media![0]!).toMatchObject({
        cabinet: name,
        beside: { status, foundAs: null, candidates: [] },
      });
      expect(mediaLine(path)).toContain(text);
    });

    it('an embedded cabinet is not looked up', () => {
      const media = inspectJson('fixtures/msi/signed-sha256.msi').inspection.package!.tables.media;
      expect(media).toEqual([expect.objectContaining({ embedded: true, beside: null })]);
    });
  });

  it('an MSP: kind, patch CLSID, target ProductCodes, patch code', () => {
    const { status, inspection } = inspectJson('fixtures/msp/signed.msp');
    expect(status).toBe(0);
    expect(keys(inspection)).toEqual(SHAPE.inspection);
    expect(inspection).toMatchObject({ kind: 'msp', readable: true, signed: true, cabinet: null });
    expectSignatureShape(inspection.signatures[0]!);
    expect(inspection.package).toMatchObject({
      clsid: '{000C1086-0000-0000-C000-000000000046}',
      clsidKind: 'msp',
      targetProductCodes: ['{6F1A0B2C-1D3E-4F50-8A61-000000000002}'],
      productCode: null,
      summaryInformation: { revisionNumber: expect.stringMatching(/^\{[0-9A-F-]{36}\}/) },
    });
    expect(inspection.signatures[0]!.checks.digest.state).toBe('pass');
  });

  it('a transform: read as a transform (exit 0, no malformed-package), its changed tables listed', () => {
    const { status, inspection } = inspectJson('fixtures/mst/signed.mst');
    expect(status).toBe(0);
    expect(inspection).toMatchObject({ kind: 'mst', readable: true, signed: true, errors: [] });
    expect(inspection.package).toMatchObject({
      clsidKind: 'mst',
      transformTables: ['Property', 'VAFixture', '_Columns', '_Tables'],
      summaryInformation: { title: 'Transform', template: 'Intel;1033' },
    });
  });

  it('a tampered MSP: still inspected (exit 0), the digest check fails with both digests shown', () => {
    const { status, inspection } = inspectJson('fixtures/msp/tampered.msp');
    expect(status).toBe(0);
    const signature = inspection.signatures[0]!;
    expect(signature.checks.digest).toMatchObject({
      state: 'fail',
      code: 'bad-digest',
      hresult: '0x80096010',
    });
    expect(signature.computedDigest).not.toBe(signature.storedDigest);
  });

  it('a CAB: set links, folders, file count, reserve and the signature location', () => {
    const { status, inspection } = inspectJson('fixtures/cab/signed-timestamped.cab');
    expect(status).toBe(0);
    expect(keys(inspection)).toEqual(SHAPE.inspection);
    expect(inspection).toMatchObject({
      kind: 'cab',
      container: 'cabinet',
      package: null,
      msiDigitalSignatureEx: null,
      readable: true,
    });
    const cab = inspection.cabinet!;
    expect(keys(cab)).toEqual(SHAPE.cabinet);
    expect(cab).toMatchObject({
      version: '1.3',
      setID: expect.any(Number),
      iCabinet: 0,
      previous: null,
      next: null,
      reserve: { present: true, headerBytes: 20, cbJunk: 0, cbSig: 16, unusedBytes: 0 },
      signatureLocation: { kind: 'appended', offsetMatchesCabinet: true, fillerIsZero: true },
      trailingBytes: 0,
      anomalies: [],
    });
    expect(cab.signatureLocation!.offset).toBe(cab.cbCabinet);
    expect(cab.fileCount).toBeGreaterThan(0);
    expect(cab.folders.length).toBeGreaterThan(0);

    const signature = inspection.signatures[0]!;
    expectSignatureShape(signature);
    expect(signature.dataType).toBe('SPC_CAB_DATA_OBJID');
    expect(signature.timestamps).toHaveLength(1);
    const [ts] = signature.timestamps;
    expect(ts).toMatchObject({
      kind: 'rfc3161',
      valid: true,
      tsa: {
        commonName: 'VA Test Time Stamping Authority',
        extendedKeyUsage: [{ name: 'timeStamping' }],
      },
      chain: { timeReason: 'token-time' },
    });
    expect(keys(ts!.tsa)).toEqual(SHAPE.certificate);
    expect(signature.checks.timestamp.state).toBe('pass');
    // With a valid timestamp the signer chain is checked at the timestamp's time.
    expect(signature.chain).toMatchObject({ timeReason: 'timestamp', time: ts!.time });
  });

  it('an unsigned CAB: inspected (exit 0), no signature, why it counts as unsigned', () => {
    const { status, inspection } = inspectJson('fixtures/cab/unsigned-stored.cab');
    expect(status).toBe(0);
    expect(inspection).toMatchObject({ signed: false, signatures: [], readable: true, errors: [] });
    expect(inspection.cabinet!.signatureLocation).toBeNull();
    expect(inspection.cabinet!.unsignedReason).toEqual(expect.any(String));
  });

  it('a damaged MSI: what is known, the typed error, exit 1', () => {
    const { status, inspection } = inspectJson('fixtures/damaged/msi-fat-cycle-directory.msi');
    expect(status).toBe(1);
    expect(keys(inspection)).toEqual(SHAPE.inspection);
    expect(inspection).toMatchObject({
      path: 'fixtures/damaged/msi-fat-cycle-directory.msi',
      kind: 'msi',
      container: 'compound-file',
      readable: false,
      signatures: [],
      package: null,
      errors: [
        {
          part: 'container',
          code: 'malformed-package',
          hresult: '0x800B0003',
          message: expect.stringContaining('loops'),
        },
      ],
    });
    expect(inspection.size).toBeGreaterThan(0);
  });

  it('a file that is not a package: what it looks like, not-a-package, exit 1', () => {
    const { status, inspection } = inspectJson('fixtures/damaged/zip-renamed.msi');
    expect(status).toBe(1);
    expect(inspection).toMatchObject({
      kind: 'unknown',
      container: 'other',
      containerDescription: 'a ZIP archive',
      readable: false,
      errors: [{ part: 'container', code: 'not-a-package', hresult: '0x800B0003' }],
    });
  });

  it('a signature that does not decode: the package was read (exit 0), the signature error is typed', () => {
    const { status, inspection } = inspectJson('fixtures/damaged/msi-signature-garbage.msi');
    expect(status).toBe(0);
    expect(inspection).toMatchObject({
      readable: true,
      signed: true,
      signatures: [],
      errors: [{ part: 'signature', code: 'malformed-signature', hresult: '0x80096011' }],
    });
    expect(inspection.package).not.toBeNull();
  });

  it('a truncated CAB signature: cabinet facts kept, the signature error typed', () => {
    const { status, inspection } = inspectJson('fixtures/damaged/cab-signature-truncated.cab');
    expect(status).toBe(0);
    expect(inspection.cabinet).toMatchObject({ setID: expect.any(Number), trailingBytes: null });
    expect(inspection.errors).toEqual([
      expect.objectContaining({ part: 'signature', code: 'malformed-signature' }),
    ]);
  });

  it('a file that does not exist: io-error, the path as given and no absolute path, exit 1', () => {
    const result = cli(['inspect', 'fixtures/missing.msi', '--json']);
    expect(result.status).toBe(1);
    const inspection = JSON.parse(result.stdout) as Inspection;
    expect(inspection).toMatchObject({
      path: 'fixtures/missing.msi',
      container: null,
      readable: false,
      errors: [{ part: 'file', code: 'io-error', message: 'cannot read the file: no such file' }],
    });
  });
});

describe('inspect: human output', () => {
  it('a nested-signature MSI shows both signatures, each with its digest and checks', () => {
    const result = cli(['inspect', 'fixtures/msi/signed-nested-sha512.msi']);
    expect(result.status).toBe(0);
    const lines = plainLines(result.stdout);
    expect(lines[0]).toBe('fixtures/msi/signed-nested-sha512.msi');
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}Signed: +yes, 2 signatures \(primary and 1 nested signature\)$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}Digest algorithms: +SHA-256, SHA-512$/),
    );
    const primary = lines.indexOf('Signature #0 (primary)');
    const nested = lines.indexOf('Signature #1 (nested)');
    expect(primary).toBeGreaterThan(0);
    expect(nested).toBeGreaterThan(primary);
    const section = (from: number, to: number) => lines.slice(from, to).join('\n');
    expect(section(primary, nested)).toMatch(/File digest: +SHA-256/);
    expect(section(nested, lines.length)).toMatch(/File digest: +SHA-512/);
    for (const part of [
      section(primary, nested),
      section(nested, lines.indexOf('MsiDigitalSignatureEx')),
    ]) {
      expect(part).toMatch(
        /Checks: +✔ file type {2}✔ digest {2}✔ signer signature {2}– no timestamp {2}✔ chain/,
      );
      expect(part).toMatch(/computed: +[0-9a-f]+ {2}✔ match/);
      expect(part).toMatch(/Signer: +Contoso Release Signing/);
    }
  });

  it('an MSI shows its summary information, ProductCode and signing tables', () => {
    const result = cli(['inspect', 'fixtures/msi/signed-patchcert-sha256.msi']);
    const text = plainLines(result.stdout).join('\n');
    for (const label of [
      'ProductCode',
      'title',
      'subject',
      'author',
      'template',
      'revision \\(package code\\)',
      'page count',
      'word count',
      'security',
      'creating application',
    ]) {
      expect(text).toMatch(new RegExp(`^ +${label}: +\\S`, 'm'));
    }
    expect(text).toContain('  MsiPatchCertificate:\n    PatchCert1 -> Cert1\n');
    expect(text).toMatch(
      / {2}MsiDigitalCertificate:\n {4}Cert1 {2}\(\d+ bytes\) {2}C=US, O=Contoso Ltd \(TEST ONLY\), CN=Contoso Release Signing {2}sha256:0e89138a/,
    );
    expect(text).toContain('  MsiDigitalSignature: no table\n');
    expect(text).toMatch(
      / {2}Media:\n {4}disk 1 {2}last sequence \d+ {2}cabinet #product\.cab \(embedded\)/,
    );
  });

  it('a CAB shows its set links', () => {
    const result = cli(['inspect', 'fixtures/cab/signed-sha256.cab']);
    const text = plainLines(result.stdout).join('\n');
    expect(text).toMatch(/^ {2}Set: +setID \d+, cabinet 0 \(iCabinet\)$/m);
    expect(text).toMatch(/^ {2}Previous: +none \(first in its set\)$/m);
    expect(text).toMatch(/^ {2}Next: +none \(last in its set\)$/m);
    expect(text).toMatch(/^ {2}Signature: +appended at offset \d+, \d+ bytes/m);
  });

  it('a damaged file: what is known, then the typed error with its HRESULT, exit 1', () => {
    const result = cli(['inspect', 'fixtures/damaged/msi-truncated.msi']);
    expect(result.status).toBe(1);
    const lines = plainLines(result.stdout);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}Size: +10496 bytes/));
    expect(lines).toContain('Errors');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}✖ error malformed-package \(0x800B0003 TRUST_E_SUBJECT_FORM_UNKNOWN\): \S/,
      ),
    );
  });

  it('an unsigned MSI is inspected (exit 0) and says so', () => {
    const result = cli(['inspect', 'fixtures/msi/unsigned.msi']);
    expect(result.status).toBe(0);
    expect(plainLines(result.stdout)).toContainEqual(expect.stringMatching(/^ {2}Signed: +no$/));
  });

  it.skipIf(skipWithout('osslsigncode'))(
    titled(
      'shows the program name and URL (SpcSpOpusInfo), escaped for the terminal',
      skipWithout('osslsigncode'),
    ),
    () => {
      const signed = join(temp, 'opus.cab');
      const pki = join(REPO, 'fixtures', 'pki');
      const sign = run('osslsigncode', [
        'sign',
        '-certs',
        join(pki, 'signer.pem'),
        '-ac',
        join(pki, 'chain.pem'),
        '-key',
        join(pki, 'signer.key'),
        '-h',
        'sha256',
        '-n',
        'Contoso\u001b[2J Setup',
        '-i',
        'https://contoso.example/setup',
        '-in',
        join(REPO, 'fixtures', 'cab', 'unsigned-stored.cab'),
        '-out',
        signed,
      ]);
      expect(sign.status, sign.stderr).toBe(0);
      const text = cli(['inspect', signed]);
      expect(text.status).toBe(0);
      expect(text.stdout).not.toContain('\u001b');
      expect(text.stdout).toMatch(/^ {2}Program name: +Contoso\\x1b\[2J Setup$/m);
      expect(text.stdout).toMatch(/^ {2}More info: +https:\/\/contoso\.example\/setup$/m);
      const json = JSON.parse(cli(['inspect', signed, '--json']).stdout) as Inspection;
      expect(json.signatures[0]).toMatchObject({
        programName: 'Contoso\u001b[2J Setup',
        moreInfoUrl: 'https://contoso.example/setup',
      });
    },
  );

  it('a cabinet in the middle of a set: setID, iCabinet, previous and next cabinet and disk', () => {
    const path = join(temp, 'disk2.cab');
    const { bytes } = buildCab({
      setID: 0x4242,
      iCabinet: 1,
      previous: { cabinet: 'disk1.cab', disk: 'Disk 1' },
      next: { cabinet: 'disk3.cab', disk: 'Disk\u001b[2J 3' },
      files: [
        { name: 'a.txt', data: pattern(300, 1) },
        { name: 'b.txt', data: pattern(200, 2) },
      ],
    });
    writeFileSync(path, bytes);
    const json = JSON.parse(cli(['inspect', path, '--json']).stdout) as Inspection;
    expect(json.cabinet).toMatchObject({
      setID: 0x4242,
      iCabinet: 1,
      previous: { cabinet: 'disk1.cab', disk: 'Disk 1' },
      next: { cabinet: 'disk3.cab', disk: 'Disk\u001b[2J 3' },
      fileCount: 2,
      folders: [{ index: 0, compression: 'none' }],
      signatureLocation: null,
    });
    const text = cli(['inspect', path]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^ {2}Set: +setID 16962, cabinet 1 \(iCabinet\)$/m);
    expect(text.stdout).toMatch(/^ {2}Previous: +disk1\.cab on disk "Disk 1"$/m);
    expect(text.stdout).toMatch(/^ {2}Next: +disk3\.cab on disk "Disk\\x1b\[2J 3"$/m);
    expect(text.stdout).not.toContain('\u001b');
  });
});
