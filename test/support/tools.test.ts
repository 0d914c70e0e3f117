/**
 * Issue 13: the tools the tests spawn, the README's install line and what .ci/run installs are
 * one list, so that a fresh machine set up from the README runs the whole suite.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './manifest.js';
import { REQUIRED_TOOLS, debianPackages, toolNotStarted } from './tools.js';

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
