import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCompoundFile } from '../../src/cfb/index.js';
import { isFormatError } from '../../src/errors.js';
import { inspectPackage } from '../../src/inspect/package.js';
import type { InspectionError } from '../../src/inspect/model.js';
import { MemorySource } from '../../src/io/random-access-file.js';
import { openMsiDatabase, readTransform } from '../../src/msi/index.js';
import { verifyJson } from '../support/cli-in-process.js';
import { loadManifest, REPO } from '../support/manifest.js';
import { skipWithout } from '../support/tools.js';
import { msiinfoSuminfo } from './support/msitools.js';

const manifest = loadManifest();
const TRANSFORMS = ['fixtures/mst/unsigned.mst', 'fixtures/mst/signed.mst'];

const open = (path: string) => openCompoundFile(new MemorySource(readFileSync(join(REPO, path))));

describe('transforms are read as transforms (issue 14)', () => {
  it.each(TRANSFORMS)('%s: a database reader would call it damaged', async (path) => {
    // The change rows (each starting with a column mask) are not database rows: this is the
    // shape that made inspect report malformed-package.
    const error = await openMsiDatabase(await open(path)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isFormatError(error)).toBe(true);
  });

  it.each(TRANSFORMS)('%s: summary information and changed tables', async (path) => {
    const transform = await readTransform(await open(path));
    expect(transform.changedTables).toEqual(['Property', 'VAFixture', '_Columns', '_Tables']);
    expect(transform.summaryInformation).toMatchObject({
      title: 'Transform',
      template: 'Intel;1033',
      lastSavedBy: 'Intel;1033',
      codePage: 1252,
    });
  });

  it('the summary equals what msiinfo suminfo reads', async ({ skip }) => {
    const reason = skipWithout('msiinfo');
    skip(reason !== undefined, reason);
    for (const path of TRANSFORMS) {
      const ours = (await readTransform(await open(path))).summaryInformation!;
      const theirs = msiinfoSuminfo(join(REPO, path));
      expect(ours.title).toBe(theirs.get('Title'));
      expect(ours.subject).toBe(theirs.get('Subject'));
      expect(ours.template).toBe(theirs.get('Template'));
      expect(ours.lastSavedBy).toBe(theirs.get('Last author'));
      expect(ours.revisionNumber).toBe(theirs.get('Revision number (UUID)'));
      expect(ours.creatingApplication).toBe(theirs.get('Application'));
    }
  });

  it.each(TRANSFORMS)('%s: inspection has no errors and lists the changed tables', async (path) => {
    const errors: InspectionError[] = [];
    const inspection = await inspectPackage(await open(path), errors);
    expect(errors).toEqual([]);
    expect(inspection.clsidKind).toBe('mst');
    expect(inspection.transformTables).toEqual(['Property', 'VAFixture', '_Columns', '_Tables']);
    expect(inspection.summaryInformation?.title).toBe('Transform');
  });

  it('verify: the signed transform passes, the unsigned one is only unsigned', async () => {
    const { report } = await verifyJson([...manifest.standardOptions, ...TRANSFORMS]);
    expect(
      report.artifacts.map((a) => [
        a.kind,
        a.status,
        a.findings.filter((f) => f.severity !== 'notice').map((f) => f.code),
      ]),
    ).toEqual([
      ['mst', 'unsigned', ['unsigned']],
      ['mst', 'valid', []],
    ]);
  });
});
