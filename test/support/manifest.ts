import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface FixtureExpectation {
  verdict: 'pass' | 'fail';
  status: string;
  codes: string[];
  warnings: string[];
}

export interface FixtureEntry {
  path: string;
  kind: string;
  description: string;
  expected: FixtureExpectation;
  osslsigncode?: 'ok' | 'fail' | 'refuses';
  options?: string[];
  /** Extra osslsigncode verify options for the observation (e.g. -CRLfile). */
  osslsigncodeOptions?: string[];
  /** Other artifacts verified in the same run (an MSP's target MSI, an MSI's external cabinet). */
  companions?: string[];
}

export interface Manifest {
  standardOptions: string[];
  fixtures: FixtureEntry[];
}

export function loadManifest(): Manifest {
  return JSON.parse(readFileSync(join(REPO, 'fixtures', 'manifest.json'), 'utf8')) as Manifest;
}
