// Writes docs/finding-codes.md from the finding-code descriptions the reports use, so the
// documentation cannot drift from what users see (test/docs checks it is current).
import { writeFileSync } from 'node:fs';
import { renderFindingCodesDoc } from '../src/report/index.js';

writeFileSync(new URL('../docs/finding-codes.md', import.meta.url), renderFindingCodesDoc());
