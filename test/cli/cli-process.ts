import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, type ProcessResult } from '../support/processes.js';
import { skipWithout } from '../support/tools.js';
import { REPO, loadManifest } from '../support/manifest.js';

export const CLI = join(REPO, 'dist', 'cli.js');
export const VERSION: string = (
  JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }
).version;
export const STANDARD_OPTIONS: string[] = loadManifest().standardOptions;

/**
 * A clean environment: the CI's or the developer's NO_COLOR, FORCE_COLOR or TERM must not
 * decide what the tests see.
 */
function environment(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

/** Runs `node dist/cli.js …` with piped standard streams (not a terminal), from the repository root. */
export function cli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): ProcessResult {
  return run(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO,
    env: environment(options.env ?? {}),
  });
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Why the pseudo-terminal tests skip, when they do (test/support/tools.ts). */
export const SKIP_SCRIPT = skipWithout('script');

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`): stdout and stderr are both the
 * terminal, so the output interleaves them, with CR LF line ends.
 */
export function cliOnTerminal(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): ProcessResult {
  const command = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
  return run('script', ['-qfec', command, '/dev/null'], {
    cwd: options.cwd ?? REPO,
    env: environment({ TERM: 'xterm-256color', SHELL: '/bin/sh', ...(options.env ?? {}) }),
  });
}

/** Lines of output with ANSI colour codes removed. */
export function plainLines(text: string): string[] {
  // eslint-disable-next-line no-control-regex -- removing colour codes is the point
  return text.replace(/\u001b\[[0-9;]*m/g, '').split(/\r?\n/);
}
