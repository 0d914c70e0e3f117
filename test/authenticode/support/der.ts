/** Builders of DER (and BER) elements for the authenticode tests. */

/** A DER element: the identifier octet, the definite length, the contents. */
export function tlv(identifier: number, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const length =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([identifier, ...length]), body]);
}

/** The same element in BER's indefinite-length form. */
export function indefinite(identifier: number, ...content: Uint8Array[]): Buffer {
  return Buffer.concat([Buffer.from([identifier, 0x80]), ...content, Buffer.from([0, 0])]);
}

/** An OBJECT IDENTIFIER element from its dotted text. */
export function oid(text: string): Buffer {
  const arcs = text.split('.').map(Number);
  const out = [arcs[0]! * 40 + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const groups = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) {
      groups.unshift((rest & 0x7f) | 0x80);
    }
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}
