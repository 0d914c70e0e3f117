/**
 * Issue 13: the tools the tests spawn, the README's install line and what .ci/run installs are
 * one list, so that a fresh machine set up from the README runs the whole suite.
 */
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from './manifest.js';
import {
  REQUIRED_TOOLS,
  TOOL_MODE_VARIABLE,
  debianPackages,
  titled,
  toolMode,
  toolNotStarted,
  toolProblem,
  type RequiredTool,
} from './tools.js';

/** Commands a test may start that come with Node.js or any Debian base system. */
const BASE_COMMANDS = new Set([
  'sh',
  'bash',
  'node',
  'npx',
  'npm',
  'git',
  'cmp',
  'mkdir',
  'mkfifo',
  'unshare',
]);

function testSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testSources(path);
    return /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

describe('the tools the suite needs', () => {
  it('are the README install line', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const line = /sudo apt-get install -y ([^\n]+)/.exec(readme);
    expect(line, 'README has an apt-get install line').not.toBeNull();
    expect(line![1]!.trim().split(/\s+/).sort()).toEqual(debianPackages().sort());
  });

  it('are what .ci/run installs', () => {
    const ci = readFileSync(join(REPO, '.ci', 'run'), 'utf8');
    const packages = /^packages=\(([^)]*)\)/m.exec(ci);
    expect(packages, '.ci/run has a packages=(…) list').not.toBeNull();
    expect(packages![1]!.trim().split(/\s+/).sort()).toEqual(debianPackages().sort());
  });

  it('include every command a test spawns by name', () => {
    const known = new Set([...REQUIRED_TOOLS.map((tool) => tool.command), ...BASE_COMMANDS]);
    const spawned = new Set<string>();
    const call =
      /\b(?:spawnSync|execFileSync|execFile|spawn|run|runStatus|runBytes|tool)\(\s*'([A-Za-z0-9_.-]+)'/g;
    for (const file of testSources(join(REPO, 'test'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(call)) spawned.add(match[1]!);
    }
    expect(spawned.size).toBeGreaterThan(3);
    expect([...spawned].filter((command) => !known.has(command))).toEqual([]);
  });

  it('name the tool and the install line when one cannot be started', () => {
    const message = toolNotStarted('cabextract', new Error('spawnSync cabextract ENOENT')).message;
    expect(message).toContain('cabextract (Debian package cabextract)');
    expect(message).toContain('sudo apt-get install -y');
  });
});

describe('VERIFY_AUTHENTICODE_TEST_TOOLS', () => {
  it('is required by default on Linux and optional elsewhere', () => {
    expect(toolMode({}, 'linux')).toBe('required');
    expect(toolMode({}, 'win32')).toBe('optional');
    expect(toolMode({}, 'darwin')).toBe('optional');
  });

  it('overrides the default either way, and rejects anything else', () => {
    expect(toolMode({ [TOOL_MODE_VARIABLE]: 'optional' }, 'linux')).toBe('optional');
    expect(toolMode({ [TOOL_MODE_VARIABLE]: 'required' }, 'win32')).toBe('required');
    expect(() => toolMode({ [TOOL_MODE_VARIABLE]: 'skip' }, 'linux')).toThrow(
      /must be "required" or "optional"/,
    );
  });
});

describe('a tool is checked by running it, without a shell', () => {
  const bin = mkdtempSync(join(tmpdir(), 'va-tools-'));
  afterAll(() => rmSync(bin, { recursive: true, force: true }));
  /** A stand-in on PATH that prints `output` for any arguments (the shape of macOS's tools). */
  function standIn(command: string, output: string): NodeJS.ProcessEnv {
    const path = join(bin, command);
    writeFileSync(
      path,
      `#!${process.execPath}\nprocess.stdout.write(${JSON.stringify(output)});\n`,
    );
    chmodSync(path, 0o755);
    return { ...process.env, PATH: bin };
  }
  const tool = (command: string): RequiredTool =>
    REQUIRED_TOOLS.find((candidate) => candidate.command === command)!;

  it.skipIf(process.platform === 'win32')(
    "rejects LibreSSL's openssl (macOS) as not the tool the tests need",
    () => {
      const env = standIn('openssl', 'LibreSSL 3.3.6\n');
      expect(toolProblem(tool('openssl'), env)).toMatch(
        /^not the tool the tests need: it is LibreSSL/,
      );
      standIn('openssl', 'OpenSSL 3.0.13 30 Jan 2024 (Library: OpenSSL 3.0.13 30 Jan 2024)\n');
      expect(toolProblem(tool('openssl'), env)).toBeNull();
    },
  );

  it.skipIf(process.platform === 'win32')(
    'rejects a script that is not util-linux (BSD script)',
    () => {
      const env = standIn(
        'script',
        'script: illegal option -- -\nusage: script [-aeFkqr] [-t time] [file [command ...]]\n',
      );
      expect(toolProblem(tool('script'), env)).toMatch(/not util-linux script/);
      standIn('script', 'script from util-linux 2.38.1\n');
      expect(toolProblem(tool('script'), env)).toBeNull();
    },
  );

  it.skipIf(process.platform === 'win32')('rejects osslsigncode older than 2.9', () => {
    const env = standIn('osslsigncode', 'osslsigncode 2.5, using:\n');
    expect(toolProblem(tool('osslsigncode'), env)).toMatch(
      /osslsigncode 2\.5 is installed; the tests need 2\.9/,
    );
  });

  it('reports a tool that is not on PATH as not found', () => {
    expect(toolProblem(tool('gcab'), { ...process.env, PATH: bin })).toBe('not found on PATH');
  });
});

describe('a suite that needs a missing tool', () => {
  it('is skipped under optional with the tool and its Debian package in its title', () => {
    const reason = 'needs gcab (Debian package gcab): not found on PATH';
    expect(titled('cabinets made by gcab', reason)).toBe(
      'cabinets made by gcab [skipped: needs gcab (Debian package gcab): not found on PATH]',
    );
    expect(titled('cabinets made by gcab', undefined)).toBe('cabinets made by gcab');
  });
});
