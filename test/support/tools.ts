/**
 * The external tools the tests spawn, with the Debian package each comes from. This list is the
 * one the README's install line and .ci/run install; test/support/tools.test.ts keeps them equal.
 *
 * Whether a missing tool fails the run or skips the suites that need it is
 * `VERIFY_AUTHENTICODE_TEST_TOOLS` (`required` or `optional`). On Linux the default is
 * `required`: CI on a fresh Debian machine must not pass by skipping its cross-checks. Elsewhere
 * (Windows, macOS: the packages do not exist there) the default is `optional`, and each suite
 * that needs a missing tool is skipped with a title that names the tool and its package.
 */
import { spawnSync } from 'node:child_process';

export interface RequiredTool {
  readonly command: string;
  readonly debianPackage: string;
  /** The argument that makes the tool print its version (or usage) and exit. */
  readonly versionArgs: readonly string[];
  /**
   * Why the version output is not the tool the tests need (`null` when it is): macOS ships
   * LibreSSL as `openssl` and BSD `script`, whose options and output differ.
   */
  readonly rejects: (output: string) => string | null;
}

/** The fixture manifest records osslsigncode 2.9's verdicts; 2.5 (Debian 12's) decides several shapes differently. */
export const OSSLSIGNCODE_MINIMUM = [2, 9] as const;

const expecting =
  (pattern: RegExp, what: string) =>
  (output: string): string | null =>
    pattern.test(output) ? null : `its version output is not ${what}'s`;

function osslsigncodeRejects(output: string): string | null {
  const match = /^osslsigncode (\d+)\.(\d+)/m.exec(output);
  if (!match) return "its version output is not osslsigncode's";
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const [needMajor, needMinor] = OSSLSIGNCODE_MINIMUM;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return null;
  return `osslsigncode ${major}.${minor} is installed; the tests need ${needMajor}.${needMinor} or later (on Debian 12: apt-get install -t bookworm-backports osslsigncode)`;
}

export const REQUIRED_TOOLS: readonly RequiredTool[] = [
  {
    command: 'openssl',
    debianPackage: 'openssl',
    versionArgs: ['version'],
    rejects: (output) =>
      /LibreSSL/.test(output)
        ? 'it is LibreSSL (as on macOS), whose options and output the tests do not expect'
        : expecting(/^OpenSSL \d/m, 'OpenSSL')(output),
  },
  {
    command: 'osslsigncode',
    debianPackage: 'osslsigncode',
    versionArgs: ['--version'],
    rejects: osslsigncodeRejects,
  },
  {
    command: 'msiinfo',
    debianPackage: 'msitools',
    versionArgs: ['--version'],
    rejects: expecting(/msitools/, 'msitools msiinfo'),
  },
  {
    command: 'msibuild',
    debianPackage: 'msitools',
    // msibuild has no version option: it prints its usage (and exits 1).
    versionArgs: ['--version'],
    rejects: expecting(/msibuild/, 'msitools msibuild'),
  },
  {
    command: 'wixl',
    debianPackage: 'wixl',
    versionArgs: ['--version'],
    rejects: expecting(/^\d+\.\d+/m, 'wixl'),
  },
  {
    command: 'gcab',
    debianPackage: 'gcab',
    versionArgs: ['--version'],
    rejects: expecting(/^gcab /m, 'gcab'),
  },
  {
    command: 'cabextract',
    debianPackage: 'cabextract',
    versionArgs: ['--version'],
    rejects: expecting(/^cabextract /m, 'cabextract'),
  },
  {
    command: 'faketime',
    debianPackage: 'faketime',
    versionArgs: ['--version'],
    rejects: expecting(/faketime/i, 'faketime'),
  },
  {
    command: 'script',
    debianPackage: 'bsdutils',
    versionArgs: ['--version'],
    rejects: (output) =>
      /util-linux/.test(output)
        ? null
        : 'it is not util-linux script (BSD script, as on macOS, takes other options)',
  },
];

export type ToolMode = 'required' | 'optional';

export const TOOL_MODE_VARIABLE = 'VERIFY_AUTHENTICODE_TEST_TOOLS';

/** `required` on Linux unless the variable says otherwise; `optional` elsewhere. */
export function toolMode(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): ToolMode {
  const value = env[TOOL_MODE_VARIABLE];
  if (value === 'required' || value === 'optional') return value;
  if (value !== undefined && value !== '') {
    throw new Error(
      `${TOOL_MODE_VARIABLE} must be "required" or "optional", not ${JSON.stringify(value)}`,
    );
  }
  return platform === 'linux' ? 'required' : 'optional';
}

/**
 * Why `tool` cannot serve the tests, or null when it can. The tool is started directly with its
 * version argument (no shell: Windows has no `sh`, and `command -v` finds a BSD `script` just as
 * well as util-linux's).
 */
export function toolProblem(
  tool: RequiredTool,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  const result = spawnSync(tool.command, [...tool.versionArgs], {
    env,
    encoding: 'utf8',
    timeout: 20_000,
    windowsHide: true,
  });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? 'not found on PATH'
      : `could not be started (${result.error.message})`;
  }
  const why = tool.rejects(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  return why === null ? null : `not the tool the tests need: ${why}`;
}

const problems = new Map<string, string | null>();

function knownTool(command: string): RequiredTool {
  const tool = REQUIRED_TOOLS.find((t) => t.command === command);
  if (!tool) throw new Error(`${command} is not in REQUIRED_TOOLS (test/support/tools.ts)`);
  return tool;
}

/** {@link toolProblem}, asked once per tool per test file. */
export function cachedToolProblem(command: string): string | null {
  if (!problems.has(command)) problems.set(command, toolProblem(knownTool(command)));
  return problems.get(command)!;
}

/** Each tool with what is wrong with it; empty when all can serve the tests. */
export function unusableTools(
  tools: readonly RequiredTool[],
): { tool: RequiredTool; problem: string }[] {
  return tools.flatMap((tool) => {
    const problem = cachedToolProblem(tool.command);
    return problem === null ? [] : [{ tool, problem }];
  });
}

/**
 * Why a suite that spawns `commands` is skipped, or undefined when it runs: it runs whenever the
 * tools are usable, and always in `required` mode (where a missing tool then fails the suite,
 * loudly, with {@link toolNotStarted}'s message).
 */
export function skipWithout(...commands: string[]): string | undefined {
  if (toolMode() === 'required') return undefined;
  const unusable = unusableTools(commands.map(knownTool));
  if (unusable.length === 0) return undefined;
  return `needs ${unusable
    .map(
      ({ tool, problem }) => `${tool.command} (Debian package ${tool.debianPackage}): ${problem}`,
    )
    .join('; ')}`;
}

/** A suite title that says why the suite is skipped, when it is (vitest has no skip note for suites). */
export function titled(title: string, skipReason: string | undefined): string {
  return skipReason === undefined ? title : `${title} [skipped: ${skipReason}]`;
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
