/**
 * Cross-checks the database layer against msitools on real files: every table our reader
 * decodes must equal `msiinfo export`, every stream `msiinfo streams`/`extract`, the summary
 * `msiinfo suminfo`. Databases our encode side builds must read back the same in msitools.
 * Files are read through the project's own compound file reader.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCompoundFile } from '../../src/cfb/reader.js';
import type { CompoundFile } from '../../src/cfb/types.js';
import { RandomAccessFile } from '../../src/io/random-access-file.js';
import { COLUMNS_COLUMNS, encodeCatalogRows, TABLES_COLUMNS } from '../../src/msi/catalog.js';
import { codecForCodePage } from '../../src/msi/code-page.js';
import { columnKind, formatIdtType, isKeyType, parseIdtType } from '../../src/msi/column.js';
import { openMsiDatabase, type MsiDatabase } from '../../src/msi/database.js';
import {
  CLSID_MSI_DATABASE,
  CLSID_MSI_PATCH,
  detectPackageKind,
} from '../../src/msi/package-kind.js';
import {
  readDigitalCertificates,
  readDigitalSignatures,
  readMedia,
  readPatchCertificates,
  readProperties,
} from '../../src/msi/signing-tables.js';
import { encodeStreamName } from '../../src/msi/stream-name.js';
import { StringPool } from '../../src/msi/string-pool.js';
import { SummaryPropertyId } from '../../src/msi/summary-information.js';
import { BinaryRef, encodeRow, encodeTableStream, type CellValue } from '../../src/msi/table.js';
import { buildDatabaseStreams } from './support/build-database.js';
import {
  msiinfoExport,
  msiinfoExtract,
  msiinfoStreams,
  msiinfoSuminfo,
  msiinfoTables,
  run,
  writeIdt,
} from './support/msitools.js';
import { skipWithout, titled } from '../support/tools.js';
import { NPM_CFB_SEED_STREAM, writeCompoundFile } from './support/write-compound-file.js';

/** Why the cross-check skips, when it does (test/support/tools.ts). */
const SKIP = skipWithout('wixl', 'msibuild', 'msiinfo', 'openssl');

interface OpenPackage {
  readonly cfb: CompoundFile;
  readonly db: MsiDatabase;
}

const opened: RandomAccessFile[] = [];

async function openPackage(path: string): Promise<OpenPackage> {
  const file = await RandomAccessFile.open(path);
  opened.push(file);
  const cfb = await openCompoundFile(file);
  return { cfb, db: await openMsiDatabase(cfb) };
}

/** How msiinfo export prints a cell. */
function cellText(value: CellValue): string {
  if (value === null) return '';
  if (value instanceof BinaryRef) return value.streamName;
  return String(value);
}

/** Every table, every stream and the summary of `path` must read the same as in msitools. */
async function crossCheck(
  path: string,
  options: { ignoreStreams?: string[] } = {},
): Promise<OpenPackage> {
  const opened = await openPackage(path);
  const { cfb, db } = opened;
  const tables = msiinfoTables(path);
  expect([...db.tableNames].sort()).toEqual([...tables].sort());
  for (const table of tables) {
    const exported = msiinfoExport(path, table);
    const columns = db.columns(table)!;
    expect(exported.table).toBe(table);
    expect(exported.columns).toEqual(columns.map((column) => column.name));
    expect(exported.types).toEqual(columns.map((column) => formatIdtType(column.type)));
    expect(exported.keys).toEqual(
      columns.filter((column) => isKeyType(column.type)).map((c) => c.name),
    );
    const rows = (await db.readTable(table))!;
    expect(rows.map((row) => columns.map((column) => cellText(row[column.name]!)))).toEqual(
      exported.rows,
    );
  }

  const ignored = new Set(options.ignoreStreams ?? []);
  const streams = db.streams().filter((stream) => !stream.isTable && !ignored.has(stream.name));
  expect(streams.map((stream) => stream.name).sort()).toEqual(
    msiinfoStreams(path)
      .filter((name) => !ignored.has(name))
      .sort(),
  );
  for (const stream of streams) {
    expect(await cfb.readStream(stream.entry), stream.name).toEqual(
      msiinfoExtract(path, stream.name),
    );
  }

  // msiinfo prints summary strings as the stored bytes, without code-page conversion: compare
  // bytes, re-encoding our decoded value in the summary code page.
  const suminfo = msiinfoSuminfo(path);
  const summary = db.summaryInformation!;
  const codec = codecForCodePage(summary.codePage ?? 0);
  const texts: [string, string | undefined][] = [
    ['Title', summary.title],
    ['Subject', summary.subject],
    ['Author', summary.author],
    ['Keywords', summary.keywords],
    ['Comments', summary.comments],
    ['Template', summary.template],
    ['Revision number (UUID)', summary.revisionNumber],
    ['Application', summary.creatingApplication],
  ];
  for (const [label, value] of texts) {
    if (suminfo.has(label))
      expect(codec.encode(value ?? '').toString('latin1'), label).toBe(suminfo.get(label));
  }
  const numbers: [string, number | undefined][] = [
    ['Version', summary.pageCount],
    ['Source', summary.wordCount],
    ['Security', summary.security],
  ];
  for (const [label, value] of numbers) {
    if (suminfo.has(label)) expect(suminfo.get(label), label).toMatch(new RegExp(`^${value} \\(`));
  }
  return opened;
}

/** How many cells (in all tables, the catalog included) reference each string ID. */
async function countReferences(db: MsiDatabase): Promise<Map<number, number>> {
  const counted = new Map<number, number>();
  for (const table of ['_Tables', '_Columns', ...db.tableNames]) {
    const columns = db.columns(table)!;
    for (const row of (await db.readRawTable(table))!) {
      columns.forEach((column, c) => {
        if (columnKind(column.type) === 'string' && row[c] !== 0)
          counted.set(row[c]!, (counted.get(row[c]!) ?? 0) + 1);
      });
    }
  }
  return counted;
}

/**
 * Each pool refcount must equal the number of cells that reference the string. Only for files
 * we wrote: msitools undercounts table names by one and wixl undercounts sequence actions.
 */
async function expectExactRefCounts(db: MsiDatabase): Promise<void> {
  const counted = await countReferences(db);
  const pool = db.stringPool;
  for (let id = 1; id <= pool.count; id++) {
    if (pool.isFree(id)) expect(counted.get(id), `free slot ${id}`).toBeUndefined();
    else
      expect(counted.get(id) ?? 0, `refcount of ${id} (${pool.get(id)})`).toBe(pool.refCount(id));
  }
}

describe.skipIf(SKIP)(titled('MSI database layer against msitools', SKIP), () => {
  let dir: string;
  let cert: Buffer;
  const msi = (name: string): string => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'msi-cross-check-'));
    writeFileSync(join(dir, 'readme.txt'), 'hello\n');
    writeFileSync(
      join(dir, 'bin.dat'),
      Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff)),
    );
    writeFileSync(
      join(dir, 'product.wxs'),
      `<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="*" Name="Tést Prodüct" Language="1033" Version="1.2.3" Manufacturer="Acme &amp; Co"
           UpgradeCode="12345678-1234-1234-1234-123456789012">
    <Package InstallerVersion="200" Compressed="yes" Comments="Uses €uro; quotes ' and &quot;" />
    <Media Id="1" Cabinet="product.cab" EmbedCab="yes" />
    <Property Id="MYPROP" Value="a;b=c" />
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFilesFolder">
        <Directory Id="INSTALLDIR" Name="Acme">
          <Component Id="MainComp" Guid="11111111-2222-3333-4444-555555555555">
            <File Id="ReadmeTxt" Source="readme.txt" KeyPath="yes" />
            <RegistryValue Root="HKLM" Key="Software\\Acme" Name="Version" Value="1" Type="integer" />
          </Component>
        </Directory>
      </Directory>
    </Directory>
    <Binary Id="MyBin" SourceFile="bin.dat" />
    <Icon Id="App.ico" SourceFile="bin.dat" />
    <Feature Id="Main" Level="1"><ComponentRef Id="MainComp" /></Feature>
  </Product>
</Wix>
`,
    );
    run('wixl', ['-o', 'product.msi', 'product.wxs'], dir);

    run(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        '30',
        '-subj',
        '/CN=Patch Signer',
      ],
      dir,
    );
    run('openssl', ['x509', '-in', 'cert.pem', '-outform', 'der', '-out', 'cert.der'], dir);
    cert = readFileSync(join(dir, 'cert.der'));

    // The signing tables, imported from IDT files into a copy of the wixl package.
    const idt = join(dir, 'idt');
    run('mkdir', ['-p', join(idt, 'MsiDigitalCertificate'), join(idt, 'MsiDigitalSignature')]);
    writeFileSync(join(idt, 'MsiDigitalCertificate', 'Cert1.ibd'), cert);
    writeFileSync(
      join(idt, 'MsiDigitalCertificate', 'Cert2.ibd'),
      Buffer.concat([cert, Buffer.from([0])]),
    );
    writeFileSync(join(idt, 'MsiDigitalSignature', 'Hash2.ibd'), Buffer.alloc(32, 0x5a));
    writeIdt(
      idt,
      'MsiDigitalCertificate',
      ['DigitalCertificate', 'CertData'],
      ['s72', 'v0'],
      ['DigitalCertificate'],
      [
        ['Cert1', 'Cert1.ibd'],
        ['Cert2', 'Cert2.ibd'],
      ],
    );
    writeIdt(
      idt,
      'MsiPatchCertificate',
      ['PatchCertificate', 'DigitalCertificate_'],
      ['s72', 's72'],
      ['PatchCertificate'],
      [['PatchCert1', 'Cert1']],
    );
    writeIdt(
      idt,
      'MsiDigitalSignature',
      ['Table', 'SignObject', 'DigitalCertificate_', 'Hash'],
      ['s32', 's72', 's72', 'V0'],
      ['Table', 'SignObject'],
      [
        ['Media', '2', 'Cert1', 'Hash2.ibd'],
        ['Media', '3', 'Cert2', ''],
      ],
    );
    copyFileSync(msi('product.msi'), msi('signing.msi'));
    run(
      'msibuild',
      [
        msi('signing.msi'),
        '-i',
        'MsiDigitalCertificate.idt',
        '-i',
        'MsiPatchCertificate.idt',
        '-i',
        'MsiDigitalSignature.idt',
      ],
      idt,
    );
    run('msibuild', [
      msi('signing.msi'),
      '-q',
      "INSERT INTO `Media` (`DiskId`, `LastSequence`, `Cabinet`) VALUES (2, 7, 'external.cab')",
    ]);

    // WiX's two-key MsiPatchCertificate, IDT escapes, a long string and an integer-keyed binary.
    const wix = join(dir, 'wix');
    run('mkdir', ['-p', join(wix, 'Pictures')]);
    writeFileSync(join(wix, 'Pictures', 'five.ibd'), Buffer.from('picture five'));
    writeIdt(
      wix,
      'MsiPatchCertificate',
      ['PatchCertificate', 'DigitalCertificate_'],
      ['s72', 's72'],
      ['PatchCertificate', 'DigitalCertificate_'],
      [
        ['P2', 'C2'],
        ['P1', 'C1'],
      ],
    );
    writeIdt(
      wix,
      'Property',
      ['Property', 'Value'],
      ['s72', 'l0'],
      ['Property'],
      [
        ['Escapes', 'line1\x19line2\x10tab\x11cr'],
        ['Long', 'L'.repeat(70000)],
        ['AfterLong', 'still aligned'],
        ['Unicode', 'Grüße €'],
      ],
    );
    writeIdt(
      wix,
      'Pictures',
      ['Id', 'Sub', 'Data'],
      ['i2', 'I4', 'V0'],
      ['Id', 'Sub'],
      [
        [5, -3, 'five.ibd'],
        [-2, 100000, ''],
      ],
    );
    run(
      'msibuild',
      [msi('wix.msi'), '-i', 'MsiPatchCertificate.idt', '-i', 'Property.idt', '-i', 'Pictures.idt'],
      wix,
    );

    // More than 65535 strings: msitools switches to 3-byte string references.
    const big = join(dir, 'big');
    run('mkdir', ['-p', big]);
    writeIdt(
      big,
      'Property',
      ['Property', 'Value'],
      ['s72', 'l0'],
      ['Property'],
      Array.from({ length: 34000 }, (_, i) => [`P${i}`, `value ${i}`]),
    );
    run('msibuild', [msi('big.msi'), '-i', 'Property.idt'], big);

    // A merge module: ModuleSignature and no Feature table.
    const msm = join(dir, 'msm');
    run('mkdir', ['-p', msm]);
    writeIdt(
      msm,
      'ModuleSignature',
      ['ModuleID', 'Language', 'Version'],
      ['s72', 'i2', 's32'],
      ['ModuleID', 'Language'],
      [['MyModule.11111111_2222_3333_4444_555555555555', 1033, '1.0.0']],
    );
    writeIdt(
      msm,
      'ModuleComponents',
      ['Component', 'ModuleID', 'Language'],
      ['s72', 's72', 'i2'],
      ['Component', 'ModuleID', 'Language'],
      [['MainComp', 'MyModule.11111111_2222_3333_4444_555555555555', 1033]],
    );
    run(
      'msibuild',
      [msi('module.msm'), '-i', 'ModuleSignature.idt', '-i', 'ModuleComponents.idt'],
      msm,
    );
  });

  afterAll(async () => {
    await Promise.all(opened.map((file) => file.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads a wixl package exactly as msiinfo does', async () => {
    const { db, cfb } = await crossCheck(msi('product.msi'));
    expect(db.stringPool.codePage).toBe(0);
    expect((await readProperties(db)).get('ProductName')).toBe('Tést Prodüct');
    // wixl writes summary strings as UTF-8 while declaring code page 1252; Windows shows
    // them as 1252, and so do we.
    expect(db.summaryInformation?.codePage).toBe(1252);
    expect(db.summaryInformation?.subject).toBe('TÃ©st ProdÃ¼ct');
    expect(db.summaryInformation?.comments).toBe(
      codecForCodePage(1252).decode(Buffer.from(`Uses €uro; quotes ' and "`)),
    );
    expect(await readMedia(db)).toEqual([
      expect.objectContaining({
        diskId: 1,
        lastSequence: 1,
        cabinet: '#product.cab',
        embeddedCabinetStream: 'product.cab',
      }),
    ]);
    expect(await readPatchCertificates(db)).toBeUndefined();
    expect(detectPackageKind(cfb, db.tableNames)).toBe('msi');
    expect(detectPackageKind(cfb)).toBe('msi');
  });

  it('reads the signing tables msibuild imported', async () => {
    const { db } = await crossCheck(msi('signing.msi'));
    expect(await readDigitalCertificates(db)).toEqual([
      { id: 'Cert1', certData: cert },
      { id: 'Cert2', certData: Buffer.concat([cert, Buffer.from([0])]) },
    ]);
    expect(await readPatchCertificates(db)).toEqual([
      { id: 'PatchCert1', digitalCertificate: 'Cert1' },
    ]);
    expect(await readDigitalSignatures(db)).toEqual([
      {
        table: 'Media',
        signObject: '2',
        digitalCertificate: 'Cert1',
        hash: Buffer.alloc(32, 0x5a),
      },
      { table: 'Media', signObject: '3', digitalCertificate: 'Cert2', hash: null },
    ]);
    expect((await readMedia(db))!.map((media) => [media.diskId, media.cabinet])).toEqual([
      [1, '#product.cab'],
      [2, 'external.cab'],
    ]);
    // Microsoft's one-key definition as msibuild writes it
    expect(db.columns('MsiPatchCertificate')!.map((c) => c.type)).toEqual([0x2d48, 0x0d48]);
    expect(db.columns('MsiDigitalCertificate')!.map((c) => c.type)).toEqual([0x2d48, 0x0900]);
    expect(db.columns('MsiDigitalSignature')!.map((c) => c.type)).toEqual([
      0x2d20, 0x2d48, 0x0d48, 0x1900,
    ]);
  });

  it('reads two-key MsiPatchCertificate, IDT escapes, long strings and integer binary keys', async () => {
    const { db } = await crossCheck(msi('wix.msi'));
    expect(db.columns('MsiPatchCertificate')!.map((c) => c.type)).toEqual([0x2d48, 0x2d48]);
    expect(await readPatchCertificates(db)).toEqual([
      { id: 'P2', digitalCertificate: 'C2' },
      { id: 'P1', digitalCertificate: 'C1' },
    ]);
    const properties = await readProperties(db);
    expect(properties.get('Long')).toBe('L'.repeat(70000));
    expect(properties.get('AfterLong')).toBe('still aligned');
    expect(properties.get('Unicode')).toBe('Grüße €');
    // msitools stores the IDT control characters as they are; Windows would turn them into LF/TAB/CR.
    expect(properties.get('Escapes')).toBe('line1\x19line2\x10tab\x11cr');
    const pictures = (await db.readTable('Pictures'))!;
    expect(pictures.map((row) => [row.Id, row.Sub, cellText(row.Data!)])).toEqual([
      [-2, 100000, ''],
      [5, -3, 'Pictures.5.-3'],
    ]);
    expect((await db.readBinary(pictures[1]!.Data as BinaryRef)).toString()).toBe('picture five');
  });

  it('reads 3-byte string references', async () => {
    const { db } = await crossCheck(msi('big.msi'));
    expect(db.stringPool.longStringReferences).toBe(true);
    expect(db.stringPool.count).toBeGreaterThan(0xffff);
    expect((await readProperties(db)).get('P33999')).toBe('value 33999');
  });

  it('tells a merge module apart from an msi', async () => {
    const { db, cfb } = await crossCheck(msi('module.msm'));
    expect(detectPackageKind(cfb, db.tableNames)).toBe('msm');
    expect(detectPackageKind(cfb)).toBe('msm');
  });

  it('reads a patch (MSP class ID) as msp', async () => {
    const bytes = readFileSync(msi('product.msi'));
    const directorySector = bytes.readUInt32LE(0x30);
    const rootEntry = (directorySector + 1) * 512;
    expect(bytes.subarray(rootEntry + 0x50, rootEntry + 0x60)).toEqual(
      Buffer.from(CLSID_MSI_DATABASE),
    );
    Buffer.from(CLSID_MSI_PATCH).copy(bytes, rootEntry + 0x50);
    writeFileSync(msi('patch.msp'), bytes);
    const { cfb, db } = await openPackage(msi('patch.msp'));
    expect(detectPackageKind(cfb, db.tableNames)).toBe('msp');
  });

  it('builds a database msiinfo reads back (encode side)', async () => {
    const streams = buildDatabaseStreams({
      codePage: 1252,
      tables: [
        {
          name: 'Property',
          columns: [
            { name: 'Property', idt: 's72', key: true },
            { name: 'Value', idt: 'l0' },
          ],
          rows: [
            ['Zulu', 'Grüße €'],
            ['Alpha', 'x'],
            ['Long', 'y'.repeat(70000)],
            ['Tail', 'after the long string'],
          ],
        },
        {
          name: 'Numbers',
          columns: [
            { name: 'Small', idt: 'i2', key: true },
            { name: 'Large', idt: 'I4' },
            { name: 'Blob', idt: 'V0' },
          ],
          rows: [
            [300, -100000, Buffer.from('three hundred')],
            [-7, null, null],
            [32767, 2147483647, Buffer.from('max')],
          ],
        },
        {
          name: 'MsiDigitalCertificate',
          columns: [
            { name: 'DigitalCertificate', idt: 's72', key: true },
            { name: 'CertData', idt: 'v0' },
          ],
          rows: [['Cert1', cert]],
        },
        {
          name: 'MsiPatchCertificate',
          columns: [
            { name: 'PatchCertificate', idt: 's72', key: true },
            { name: 'DigitalCertificate_', idt: 's72' },
          ],
          rows: [['PatchCert1', 'Cert1']],
        },
        { name: 'Empty', columns: [{ name: 'Id', idt: 's72', key: true }] },
      ],
      summary: new Map([
        [SummaryPropertyId.CODEPAGE, { type: 'int16', value: 1252 }],
        [SummaryPropertyId.TITLE, { type: 'string', value: 'Installation Database' }],
        [SummaryPropertyId.AUTHOR, { type: 'string', value: 'Ünïcode Author' }],
        [SummaryPropertyId.TEMPLATE, { type: 'string', value: 'x64;1033' }],
        [
          SummaryPropertyId.REVISION_NUMBER,
          { type: 'string', value: '{01234567-89AB-CDEF-0123-456789ABCDEF}' },
        ],
        [SummaryPropertyId.PAGE_COUNT, { type: 'int32', value: 500 }],
        [SummaryPropertyId.WORD_COUNT, { type: 'int32', value: 2 }],
        [SummaryPropertyId.SECURITY, { type: 'int32', value: 2 }],
      ]),
    });
    writeFileSync(msi('built.msi'), writeCompoundFile(streams, CLSID_MSI_DATABASE));
    const { db } = await crossCheck(msi('built.msi'), { ignoreStreams: [NPM_CFB_SEED_STREAM] });
    expect(msiinfoExport(msi('built.msi'), 'Numbers').rows).toEqual([
      ['-7', '', ''],
      ['300', '-100000', 'Numbers.300'],
      ['32767', '2147483647', 'Numbers.32767'],
    ]);
    expect(msiinfoExport(msi('built.msi'), 'Property').rows.map((row) => row[0])).toEqual([
      'Zulu',
      'Alpha',
      'Long',
      'Tail',
    ]);
    expect(msiinfoExport(msi('built.msi'), 'Property').rows[0]).toEqual(['Zulu', 'Grüße €']);
    expect(msiinfoExtract(msi('built.msi'), 'MsiDigitalCertificate.Cert1')).toEqual(cert);
    // Windows-1252 bytes, which msiinfoSuminfo reads one character per byte
    expect(msiinfoSuminfo(msi('built.msi')).get('Author')).toBe('Ünïcode Author');
    await expectExactRefCounts(db);
  });

  it('adds MsiDigitalCertificate and MsiPatchCertificate to an existing package (§3.12)', async () => {
    const source = msi('product.msi');
    const { cfb, db } = await openPackage(source);
    const streams = new Map<string, Uint8Array>();
    for (const entry of cfb.children(cfb.root))
      streams.set(entry.name, await cfb.readStream(entry));

    const pool = StringPool.parse(
      streams.get(encodeStreamName('_StringPool', true))!,
      streams.get(encodeStreamName('_StringData', true))!,
    );
    const tablesRows = [...(await db.readRawTable('_Tables'))!];
    const columnsRows = [...(await db.readRawTable('_Columns'))!];
    const certificate = {
      name: 'MsiDigitalCertificate',
      columns: [
        { number: 1, name: 'DigitalCertificate', type: parseIdtType('s72', true) },
        { number: 2, name: 'CertData', type: parseIdtType('v0') },
      ],
    };
    const patch = {
      name: 'MsiPatchCertificate',
      columns: [
        { number: 1, name: 'PatchCertificate', type: parseIdtType('s72', true) },
        { number: 2, name: 'DigitalCertificate_', type: parseIdtType('s72') },
      ],
    };
    for (const schema of [certificate, patch]) {
      const rows = encodeCatalogRows(schema, pool);
      tablesRows.push(rows.tablesRow);
      columnsRows.push(...rows.columnsRows);
    }
    const width = pool.referenceWidth;
    streams.set(
      encodeStreamName('MsiDigitalCertificate', true),
      encodeTableStream(
        certificate.columns,
        [encodeRow(certificate.columns, ['Cert1', cert], pool)],
        width,
      ),
    );
    streams.set(
      encodeStreamName('MsiPatchCertificate', true),
      encodeTableStream(
        patch.columns,
        [encodeRow(patch.columns, ['PatchCert1', 'Cert1'], pool)],
        width,
      ),
    );
    streams.set(encodeStreamName('MsiDigitalCertificate.Cert1', false), cert);
    streams.set(
      encodeStreamName('_Tables', true),
      encodeTableStream(TABLES_COLUMNS, tablesRows, width),
    );
    streams.set(
      encodeStreamName('_Columns', true),
      encodeTableStream(COLUMNS_COLUMNS, columnsRows, width),
    );
    const serialized = pool.serialize();
    streams.set(encodeStreamName('_StringPool', true), serialized.pool);
    streams.set(encodeStreamName('_StringData', true), serialized.data);
    writeFileSync(msi('filled.msi'), writeCompoundFile(streams, cfb.root.clsid));

    const filled = await crossCheck(msi('filled.msi'), { ignoreStreams: [NPM_CFB_SEED_STREAM] });
    expect(await readDigitalCertificates(filled.db)).toEqual([{ id: 'Cert1', certData: cert }]);
    expect(await readPatchCertificates(filled.db)).toEqual([
      { id: 'PatchCert1', digitalCertificate: 'Cert1' },
    ]);
    // The refcounts grew by exactly the cells added (wixl's own counts were not exact to begin with).
    const before = await countReferences(db);
    const after = await countReferences(filled.db);
    for (let id = 1; id <= filled.db.stringPool.count; id++) {
      const added = (after.get(id) ?? 0) - (before.get(id) ?? 0);
      const grown =
        filled.db.stringPool.refCount(id) -
        (id <= db.stringPool.count ? db.stringPool.refCount(id) : 0);
      expect(grown, `refcount growth of ${id}`).toBe(added);
    }
    expect(filled.db.stringPool.refCount(filled.db.stringPool.find('Cert1')!)).toBe(2);
    // Every table the package had reads the same as before.
    for (const table of db.tableNames) {
      expect(msiinfoExport(msi('filled.msi'), table), table).toEqual(msiinfoExport(source, table));
    }
  });
});
