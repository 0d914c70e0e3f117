/**
 * The external tools the tests spawn, with the Debian package each comes from. This list is the
 * one the README's install line and .ci/run install; test/support/tools.test.ts keeps them equal.
 */
import { spawnSync } from 'node:child_process';

export interface RequiredTool {
  readonly command: string;
  readonly debianPackage: string;
}

export const REQUIRED_TOOLS: readonly RequiredTool[] = [
  { command: 'openssl', debianPackage: 'openssl' },
  { command: 'osslsigncode', debianPackage: 'osslsigncode' },
  { command: 'msiinfo', debianPackage: 'msitools' },
  { command: 'msibuild', debianPackage: 'msitools' },
  { command: 'wixl', debianPackage: 'wixl' },
  { command: 'gcab', debianPackage: 'gcab' },
  { command: 'cabextract', debianPackage: 'cabextract' },
  { command: 'faketime', debianPackage: 'faketime' },
  { command: 'script', debianPackage: 'bsdutils' },
];

export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v '${command.replace(/'/g, '')}'`]).status === 0;
}

export function missingTools(tools: readonly RequiredTool[]): RequiredTool[] {
  return tools.filter((tool) => !hasCommand(tool.command));
}

export function debianPackages(): string[] {
  return [...new Set(REQUIRED_TOOLS.map((tool) => tool.debianPackage))];
}

export function installHint(): string {
  return `Install them with (README, "Set up and test"):\n  sudo apt-get install -y ${debianPackages().join(' ')}`;
}

/**
 * The message for a tool that could not be started: names the tool and how to install it, so
 * that a missing tool never shows up as a bare spawn status such as -1 or ENOENT.
 */
export function toolNotStarted(command: string, error: Error): Error {
  const known = REQUIRED_TOOLS.find((tool) => tool.command === command);
  const where = known ? ` (Debian package ${known.debianPackage})` : '';
  return new Error(`could not run ${command}${where}: ${error.message}\n${installHint()}`);
}
