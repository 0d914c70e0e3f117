// Renders the job summary of a real run over the committed fixtures as GitHub would show it
// (GitHub-flavoured Markdown with tables and <details>, in a GitHub-like stylesheet) and takes
// a screenshot with headless Chromium: docs/job-summary.html and docs/job-summary.png.
//   npx tsx scripts/screenshot-summary.ts   (needs /usr/bin/chromium)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { marked } from 'marked';
import { renderSummary } from '../src/report/index.js';
import { buildPolicy } from '../src/verify/configure.js';
import { verifyArtifacts } from '../src/verify/verify-artifacts.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const artifacts = [
  'fixtures/msi/signed-patchcert-sha256.msi',
  'fixtures/msp/signed.msp',
  'fixtures/cab/signed-timestamped.cab',
  'fixtures/msi/signed-signer2.msi',
  'fixtures/msi/signed-no-intermediate.msi',
  'fixtures/damaged/msi-stringdata-byte-flipped.msi',
  'fixtures/msi/unsigned.msi',
  'fixtures/msi/signed-sha1.msi',
];
const policy = await buildPolicy({
  signers: [join(repo, 'fixtures/pki/signer.pem')],
  trustedRoots: join(repo, 'fixtures/pki/trusted-roots.pem'),
  tsaRoots: join(repo, 'fixtures/pki/tsa-roots.pem'),
  at: '2026-11-21T12:00:00Z',
});
const report = await verifyArtifacts(
  artifacts.map((path) => ({ path: join(repo, path), displayPath: path })),
  policy,
);
const markdown = renderSummary(report, {
  // GitHub's summary pane is about 1,000 pixels wide; the page above is as wide.
  workspace: repo,
  reportOutput: true,
  context: {
    sha: '3f2a9c1d0b8e7f6a5d4c3b2a19081726354433ab',
    ref: 'refs/pull/128/merge',
    pullRequest: {
      number: 128,
      title: 'Release 2.4.0 installers',
      url: 'https://github.com/contoso/product/pull/128',
    },
  },
});
const body = await marked.parse(markdown, { gfm: true });
const html = `<!doctype html><html><head><meta charset="utf-8"><style>
body{font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;color:#1f2328;background:#fff;margin:24px;max-width:1012px}
h2,h3{border-bottom:1px solid #d1d9e0;padding-bottom:.3em}
table{border-collapse:collapse;margin:12px 0;display:block;overflow:auto}
th,td{border:1px solid #d1d9e0;padding:6px 13px;text-align:left}
tr:nth-child(2n){background:#f6f8fa} th{font-weight:600}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#eff1f3;padding:.2em .4em;border-radius:6px}
details{margin:8px 0} summary{cursor:pointer}
</style></head><body>${body}</body></html>`;
writeFileSync(join(repo, 'docs/job-summary.html'), html);
const profile = mkdtempSync(join(tmpdir(), 'va-chromium-'));
execFileSync('/usr/bin/chromium', [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  `--user-data-dir=${profile}`,
  '--hide-scrollbars',
  '--window-size=1060,1600',
  `--screenshot=${join(repo, 'docs/job-summary.png')}`,
  `file://${join(repo, 'docs/job-summary.html')}`,
]);
console.log('wrote docs/job-summary.html and docs/job-summary.png');
