/**
 * Escaping for every place file-controlled text ends up: terminals and CI logs, GitHub workflow
 * commands, Markdown/HTML in the job summary. Artifact paths, certificate names and finding
 * messages (which quote them) are attacker-controlled when the action verifies a pull request's
 * build output, so every renderer passes them through one of these functions.
 */

/**
 * Characters that are invisible, reorder text or control a terminal: C0 and C1 controls (ESC,
 * CSI, NEL…), DEL, Unicode line/paragraph separators, bidirectional embeddings, overrides and
 * isolates ("Trojan Source"), zero-width characters, the soft hyphen, interlinear annotation
 * characters, tag characters (invisible ASCII look-alikes) and lone surrogates.
 */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]|[\ud800-\udfff]/gu;

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function visibleEscape(ch: string): string {
  const named = NAMED_ESCAPES[ch];
  if (named) return named;
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\u{${cp.toString(16)}}`;
}

/** Whether the text holds a character {@link escapeInvisible} would rewrite. */
export function hasInvisible(text: string): boolean {
  INVISIBLE.lastIndex = 0;
  const found = INVISIBLE.test(text);
  INVISIBLE.lastIndex = 0;
  return found;
}

/**
 * Rewrites invisible and control characters as visible escapes (`\n`, `\x1b`, `\u202e`,
 * `\u{e0041}`), so a hostile name shows what it contains instead of acting on the display.
 */
export function escapeInvisible(text: string): string {
  return String(text).replace(INVISIBLE, visibleEscape);
}

/**
 * Log commands that CI runners recognise anywhere in a line, not only at its start: the GitHub
 * runner's v1 syntax `##[error]…` (ActionCommand.TryParse searches the whole line) and Azure
 * Pipelines' `##vso[…]`. Breaking the `##` keeps such text inert in any log.
 */
const LOG_COMMAND = /##(?=\[|vso\[)/gi;

/**
 * Text safe to print on a terminal or into a CI log: no control characters or escape sequences,
 * no bidi overrides, no line breaks (so nothing can start a `::command::` line), and no
 * `##[`/`##vso[` log commands. Rewritten characters are shown as visible escapes.
 */
export function sanitizeForTerminal(text: string): string {
  return escapeInvisible(text).replace(LOG_COMMAND, '#\\x23');
}

/**
 * Data (message) part of a GitHub workflow command, with the toolkit's escaping
 * (actions/toolkit packages/core/src/command.ts) — `%`, CR and LF — so the runner decodes it back
 * to the original text and nothing in it can end the command's line. A value that would itself
 * begin with `::` (after the whitespace the runner trims) gets its first colon percent-encoded, so
 * it cannot be taken for a command even if a caller prints it on its own line.
 */
export function escapeWorkflowData(value: string): string {
  const escaped = String(value).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  return escaped.replace(/^(\s*):(?=:)/, '$1%3A');
}

/**
 * Property value (`file=`, `title=`) of a GitHub workflow command: the toolkit's rules, which also
 * encode `:` and `,` so a value can neither end the property list nor start a new property.
 */
export function escapeWorkflowProperty(value: string): string {
  return String(value)
    .replace(/%/g, '%25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A')
    .replace(/:/g, '%3A')
    .replace(/,/g, '%2C');
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** HTML text or attribute value. */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch] ?? ch);
}

/**
 * Characters with a meaning in GitHub-flavoured Markdown inline text or tables, as numeric
 * character references. References work both in Markdown paragraphs and table cells and inside
 * raw HTML blocks (`<details>`, `<summary>`), where backslash escapes would show literally.
 * `:` and `@` are encoded so that URLs, e-mail addresses, @mentions and :emoji: codes in a
 * certificate name are not turned into links or pictures.
 */
const MARKDOWN_ENTITIES: Readonly<Record<string, string>> = {
  ...HTML_ENTITIES,
  '\\': '&#92;',
  '`': '&#96;',
  '*': '&#42;',
  _: '&#95;',
  '[': '&#91;',
  ']': '&#93;',
  '|': '&#124;',
  '~': '&#126;',
  $: '&#36;',
  ':': '&#58;',
  '@': '&#64;',
};

const LINE_BREAKS = /\r\n|[\r\n\u0085\u2028\u2029]/g;

/**
 * Inline Markdown that is also safe in a table cell and inside HTML: line breaks become spaces,
 * other invisible characters visible escapes, and every character with Markdown or HTML meaning a
 * character reference. The result never contains `|`, `<`, `>`, a backtick or a line break.
 */
export function escapeMarkdownInline(text: string): string {
  return escapeInvisible(String(text).replace(LINE_BREAKS, ' '))
    .replace(/[&<>"'\\`*_[\]|~$:@]/g, (ch) => MARKDOWN_ENTITIES[ch] ?? ch)
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}&#46;`);
}

/**
 * Shortens text for a table cell by cutting out its middle (names tend to differ at both ends),
 * counting code points so that no surrogate pair is split.
 */
export function truncateMiddle(text: string, maxChars: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  const keep = Math.max(2, maxChars - 1);
  const head = Math.ceil(keep / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`;
}
