import type { CompoundFile } from '../cfb/index.js';
import { isFormatError } from '../errors.js';
import { HRESULT } from '../findings.js';
import {
  openMsiDatabase,
  packageKindFromClsid,
  readDigitalCertificates,
  readDigitalSignatures,
  readMedia,
  readPatchCertificates,
  readProperties,
  readTransform,
  type MsiDatabase,
  type SummaryInformation,
} from '../msi/index.js';
import {
  findExternalCabinet,
  MAX_EXTERNAL_CABINETS,
  type CabinetFile,
} from '../verify/cross-artifact.js';
import { Certificate } from '../x509/certificate.js';
import { certificateDetails } from './certificate.js';
import type {
  ExternalCabinetLookup,
  InspectionError,
  PackageInspection,
  SummaryInspection,
} from './model.js';
import { formatGuid } from './signature.js';

function summary(info: SummaryInformation): SummaryInspection {
  const time = (date: Date | undefined) =>
    date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
  return {
    codePage: info.codePage ?? null,
    title: info.title ?? null,
    subject: info.subject ?? null,
    author: info.author ?? null,
    keywords: info.keywords ?? null,
    comments: info.comments ?? null,
    template: info.template ?? null,
    lastSavedBy: info.lastSavedBy ?? null,
    revisionNumber: info.revisionNumber ?? null,
    createTime: time(info.createTime),
    lastSaveTime: time(info.lastSaveTime),
    pageCount: info.pageCount ?? null,
    wordCount: info.wordCount ?? null,
    characterCount: info.characterCount ?? null,
    creatingApplication: info.creatingApplication ?? null,
    security: info.security ?? null,
  };
}

/**
 * Reads one part of the database; a damaged part becomes an error and the rest is still read.
 * Anything that is not a format error is our bug and propagates.
 */
async function attempt<T>(
  what: string,
  errors: InspectionError[],
  read: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (!isFormatError(error)) throw error;
    errors.push({
      part: 'database',
      code: 'malformed-package',
      message: `${what}: ${error.message}`,
      hresult: HRESULT.TRUST_E_SUBJECT_FORM_UNKNOWN,
    });
    return undefined;
  }
}

/** The installer database facts of an MSI, MSP, MST or MSM: summary, properties, signing tables. */
export async function inspectPackage(
  cfb: CompoundFile,
  errors: InspectionError[],
): Promise<PackageInspection> {
  const clsidKind = packageKindFromClsid(cfb.root.clsid);
  const inspection: PackageInspection = {
    clsidKind,
    clsid: formatGuid(cfb.root.clsid),
    compoundFile: {
      version: cfb.version,
      sectorSize: cfb.sectorSize,
      trailingBytes: cfb.trailingBytes,
      warnings: [...(cfb.warnings ?? [])],
    },
    summaryInformation: null,
    productCode: null,
    productName: null,
    productVersion: null,
    manufacturer: null,
    upgradeCode: null,
    targetProductCodes: [],
    transformTables: null,
    tables: {
      msiPatchCertificate: null,
      msiDigitalCertificate: null,
      msiDigitalSignature: null,
      media: null,
    },
  };
  if (clsidKind === 'mst') {
    // Change rows, not database rows: read as a transform (src/msi/transform.ts).
    const transform = await attempt('the transform cannot be read', errors, () =>
      readTransform(cfb),
    );
    if (transform?.summaryInformation) {
      inspection.summaryInformation = summary(transform.summaryInformation);
    }
    if (transform) inspection.transformTables = [...transform.changedTables];
    return inspection;
  }
  const db: MsiDatabase | undefined = await attempt(
    'the installer database cannot be read',
    errors,
    () => openMsiDatabase(cfb),
  );
  if (!db) return inspection;
  if (db.summaryInformation) inspection.summaryInformation = summary(db.summaryInformation);
  if (clsidKind === 'msp') {
    inspection.targetProductCodes = (db.summaryInformation?.template ?? '')
      .split(';')
      .map((code) => code.trim())
      .filter((code) => code !== '');
  }
  const properties = await attempt('Property table', errors, () => readProperties(db));
  if (properties) {
    inspection.productCode = properties.get('ProductCode') ?? null;
    inspection.productName = properties.get('ProductName') ?? null;
    inspection.productVersion = properties.get('ProductVersion') ?? null;
    inspection.manufacturer = properties.get('Manufacturer') ?? null;
    inspection.upgradeCode = properties.get('UpgradeCode') ?? null;
  }
  const patch = await attempt('MsiPatchCertificate table', errors, () => readPatchCertificates(db));
  inspection.tables.msiPatchCertificate =
    patch?.map((row) => ({
      patchCertificate: row.id,
      digitalCertificate: row.digitalCertificate,
    })) ?? null;
  const certificates = await attempt('MsiDigitalCertificate table', errors, () =>
    readDigitalCertificates(db),
  );
  inspection.tables.msiDigitalCertificate =
    certificates?.map((row) => {
      try {
        return {
          id: row.id,
          size: row.certData.length,
          certificate: certificateDetails(Certificate.fromDer(row.certData)),
          error: null,
        };
      } catch (error) {
        return {
          id: row.id,
          size: row.certData.length,
          certificate: null,
          error: `not a certificate: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    }) ?? null;
  const signatures = await attempt('MsiDigitalSignature table', errors, () =>
    readDigitalSignatures(db),
  );
  inspection.tables.msiDigitalSignature =
    signatures?.map((row) => ({
      table: row.table,
      signObject: row.signObject,
      digitalCertificate: row.digitalCertificate,
      hash: row.hash ? row.hash.toString('hex') : null,
    })) ?? null;
  const media = await attempt('Media table', errors, () => readMedia(db));
  inspection.tables.media =
    media?.map((row) => ({
      diskId: row.diskId,
      lastSequence: row.lastSequence,
      diskPrompt: row.diskPrompt,
      cabinet: row.cabinet,
      volumeLabel: row.volumeLabel,
      source: row.source,
      embedded: row.embeddedCabinetStream !== null,
      beside: null,
    })) ?? null;
  return inspection;
}

/**
 * Looks up the package's external cabinets beside `packagePath`, the way `verify` finds them
 * (findExternalCabinet: Windows Installer's rules, whatever the runner), so that `inspect`
 * shows a cabinet that is missing, or that is there only under a name differing in case.
 * At most {@link MAX_EXTERNAL_CABINETS} distinct names are looked up.
 */
export async function lookUpExternalCabinets(
  inspection: PackageInspection,
  packagePath: string,
): Promise<void> {
  const looked = new Map<string, Promise<ExternalCabinetLookup>>();
  const listings = new Map<string, Promise<string[]>>();
  for (const row of inspection.tables.media ?? []) {
    if (row.embedded || row.cabinet === null || row.cabinet === '') continue;
    let lookup = looked.get(row.cabinet);
    if (!lookup) {
      if (looked.size >= MAX_EXTERNAL_CABINETS) {
        row.beside = { status: 'not-looked-up', foundAs: null, candidates: [] };
        continue;
      }
      lookup = findExternalCabinet(packagePath, row.cabinet, listings).then(asLookup);
      looked.set(row.cabinet, lookup);
    }
    row.beside = await lookup;
  }
}

function asLookup(file: CabinetFile): ExternalCabinetLookup {
  if (file.kind === 'file') return { status: 'found', foundAs: file.foundAs, candidates: [] };
  if (file.kind === 'ambiguous')
    return { status: 'ambiguous', foundAs: null, candidates: file.names };
  return { status: file.kind, foundAs: null, candidates: [] };
}
