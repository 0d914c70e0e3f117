import { describe, expect, it } from 'vitest';
import { FINDING_CODES, HRESULT } from '../../src/findings.js';
import {
  CODE_DESCRIPTIONS,
  codeHelpMarkdown,
  codeHelpText,
  describeCode,
  renderFindingCodesDoc,
} from '../../src/report/code-descriptions.js';
import { hresultName } from '../../src/report/hresult-names.js';

const KNOWN_HRESULTS = new Set<string>(Object.values(HRESULT));

describe('code descriptions', () => {
  it('describe every finding code, in FINDING_CODES order', () => {
    expect(CODE_DESCRIPTIONS.map((d) => d.code)).toEqual([...FINDING_CODES]);
    for (const d of CODE_DESCRIPTIONS) {
      expect(d.title.length, d.code).toBeGreaterThan(3);
      expect(d.title.endsWith('.'), d.code).toBe(false);
      expect(d.meaning.length, d.code).toBeGreaterThan(40);
      expect(d.windows.length, d.code).toBeGreaterThan(10);
      expect(d.fix.length, d.code).toBeGreaterThan(20);
      expect(d.tags.length, d.code).toBeGreaterThan(0);
    }
  });

  it('name only HRESULTs from the shared table, and quote them in the Windows text', () => {
    for (const d of CODE_DESCRIPTIONS) {
      if (!d.hresult) continue;
      expect(KNOWN_HRESULTS.has(d.hresult), d.code).toBe(true);
      expect(d.windows, d.code).toContain(d.hresult);
    }
  });

  it('map each failure to the HRESULT Windows reports for it (docs/formats.md §7.7–7.8)', () => {
    expect(describeCode('unsigned').hresult).toBe(HRESULT.TRUST_E_NOSIGNATURE);
    expect(describeCode('bad-digest').hresult).toBe(HRESULT.TRUST_E_BAD_DIGEST);
    expect(describeCode('chain-incomplete').hresult).toBe('0x800B010A');
    expect(describeCode('untrusted-root').hresult).toBe('0x800B0109');
    expect(describeCode('expired').hresult).toBe(HRESULT.CERT_E_EXPIRED);
    expect(describeCode('no-codesigning-eku').hresult).toBe(HRESULT.CERT_E_WRONG_USAGE);
    expect(describeCode('timestamp-invalid').hresult).toBe(HRESULT.TRUST_E_TIME_STAMP);
    expect(describeCode('wrong-signer').hresult).toBeUndefined();
  });

  it('tell users how to fix the common failures', () => {
    const chain = codeHelpText('chain-incomplete');
    expect(chain).toContain('0x800B010A');
    expect(chain).toContain('osslsigncode sign -ac');
    expect(chain).toContain('signtool sign /ac');
    const mismatch = codeHelpText('patch-certificate-mismatch');
    expect(mismatch).toMatch(/UAC/);
    expect(mismatch).toMatch(
      /first ship a patch signed with the old certificate that adds the new certificate/,
    );
    expect(codeHelpText('bad-digest')).toMatch(/last step/);
    expect(codeHelpText('timestamp-missing')).toMatch(/\/tr <URL> \/td sha256/);
  });

  it('fall back to a generic description for an unknown code', () => {
    expect(describeCode('from-the-future').title).toBe('Finding');
  });

  it('names HRESULTs whatever their case', () => {
    expect(hresultName('0x800B010A')).toBe('CERT_E_CHAINING');
    expect(hresultName('0x800b010a')).toBe('CERT_E_CHAINING');
    expect(hresultName('0x800B0103')).toBe('CERT_E_ROLE');
    expect(hresultName('0x12345678')).toBeUndefined();
  });

  it('render Markdown help and the docs page', () => {
    expect(codeHelpMarkdown('expired')).toContain('**HRESULT:** `0x800B0101` (CERT_E_EXPIRED)');
    const doc = renderFindingCodesDoc();
    for (const code of FINDING_CODES) {
      expect(doc).toContain(`\n## ${code}\n`);
      expect(doc).toContain(`| [\`${code}\`](#${code}) |`);
    }
    expect(doc.endsWith('\n')).toBe(true);
  });
});
