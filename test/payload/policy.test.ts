import { describe, expect, it } from 'vitest';
import {
  evaluatePayload,
  innerPathMatcher,
  payloadSummaryLine,
  type InnerVerdict,
  type PayloadPolicy,
} from '../../src/payload/policy.js';
import type { PayloadFile } from '../../src/payload/walk.js';
import { loadCertificateFile } from '../../src/trust/bundle.js';
import { PinSet, parsePin } from '../../src/trust/pin.js';
import type { Certificate } from '../../src/x509/certificate.js';

const der = (name: string) => loadCertificateFile(`fixtures/pki/${name}.pem`)[0]!;
const signer = der('signer');
const vendor = der('signer2');
const stranger = der('ecdsa');
const pinned = new PinSet(parsePin('fixtures/pki/signer.pem'));
const vendorPin = new PinSet(parsePin('fixtures/pki/signer2.pem'));

const file = (...path: string[]): PayloadFile => ({
  path,
  size: 1000,
  origin: 'cabinet',
  container: '#payload.cab',
  compression: 'mszip',
  kind: 'pe',
});
const signedBy = (f: PayloadFile, cert: Certificate, name: string): InnerVerdict => ({
  file: f,
  unsigned: false,
  valid: true,
  signer: cert,
  signerName: name,
  problem: null,
});
const unsigned = (f: PayloadFile): InnerVerdict => ({
  file: f,
  unsigned: true,
  valid: false,
  signer: null,
  signerName: null,
  problem: null,
});

const APP = '[ProgramFilesFolder]/Contoso Payload/bin/app.exe';
const CORE = '[ProgramFilesFolder]/Contoso Payload/bin/core.dll';
const HELPER = '[ProgramFilesFolder]/Contoso Payload/bin/helper.dll';
const verdicts = [
  signedBy(file(APP), signer, 'Contoso Release Signing'),
  signedBy(file(CORE), signer, 'Contoso Release Signing'),
  unsigned(file(HELPER)),
];
const policy = (overrides: Partial<PayloadPolicy> = {}): PayloadPolicy => ({
  level: 'warn',
  signers: null,
  allowUnsigned: [],
  ...overrides,
});

describe('payload policy', () => {
  it('warns under warn and fails under require, naming the unsigned DLL by install path', () => {
    const warn = evaluatePayload(verdicts, policy(), pinned);
    expect(warn.findings.map((f) => [f.code, f.severity])).toEqual([
      ['payload-unsigned', 'warning'],
    ]);
    expect(warn.findings[0]!.message).toContain(HELPER);
    const require = evaluatePayload(verdicts, policy({ level: 'require' }), pinned);
    expect(require.findings.map((f) => [f.code, f.severity])).toEqual([
      ['payload-unsigned', 'error'],
    ]);
  });

  it('passes when payload-allow-unsigned excuses the DLL, and counts what each glob excused', () => {
    const result = evaluatePayload(
      verdicts,
      policy({ level: 'require', allowUnsigned: ['**/helper.dll', '**/gone.dll'] }),
      pinned,
    );
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.findings.map((f) => [f.code, f.severity, f.message])).toEqual([
      [
        'payload-unsigned-excused',
        'notice',
        'payload-allow-unsigned "**/helper.dll" excused 1 unsigned executable(s)',
      ],
      [
        'payload-unsigned-excused',
        'notice',
        'payload-allow-unsigned "**/gone.dll" excused nothing: remove it if the file is gone or now signed',
      ],
    ]);
  });

  it('accepts payload-signers besides the pin and reports any other signer', () => {
    const mixed = [
      ...verdicts.slice(0, 2),
      signedBy(file('[SystemFolder]/vcruntime140.dll'), vendor, 'Fabrikam Build Agent'),
      signedBy(file('[ProgramFilesFolder]/x.dll'), stranger, 'Someone Else'),
    ];
    expect(
      evaluatePayload(mixed, policy({ signers: vendorPin }), pinned).findings.map((f) => f.code),
    ).toEqual(['payload-wrong-signer']);
    expect(evaluatePayload(mixed, policy(), pinned).findings[0]!.message).toContain(
      'Fabrikam Build Agent',
    );
  });

  it('treats a signature that does not verify like no signature, and never excuses it', () => {
    const broken: InnerVerdict = {
      ...unsigned(file(HELPER)),
      unsigned: false,
      problem: 'bad-digest',
    };
    const result = evaluatePayload([broken], policy({ allowUnsigned: ['**'] }), pinned);
    expect(result.findings.map((f) => f.code)).toEqual([
      'payload-unsigned',
      'payload-unsigned-excused',
    ]);
    expect(result.findings[0]!.message).toContain(`${HELPER} (bad-digest)`);
  });

  it('says nothing with payload off', () => {
    expect(evaluatePayload(verdicts, policy({ level: 'off' }), pinned).findings).toEqual([]);
  });

  it('writes the summary line', () => {
    const mixed = [
      ...verdicts,
      signedBy(file('[SystemFolder]/vcruntime140.dll'), vendor, 'Microsoft Corporation'),
    ];
    const { summary } = evaluatePayload(mixed, policy({ signers: vendorPin }), pinned);
    expect(payloadSummaryLine(summary)).toBe(
      `4 executables inside: 2 signed by you, 1 by Microsoft Corporation, 1 unsigned (${HELPER})`,
    );
  });

  it('matches globs on install paths with literal brackets, any case, and on nested chains', () => {
    const nested = file('inner.msi', '[ProgramFilesFolder]/App/Tool.DLL');
    expect(innerPathMatcher('[ProgramFilesFolder]/App/*.dll')(nested)).toBe(true);
    expect(innerPathMatcher('inner.msi/**/tool.dll')(nested)).toBe(true);
    expect(innerPathMatcher('*.dll')(nested)).toBe(false);
    expect(innerPathMatcher('**/tool.dll')(nested)).toBe(true);
    expect(innerPathMatcher('**/ool.dll')(nested)).toBe(false);
    expect(innerPathMatcher('[ProgramFilesFolder]/*.dll')(nested)).toBe(false);
  });
});
