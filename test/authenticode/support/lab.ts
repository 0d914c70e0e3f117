import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as asn1js from 'asn1js';

/**
 * A signing lab in a temp directory: a throw-away PKI made with openssl (root → intermediate →
 * RSA and ECDSA P-256 code-signing leaves; a TSA certificate with the timeStamping EKU), an
 * unsigned MSI (wixl) and cabinet (gcab), osslsigncode to sign them, and local timestamp
 * servers — RFC 3161 answered by `openssl ts -reply`, legacy Authenticode answered by
 * `openssl cms -sign` over the request's encrypted digest — so that every signature under test
 * is made by real tools.
 */

const run = promisify(execFile);

const EXTENSIONS = `
[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[inter]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsaTwin]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

const TS_CONFIG = (essAlgorithm: string) => `
[tsa]
default_tsa = tsa_config
[tsa_config]
serial = ./tsaserial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.2
digests = sha1, sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = ${essAlgorithm}
`;

const WXS = `<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="*" Name="Lab" Language="1033" Version="1.0.0" Manufacturer="Lab"
           UpgradeCode="6C0E7C3A-1D0B-4A57-9E4B-1A2B3C4D5E6F">
    <Package InstallerVersion="200" Compressed="yes" />
    <Media Id="1" Cabinet="lab.cab" EmbedCab="yes" />
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFilesFolder">
        <Directory Id="INSTALLDIR" Name="Lab">
          <Component Id="Readme" Guid="0E9A1B2C-3D4E-4F50-8A61-72B3C4D5E6F7">
            <File Id="ReadmeFile" Source="readme.txt" />
          </Component>
        </Directory>
      </Directory>
    </Directory>
    <Feature Id="Main" Level="1"><ComponentRef Id="Readme" /></Feature>
  </Product>
</Wix>
`;

export type SignerName = 'rsa' | 'ec';

export interface SignOptions {
  /** Input file path (an unsigned or already signed artifact). */
  input: string;
  /** Output file name inside the lab. */
  output: string;
  signer?: SignerName;
  hash?: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  nest?: boolean;
  /** RFC 3161 timestamp server URL (osslsigncode -ts). */
  rfc3161?: string;
  /** Legacy Authenticode timestamp server URL (osslsigncode -t). */
  legacy?: string;
  description?: string;
  url?: string;
}

export interface TimestampServer {
  url: string;
  requests: number;
  close(): Promise<void>;
}

export class Lab {
  readonly dir: string;
  readonly msi: string;
  readonly cab: string;
  private readonly servers: Server[] = [];

  private constructor(dir: string) {
    this.dir = dir;
    this.msi = this.path('lab.msi');
    this.cab = this.path('lab.cab');
  }

  static create(): Lab {
    const lab = new Lab(mkdtempSync(join(tmpdir(), 'va-authenticode-')));
    lab.makePki();
    lab.makeArtifacts();
    return lab;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  read(name: string): Buffer {
    return readFileSync(this.path(name));
  }

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' });
  }

  private makePki(): void {
    writeFileSync(this.path('ext.cnf'), EXTENSIONS);
    writeFileSync(this.path('tsaserial'), '01\n');
    writeFileSync(this.path('ts-sha256.cnf'), TS_CONFIG('sha256'));
    writeFileSync(this.path('ts-sha1.cnf'), TS_CONFIG('sha1'));
    const rsaKey = (name: string) =>
      this.openssl([
        'genpkey',
        '-algorithm',
        'RSA',
        '-pkeyopt',
        'rsa_keygen_bits:2048',
        '-out',
        `${name}.key`,
      ]);
    const issue = (
      name: string,
      subject: string,
      issuer: string,
      section: string,
      extra: string[] = [],
    ) => {
      this.openssl([
        'req',
        '-new',
        '-config',
        'ext.cnf',
        '-key',
        `${name}.key`,
        '-subj',
        subject,
        '-out',
        `${name}.csr`,
      ]);
      this.openssl([
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${issuer}.pem`,
        '-CAkey',
        `${issuer}.key`,
        '-days',
        '3650',
        '-extfile',
        'ext.cnf',
        '-extensions',
        section,
        '-out',
        `${name}.pem`,
        ...extra,
      ]);
    };
    rsaKey('root');
    this.openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      'root.key',
      '-subj',
      '/CN=Lab Root CA',
      '-days',
      '3650',
      '-config',
      'ext.cnf',
      '-extensions',
      'root',
      '-out',
      'root.pem',
    ]);
    rsaKey('inter');
    issue('inter', '/CN=Lab Code Signing CA', 'root', 'inter', ['-set_serial', '0x1001']);
    rsaKey('leaf');
    issue('leaf', '/O=Lab Org/CN=Lab RSA Signer', 'inter', 'leaf', ['-set_serial', '0x2001']);
    this.openssl([
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      'ec.key',
    ]);
    issue('ec', '/O=Lab Org/CN=Lab ECDSA Signer', 'inter', 'leaf', ['-set_serial', '0x2002']);
    rsaKey('tsa');
    issue('tsa', '/CN=Lab TSA', 'root', 'tsa', ['-set_serial', '0x3001']);
    // Same key, issuer and serial as the TSA certificate, different DER: only the ESS
    // signingCertificate hash tells them apart.
    this.openssl([
      'x509',
      '-req',
      '-in',
      'tsa.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-days',
      '1000',
      '-extfile',
      'ext.cnf',
      '-extensions',
      'tsaTwin',
      '-set_serial',
      '0x3001',
      '-out',
      'tsa-twin.pem',
    ]);
    rsaKey('other');
    issue('other', '/CN=Lab Other Signer', 'inter', 'leaf', ['-set_serial', '0x2003']);
  }

  private makeArtifacts(): void {
    writeFileSync(this.path('readme.txt'), 'verify-authenticode lab\r\n');
    writeFileSync(this.path('lab.wxs'), WXS);
    execFileSync('wixl', ['-o', this.msi, this.path('lab.wxs')], { cwd: this.dir, stdio: 'pipe' });
    execFileSync('gcab', ['-c', '-n', this.cab, 'readme.txt'], { cwd: this.dir, stdio: 'pipe' });
  }

  /** Signs with osslsigncode; returns the output path. Async: the timestamp servers run in-process. */
  async sign(options: SignOptions): Promise<string> {
    const signer = options.signer ?? 'rsa';
    const cert = signer === 'rsa' ? 'leaf.pem' : 'ec.pem';
    const key = signer === 'rsa' ? 'leaf.key' : 'ec.key';
    const output = this.path(options.output);
    const args = [
      'sign',
      '-certs',
      cert,
      '-ac',
      'inter.pem',
      '-key',
      key,
      '-h',
      options.hash ?? 'sha256',
    ];
    if (options.nest) args.push('-nest');
    if (options.rfc3161) args.push('-ts', options.rfc3161);
    if (options.legacy) args.push('-t', options.legacy);
    if (options.description) args.push('-n', options.description);
    if (options.url) args.push('-i', options.url);
    rmSync(output, { force: true });
    args.push('-in', options.input, '-out', output);
    await run('osslsigncode', args, { cwd: this.dir });
    return output;
  }

  /** `osslsigncode extract-signature`: the DER PKCS#7 as stored (MSI) or without padding (CAB). */
  extract(signedPath: string): Buffer {
    const out = `${signedPath}.p7`;
    rmSync(out, { force: true });
    execFileSync('osslsigncode', ['extract-signature', '-in', signedPath, '-out', out], {
      stdio: 'pipe',
    });
    return readFileSync(out);
  }

  /** The signature blob of a signed cabinet exactly as the locator delimits it (docs/formats.md §6.2). */
  cabinetBlob(signedPath: string): Buffer {
    const file = readFileSync(signedPath);
    const offset = file.readUInt32LE(44);
    const length = file.readUInt32LE(48);
    return file.subarray(offset, offset + length);
  }

  /**
   * A local timestamp server. rfc3161: `openssl ts -reply` with the TSA certificate (ESS
   * signingCertificateV2 with SHA-256, or v1 with SHA-1); legacy: the Authenticode protocol
   * (base64 TimeStampRequest in, PKCS#7 out) answered with `openssl cms -sign`.
   */
  async startTimestampServer(
    kind: 'rfc3161' | 'legacy',
    options: { essAlgorithm?: 'sha1' | 'sha256'; signer?: string } = {},
  ): Promise<TimestampServer> {
    const signer = options.signer ?? 'tsa.pem';
    let requests = 0;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        requests++;
        try {
          const body = Buffer.concat(chunks);
          const reply =
            kind === 'rfc3161'
              ? this.rfc3161Reply(body, options.essAlgorithm ?? 'sha256', signer)
              : this.legacyReply(body);
          response.writeHead(200, {
            'content-type':
              kind === 'rfc3161' ? 'application/timestamp-reply' : 'application/octet-stream',
            'content-length': reply.length,
          });
          response.end(reply);
        } catch (error) {
          response.writeHead(500);
          response.end(String(error));
        }
      });
    });
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/`,
      get requests() {
        return requests;
      },
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  private rfc3161Reply(query: Buffer, essAlgorithm: string, signer: string): Buffer {
    writeFileSync(this.path('request.tsq'), query);
    this.openssl([
      'ts',
      '-reply',
      '-config',
      `ts-${essAlgorithm}.cnf`,
      '-queryfile',
      'request.tsq',
      '-signer',
      signer,
      '-inkey',
      'tsa.key',
      '-chain',
      'root.pem',
      '-out',
      'reply.tsr',
    ]);
    return this.read('reply.tsr');
  }

  /** TimeStampRequest ::= SEQUENCE { type OID, blob SEQUENCE { type OID, [0] EXPLICIT OCTET STRING } } */
  private legacyReply(body: Buffer): Buffer {
    const request = asn1js.fromBER(Buffer.from(body.toString('latin1'), 'base64'));
    const blob = (request.result as asn1js.Sequence).valueBlock.value[1] as asn1js.Sequence;
    const tagged = blob.valueBlock.value[1] as asn1js.Constructed;
    const encryptedDigest = tagged.valueBlock.value[0] as asn1js.OctetString;
    writeFileSync(this.path('counter.bin'), Buffer.from(encryptedDigest.getValue()));
    this.openssl([
      'cms',
      '-sign',
      '-binary',
      '-in',
      'counter.bin',
      '-signer',
      'tsa.pem',
      '-inkey',
      'tsa.key',
      '-certfile',
      'root.pem',
      '-md',
      'sha256',
      '-nosmimecap',
      '-outform',
      'DER',
      '-out',
      'counter.p7',
    ]);
    return this.read('counter.p7');
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve())),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
