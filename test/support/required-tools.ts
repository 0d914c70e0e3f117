/**
 * Vitest global setup: the suite cross-checks against Debian tools (osslsigncode, msitools, gcab,
 * cabextract, …). When one is missing, the run stops here with one message that names each
 * missing tool, its package and the install line, instead of failing later with a spawn status.
 * Off Linux (where these packages do not exist) the tests that need a tool skip and say why.
 */
import { REQUIRED_TOOLS, missingTools, installHint } from './tools.js';

export default function checkRequiredTools(): void {
  const missing = missingTools(REQUIRED_TOOLS);
  if (missing.length === 0) return;
  const message = `The test suite needs tools that are not installed:\n${missing
    .map((tool) => `  - ${tool.command} (Debian package ${tool.debianPackage})`)
    .join('\n')}\n${installHint()}`;
  if (process.platform === 'linux') throw new Error(message);
  console.warn(`${message}\nTests that need them are skipped on ${process.platform}.`);
}
