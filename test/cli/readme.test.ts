import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/manifest.js';
import { hasTool, run } from '../support/processes.js';
import { CLI, VERSION } from './cli-process.js';

/**
 * The README shows real output of the CLI on the committed fixtures. These tests run every
 * `verify-authenticode` command it shows, as written, and compare the output it prints; when the
 * fixtures are regenerated, copy the new output from an actual run.
 */
const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
const cliDoc = readFileSync(join(REPO, 'docs', 'cli.md'), 'utf8');

interface Block {
  language: string;
  lines: string[];
}

function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const pattern = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(pattern)) {
    blocks.push({ language: match[1] ?? '', lines: match[2]!.replace(/\n$/, '').split('\n') });
  }
  return blocks;
}

/** The same bin npx runs (package.json "bin"), without asking npm for it in every test. */
const direct = (command: string) =>
  command.replace(/\bnpx verify-authenticode\b/g, `'${process.execPath}' '${CLI}'`);

function bash(script: string) {
  return run('bash', ['-c', script], {
    cwd: REPO,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
}

/** A console block: `$ command` lines (continued with `\`), each followed by its output. */
function consoleSession(block: Block): { script: string; expected: string } {
  const commands: string[] = [];
  const output: string[] = [];
  for (let i = 0; i < block.lines.length; i++) {
    const line = block.lines[i]!;
    if (!line.startsWith('$ ')) {
      output.push(line);
      continue;
    }
    let command = line.slice(2);
    while (command.endsWith('\\') && i + 1 < block.lines.length) command += `\n${block.lines[++i]}`;
    commands.push(command);
  }
  return { script: commands.join('\n'), expected: `${output.join('\n')}\n` };
}

const blocks = codeBlocks(readme);
const docSessions = codeBlocks(cliDoc).filter((b) => b.language === 'console');
const sessions = blocks.filter(
  (b) => b.language === 'console' && b.lines.some((l) => l.includes('verify-authenticode')),
);
const commands = blocks
  .filter((b) => b.language === 'sh')
  .flatMap((b) => b.lines.join('\n').replace(/\\\n/g, ' ').split('\n'))
  .filter((line) => line.startsWith('npx verify-authenticode'));

describe('README and docs/cli.md', () => {
  it('shows the CLI at work', () => {
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect(
      sessions.some((s) => s.lines.some((l) => l.startsWith('$ npx verify-authenticode verify'))),
    ).toBe(true);
    expect(
      sessions.some((s) => s.lines.some((l) => l.startsWith('$ npx verify-authenticode inspect'))),
    ).toBe(true);
  });

  it.each(sessions.map((s, i) => [i, s] as const))(
    'session %i prints what the README shows',
    (_i, block) => {
      const { script, expected } = consoleSession(block);
      const result = bash(direct(script));
      expect(result.stdout).toBe(expected);
    },
  );

  it.each(docSessions.map((s, i) => [i, s] as const))(
    'docs/cli.md session %i prints what it shows',
    (_i, block) => {
      const { script, expected } = consoleSession(block);
      expect(bash(direct(script)).stdout).toBe(expected);
    },
  );

  it.each(commands.map((c) => [c] as const))('%s works as written', (command) => {
    const result = bash(direct(command));
    expect(result.stderr).toBe('');
    expect([0, 1]).toContain(result.status);
  });

  it.skipIf(!hasTool('npx'))('npx verify-authenticode runs this repository’s own bin', () => {
    const result = run('npx', ['--no-install', 'verify-authenticode', '--version'], {
      cwd: REPO,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      timeout: 60_000,
    });
    // The first line is the version; the second names the built-in Windows root list.
    expect(result.stdout.split('\n')[0]).toBe(VERSION);
  });
});
