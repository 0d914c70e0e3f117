import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverArtifacts } from '../../src/discover.js';
import { expandGlob } from '../../src/glob.js';

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'va-discover-'));
  for (const dir of ['out/x64', 'out/arm64/deep', 'other'])
    mkdirSync(join(root, dir), { recursive: true });
  for (const file of [
    'out/a.msi',
    'out/x64/b.msi',
    'out/x64/b.cab',
    'out/arm64/deep/c.msp',
    'out/readme.txt',
    'other/d.msi',
  ]) {
    writeFileSync(join(root, file), 'x');
  }
  return root;
}

describe('glob expansion', () => {
  it('expands *, ** and character classes within the base directory', async () => {
    const root = tree();
    const rel = (paths: string[]) => paths.map((p) => p.slice(root.length + 1));
    expect(rel(await expandGlob('out/*.msi', { cwd: root }))).toEqual(['out/a.msi']);
    expect(rel(await expandGlob('out/**/*.msi', { cwd: root }))).toEqual([
      'out/a.msi',
      'out/x64/b.msi',
    ]);
    expect(rel(await expandGlob('out/**/*.ms[ip]', { cwd: root }))).toEqual([
      'out/a.msi',
      'out/arm64/deep/c.msp',
      'out/x64/b.msi',
    ]);
    expect(rel(await expandGlob('**/?.cab', { cwd: root }))).toEqual(['out/x64/b.cab']);
    expect(await expandGlob('missing/*.msi', { cwd: root })).toEqual([]);
    expect(rel(await expandGlob('out/**', { cwd: root }))).toEqual([
      'out/a.msi',
      'out/arm64/deep/c.msp',
      'out/readme.txt',
      'out/x64/b.cab',
      'out/x64/b.msi',
    ]);
  });

  it('does not descend a symbolic link to a directory outside unless asked', async () => {
    const root = tree();
    const outside = tree();
    symlinkSync(join(outside, 'other'), join(root, 'out', 'link'));
    expect((await expandGlob('out/**/*.msi', { cwd: root })).some((p) => p.includes('link'))).toBe(
      false,
    );
    expect(
      (await expandGlob('out/**/*.msi', { cwd: root, followSymbolicLinks: true })).some((p) =>
        p.includes('link'),
      ),
    ).toBe(true);
  });
});

describe('discoverArtifacts', () => {
  it('keeps literal paths as given, searches directories for package extensions, counts per pattern', async () => {
    const root = tree();
    const found = await discoverArtifacts(
      ['out/a.msi', 'out/x64', 'other/*.msi', 'nothing/*.msi'],
      { cwd: root },
    );
    expect(found.inputs.map((i) => i.displayPath)).toEqual([
      'out/a.msi',
      'out/x64/b.cab',
      'out/x64/b.msi',
      'other/d.msi',
    ]);
    expect(found.counts.map((c) => c.count)).toEqual([1, 2, 1, 0]);
  });

  it('reports a file whose real path is outside the workspace instead of reading it', async () => {
    const root = tree();
    const outside = tree();
    symlinkSync(join(outside, 'other', 'd.msi'), join(root, 'out', 'escape.msi'));
    const found = await discoverArtifacts(['out/*.msi'], { cwd: root, workspace: root });
    expect(found.inputs.map((i) => i.displayPath)).toEqual(['out/a.msi']);
    expect(found.findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'outside-workspace',
        message: expect.stringContaining('out/escape.msi'),
      }),
    ]);
  });
});

describe('PE files in a directory', () => {
  it('a directory is searched for .exe, .dll, .sys, .ocx and .efi too, in any letter case', async () => {
    const root = mkdtempSync(join(tmpdir(), 'va-discover-pe-'));
    for (const file of [
      'a.exe',
      'B.DLL',
      'c.sys',
      'd.ocx',
      'e.efi',
      'f.msi',
      'g.txt',
      'h.exe.bak',
    ]) {
      writeFileSync(join(root, file), 'x');
    }
    const found = await discoverArtifacts(['.'], { cwd: root });
    expect(found.inputs.map((i) => i.displayPath).sort()).toEqual([
      './B.DLL',
      './a.exe',
      './c.sys',
      './d.ocx',
      './e.efi',
      './f.msi',
    ]);
  });
});
