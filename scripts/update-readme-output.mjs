#!/usr/bin/env node
// Re-runs every console session of README.md and docs/cli.md that calls verify-authenticode and
// writes the output it prints now under each command (test/cli/readme.test.ts checks they agree).
// Run after regenerating fixtures or changing messages:  npm run bundle && node scripts/update-readme-output.mjs
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPO, 'dist/cli.js');
const direct = (command) =>
  command.replace(/\bnpx verify-authenticode\b/g, `'${process.execPath}' '${CLI}'`);

function stdoutOf(commands) {
  const result = spawnSync('bash', ['-c', direct(commands.join('\n'))], {
    cwd: REPO,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  return result.stdout;
}

function rewriteBlock(lines) {
  // Commands (with their `\` continuation lines), as in the test.
  const commands = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('$ ')) continue;
    const text = [lines[i]];
    while (text.at(-1).endsWith('\\') && i + 1 < lines.length) text.push(lines[++i]);
    commands.push(text);
  }
  const out = [];
  let before = '';
  for (let k = 0; k < commands.length; k++) {
    const now = stdoutOf(commands.slice(0, k + 1).map((c) => c.join('\n').slice(2)));
    if (!now.startsWith(before))
      throw new Error(`output of earlier commands changed at ${commands[k][0]}`);
    out.push(...commands[k]);
    const added = now.slice(before.length).replace(/\n$/, '');
    if (added !== '') out.push(...added.split('\n'));
    before = now;
  }
  return out;
}

for (const file of ['README.md', 'docs/cli.md']) {
  const path = join(REPO, file);
  const text = readFileSync(path, 'utf8');
  const updated = text.replace(/^```console\n([\s\S]*?)^```$/gm, (whole, body) => {
    const lines = body.replace(/\n$/, '').split('\n');
    if (!lines.some((l) => l.includes('verify-authenticode'))) return whole;
    return '```console\n' + rewriteBlock(lines).join('\n') + '\n```';
  });
  if (updated !== text) {
    writeFileSync(path, updated);
    console.log(`${file}: updated`);
  } else console.log(`${file}: unchanged`);
}
