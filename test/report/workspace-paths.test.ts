/**
 * Issue 22: every path a report shows goes through src/io/path-rules.ts, and holds under the
 * rules of a Windows runner (GITHUB_WORKSPACE `D:\a\repo\repo`) as well as under POSIX rules.
 * Each table row is run under both rule sets; its two expected columns differ wherever the rule
 * it names matters, so breaking that rule (a case-sensitive drive letter, one separator only, a
 * `\\?\` prefix kept, `..` not resolved, trailing dots kept…) fails that row.
 */
import { describe, expect, it } from 'vitest';
import {
  POSIX_RULES,
  WIN32_RULES,
  artifactLocation,
  namesBelow,
  withoutWorkspacePrefix,
  workspaceRelative,
  type PathRules,
} from '../../src/io/path-rules.js';
import { planAnnotations } from '../../src/report/annotations.js';
import { buildSarif } from '../../src/report/sarif.js';
import { renderSummary } from '../../src/report/summary.js';
import { artifact, finding, report } from './support/report-builder.js';

const RULES: Record<'win32' | 'posix', PathRules> = { win32: WIN32_RULES, posix: POSIX_RULES };
const WS = 'D:\\a\\repo\\repo';

/** [case, path, workspace, shown under win32, shown under posix] */
const SHOWN: [string, string, string, string | undefined, string | undefined][] = [
  ['Windows workspace, backslashes', `${WS}\\dist\\setup.msi`, WS, 'dist/setup.msi', undefined],
  ['drive letter case (C:\\ vs c:/)', 'c:/w/out/a.msi', 'C:\\w', 'out/a.msi', undefined],
  ['mixed separators', 'D:\\a/repo\\repo/dist\\sub/a.msi', WS, 'dist/sub/a.msi', undefined],
  ['UNC workspace', '\\\\server\\share\\out\\a.msi', '\\\\server\\share', 'out/a.msi', undefined],
  [
    'UNC elsewhere on the server',
    '\\\\server\\other\\a.msi',
    '\\\\server\\share',
    undefined,
    undefined,
  ],
  ['\\\\?\\ long path', `\\\\?\\${WS}\\dist\\a.msi`, WS, 'dist/a.msi', undefined],
  ['.. climbs out of the workspace', `${WS}\\..\\secret.msi`, WS, undefined, undefined],
  ['.. climbs out, POSIX', '/w/out/../../etc/a.msi', '/w', undefined, undefined],
  ['.. that stays inside', '/w/out/../a.msi', '/w', 'a.msi', 'a.msi'],
  ['case-only difference', 'D:\\A\\REPO\\Repo\\dist\\a.msi', WS, 'dist/a.msi', undefined],
  ['case-only difference, POSIX paths', '/W/out/a.msi', '/w', 'out/a.msi', undefined],
  ['a sibling whose name starts with the workspace', `${WS}2\\a.msi`, WS, undefined, undefined],
  [
    'reserved device name, shown as the file it is',
    `${WS}\\dist\\CON.msi`,
    WS,
    'dist/CON.msi',
    undefined,
  ],
  ['trailing dots and spaces dropped', `${WS}\\dist. \\a.msi.`, WS, 'dist/a.msi', undefined],
  ['a relative path is already as written', 'dist\\a.msi', WS, undefined, undefined],
  [
    'POSIX workspace',
    '/home/runner/work/r/r/out/a.msi',
    '/home/runner/work/r/r',
    'out/a.msi',
    'out/a.msi',
  ],
  ['a backslash is a name character under POSIX', '/w/out\\a.msi', '/w', 'out/a.msi', 'out\\a.msi'],
];

describe.each(['win32', 'posix'] as const)('workspaceRelative under %s rules', (name) => {
  it.each(SHOWN)('%s', (_case, path, workspace, win, posix) => {
    expect(workspaceRelative(path, workspace, RULES[name])).toBe(name === 'win32' ? win : posix);
  });
});

/** [case, message, workspace, under win32, under posix] */
const MESSAGES: [string, string, string, string, string][] = [
  [
    'Windows workspace, backslashes',
    `the target ${WS}\\dist\\t.msi has no table`,
    WS,
    'the target dist\\t.msi has no table',
    `the target ${WS}\\dist\\t.msi has no table`,
  ],
  [
    'drive letter case and forward slashes',
    'the target d:/a/repo/repo/dist/t.msi has no table',
    WS,
    'the target dist/t.msi has no table',
    'the target d:/a/repo/repo/dist/t.msi has no table',
  ],
  [
    '\\\\?\\ long path, quoted',
    `"\\\\?\\${WS}\\dist\\t.msi"`,
    WS,
    '"dist\\t.msi"',
    `"\\\\?\\${WS}\\dist\\t.msi"`,
  ],
  [
    'UNC workspace',
    'read \\\\server\\share\\out\\a.cab',
    '\\\\server\\share\\',
    'read out\\a.cab',
    'read \\\\server\\share\\out\\a.cab',
  ],
  [
    'case-only difference, POSIX paths',
    'read /W/out/a.cab',
    '/w',
    'read out/a.cab',
    'read /W/out/a.cab',
  ],
  ['POSIX workspace', 'read /w/out/a.cab', '/w/', 'read out/a.cab', 'read out/a.cab'],
  [
    'a sibling whose name starts with the workspace',
    `read ${WS}2\\a.cab and /w2/a.cab`,
    WS,
    `read ${WS}2\\a.cab and /w2/a.cab`,
    `read ${WS}2\\a.cab and /w2/a.cab`,
  ],
  [
    'the workspace inside another path',
    'read /x/w/a.cab',
    '/w',
    'read /x/w/a.cab',
    'read /x/w/a.cab',
  ],
];

describe.each(['win32', 'posix'] as const)('withoutWorkspacePrefix under %s rules', (name) => {
  it.each(MESSAGES)('%s', (_case, message, workspace, win, posix) => {
    expect(withoutWorkspacePrefix(message, workspace, RULES[name])).toBe(
      name === 'win32' ? win : posix,
    );
  });
});

/** [case, path, workspace, SARIF URI under win32, under posix] */
const URIS: [string, string, string, string, string][] = [
  [
    'Windows workspace',
    `${WS}\\dist\\a b.msi`,
    WS,
    'dist/a%20b.msi',
    'file:///D%3A%5Ca%5Crepo%5Crepo%5Cdist%5Ca%20b.msi',
  ],
  [
    'drive letter case',
    'd:\\A\\repo\\REPO\\x.msi',
    WS,
    'x.msi',
    'file:///d%3A%5CA%5Crepo%5CREPO%5Cx.msi',
  ],
  [
    'outside: an absolute file: URI',
    'D:\\a\\_temp\\x.msi',
    WS,
    'file:///D:/a/_temp/x.msi',
    'file:///D%3A%5Ca%5C_temp%5Cx.msi',
  ],
  [
    'UNC outside',
    '\\\\server\\share\\x.msi',
    WS,
    'file://server/share/x.msi',
    'file:///%5C%5Cserver%5Cshare%5Cx.msi',
  ],
  [
    '\\\\?\\ long path inside',
    `\\\\?\\${WS}\\x.msi`,
    WS,
    'x.msi',
    'file:///%5C%5C%3F%5CD%3A%5Ca%5Crepo%5Crepo%5Cx.msi',
  ],
  ['POSIX, case-only difference', '/W/x.msi', '/w', 'x.msi', 'file:///W/x.msi'],
];

describe.each(['win32', 'posix'] as const)('SARIF artifact URIs under %s rules', (name) => {
  it.each(URIS)('%s', (_case, path, workspace, win, posix) => {
    // The POSIX working directory stands in for a runner's, so a Windows path under POSIX
    // rules is a relative name resolved against it.
    const cwd = name === 'win32' ? workspace : '/';
    expect(artifactLocation(path, workspace, RULES[name], cwd).uri).toBe(
      name === 'win32' ? win : posix,
    );
  });
});

/** [case, directory entries, Media.Cabinet, found under win32, found under posix] */
const CABINETS: [string, string[], string, string[], string[]][] = [
  ['case-only difference', ['EXTDATA.CAB'], 'extdata.cab', ['EXTDATA.CAB'], []],
  ['the other way round', ['extdata.cab'], 'EXTDATA.CAB', ['extdata.cab'], []],
  ['the exact name', ['data1.cab', 'other.cab'], 'data1.cab', ['data1.cab'], ['data1.cab']],
  ['trailing dots and spaces', ['data1.cab'], 'DATA1.CAB. ', ['data1.cab'], []],
  ['a reserved device name never names a file', ['CON.cab'], 'CON.cab', [], ['CON.cab']],
  ['NUL without an extension', ['nul'], 'NUL', [], []],
  [
    'two files that match without regard to case',
    ['a.cab', 'A.CAB'],
    'a.Cab',
    ['a.cab', 'A.CAB'],
    [],
  ],
  ['ß is not SS', ['STRASSE.CAB'], 'straße.cab', [], []],
];

describe.each(['win32', 'posix'] as const)('external cabinet names under %s rules', (name) => {
  it.each(CABINETS)('%s', (_case, entries, wanted, win, posix) => {
    expect(namesBelow(entries, wanted, RULES[name])).toEqual(name === 'win32' ? win : posix);
  });
});

/**
 * The front ends take the rules from GITHUB_WORKSPACE itself (a Windows path means a Windows
 * runner): [case, artifact path, workspace, annotation file=, SARIF uri, summary shows, the
 * message quoting the path shows].
 */
const RENDERED: [string, string, string, string | undefined, string, string, string][] = [
  [
    'Windows workspace',
    `${WS}\\dist\\setup.msi`,
    WS,
    'dist/setup.msi',
    'dist/setup.msi',
    'dist/setup.msi',
    'dist\\setup.msi',
  ],
  [
    'drive letter case',
    `d:\\a\\repo\\repo\\dist\\setup.msi`,
    WS,
    'dist/setup.msi',
    'dist/setup.msi',
    'dist/setup.msi',
    'dist\\setup.msi',
  ],
  [
    'mixed separators',
    'D:/a/repo/repo\\dist/setup.msi',
    WS,
    'dist/setup.msi',
    'dist/setup.msi',
    'dist/setup.msi',
    'dist/setup.msi',
  ],
  [
    '\\\\?\\ long path',
    `\\\\?\\${WS}\\dist\\setup.msi`,
    WS,
    'dist/setup.msi',
    'dist/setup.msi',
    'dist/setup.msi',
    'dist\\setup.msi',
  ],
  [
    'case-only difference',
    'D:\\A\\Repo\\REPO\\dist\\setup.msi',
    WS,
    'dist/setup.msi',
    'dist/setup.msi',
    'dist/setup.msi',
    'dist\\setup.msi',
  ],
  [
    'relative, as the workflow wrote it',
    'dist\\setup.msi',
    WS,
    'dist/setup.msi',
    'dist/setup.msi',
    'dist\\setup.msi',
    'dist\\setup.msi',
  ],
  [
    '.. out of the workspace',
    `${WS}\\..\\setup.msi`,
    WS,
    undefined,
    'file:///D:/a/repo/setup.msi',
    `${WS}\\..\\setup.msi`,
    `${WS}\\..\\setup.msi`,
  ],
  [
    'UNC workspace',
    '\\\\server\\share\\out\\setup.msi',
    '\\\\server\\share',
    'out/setup.msi',
    'out/setup.msi',
    'out/setup.msi',
    'out\\setup.msi',
  ],
  [
    'POSIX workspace, case-only difference',
    '/W/setup.msi',
    '/w',
    undefined,
    'file:///W/setup.msi',
    '/W/setup.msi',
    '/W/setup.msi',
  ],
  [
    'POSIX workspace',
    '/w/dist/setup.msi',
    '/w',
    'dist/setup.msi',
    'dist/setup.msi',
    'dist/setup.msi',
    'dist/setup.msi',
  ],
];

describe('annotations, SARIF and the job summary with GITHUB_WORKSPACE', () => {
  it.each(RENDERED)('%s', (_case, path, workspace, file, uri, shown, quoted) => {
    const run = report([
      artifact({
        path,
        findings: [finding('bad-digest', 'error', `the digest of ${path} differs`)],
      }),
    ]);
    const [annotation] = planAnnotations(run, { workspace });
    expect(annotation!.file).toBe(file);
    const sarif = buildSarif(run, { baseDirectory: workspace });
    expect(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe(
      uri,
    );
    const summary = renderSummary(run, { workspace });
    // The summary escapes `\` and `:` in code spans (escape.ts).
    const escaped = (text: string): string => text.replace(/\\/g, '&#92;').replace(/:/g, '&#58;');
    expect(summary).toContain(`<code>${escaped(shown)}</code>`);
    expect(summary).toContain(`the digest of ${escaped(quoted)} differs`);
  });
});
