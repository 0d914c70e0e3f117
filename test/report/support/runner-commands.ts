/**
 * How the GitHub runner recognises workflow commands in a step's output, written from its
 * documented behaviour: the output is split into lines at CR and LF; a v2 command is a line that
 * starts with `::` after leading whitespace is trimmed; a v1 command is `##[name …]` anywhere in
 * a line. Azure Pipelines recognises `##vso[` likewise. Tests use this to show what a rendered
 * output would make the runner do.
 */

const COMMANDS = new Set([
  'error',
  'warning',
  'notice',
  'debug',
  'group',
  'endgroup',
  'add-mask',
  'stop-commands',
  'echo',
  'add-matcher',
  'remove-matcher',
  'set-output',
  'save-state',
  'set-env',
  'add-path',
]);

export interface RunnerCommand {
  name: string;
  properties: Record<string, string>;
  data: string;
}

const unescapeData = (s: string) =>
  s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) => unescapeData(s).replace(/%3A/gi, ':').replace(/%2C/gi, ',');

export function outputLines(output: string): string[] {
  return output.split(/\r\n|\r|\n/);
}

/** The v2 command a line would run, if any. */
export function parseV2(line: string): RunnerCommand | undefined {
  const trimmed = line.trimStart();
  if (!trimmed.startsWith('::')) return undefined;
  const end = trimmed.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = trimmed.slice(2, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!COMMANDS.has(name)) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')
      .filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
  }
  return { name, properties, data: unescapeData(trimmed.slice(end + 2)) };
}

/** Whether a line holds a v1 (`##[`) or Azure (`##vso[`) log command. */
export function hasLogCommand(line: string): boolean {
  return /##\[|##vso\[/i.test(line);
}

/** Every command the runner would see in an output (v2 lines and v1/Azure anywhere). */
export function commandsIn(output: string): string[] {
  const found: string[] = [];
  for (const line of outputLines(output)) {
    const v2 = parseV2(line);
    if (v2) found.push(`::${v2.name}`);
    else if (hasLogCommand(line)) found.push(line);
  }
  return found;
}
