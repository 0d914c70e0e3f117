/* eslint-disable no-control-regex -- these patterns look for control characters on purpose */

/**
 * Raw characters a terminal, a CI log or a rendered page could act on: C0/C1 controls, DEL,
 * bidi embeddings/overrides/isolates, zero-width and invisible formatting characters, line
 * separators, tag characters. Renderer output must contain none of them.
 */
export const RAW_CONTROL =
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]|\udb40[\udc00-\udc7f]/;

/** The same, but allowing LF: multi-line output (text, Markdown, JSON) is split by LF. */
export const RAW_CONTROL_EXCEPT_LF =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]|\udb40[\udc00-\udc7f]/;

/** The SGR colour sequences renderText writes itself. */
export const OUR_SGR = /\u001b\[(?:0|1|2|31|32|33|36)m/g;
