import type { CompoundFile } from '../cfb/index.js';
import { isFormatError } from '../errors.js';
import { HRESULT, type Finding } from '../findings.js';
import {
  openMsiDatabase,
  packageKindFromClsid,
  readDigitalCertificates,
  readDigitalSignatures,
  readMedia,
  readPatchCertificates,
  readProperties,
  type MediaRow,
  type MsiDatabase,
  type DigitalSignatureRow,
} from '../msi/index.js';
import type { ArtifactKind } from '../report/model.js';

/** What cross-artifact checks need from an MSI or MSP database. */
export interface PackageFacts {
  kind: ArtifactKind;
  /** MSI: the ProductCode property. */
  productCode?: string;
  /** MSP: target product codes from the summary Template (docs/formats.md §4.2). */
  targetProductCodes: string[];
  /**
   * DER of each certificate MsiPatchCertificate lists (via MsiDigitalCertificate);
   * null when the MSI has no MsiPatchCertificate table.
   */
  patchCertificates: { id: string; der: Buffer | null }[] | null;
  /** CertData of each MsiDigitalCertificate row, by DigitalCertificate key. */
  digitalCertificates: Map<string, Buffer>;
  media: MediaRow[];
  digitalSignatures: DigitalSignatureRow[];
  findings: Finding[];
}

export async function readPackageFacts(
  cfb: CompoundFile,
  /** Hears of the database once it is open (the payload walk reads it again). */
  onDatabase?: (database: MsiDatabase) => void,
): Promise<PackageFacts> {
  const kindName = packageKindFromClsid(cfb.root.clsid);
  const kind: ArtifactKind =
    kindName === 'msp' || kindName === 'mst' || kindName === 'msm' ? kindName : 'msi';
  const facts: PackageFacts = {
    kind,
    targetProductCodes: [],
    patchCertificates: null,
    digitalCertificates: new Map(),
    media: [],
    digitalSignatures: [],
    findings: [],
  };
  if (kindName === 'unknown-cfb') {
    facts.findings.push({
      severity: 'notice',
      code: 'not-a-package',
      message:
        'the compound file has no Windows Installer class ID; it is verified with the MSI rules, as Windows would',
    });
  }
  // Transforms store tables as change lists, not as a database we can query; nothing to read.
  if (kind === 'mst') return facts;
  try {
    const db = await openMsiDatabase(cfb);
    onDatabase?.(db);
    if (kind === 'msp') {
      const template = db.summaryInformation?.template ?? '';
      facts.targetProductCodes = template
        .split(';')
        .map((code) => code.trim().toUpperCase())
        .filter((code) => /^\{[0-9A-F-]{36}\}$/.test(code));
    }
    if (kind === 'msi' || kind === 'msm') {
      const properties = await readProperties(db);
      facts.productCode = properties.get('ProductCode')?.toUpperCase();
      const certificates = await readDigitalCertificates(db);
      for (const row of certificates ?? []) facts.digitalCertificates.set(row.id, row.certData);
      const patch = await readPatchCertificates(db);
      facts.patchCertificates = patch
        ? patch.map((row) => ({
            id: row.digitalCertificate,
            der: facts.digitalCertificates.get(row.digitalCertificate) ?? null,
          }))
        : null;
      facts.media = (await readMedia(db)) ?? [];
      facts.digitalSignatures = (await readDigitalSignatures(db)) ?? [];
    }
  } catch (error) {
    if (!isFormatError(error)) throw error;
    facts.findings.push({
      severity: 'error',
      code: 'malformed-package',
      message: `the installer database cannot be read: ${error.message}`,
      hresult: HRESULT.TRUST_E_SUBJECT_FORM_UNKNOWN,
    });
  }
  return facts;
}
