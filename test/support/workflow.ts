/**
 * Reads the steps of a job in one of our own workflow files, so that the end-to-end tests run
 * the action steps CI runs (test/e2e/workflow-steps.test.ts). The workflows use a small part of
 * YAML — block mappings and sequences, plain and quoted scalars, `|` and `>` block scalars,
 * comments — and this reader takes exactly that part; anything else (anchors, flow mappings,
 * tags) throws, so a workflow edit that goes beyond it fails the test instead of being misread.
 */
import { readFileSync } from 'node:fs';

export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  indent: number;
  text: string;
  number: number;
}

function significantLines(source: string): Line[] {
  return source.split(/\r?\n/).flatMap((raw, index) => {
    if (/^\s*(#.*)?$/.test(raw)) return [];
    const indent = raw.length - raw.trimStart().length;
    if (raw.slice(0, indent).includes('\t')) throw new Error(`line ${index + 1}: tab indentation`);
    return [{ indent, text: raw.trimEnd().slice(indent), number: index + 1 }];
  });
}

function scalar(text: string, line: number): string {
  const value = text.replace(/\s+#.*$/, '').trim();
  if (/^'.*'$/.test(value)) return value.slice(1, -1).replace(/''/g, "'");
  if (/^".*"$/.test(value)) return JSON.parse(value) as string;
  if (/^[&*!>{]/.test(value)) throw new Error(`line ${line}: unsupported YAML: ${value}`);
  return value;
}

class Reader {
  private index = 0;
  constructor(
    private readonly lines: Line[],
    private readonly source: string[],
  ) {}

  /** The node whose lines are indented `indent` (a mapping or a sequence). */
  block(indent: number): YamlValue {
    const first = this.lines[this.index];
    if (!first || first.indent < indent) return '';
    return first.text.startsWith('- ') || first.text === '-'
      ? this.sequence(first.indent)
      : this.mapping(first.indent);
  }

  private sequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    while (
      this.lines[this.index]?.indent === indent &&
      this.lines[this.index]!.text.startsWith('-')
    ) {
      const line = this.lines[this.index]!;
      const rest = line.text.slice(1).trimStart();
      const itemIndent = indent + (line.text.length - rest.length);
      if (rest === '') {
        this.index++;
        items.push(this.block(indent + 1));
      } else if (/^[^'"\s][^:]*:(\s|$)/.test(rest)) {
        // `- key: value` starts a mapping whose keys line up with `key`.
        this.lines[this.index] = { ...line, indent: itemIndent, text: rest };
        items.push(this.mapping(itemIndent));
      } else {
        this.index++;
        items.push(scalar(rest, line.number));
      }
    }
    return items;
  }

  private mapping(indent: number): { [key: string]: YamlValue } {
    const map: { [key: string]: YamlValue } = {};
    while (this.lines[this.index]?.indent === indent) {
      const line = this.lines[this.index]!;
      const match = /^([^:]+?):(?:\s+(.*))?$/.exec(line.text);
      if (!match || line.text.startsWith('- ')) {
        throw new Error(`line ${line.number}: expected "key: value", got ${line.text}`);
      }
      const key = scalar(match[1]!, line.number);
      const rest = match[2]?.replace(/^#.*$/, '').trim() ?? '';
      this.index++;
      if (/^[|>]-?$/.test(rest)) {
        const text = this.blockScalar(indent, line.number, rest.endsWith('-'));
        // A folded scalar joins its lines with spaces; a blank line stays a line break.
        map[key] = rest.startsWith('>')
          ? text.replace(/([^\n])\n(?=[^\n])/g, '$1 ').replace(/\n\n/g, '\n')
          : text;
      } else if (rest === '') {
        map[key] = this.block(indent + 1);
      } else if (/^\[.*\]$/.test(rest)) {
        map[key] = rest
          .slice(1, -1)
          .split(',')
          .map((item) => scalar(item, line.number))
          .filter((item) => item !== '');
      } else {
        map[key] = scalar(rest, line.number);
      }
    }
    return map;
  }

  /** A `|` scalar: the source lines (blank ones too) indented deeper than its key. */
  private blockScalar(keyIndent: number, keyLine: number, strip: boolean): string {
    const body: string[] = [];
    let contentIndent: number | undefined;
    while (this.lines[this.index] && this.lines[this.index]!.indent > keyIndent) this.index++;
    const end = this.lines[this.index]?.number ?? this.source.length + 1;
    for (let n = keyLine + 1; n < end; n++) {
      const raw = this.source[n - 1]!;
      if (raw.trim() === '') {
        body.push('');
        continue;
      }
      contentIndent ??= raw.length - raw.trimStart().length;
      body.push(raw.slice(contentIndent).trimEnd());
    }
    while (body.length > 0 && body[body.length - 1] === '') body.pop();
    return body.join('\n') + (strip ? '' : '\n');
  }
}

export function parseWorkflow(source: string): { [key: string]: YamlValue } {
  const reader = new Reader(significantLines(source), source.split(/\r?\n/));
  const root = reader.block(0);
  if (typeof root !== 'object' || Array.isArray(root)) throw new Error('not a mapping');
  return root;
}

export interface WorkflowStep {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, string>;
}

export interface WorkflowJob {
  'runs-on'?: string;
  container?: string;
  env?: Record<string, string>;
  strategy?: { matrix?: { include?: Record<string, string>[] } };
  steps: WorkflowStep[];
}

export function readWorkflow(path: string): { jobs: Record<string, WorkflowJob> } {
  return parseWorkflow(readFileSync(path, 'utf8')) as unknown as {
    jobs: Record<string, WorkflowJob>;
  };
}
