import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import fc from 'fast-check';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUTHENTICODE_LIMITS,
  OID,
  parseAuthenticode,
  verifySignerSignature,
  verifyTimestamps,
} from '../../src/authenticode/index.js';
import { MalformedSignatureError } from '../../src/errors.js';
import { Lab } from './support/lab.js';
import { asn1, rewriteSignedData } from './support/rewrite.js';
import { skipWithout, titled } from '../support/tools.js';

/** The lab makes its PKI with openssl, its MSI with wixl, its cabinet with gcab and signs with osslsigncode (why the suites skip, when they do: test/support/tools.ts). */
const SKIP = skipWithout('openssl', 'wixl', 'gcab', 'osslsigncode');

let lab: Lab;
/** Primary RSA signature with an RFC 3161 timestamp and a timestamped ECDSA nested signature. */
let rich: Buffer;
let plain: Buffer;

beforeAll(async () => {
  if (SKIP) return;
  lab = Lab.create();
  const tsa = await lab.startTimestampServer('rfc3161');
  const primary = await lab.sign({ input: lab.msi, output: 'primary.msi', rfc3161: tsa.url });
  rich = lab.extract(
    await lab.sign({
      input: primary,
      output: 'nested.msi',
      nest: true,
      signer: 'ec',
      rfc3161: tsa.url,
    }),
  );
  plain = lab.extract(await lab.sign({ input: lab.cab, output: 'plain.cab' }));
});

afterAll(async () => {
  await lab?.close();
});

function malformed(der: Uint8Array, message?: RegExp): void {
  let thrown: unknown;
  try {
    parseAuthenticode(der);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(MalformedSignatureError);
  if (message) expect((thrown as Error).message).toMatch(message);
}

function contentInfo(contentType: string, content: asn1js.BaseBlock): Buffer {
  return Buffer.from(new pkijs.ContentInfo({ contentType, content }).toSchema().toBER(false));
}

describe.skipIf(SKIP)(
  titled('parseAuthenticode rejects non-signatures with MalformedSignatureError', SKIP),
  () => {
    it('an empty blob', () => malformed(new Uint8Array(0), /empty/));

    it('random bytes', () => {
      for (let i = 0; i < 50; i++) malformed(randomBytes(1 + ((i * 37) % 500)));
    });

    it('zero bytes only', () => malformed(new Uint8Array(64)));

    it('every truncation of a real signature', () => {
      for (let length = 1; length < plain.length; length += length < 64 ? 1 : 29) {
        malformed(plain.subarray(0, length));
      }
      malformed(plain.subarray(0, plain.length - 1));
    });

    it('a ContentInfo of another type', () => {
      malformed(
        contentInfo(OID.data, new asn1js.OctetString({ valueHex: new Uint8Array(4) })),
        /holds data, not signedData/,
      );
      malformed(contentInfo('1.2.840.113549.1.7.3', new asn1js.Sequence()), /not signedData/);
    });

    it('a SignedData over id-data content (a plain CMS signature)', () => {
      const cms = execFileSync(
        'openssl',
        [
          'cms',
          '-sign',
          '-binary',
          '-in',
          'readme.txt',
          '-signer',
          'leaf.pem',
          '-inkey',
          'leaf.key',
          '-outform',
          'DER',
          '-nodetach',
        ],
        { cwd: lab.dir },
      );
      malformed(cms, /content is data, not SPC_INDIRECT_DATA_OBJID/);
    });

    it('two SignerInfos, or none', () => {
      const two = rewriteSignedData(plain, (sd) => {
        sd.signerInfos.push(sd.signerInfos[0]!);
      });
      malformed(two, /2 SignerInfos; Authenticode requires exactly one/);
      const none = rewriteSignedData(plain, (sd) => {
        sd.signerInfos = [];
      });
      malformed(none, /0 SignerInfos/);
    });

    it('an SpcIndirectDataContent that is not {data, messageDigest}', () => {
      const broken = rewriteSignedData(plain, (sd) => {
        sd.encapContentInfo.eContent = new asn1js.Sequence({
          value: [new asn1js.Integer({ value: 1 })],
        }) as never;
      });
      malformed(broken, /SpcIndirectDataContent/);
      const digestless = rewriteSignedData(plain, (sd) => {
        const content = sd.encapContentInfo.eContent as unknown as asn1js.Sequence;
        const data = content.valueBlock.value[0]!;
        sd.encapContentInfo.eContent = new asn1js.Sequence({
          value: [data, new asn1js.Sequence()],
        }) as never;
      });
      malformed(digestless, /messageDigest/);
    });

    it('non-zero bytes after the signature, but not zero padding', () => {
      malformed(Buffer.concat([plain, Buffer.from([0, 0, 1])]), /not zero padding/);
      expect(parseAuthenticode(Buffer.concat([plain, Buffer.alloc(13)])).paddingLength).toBe(13);
    });

    it('deeply nested BER without overflowing the stack', () => {
      const deep = Buffer.alloc(200_000);
      for (let i = 0; i < deep.length; i += 2) deep.set([0x30, 0x80], i);
      // The limit on nesting depth is what bounds the work; speed is measured in bench/, not here.
      malformed(deep);
    });

    it('a blob beyond the size limit', () => {
      malformed(Buffer.concat([plain, Buffer.alloc(17 * 1024 * 1024)]), /larger than/);
    });

    it(`more than ${AUTHENTICODE_LIMITS.certificates} certificates`, () => {
      const many = rewriteSignedData(plain, (sd) => {
        sd.certificates = Array.from(
          { length: AUTHENTICODE_LIMITS.certificates + 1 },
          () => sd.certificates![0]!,
        );
      });
      malformed(many, /257 certificates/);
    });

    it(`more than ${AUTHENTICODE_LIMITS.nestedSignatures} nested signatures`, () => {
      const nested = asn1(plain);
      const many = rewriteSignedData(plain, (sd) => {
        sd.signerInfos[0]!.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
          type: 1,
          attributes: [0, 1].map(
            () =>
              new pkijs.Attribute({
                type: OID.spcNestedSignature,
                values: Array.from({ length: 40 }, () => nested),
              }),
          ),
        });
      });
      malformed(many, /80 nested signatures/);
    });

    it('a large blob at the limits decodes completely', () => {
      const heavyNested = asn1(
        rewriteSignedData(plain, (sd) => {
          sd.certificates = Array.from({ length: 12 }, () => sd.certificates![0]!);
        }),
      );
      const heavy = rewriteSignedData(plain, (sd) => {
        sd.certificates = Array.from(
          { length: AUTHENTICODE_LIMITS.certificates },
          () => sd.certificates![0]!,
        );
        sd.signerInfos[0]!.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
          type: 1,
          attributes: [
            new pkijs.Attribute({
              type: OID.spcNestedSignature,
              values: Array.from(
                { length: AUTHENTICODE_LIMITS.nestedSignatures },
                () => heavyNested,
              ),
            }),
          ],
        });
      });
      // The certificate and nesting limits bound the work; no wall-clock assertion (issue 13).
      const sig = parseAuthenticode(heavy);
      expect(sig.certificates).toHaveLength(256);
      expect(sig.nested).toHaveLength(64);
      expect(sig.nested[63]!.certificates).toHaveLength(12);
    });

    it('an attribute with too many values, and too many timestamps', () => {
      const values = (n: number) => Array.from({ length: n }, () => new asn1js.Null());
      const withAttributes = (attributes: pkijs.Attribute[]) =>
        rewriteSignedData(plain, (sd) => {
          sd.signerInfos[0]!.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
            type: 1,
            attributes,
          });
        });
      malformed(
        withAttributes([new pkijs.Attribute({ type: '1.2.3.4', values: values(65) })]),
        /65 values/,
      );
      malformed(
        withAttributes([new pkijs.Attribute({ type: OID.spcRfc3161, values: values(17) })]),
        /17 timestamps/,
      );
      malformed(
        withAttributes(
          Array.from(
            { length: 65 },
            () => new pkijs.Attribute({ type: '1.2.3.4', values: values(1) }),
          ),
        ),
        /65 attributes/,
      );
    });
  },
);

describe.skipIf(SKIP)(titled('mutated signatures never escape as other exceptions', SKIP), () => {
  it('random byte edits: MalformedSignatureError or a result, never a throw from the checks', () => {
    let decoded = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: rich.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const mutated = Buffer.from(rich);
          for (const [position, value] of edits) mutated[position] = value;
          let sig;
          try {
            sig = parseAuthenticode(mutated);
          } catch (error) {
            expect(error).toBeInstanceOf(MalformedSignatureError);
            return;
          }
          decoded++;
          for (const s of [sig, ...sig.nested]) {
            const signer = verifySignerSignature(s);
            expect(typeof signer.ok).toBe('boolean');
            for (const check of verifyTimestamps(s)) expect(typeof check.ok).toBe('boolean');
          }
        },
      ),
      { numRuns: 150, seed: 20240601 },
    );
    // Most single-byte edits land in certificates and signatures and still decode.
    expect(decoded).toBeGreaterThan(20);
  });

  it('truncated and extended length fields', () => {
    fc.assert(
      fc.property(fc.nat({ max: rich.length - 1 }), fc.nat({ max: 400 }), (start, cut) => {
        const mutated = Buffer.concat([
          rich.subarray(0, start),
          rich.subarray(Math.min(rich.length, start + cut)),
        ]);
        try {
          const sig = parseAuthenticode(mutated);
          verifySignerSignature(sig);
          verifyTimestamps(sig);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedSignatureError);
        }
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});
