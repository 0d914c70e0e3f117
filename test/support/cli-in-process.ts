import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/run.js';
import type { Report } from '../../src/report/model.js';
import { REPO } from './manifest.js';

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

function sink(isTTY: boolean) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
  stream.isTTY = isTTY;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Runs the CLI in this process (same code as dist/cli.js), from the repository root. */
export async function runCliInProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliRun> {
  const out = sink(false);
  const err = sink(false);
  const status = await runCli(args, {
    stdout: out.stream,
    stderr: err.stream,
    env: { NO_COLOR: '1', ...env },
    cwd: REPO,
  });
  return { status, stdout: out.text(), stderr: err.text() };
}

export async function verifyJson(
  args: string[],
): Promise<{ status: number; report: Report; stderr: string }> {
  const result = await runCliInProcess(['verify', ...args, '--json', '-']);
  return {
    status: result.status,
    report: JSON.parse(result.stdout) as Report,
    stderr: result.stderr,
  };
}
