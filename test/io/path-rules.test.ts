import { describe, expect, it } from 'vitest';
import {
  POSIX_RULES,
  WIN32_RULES,
  artifactLocation,
  canonicalPath,
  displayRelative,
  fileUri,
  globFlags,
  isInside,
  isReservedDeviceName,
  nativeRules,
  rulesForPath,
  splitGlob,
  type PathRules,
} from '../../src/io/path-rules.js';
import { discoverArtifacts } from '../../src/discover.js';
import { globBase } from '../../src/glob.js';
import { workspaceRelativePath } from '../../src/report/annotations.js';
import { artifactUri } from '../../src/report/sarif.js';

const RULES: Record<'win32' | 'posix', PathRules> = { win32: WIN32_RULES, posix: POSIX_RULES };

/** [case, child, parent, inside under win32, inside under posix] */
const BOUNDARY: [string, string, string, boolean, boolean][] = [
  ['same drive, other letter case', 'c:/work/out/a.msi', 'C:\\work', true, false],
  ['mixed separators', 'C:\\work/out\\a.msi', 'C:\\work', true, true],
  ['case-only difference in a directory', 'C:\\WORK\\Out\\a.msi', 'C:\\work', true, false],
  ['case-only difference, POSIX paths', '/Work/a.msi', '/work', true, false],
  ['plain POSIX child', '/work/out/a.msi', '/work', true, true],
  ['.. climbs out', 'C:\\work\\..\\secret\\a.msi', 'C:\\work', false, false],
  ['.. climbs out, POSIX', '/work/out/../../etc/a.msi', '/work', false, false],
  ['.. stays inside', '/work/out/../a.msi', '/work', true, true],
  ['sibling with the workspace as prefix', '/work2/a.msi', '/work', false, false],
  ['another drive', 'E:\\work\\a.msi', 'C:\\work', false, false],
  ['UNC share inside', '\\\\server\\share\\out\\a.msi', '\\\\server\\share', true, false],
  ['UNC other share', '\\\\server\\other\\a.msi', '\\\\server\\share', false, false],
  ['\\\\?\\ long path of a file inside', '\\\\?\\C:\\work\\out\\a.msi', 'C:\\work', true, false],
  ['\\\\?\\UNC path', '\\\\?\\UNC\\server\\share\\a.msi', '\\\\server\\share', true, false],
  [
    'trailing dots and spaces name the same directory',
    'C:\\work. \\a.msi',
    'C:\\work',
    true,
    false,
  ],
  [
    'Windows GITHUB_WORKSPACE',
    'D:\\a\\repo\\repo\\dist\\setup.msi',
    'D:\\a\\repo\\repo',
    true,
    false,
  ],
  [
    'Windows GITHUB_WORKSPACE, runner temp',
    'D:\\a\\_temp\\setup.msi',
    'D:\\a\\repo\\repo',
    false,
    false,
  ],
];

describe.each(['win32', 'posix'] as const)('workspace boundary under %s rules', (name) => {
  const rules = RULES[name];
  it.each(BOUNDARY)('%s', (_case, child, parent, win, posix) => {
    expect(isInside(child, parent, rules)).toBe(name === 'win32' ? win : posix);
  });
});

/** [case, path, base, display under win32, display under posix] */
const DISPLAY: [string, string, string, string | undefined, string | undefined][] = [
  [
    'backslashes become slashes',
    'D:\\a\\repo\\repo\\out\\x.msi',
    'D:\\a\\repo\\repo',
    'out/x.msi',
    undefined,
  ],
  ['drive letter case', 'd:/a/repo/repo/out/x.msi', 'D:\\a\\repo\\repo', 'out/x.msi', undefined],
  ['POSIX', '/w/out/x.msi', '/w', 'out/x.msi', 'out/x.msi'],
  ['a backslash is a name character on POSIX', '/w/out\\x.msi', '/w', 'out/x.msi', 'out\\x.msi'],
  ['outside', 'D:\\a\\other\\x.msi', 'D:\\a\\repo\\repo', undefined, undefined],
  ['the workspace itself', 'D:\\a\\repo\\repo', 'D:\\a\\repo\\repo', undefined, undefined],
  ['trailing dot dropped', 'C:\\w\\setup.msi.', 'C:\\w', 'setup.msi', undefined],
];

describe.each(['win32', 'posix'] as const)('display path under %s rules', (name) => {
  const rules = RULES[name];
  it.each(DISPLAY)('%s', (_case, path, base, win, posix) => {
    expect(displayRelative(path, base, rules)).toBe(name === 'win32' ? win : posix);
  });
});

describe('file: URIs and SARIF artifact locations', () => {
  it.each([
    ['C:\\out\\a b.msi', 'file:///C:/out/a%20b.msi'],
    ['c:/out\\a.msi', 'file:///C:/out/a.msi'],
    ['\\\\server\\share\\out\\a.msi', 'file://server/share/out/a.msi'],
    ['\\\\?\\C:\\very\\long\\a.msi', 'file:///C:/very/long/a.msi'],
    ['\\\\?\\UNC\\server\\share\\a.msi', 'file://server/share/a.msi'],
  ])('win32 %s', (path, uri) => {
    expect(fileUri(path, WIN32_RULES)).toBe(uri);
  });
  it('posix keeps a backslash as a (percent-encoded) name character', () => {
    expect(fileUri('/out/a\\b.msi', POSIX_RULES)).toBe('file:///out/a%5Cb.msi');
  });
  it('relative to a Windows workspace with forward slashes, whatever the case', () => {
    expect(artifactLocation('c:\\W\\Out\\a.msi', 'C:\\w', WIN32_RULES)).toEqual({
      uri: 'Out/a.msi',
      relative: true,
    });
    expect(artifactLocation('/w/Out/a.msi', '/W', POSIX_RULES).relative).toBe(false);
    expect(artifactUri('dist\\a.msi', 'D:\\a\\repo\\repo')).toEqual({
      uri: 'dist/a.msi',
      relative: true,
    });
  });
  it('annotation file= under a Windows workspace', () => {
    expect(workspaceRelativePath('D:\\A\\REPO\\repo\\dist\\a.msi', 'D:\\a\\repo\\repo')).toBe(
      'dist/a.msi',
    );
    expect(workspaceRelativePath('D:\\a\\repo\\x.msi', 'D:\\a\\repo\\repo')).toBeUndefined();
  });
});

describe('glob rules', () => {
  it('case folds on Windows only', () => {
    expect(globFlags(WIN32_RULES)).toBe('i');
    expect(globFlags(POSIX_RULES)).toBe('');
    expect(nativeRules('win32')).toBe(WIN32_RULES);
    expect(nativeRules('linux')).toBe(POSIX_RULES);
    expect(rulesForPath('D:\\a\\repo\\repo')).toBe(WIN32_RULES);
    expect(rulesForPath('/home/runner/work')).toBe(POSIX_RULES);
  });

  /** [pattern, win32 root, win32 base, posix base] with cwd D:\a\repo\repo or /w */
  const ROOTS: [string, string, string, string][] = [
    ['C:\\out\\*.msi', 'C:/', 'C:\\out', '/w/C:/out'],
    ['c:/out/**/*.msi', 'c:/', 'c:\\out', '/w/c:/out'],
    [
      '\\\\server\\share\\out\\*.msi',
      '//server/share/',
      '\\\\server\\share\\out',
      '/server/share/out',
    ],
    ['\\\\?\\C:\\long\\*.msi', '//?/C:/', '\\\\?\\C:\\long', '/'],
    ['out\\sub/*.msi', '', 'D:\\a\\repo\\repo\\out\\sub', '/w/out/sub'],
    ['/abs/*.msi', '/', 'D:\\abs', '/abs'],
  ];
  it.each(ROOTS)('%s', (pattern, root, winBase, posixBase) => {
    expect(splitGlob(pattern, WIN32_RULES).root).toBe(root);
    expect(globBase(pattern, 'D:\\a\\repo\\repo', WIN32_RULES)).toBe(winBase);
    expect(globBase(pattern, '/w', POSIX_RULES)).toBe(posixBase);
  });
  it('the ? of \\\\?\\ is not a glob character', () => {
    expect(splitGlob('\\\\?\\C:\\long\\*.msi', WIN32_RULES).segments).toEqual(['long', '*.msi']);
  });
});

describe('Windows names', () => {
  it.each([
    ['NUL', true],
    ['nul', true],
    ['CON.msi', true],
    ['con .msi', true],
    ['LPT1.cab', true],
    ['COM9', true],
    ['AUX.', true],
    ['CONSOLE.msi', false],
    ['NULL', false],
    ['setup-con.msi', false],
    ['COM10.msi', false],
  ])('%s reserved: %s', (name, reserved) => {
    expect(isReservedDeviceName(name)).toBe(reserved);
  });
  it.each([
    ['C:\\w\\a.msi.', 'C:\\w\\a.msi'],
    ['C:\\w\\a.msi  ', 'C:\\w\\a.msi'],
    ['C:\\w. \\a.msi', 'C:\\w\\a.msi'],
    ['\\\\?\\C:\\w\\a.msi.', '\\\\?\\C:\\w\\a.msi.'],
  ])('win32 opens %s as %s', (path, canonical) => {
    expect(canonicalPath(path, WIN32_RULES)).toBe(canonical);
  });
  it('POSIX keeps trailing dots and spaces', () => {
    expect(canonicalPath('/w/a.msi. ', POSIX_RULES)).toBe('/w/a.msi. ');
  });
});

describe('discovery under Windows rules', () => {
  it.each(['out\\CON.msi', 'NUL', 'dist/lpt1.cab'])('%s is reported, not opened', async (path) => {
    const result = await discoverArtifacts([path], {
      cwd: 'D:\\a\\repo\\repo',
      rules: WIN32_RULES,
    });
    expect(result.inputs).toEqual([]);
    expect(result.findings.map((f) => f.code)).toEqual(['missing-path']);
    expect(result.findings[0]!.message).toContain('reserved Windows device name');
  });
});
