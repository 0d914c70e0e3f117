import type { CliIo } from './run.js';

export async function runInspect(_args: string[], io: CliIo): Promise<number> {
  io.stderr.write('verify-authenticode: inspect is not available in this build yet\n');
  return 2;
}
