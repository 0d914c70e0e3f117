import type { CliIo } from './run.js';

export async function runFill(_args: string[], io: CliIo): Promise<number> {
  io.stderr.write(
    'verify-authenticode: fill-patch-certificate is not available in this build yet\n',
  );
  return 2;
}
