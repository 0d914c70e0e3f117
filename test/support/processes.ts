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

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}
