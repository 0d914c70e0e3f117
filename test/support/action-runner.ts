import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type ProcessResult } from './processes.js';
import { REPO } from './manifest.js';

export interface ActionRun extends ProcessResult {
  outputs: Record<string, string>;
  summary: string;
  /** Workflow command lines (`::error …`) the action printed. */
  commands: string[];
}

/** Parses the GITHUB_OUTPUT file format (`name<<DELIM\nvalue\nDELIM`). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
    outputs[name!] = value.join('\n');
  }
  return outputs;
}

/**
 * Runs the bundled action (dist/index.js) as the runner does: a node process with INPUT_*
 * variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and a pull_request event.
 */
export function runAction(
  inputs: Record<string, string>,
  options: {
    workspace?: string;
    node?: string;
    env?: NodeJS.ProcessEnv;
    /** The bundle to run (default index.js, the verify action). */
    script?: string;
  } = {},
): ActionRun {
  const temp = mkdtempSync(join(tmpdir(), 'va-action-'));
  const outputFile = join(temp, 'output');
  const summaryFile = join(temp, 'summary.md');
  const eventFile = join(temp, 'event.json');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  writeFileSync(
    eventFile,
    JSON.stringify({
      pull_request: {
        number: 42,
        title: 'Release 1.2.3 <b>installers</b>',
        html_url: 'https://github.com/o/r/pull/42',
      },
    }),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace ?? REPO,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/pull/42/merge',
    GITHUB_REPOSITORY: 'o/r',
    RUNNER_TEMP: temp,
    ...options.env,
  };
  for (const [name, value] of Object.entries(inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const script = join(REPO, 'dist', options.script ?? 'index.js');
  const result = run(options.node ?? process.execPath, [script], {
    cwd: options.workspace ?? REPO,
    env,
  });
  return {
    ...result,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    commands: result.stdout.split('\n').filter((l) => l.startsWith('::')),
  };
}
