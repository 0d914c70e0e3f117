import { readFileSync } from 'node:fs';
import { OID } from '../../../src/authenticode/oids.js';
import { decodeSignedData } from '../../../src/authenticode/signed-data.js';
import { decodeSignerInfo } from '../../../src/authenticode/signer-info.js';
import { openContainer } from '../../../src/container/open.js';
import { detectContainer } from '../../../src/container/detect.js';
import { RandomAccessFile } from '../../../src/io/random-access-file.js';

/** One SignerInfo found in a fixture, as stored. */
export interface FixtureSignerInfo {
  label: string;
  der: Buffer;
  /** `countersignature`: a legacy timestamp (an unauthenticated attribute holding a SignerInfo). */
  kind: 'signer' | 'countersignature';
}

/**
 * Every SignerInfo of every fixture in fixtures/manifest.json: signers, the signers of RFC 3161
 * timestamp tokens and of nested signatures (to four levels), and legacy countersignatures.
 */
export async function fixtureSignerInfos(): Promise<FixtureSignerInfo[]> {
  return (await fixtureSignatures()).signerInfos;
}

/** A ContentInfo (signature, nested signature or timestamp token) found in a fixture. */
export interface FixtureContentInfo {
  label: string;
  der: Buffer;
}

/** Every ContentInfo and SignerInfo of every fixture (see fixtureSignerInfos). */
export async function fixtureSignatures(): Promise<{
  contentInfos: FixtureContentInfo[];
  signerInfos: FixtureSignerInfo[];
}> {
  const manifest = JSON.parse(readFileSync('fixtures/manifest.json', 'utf8')) as {
    fixtures: { path: string }[];
  };
  const found: FixtureSignerInfo[] = [];
  const contentInfos: FixtureContentInfo[] = [];
  const visit = (contentInfo: Uint8Array, label: string, depth: number): void => {
    if (depth > 4) return;
    let signedData;
    try {
      signedData = decodeSignedData(contentInfo, label);
    } catch {
      return;
    }
    contentInfos.push({ label, der: Buffer.from(contentInfo) });
    signedData.signerInfos.forEach((bytes, i) => {
      found.push({
        label: `${label} SignerInfo ${i + 1}`,
        der: Buffer.from(bytes),
        kind: 'signer',
      });
      const signer = decodeSignerInfo(bytes, 'SignerInfo');
      for (const attribute of signer.unsignedAttributes) {
        for (const value of attribute.values) {
          if (attribute.type === OID.countersignature) {
            found.push({
              label: `${label} countersignature`,
              der: value,
              kind: 'countersignature',
            });
          } else {
            visit(value, `${label} ${attribute.type}`, depth + 1);
          }
        }
      }
    });
  };
  for (const { path } of manifest.fixtures) {
    let file;
    try {
      file = await RandomAccessFile.open(path);
    } catch {
      continue; // a directory or a missing companion
    }
    try {
      const detection = await detectContainer(file);
      if (!('container' in detection) || detection.container === 'other') continue;
      const container = await openContainer(file, detection).catch(() => null);
      if (container?.signature) visit(container.signature, path, 0);
    } finally {
      await file.close();
    }
  }
  return { contentInfos, signerInfos: found };
}
