import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bufferContent,
  specFromCompoundFile,
  writeCompoundFileToPath,
} from '../../src/cfb/writer.js';
import { writeFileAtomically } from '../../src/fill/atomic-file.js';
import {
  deriveKeys,
  DIGITAL_SIGNATURE_STREAM,
  fillPatchCertificate,
  FillError,
  MSI_DIGITAL_SIGNATURE_EX_STREAM,
  type FillResult,
} from '../../src/fill/index.js';
import {
  CLSID_MSI_TRANSFORM,
  COLUMNS_TABLE,
  decodeStreamName,
  encodeStreamName,
  readDigitalCertificates,
  readPatchCertificates,
  sortRowsByKey,
  SUMMARY_INFORMATION_STREAM,
  TABLES_TABLE,
} from '../../src/msi/index.js';
import type { Certificate } from '../../src/x509/certificate.js';
import { snapshot } from './cfb-snapshot.js';
import {
  certificate,
  fixture,
  titled,
  SKIP_MSITOOLS,
  SKIP_OSSLSIGNCODE,
  importIdt,
  makeLargeMsi,
  msiExport,
  msiExportLines,
  msiExtract,
  msiStreams,
  msiTables,
  referenceCounts,
  tempDir,
  withCompoundFile,
  withDatabase,
  type TempDir,
} from './support.js';

const SIGNER = certificate('signer');
const SIGNER2 = certificate('signer2');
const OTHER = certificate('other-signer');
const short = (c: Certificate): string => c.sha256.slice(0, 16);

/** Table streams fill may rewrite; every other entry must stay exactly as it was. */
const REWRITTEN_TABLES = [
  '_StringPool',
  '_StringData',
  TABLES_TABLE,
  COLUMNS_TABLE,
  'MsiDigitalCertificate',
  'MsiPatchCertificate',
  '_Validation',
];
const REWRITTEN = new Set(REWRITTEN_TABLES.map((name) => encodeStreamName(name, true)));

/**
 * Everything the issue asks of a filled package, compared with the package before filling:
 * both tables listed by msiinfo with the expected rows, the CertData streams equal to the DER,
 * every other table and stream unchanged, root CLSID, summary information and code page kept,
 * refcounts exact for what was added, every table sorted by its raw keys.
 */
async function expectFilled(
  before: string,
  after: string,
  expected: { patchRows: string[]; certificates: Certificate[]; removed?: string[] },
): Promise<void> {
  // msitools sees both tables and exactly the expected MsiPatchCertificate rows.
  const tablesBefore = msiTables(before);
  const tablesAfter = msiTables(after);
  expect(new Set(tablesAfter)).toEqual(
    new Set([...tablesBefore, 'MsiDigitalCertificate', 'MsiPatchCertificate']),
  );
  const patchExport = msiExportLines(after, 'MsiPatchCertificate');
  expect(patchExport.slice(0, 2)).toEqual(['PatchCertificate\tDigitalCertificate_', 's72\ts72']);
  // Stored (and exported) in string-ID order, which need not be text order: compared as sets.
  expect([...patchExport.slice(3)].sort()).toEqual([...expected.patchRows].sort());
  for (const table of tablesBefore) {
    if (REWRITTEN_TABLES.includes(table)) continue;
    expect(msiExport(after, table), `table ${table}`).toBe(msiExport(before, table));
  }

  // Our reader: each certificate reachable from MsiPatchCertificate; msiinfo extracts its DER.
  const listed = await withDatabase(after, async (db) => ({
    digital: (await readDigitalCertificates(db))!,
    patch: (await readPatchCertificates(db))!,
  }));
  for (const cert of expected.certificates) {
    const rows = listed.digital.filter((row) => row.certData.equals(cert.der));
    expect(rows.length, cert.commonName).toBe(1);
    expect(listed.patch.some((row) => row.digitalCertificate === rows[0]!.id)).toBe(true);
    expect(msiExtract(after, `MsiDigitalCertificate.${rows[0]!.id}`).equals(cert.der)).toBe(true);
  }
  expect(msiExportLines(after, 'MsiDigitalCertificate').slice(3)).toEqual(
    listed.digital.map((row) => `${row.id}\tMsiDigitalCertificate.${row.id}`),
  );

  // Every other entry (streams, storages, root) byte for byte with its metadata.
  const removed = new Set(expected.removed ?? []);
  const entriesBefore = await withCompoundFile(before, snapshot);
  const entriesAfter = await withCompoundFile(after, snapshot);
  const kept = entriesBefore.filter((e) => !REWRITTEN.has(e.path) && !removed.has(e.path));
  for (const entry of kept) {
    expect(
      entriesAfter.find((e) => e.path === entry.path),
      entry.path,
    ).toEqual(entry);
  }
  for (const name of removed) expect(entriesAfter.some((e) => e.path === name)).toBe(false);
  const added = entriesAfter.filter((e) => !entriesBefore.some((b) => b.path === e.path));
  for (const entry of added) {
    const name = decodeStreamName(entry.path);
    const isCertData = !name.isTable && name.name.startsWith('MsiDigitalCertificate.');
    expect(REWRITTEN.has(entry.path) || isCertData, name.name).toBe(true);
  }

  // msiinfo's view of the non-table streams: the old ones unchanged, plus the CertData streams.
  const streamsBefore = msiStreams(before).filter((s) => !removed.has(s));
  const streamsAfter = msiStreams(after);
  for (const stream of streamsBefore) {
    expect(streamsAfter, stream).toContain(stream);
    expect(msiExtract(after, stream).equals(msiExtract(before, stream)), stream).toBe(true);
  }
  for (const stream of streamsAfter.filter((s) => !streamsBefore.includes(s))) {
    expect(stream).toMatch(/^MsiDigitalCertificate\./);
  }

  // String pool: code page kept, IDs never move, refcounts exact for every change.
  const countsBefore = await withDatabase(before, referenceCounts);
  const countsAfter = await withDatabase(after, referenceCounts);
  for (const now of countsAfter) {
    const then = countsBefore.find((c) => c.id === now.id) ?? { refCount: 0, cells: 0 };
    expect(now.refCount - then.refCount, `string ${now.id}`).toBe(now.cells - then.cells);
  }
  const codePage = (path: string) => withDatabase(path, async (db) => db.stringPool.codePage);
  expect(await codePage(after)).toBe(await codePage(before));

  // Every table in stored order = sorted by raw key values (§3.6).
  await withDatabase(after, async (db) => {
    for (const table of [TABLES_TABLE, COLUMNS_TABLE, ...db.tableNames]) {
      const rows = (await db.readRawTable(table))!;
      expect(rows, table).toEqual(sortRowsByKey(db.columns(table)!, rows));
    }
  });
}

function certRow(c: Certificate): string {
  return `PatchCert_${short(c)}\tCert_${short(c)}`;
}

describe.skipIf(SKIP_MSITOOLS)(
  titled('fillPatchCertificate on each kind of MSI', SKIP_MSITOOLS),
  () => {
    let dir: TempDir;
    beforeAll(() => {
      dir = tempDir('fill');
    });
    afterAll(() => dir.remove());

    it('fills a wixl-made MSI in place: both tables created, one row each', async () => {
      const original = dir.copy('msi/unsigned.msi', 'wixl-original.msi');
      const msi = dir.copy('msi/unsigned.msi', 'wixl.msi');
      const result = await fillPatchCertificate(msi, [SIGNER]);
      expect(result).toMatchObject({
        input: msi,
        output: msi,
        changed: true,
        createdTables: ['MsiDigitalCertificate', 'MsiPatchCertificate'],
        validationRowsAdded: 0,
        removedStreams: [],
        alreadyListed: [],
        version: 3,
      });
      expect(
        result.added.map((a) => [
          a.digitalCertificate,
          a.patchCertificate,
          a.addedDigitalCertificateRow,
        ]),
      ).toEqual([[`Cert_${short(SIGNER)}`, `PatchCert_${short(SIGNER)}`, true]]);
      await expectFilled(original, msi, { patchRows: [certRow(SIGNER)], certificates: [SIGNER] });
      // The table definitions as created: Microsoft's one-key MsiPatchCertificate.
      await withDatabase(msi, async (db) => {
        expect(db.columns('MsiDigitalCertificate')).toEqual([
          { number: 1, name: 'DigitalCertificate', type: 0x2d48 },
          { number: 2, name: 'CertData', type: 0x0900 },
        ]);
        expect(db.columns('MsiPatchCertificate')).toEqual([
          { number: 1, name: 'PatchCertificate', type: 0x2d48 },
          { number: 2, name: 'DigitalCertificate_', type: 0x0d48 },
        ]);
      });
      expect(msiExportLines(msi, 'MsiDigitalCertificate')[1]).toBe('s72\tv0');
    });

    it('fills an msibuild-made MSI to --out, leaving the input untouched', async () => {
      const msi = dir.copy('msi/unsigned-msibuild.msi', 'msibuild.msi');
      const bytes = readFileSync(msi);
      const out = dir.file('msibuild-filled.msi');
      const result = await fillPatchCertificate(msi, [SIGNER], { out });
      expect(result).toMatchObject({ input: msi, output: out, changed: true });
      expect(readFileSync(msi).equals(bytes)).toBe(true);
      await expectFilled(msi, out, { patchRows: [certRow(SIGNER)], certificates: [SIGNER] });
    });

    it('adds _Validation rows when the MSI has a _Validation table', async () => {
      const msi = dir.copy('msi/unsigned-msibuild.msi', 'validation.msi');
      importIdt(msi, '_Validation', [
        'Table\tColumn\tNullable\tMinValue\tMaxValue\tKeyTable\tKeyColumn\tCategory\tSet\tDescription',
        's32\ts32\ts4\tI4\tI4\tS255\tI2\tS32\tS255\tS255',
        '_Validation\tTable\tColumn',
        'Property\tProperty\tN\t\t\t\t\tIdentifier\t\tName of property',
        'Property\tValue\tN\t\t\t\t\tText\t\tString value for property',
      ]);
      const original = dir.file('validation-original.msi');
      copyFileSync(msi, original);
      const result = await fillPatchCertificate(msi, [SIGNER]);
      expect(result.validationRowsAdded).toBe(4);
      await expectFilled(original, msi, { patchRows: [certRow(SIGNER)], certificates: [SIGNER] });
      expect(msiExportLines(msi, '_Validation').slice(3)).toEqual([
        'Property\tProperty\tN\t\t\t\t\tIdentifier\t\tName of property',
        'Property\tValue\tN\t\t\t\t\tText\t\tString value for property',
        'MsiDigitalCertificate\tDigitalCertificate\tN\t\t\t\t\tIdentifier\t\tA unique identifier for the row',
        'MsiDigitalCertificate\tCertData\tN\t\t\t\t\tBinary\t\tA certificate context blob for a signer certificate',
        'MsiPatchCertificate\tPatchCertificate\tN\t\t\t\t\tIdentifier\t\tPrimary key. A unique identifier for the row.',
        'MsiPatchCertificate\tDigitalCertificate_\tN\t\t\tMsiDigitalCertificate\t1\tIdentifier\t\tForeign key to MsiDigitalCertificate table identifying the signer certificate.',
      ]);
      // Completing the tables later adds no second set of _Validation rows.
      expect((await fillPatchCertificate(msi, [SIGNER2])).validationRowsAdded).toBe(0);
    });

    it.skipIf(SKIP_OSSLSIGNCODE)(
      titled(
        'fills a version 4 compound file (osslsigncode output) with --remove-signature and keeps it v4',
        SKIP_OSSLSIGNCODE,
      ),
      async () => {
        const { signed } = makeLargeMsi(dir.path);
        expect(readFileSync(signed).readUInt16LE(0x1a)).toBe(4);
        const out = dir.file('big-filled.msi');
        const result = await fillPatchCertificate(signed, [SIGNER], { out, removeSignature: true });
        expect(result).toMatchObject({
          changed: true,
          version: 4,
          removedStreams: [DIGITAL_SIGNATURE_STREAM],
        });
        const header = readFileSync(out).subarray(0, 512);
        expect(header.readUInt16LE(0x1a)).toBe(4);
        expect(header.readUInt16LE(0x1e)).toBe(12);
        await expectFilled(signed, out, {
          patchRows: [certRow(SIGNER)],
          certificates: [SIGNER],
          removed: [DIGITAL_SIGNATURE_STREAM],
        });
        await withCompoundFile(out, async (cfb) => {
          expect(cfb.version).toBe(4);
          expect(cfb.warnings).toEqual([]);
          expect(cfb.trailingBytes).toBe(0);
        });
      },
    );
  },
);

describe.skipIf(SKIP_MSITOOLS)(
  titled('fillPatchCertificate keeps storages and entry metadata', SKIP_MSITOOLS),
  () => {
    let dir: TempDir;
    beforeAll(() => {
      dir = tempDir('fill-meta');
    });
    afterAll(() => dir.remove());

    it("copies a sub-storage and every entry's CLSID, state bits and times unchanged", async () => {
      // unsigned.msi with metadata on its entries and an embedded storage (as a transform would be).
      const source = fixture('msi/unsigned.msi');
      const msi = dir.file('decorated.msi');
      const time = Uint8Array.of(0x00, 0x80, 0x3e, 0xd5, 0xde, 0xb1, 0x9d, 0x01);
      await withCompoundFile(source, async (cfb) => {
        const spec = specFromCompoundFile(cfb);
        await writeCompoundFileToPath(
          {
            ...spec,
            stateBits: Uint8Array.of(7, 0, 0, 0),
            modifiedTime: time,
            children: [
              ...spec.children.map((child) =>
                child.name === SUMMARY_INFORMATION_STREAM
                  ? {
                      ...child,
                      creationTime: time,
                      modifiedTime: time,
                      stateBits: Uint8Array.of(1, 2, 3, 4),
                    }
                  : child,
              ),
              {
                kind: 'storage',
                name: 'EmbeddedTransform',
                clsid: CLSID_MSI_TRANSFORM,
                creationTime: time,
                modifiedTime: time,
                children: [
                  {
                    kind: 'stream',
                    name: 'inner',
                    content: bufferContent(Buffer.from('x'.repeat(5000))),
                  },
                ],
              },
            ],
          },
          msi,
          { version: 3 },
        );
      });
      const original = dir.file('decorated-original.msi');
      copyFileSync(msi, original);
      await fillPatchCertificate(msi, [SIGNER]);
      await expectFilled(original, msi, { patchRows: [certRow(SIGNER)], certificates: [SIGNER] });
      const entries = await withCompoundFile(msi, snapshot);
      expect(entries.find((e) => e.path === '')).toMatchObject({
        clsid: '84100c0000000000c000000000000046',
        stateBits: '07000000',
        modifiedTime: Buffer.from(time).toString('hex'),
      });
      expect(entries.find((e) => e.path === SUMMARY_INFORMATION_STREAM)).toMatchObject({
        stateBits: '01020304',
        creationTime: Buffer.from(time).toString('hex'),
      });
      expect(entries.find((e) => e.path === 'EmbeddedTransform')).toMatchObject({
        kind: 'storage',
        clsid: Buffer.from(CLSID_MSI_TRANSFORM).toString('hex'),
        creationTime: Buffer.from(time).toString('hex'),
      });
      expect(entries.find((e) => e.path === 'EmbeddedTransform/inner')?.size).toBe(5000);
    });
  },
);

describe.skipIf(SKIP_MSITOOLS)(
  titled('fillPatchCertificate: rotation, idempotence, existing tables', SKIP_MSITOOLS),
  () => {
    let dir: TempDir;
    beforeAll(() => {
      dir = tempDir('fill-rows');
    });
    afterAll(() => dir.remove());

    it('lists two certificates (rotation) as two rows in each table, sorted by string ID', async () => {
      const original = dir.copy('msi/unsigned.msi', 'two-original.msi');
      const msi = dir.copy('msi/unsigned.msi', 'two.msi');
      const result = await fillPatchCertificate(msi, [SIGNER, SIGNER2, SIGNER]);
      expect(result.added.map((a) => a.certificate.sha256)).toEqual([
        SIGNER.sha256,
        SIGNER2.sha256,
      ]);
      await expectFilled(original, msi, {
        patchRows: [certRow(SIGNER), certRow(SIGNER2)],
        certificates: [SIGNER, SIGNER2],
      });
    });

    it('is idempotent: a second fill leaves the file byte-identical and untouched', async () => {
      const msi = dir.copy('msi/unsigned.msi', 'twice.msi');
      await fillPatchCertificate(msi, [SIGNER, SIGNER2]);
      const bytes = readFileSync(msi);
      const mtime = statSync(msi).mtimeMs;
      const second = await fillPatchCertificate(msi, [SIGNER2, SIGNER]);
      expect(second).toMatchObject({ changed: false, added: [], removedStreams: [] });
      expect(second.alreadyListed.map((l) => [l.patchCertificate, l.digitalCertificate])).toEqual([
        [`PatchCert_${short(SIGNER2)}`, `Cert_${short(SIGNER2)}`],
        [`PatchCert_${short(SIGNER)}`, `Cert_${short(SIGNER)}`],
      ]);
      expect(readFileSync(msi).equals(bytes)).toBe(true);
      expect(statSync(msi).mtimeMs).toBe(mtime);
      // With --out, the unchanged package is copied there as it is.
      const out = dir.file('twice-out.msi');
      expect((await fillPatchCertificate(msi, [SIGNER], { out })).changed).toBe(false);
      expect(readFileSync(out).equals(bytes)).toBe(true);
    });

    it('completes tables that list another certificate: one more row, the old row kept', async () => {
      const original = fixture('msi/unsigned-patchcert-signer2.msi');
      const msi = dir.copy('msi/unsigned-patchcert-signer2.msi', 'existing.msi');
      const result = await fillPatchCertificate(msi, [SIGNER]);
      expect(result.createdTables).toEqual([]);
      await expectFilled(original, msi, {
        patchRows: ['PatchCert1\tCert1', certRow(SIGNER)],
        certificates: [SIGNER, SIGNER2],
      });
      expect(msiExtract(msi, 'MsiDigitalCertificate.Cert1').equals(SIGNER2.der)).toBe(true);
      // The certificate it already listed is recognised by its DER, under its own keys.
      const again = await fillPatchCertificate(msi, [SIGNER2]);
      expect(again.changed).toBe(false);
      expect(again.alreadyListed).toMatchObject([
        { patchCertificate: 'PatchCert1', digitalCertificate: 'Cert1' },
      ]);
    });

    it('adds only the MsiPatchCertificate row when MsiDigitalCertificate already holds the DER', async () => {
      const msi = dir.copy('msi/unsigned.msi', 'digital-only.msi');
      importIdt(
        msi,
        'MsiDigitalCertificate',
        [
          'DigitalCertificate\tCertData',
          's72\tv0',
          'MsiDigitalCertificate\tDigitalCertificate',
          'CabSigner\tcab.cer',
        ],
        { 'cab.cer': SIGNER.der },
      );
      const original = dir.file('digital-only-original.msi');
      copyFileSync(msi, original);
      const result = await fillPatchCertificate(msi, [SIGNER]);
      expect(result.createdTables).toEqual(['MsiPatchCertificate']);
      expect(result.added).toMatchObject([
        {
          digitalCertificate: 'CabSigner',
          patchCertificate: `PatchCert_${short(SIGNER)}`,
          addedDigitalCertificateRow: false,
        },
      ]);
      await expectFilled(original, msi, {
        patchRows: [`PatchCert_${short(SIGNER)}\tCabSigner`],
        certificates: [SIGNER],
      });
      expect(msiStreams(msi).filter((s) => s.startsWith('MsiDigitalCertificate.'))).toEqual([
        'MsiDigitalCertificate.CabSigner',
      ]);
    });

    it('accepts an existing WiX-style MsiPatchCertificate with a two-column key', async () => {
      const msi = dir.copy('msi/unsigned.msi', 'wix.msi');
      importIdt(
        msi,
        'MsiDigitalCertificate',
        [
          'DigitalCertificate\tCertData',
          's72\tv0',
          'MsiDigitalCertificate\tDigitalCertificate',
          'Old\told.cer',
        ],
        { 'old.cer': OTHER.der },
      );
      importIdt(msi, 'MsiPatchCertificate', [
        'PatchCertificate\tDigitalCertificate_',
        's72\ts72',
        'MsiPatchCertificate\tPatchCertificate\tDigitalCertificate_',
        'OldPatch\tOld',
      ]);
      const original = dir.file('wix-original.msi');
      copyFileSync(msi, original);
      await fillPatchCertificate(msi, [SIGNER], { id: 'NewSigner' });
      await expectFilled(original, msi, {
        patchRows: ['OldPatch\tOld', 'NewSigner\tNewSigner'],
        certificates: [SIGNER, OTHER],
      });
      expect(msiExportLines(msi, 'MsiPatchCertificate')[2]).toBe(
        'MsiPatchCertificate\tPatchCertificate\tDigitalCertificate_',
      );
    });

    it('uses --id for both keys, and <id>_<sha256 prefix> for several certificates', async () => {
      const one = dir.copy('msi/unsigned.msi', 'id-one.msi');
      await fillPatchCertificate(one, [SIGNER], { id: 'Contoso.Release_2025' });
      expect(msiExport(one, 'MsiPatchCertificate')).toContain(
        'Contoso.Release_2025\tContoso.Release_2025',
      );
      expect(msiExtract(one, 'MsiDigitalCertificate.Contoso.Release_2025').equals(SIGNER.der)).toBe(
        true,
      );
      const two = dir.copy('msi/unsigned.msi', 'id-two.msi');
      await fillPatchCertificate(two, [SIGNER, SIGNER2], { id: 'Rot' });
      const rows = msiExportLines(two, 'MsiPatchCertificate').slice(3);
      expect(rows).toEqual([
        `Rot_${SIGNER.sha256.slice(0, 8)}\tRot_${SIGNER.sha256.slice(0, 8)}`,
        `Rot_${SIGNER2.sha256.slice(0, 8)}\tRot_${SIGNER2.sha256.slice(0, 8)}`,
      ]);
    });

    it('refuses a key already used by a row holding another certificate', async () => {
      const msi = dir.copy('msi/unsigned-patchcert-signer2.msi', 'conflict.msi');
      const bytes = readFileSync(msi);
      await expect(fillPatchCertificate(msi, [SIGNER], { id: 'Cert1' })).rejects.toMatchObject({
        code: 'key-conflict',
        message: expect.stringMatching(
          /MsiDigitalCertificate already has a row "Cert1" holding another certificate/,
        ),
      });
      await expect(fillPatchCertificate(msi, [SIGNER], { id: 'PatchCert1' })).rejects.toMatchObject(
        {
          code: 'key-conflict',
        },
      );
      expect(readFileSync(msi).equals(bytes)).toBe(true);
    });
  },
);

describe('fillPatchCertificate refuses what it must not fill', () => {
  let dir: TempDir;
  beforeAll(() => {
    dir = tempDir('fill-refuse');
  });
  afterAll(() => dir.remove());

  it('refuses a signed MSI with a clear error and leaves it untouched', async () => {
    const msi = dir.copy('msi/signed-sha256.msi');
    const bytes = readFileSync(msi);
    const error = await fillPatchCertificate(msi, [SIGNER]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FillError);
    expect(error).toMatchObject({ code: 'signed' });
    expect((error as Error).message).toMatch(
      /the package is signed and filling it would invalidate the signature; fill it before signing, or have the signature removed/,
    );
    expect(readFileSync(msi).equals(bytes)).toBe(true);
  });

  it.skipIf(SKIP_MSITOOLS)(
    titled(
      'fills a signed MSI with removeSignature, removing DigitalSignature and MsiDigitalSignatureEx',
      SKIP_MSITOOLS,
    ),
    async () => {
      const original = fixture('msi/signed-dse.msi');
      const msi = dir.copy('msi/signed-dse.msi');
      const result: FillResult = await fillPatchCertificate(msi, [SIGNER2], {
        removeSignature: true,
      });
      expect(result.removedStreams).toEqual([
        DIGITAL_SIGNATURE_STREAM,
        MSI_DIGITAL_SIGNATURE_EX_STREAM,
      ]);
      expect(msiStreams(msi)).not.toContain('DigitalSignature');
      expect(msiStreams(msi)).not.toContain('MsiDigitalSignatureEx');
      await expectFilled(original, msi, {
        patchRows: ['PatchCert1\tCert1', certRow(SIGNER2)],
        certificates: [SIGNER, SIGNER2],
        removed: [DIGITAL_SIGNATURE_STREAM, MSI_DIGITAL_SIGNATURE_EX_STREAM],
      });
    },
  );

  it('does not touch a signed MSI that already lists the certificate (nothing to do)', async () => {
    const msi = dir.copy('msi/signed-patchcert-sha256.msi');
    const bytes = readFileSync(msi);
    const result = await fillPatchCertificate(msi, [SIGNER]);
    expect(result).toMatchObject({ changed: false, removedStreams: [] });
    expect(readFileSync(msi).equals(bytes)).toBe(true);
  });

  it('refuses patches and non-installer files', async () => {
    await expect(fillPatchCertificate(fixture('msp/unsigned.msp'), [SIGNER])).rejects.toMatchObject(
      {
        code: 'not-an-msi',
        message: 'the file is an .msp, not an .msi',
      },
    );
    await expect(
      fillPatchCertificate(fixture('cab/unsigned-stored.cab'), [SIGNER]),
    ).rejects.toMatchObject({
      code: 'not-a-package',
    });
  });

  it('refuses identifiers Windows Installer would not accept', () => {
    expect(() => deriveKeys([SIGNER], '1abc')).toThrow(/not a Windows Installer identifier/);
    expect(() => deriveKeys([SIGNER], 'has space')).toThrow(FillError);
    expect(deriveKeys([SIGNER], 'A'.repeat(40))).toEqual([
      { digitalCertificate: 'A'.repeat(40), patchCertificate: 'A'.repeat(40) },
    ]);
    expect(() => deriveKeys([SIGNER], 'A'.repeat(41))).toThrow(
      /CertData stream "MsiDigitalCertificate\.A{41}" needs 32 of at most 31/,
    );
    expect(deriveKeys([SIGNER])).toEqual([
      {
        digitalCertificate: `Cert_${short(SIGNER)}`,
        patchCertificate: `PatchCert_${short(SIGNER)}`,
      },
    ]);
  });
});

describe('atomic replacement', () => {
  let dir: TempDir;
  beforeAll(() => {
    dir = tempDir('fill-atomic');
  });
  afterAll(() => dir.remove());

  const leftovers = (path: string) => readdirSync(path).filter((name) => name.endsWith('.tmp'));

  it('leaves the input untouched and no temporary file when the output directory does not exist', async () => {
    const msi = dir.copy('msi/unsigned.msi', 'input.msi');
    const bytes = readFileSync(msi);
    await expect(
      fillPatchCertificate(msi, [SIGNER], { out: join(dir.path, 'missing', 'out.msi') }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
    expect(readFileSync(msi).equals(bytes)).toBe(true);
    expect(leftovers(dir.path)).toEqual([]);
  });

  it('removes its temporary file when the final rename fails', async () => {
    const msi = dir.copy('msi/unsigned.msi', 'rename.msi');
    const bytes = readFileSync(msi);
    const blocker = join(dir.path, 'blocker');
    mkdirSync(join(blocker, 'not-empty'), { recursive: true });
    // Renaming a file over a non-empty directory fails after the whole package was written.
    await expect(fillPatchCertificate(msi, [SIGNER], { out: blocker })).rejects.toThrow();
    expect(readFileSync(msi).equals(bytes)).toBe(true);
    expect(leftovers(dir.path)).toEqual([]);
  });

  it('keeps the target as it was when writing fails half-way', async () => {
    const target = dir.file('target.bin');
    writeFileSync(target, 'original');
    const failure = new Error('disk full');
    await expect(
      writeFileAtomically(target, async (temporary) => {
        writeFileSync(temporary, 'half a pack');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(readFileSync(target, 'utf8')).toBe('original');
    expect(leftovers(dir.path)).toEqual([]);
  });

  it('keeps the permissions of the file it replaces', async () => {
    const msi = dir.copy('msi/unsigned.msi', 'mode.msi');
    chmodSync(msi, 0o640);
    await fillPatchCertificate(msi, [SIGNER]);
    expect(statSync(msi).mode & 0o777).toBe(0o640);
  });
});
