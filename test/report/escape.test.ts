import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  escapeInvisible,
  escapeMarkdownInline,
  escapeWorkflowData,
  escapeWorkflowProperty,
  hasInvisible,
  sanitizeForTerminal,
  truncateMiddle,
} from '../../src/report/escape.js';
import { parseV2 } from './support/runner-commands.js';
import { RAW_CONTROL } from './support/patterns.js';

/**
 * Strings mixing the characters each medium treats specially with arbitrary code points (lone
 * surrogates included), so properties meet the dangerous cases often.
 */
const hostileText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      ...Array.from(
        '\n\r\t\u001b\u009b\u007f\u202e\u2066\u200b\u2028\ufeff\u{e0041}\ud800|`<>&"\'%:,#[]*_\\@$~w.=! ',
      ),
      '::',
      '##[',
      '##vso[',
      'www.',
      '%0A',
    ),
    fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)),
  ),
  maxLength: 40,
});

/** Decodes the character references escapeMarkdownInline produces (what a browser shows). */
function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
  return text.replace(/&(#\d+|amp|lt|gt|quot);/g, (_m, ref: string) =>
    ref.startsWith('#') ? String.fromCodePoint(Number(ref.slice(1))) : (named[ref] ?? ''),
  );
}

describe('escapeInvisible', () => {
  it('shows control, bidi and invisible characters as visible escapes', () => {
    expect(escapeInvisible('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(escapeInvisible('red\u001b[31m')).toBe('red\\x1b[31m');
    expect(escapeInvisible('x\u009b1m')).toBe('x\\x9b1m');
    expect(escapeInvisible('invoice\u202egnp.msi')).toBe('invoice\\u202egnp.msi');
    expect(escapeInvisible('a\u2066b\u2069')).toBe('a\\u2066b\\u2069');
    expect(escapeInvisible('ad\u200bmin')).toBe('ad\\u200bmin');
    expect(escapeInvisible('tag\u{e0041}')).toBe('tag\\u{e0041}');
    expect(escapeInvisible('lone\ud800x')).toBe('lone\\ud800x');
  });

  it('leaves ordinary text, including non-ASCII letters and emoji, alone', () => {
    const text = 'Société Générale — 日本語 ✔ 🚀 C:\\build\\app.msi';
    expect(escapeInvisible(text)).toBe(text);
    expect(hasInvisible(text)).toBe(false);
    expect(hasInvisible('a\u202eb')).toBe(true);
  });
});

describe('sanitizeForTerminal', () => {
  it('breaks log commands the runner finds anywhere in a line', () => {
    expect(sanitizeForTerminal('x ##[error]pwned')).toBe('x #\\x23[error]pwned');
    expect(sanitizeForTerminal('x ##vso[task.setvariable variable=a]b')).toBe(
      'x #\\x23vso[task.setvariable variable=a]b',
    );
    expect(sanitizeForTerminal('# ## #[ fine')).toBe('# ## #[ fine');
  });

  it('never lets text start a new line, so `::command::` cannot begin one', () => {
    const out = sanitizeForTerminal('evil\n::error::pwned\r::warning::x');
    expect(out).toBe('evil\\n::error::pwned\\r::warning::x');
    expect(out.split(/\r|\n/)).toHaveLength(1);
  });

  it('leaves no raw control, bidi or log-command sequence in any input', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const out = sanitizeForTerminal(text);
        expect(out).not.toMatch(RAW_CONTROL);
        expect(out).not.toMatch(/##\[|##vso\[/i);
        expect(out).not.toMatch(/[\ud800-\udfff]/u);
      }),
    );
  });
});

describe('escapeWorkflowData', () => {
  it('applies the toolkit escaping of %, CR and LF', () => {
    expect(escapeWorkflowData('100% done\r\nnext')).toBe('100%25 done%0D%0Anext');
    expect(escapeWorkflowData('a%0A::error::x')).toBe('a%250A::error::x');
  });

  it('never begins with `::`, even after leading whitespace', () => {
    expect(escapeWorkflowData('::error::x')).toBe('%3A:error::x');
    expect(escapeWorkflowData('  ::warning::x')).toBe('  %3A:warning::x');
    expect(escapeWorkflowData('a::b')).toBe('a::b');
    expect(parseV2(escapeWorkflowData('::error::x'))).toBeUndefined();
  });

  it('turns any text into one line the runner decodes back to the text', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        fc.pre(!/^\s*::/.test(text));
        const escaped = escapeWorkflowData(text);
        expect(escaped).not.toMatch(/[\r\n]/);
        const command = parseV2(`::notice::${escaped}`);
        expect(command?.data).toBe(text);
      }),
    );
  });
});

describe('escapeWorkflowProperty', () => {
  it('also encodes the property separators', () => {
    expect(escapeWorkflowProperty('a,b:c%\n')).toBe('a%2Cb%3Ac%25%0A');
  });

  it('round-trips any value through the runner without adding properties', () => {
    fc.assert(
      fc.property(hostileText, fc.string(), (file, title) => {
        const line = `::error file=${escapeWorkflowProperty(file)},title=${escapeWorkflowProperty(title)}::m`;
        expect(line).not.toMatch(/[\r\n]/);
        const command = parseV2(line);
        // The runner drops properties with empty values; everything else must survive exactly.
        if (file) expect(command?.properties.file).toBe(file);
        expect(
          Object.keys(command?.properties ?? {}).every((k) => k === 'file' || k === 'title'),
        ).toBe(true);
        expect(command?.data).toBe('m');
      }),
    );
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('escapeMarkdownInline', () => {
  it('neutralises table pipes, code spans, emphasis, links and HTML', () => {
    expect(escapeMarkdownInline('a|b')).toBe('a&#124;b');
    expect(escapeMarkdownInline('`code`')).toBe('&#96;code&#96;');
    expect(escapeMarkdownInline('*b* _i_ ~~s~~')).toBe(
      '&#42;b&#42; &#95;i&#95; &#126;&#126;s&#126;&#126;',
    );
    expect(escapeMarkdownInline('[x](https://e.example)')).toBe(
      '&#91;x&#93;(https&#58;//e.example)',
    );
    expect(escapeMarkdownInline('<img src=x onerror=alert(1)>')).toBe(
      '&lt;img src=x onerror=alert(1)&gt;',
    );
    expect(escapeMarkdownInline('&lt;')).toBe('&amp;lt;');
    expect(escapeMarkdownInline('a\\*b')).toBe('a&#92;&#42;b');
  });

  it('stops autolinks, mentions, emoji codes and math', () => {
    expect(escapeMarkdownInline('www.evil.example')).toBe('www&#46;evil.example');
    expect(escapeMarkdownInline('@octocat')).toBe('&#64;octocat');
    expect(escapeMarkdownInline(':smile:')).toBe('&#58;smile&#58;');
    expect(escapeMarkdownInline('$x$')).toBe('&#36;x&#36;');
  });

  it('turns line breaks into spaces and shows other controls', () => {
    expect(escapeMarkdownInline('a\nb\r\nc\u2028d')).toBe('a b c d');
    expect(escapeMarkdownInline('a\u001b[31mb')).toBe('a&#92;x1b&#91;31mb');
    expect(escapeMarkdownInline('a\u202eb')).toBe('a&#92;u202eb');
  });

  it('is table-safe and shows the original text for any input', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const out = escapeMarkdownInline(text);
        expect(out).not.toMatch(/[|<>`\r\n*_[\]~$@\\:]/);
        expect(out).not.toMatch(RAW_CONTROL);
        expect(decodeEntities(out)).toBe(
          escapeInvisible(text.replace(/\r\n|[\r\n\u0085\u2028\u2029]/g, ' ')),
        );
      }),
    );
  });
});

describe('truncateMiddle', () => {
  it('keeps both ends and never splits a surrogate pair', () => {
    expect(truncateMiddle('abcdefghij', 5)).toBe('ab…ij');
    expect(truncateMiddle('short', 10)).toBe('short');
    const emoji = '🚀'.repeat(10);
    const cut = truncateMiddle(emoji, 5);
    expect(cut).toBe('🚀🚀…🚀🚀');
    expect(cut).not.toMatch(/[\ud800-\udfff](?![\udc00-\udfff])(?<![\ud800-\udbff])/u);
  });
});
