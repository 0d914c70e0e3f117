/**
 * Vitest global setup: the suite cross-checks against Debian tools (osslsigncode, msitools, gcab,
 * cabextract, …). When one is missing, the run stops here with one message that names each
 * missing tool, its package and the install line, instead of failing later with a spawn status.
 * Off Linux (where these packages do not exist) the tests that need a tool skip and say why.
 */
import { spawnSync } from 'node:child_process';
import { REQUIRED_TOOLS, missingTools, installHint } from './tools.js';

/**
 * The fixture manifest records what osslsigncode 2.9 says about every fixture, and the
 * cross-checks read its output; 2.5 (Debian 12's own) decides several shapes differently.
 */
const OSSLSIGNCODE_MINIMUM = [2, 9] as const;

function osslsigncodeTooOld(): string | null {
  const output = spawnSync('osslsigncode', ['--version'], { encoding: 'utf8' }).stdout ?? '';
  const match = /^osslsigncode (\d+)\.(\d+)/.exec(output);
  if (!match) return null;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (
    major > OSSLSIGNCODE_MINIMUM[0] ||
    (major === OSSLSIGNCODE_MINIMUM[0] && minor >= OSSLSIGNCODE_MINIMUM[1])
  ) {
    return null;
  }
  return `osslsigncode ${major}.${minor} is installed; the tests need ${OSSLSIGNCODE_MINIMUM.join('.')} or later (on Debian 12: sudo apt-get install -t bookworm-backports osslsigncode, after adding bookworm-backports to the apt sources)`;
}

export default function checkRequiredTools(): void {
  const missing = missingTools(REQUIRED_TOOLS);
  const old = missing.some((tool) => tool.command === 'osslsigncode') ? null : osslsigncodeTooOld();
  if (old !== null) {
    if (process.platform === 'linux') throw new Error(old);
    console.warn(old);
  }
  if (missing.length === 0) return;
  const message = `The test suite needs tools that are not installed:\n${missing
    .map((tool) => `  - ${tool.command} (Debian package ${tool.debianPackage})`)
    .join('\n')}\n${installHint()}`;
  if (process.platform === 'linux') throw new Error(message);
  console.warn(`${message}\nTests that need them are skipped on ${process.platform}.`);
}
