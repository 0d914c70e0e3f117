import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_CODES } from '../../src/findings.js';
import { renderFindingCodesDoc } from '../../src/report/index.js';
import { REPO } from '../support/manifest.js';

describe('documentation', () => {
  it('docs/finding-codes.md is generated from the code descriptions (npm run docs)', () => {
    expect(readFileSync(join(REPO, 'docs', 'finding-codes.md'), 'utf8')).toBe(
      renderFindingCodesDoc(),
    );
  });

  it('documents every finding code', () => {
    const doc = readFileSync(join(REPO, 'docs', 'finding-codes.md'), 'utf8');
    for (const code of FINDING_CODES) expect(doc, code).toContain(code);
  });

  it('action.yml documents every input the action reads', () => {
    const yml = readFileSync(join(REPO, 'action.yml'), 'utf8');
    const source = readFileSync(join(REPO, 'src', 'action', 'run.ts'), 'utf8');
    const read = [...source.matchAll(/(?:input|lines|flag)\('([a-z-]+)'/g)].map((m) => m[1]!);
    const getInput = [...source.matchAll(/core\.getInput\('([a-z-]+)'\)/g)].map((m) => m[1]!);
    for (const name of new Set([...read, ...getInput]))
      expect(yml, name).toMatch(new RegExp(`\\n  ${name}:\\n`));
  });
});
