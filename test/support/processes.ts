import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { toolNotStarted } from './tools.js';

export interface ProcessResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(
  command: string,
  args: string[],
  options: SpawnSyncOptions = {},
): ProcessResult {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
  if (result.error) throw toolNotStarted(command, result.error);
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/**
 * Whether a command that is not one of the Debian tools (npx) can be started: it is run with
 * `--version`, without a shell (Windows has no `sh`). The Debian tools go through
 * test/support/tools.ts, which also says why a suite skips.
 */
export function hasTool(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore', timeout: 60_000 }).error === undefined;
}
