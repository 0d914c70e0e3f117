import { describe, expect, it } from 'vitest';
import {
  CLSID_MSI_DATABASE,
  CLSID_MSI_PATCH,
  CLSID_MSI_TRANSFORM,
  detectPackageKind,
  packageKindFromClsid,
} from '../../src/msi/package-kind.js';
import { encodeStreamName } from '../../src/msi/stream-name.js';
import { memoryCompoundFile } from './support/memory-compound-file.js';

describe('package kind (docs/formats.md §4.3)', () => {
  it('maps the root CLSIDs', () => {
    expect(Buffer.from(CLSID_MSI_DATABASE).toString('hex')).toBe(
      '84100c0000000000c000000000000046',
    );
    expect(packageKindFromClsid(CLSID_MSI_DATABASE)).toBe('msi');
    expect(packageKindFromClsid(CLSID_MSI_PATCH)).toBe('msp');
    expect(packageKindFromClsid(CLSID_MSI_TRANSFORM)).toBe('mst');
    expect(packageKindFromClsid(new Uint8Array(16))).toBe('unknown-cfb');
    expect(packageKindFromClsid(new Uint8Array(3))).toBe('unknown-cfb');
  });

  const streams = (...tables: string[]) =>
    new Map(tables.map((name) => [encodeStreamName(name, true), Buffer.alloc(2)] as const));

  it('calls a database with ModuleSignature and no Feature table a merge module', () => {
    expect(
      detectPackageKind(memoryCompoundFile(streams('ModuleSignature', 'ModuleComponents'))),
    ).toBe('msm');
    expect(detectPackageKind(memoryCompoundFile(new Map()), ['ModuleSignature', 'Component'])).toBe(
      'msm',
    );
  });

  it('keeps an MSI that merge modules were merged into an msi', () => {
    expect(detectPackageKind(memoryCompoundFile(streams('ModuleSignature', 'Feature')))).toBe(
      'msi',
    );
    expect(detectPackageKind(memoryCompoundFile(streams('Feature')))).toBe('msi');
    expect(detectPackageKind(memoryCompoundFile(new Map()), ['Feature', 'ModuleSignature'])).toBe(
      'msi',
    );
  });

  it('trusts the CLSID for patches and transforms', () => {
    expect(
      detectPackageKind(memoryCompoundFile(streams('ModuleSignature'), { clsid: CLSID_MSI_PATCH })),
    ).toBe('msp');
    expect(detectPackageKind(memoryCompoundFile(new Map(), { clsid: CLSID_MSI_TRANSFORM }))).toBe(
      'mst',
    );
    expect(detectPackageKind(memoryCompoundFile(new Map(), { clsid: new Uint8Array(16) }))).toBe(
      'unknown-cfb',
    );
  });
});
