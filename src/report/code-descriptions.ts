import { FINDING_CODES, HRESULT, type FindingCode, type Severity } from '../findings.js';
import { hresultName } from './hresult-names.js';

/**
 * What each finding code means to the person whose pull request just failed: the SARIF rule help,
 * the annotation titles, and docs/finding-codes.md all come from here.
 */
export interface CodeDescription {
  code: FindingCode;
  /** Short title, sentence case, no final period. */
  title: string;
  /** What was found and why it matters, in plain words. */
  meaning: string;
  /** What Windows (WinVerifyTrust, Windows Installer) does with such a file. */
  windows: string;
  /** The HRESULT Windows reports for the same condition, when there is one. */
  hresult?: string;
  /** How to fix it. May name commands; plain text. */
  fix: string;
  /** The severity the default policy gives it (policy options can change some). */
  defaultSeverity: Severity;
  /** SARIF `properties.tags`. */
  tags: string[];
}

type Entry = Omit<CodeDescription, 'code'>;

const H = HRESULT;

const DESCRIPTIONS: Readonly<Record<FindingCode, Entry>> = {
  'not-a-package': {
    title: 'Not an installer package',
    meaning:
      'The file is neither a compound file (MSI, MSP, MST, MSM), a cabinet nor a PE image (EXE, DLL, SYS, OCX, EFI): its first bytes match no supported format (an MZ file without a PE header, a DOS or 16-bit program, is not a PE image). The file type is decided by content, not by extension, so a ZIP archive, an HTML error page or a Git LFS pointer saved as .msi ends up here.',
    windows: `WinVerifyTrust finds no subject interface package for the file and returns TRUST_E_SUBJECT_FORM_UNKNOWN (${H.TRUST_E_SUBJECT_FORM_UNKNOWN}); Windows Installer refuses to open it (error 1620).`,
    hresult: H.TRUST_E_SUBJECT_FORM_UNKNOWN,
    fix: 'Check that the build step produced the real package and that the path globs match only installers. A download that returned an error page, a file checked out as a Git LFS pointer, or an upload that was cut short all look like this.',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'package'],
  },
  'malformed-package': {
    title: 'Damaged installer package',
    meaning:
      'The file starts like a compound file or a cabinet, but its structure is invalid: sector chains that run out of the file or loop, directory entries or tables that overrun their streams, counts the file size cannot hold, or a file cut short. The verifier stops reading rather than guess.',
    windows: `WinVerifyTrust cannot read the file as the format it claims and reports TRUST_E_SUBJECT_FORM_UNKNOWN (${H.TRUST_E_SUBJECT_FORM_UNKNOWN}); Windows Installer cannot open the package (error 1620, "This installation package could not be opened").`,
    hresult: H.TRUST_E_SUBJECT_FORM_UNKNOWN,
    fix: 'Rebuild the package and sign it again. If the build output is fine, look at how it is transferred: artifact uploads or caches that were interrupted, tools that convert line endings, or archives extracted in text mode damage binary files.',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'package'],
  },
  unsigned: {
    title: 'No Authenticode signature',
    meaning:
      'The package carries no signature: an MSI, MSP or MST has no \\x05DigitalSignature stream, a cabinet has no signature in its reserve area, a PE file has an empty Certificate Table entry. Catalog (.cat) signing, which some Windows system files use instead of an embedded signature, is not considered.',
    windows: `WinVerifyTrust returns TRUST_E_NOSIGNATURE (${H.TRUST_E_NOSIGNATURE}); Windows shows "Unknown publisher" and SmartScreen and application control policies block or warn.`,
    hresult: H.TRUST_E_NOSIGNATURE,
    fix: 'Sign the package as the last step of the build, for example `signtool sign /fd sha256 /tr <timestamp URL> /td sha256 /f <cert.pfx> <file>` or `osslsigncode sign -h sha256 -ts <timestamp URL> -certs <cert.pem> -key <key.pem> -in <file> -out <signed file>`. If the pipeline has a signing step, check that it signs this exact file and not a copy, and that nothing repacks the file afterwards.',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'signature'],
  },
  'malformed-signature': {
    title: 'Malformed signature',
    meaning:
      'A signature is present but cannot be decoded as an Authenticode PKCS #7 SignedData: it is truncated, holds garbage, has the wrong content type, or its SpcIndirectDataContent does not fit this kind of file.',
    windows: `WinVerifyTrust returns TRUST_E_MALFORMED_SIGNATURE (${H.TRUST_E_MALFORMED_SIGNATURE}) on current Windows (older versions report TRUST_E_NOSIGNATURE, ${H.TRUST_E_NOSIGNATURE}).`,
    hresult: H.TRUST_E_MALFORMED_SIGNATURE,
    fix: 'Sign the unsigned build output again with a mainstream tool (signtool, osslsigncode, jsign, AzureSignTool). Do not edit or append to the signature stream, the cabinet reserve area or a PE certificate table after signing. For a PE file this also covers a damaged certificate table and data hidden in it (the MS13-098 pattern, rejected as Windows does with EnableCertPaddingCheck; see docs/pe.md).',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'signature'],
  },
  'bad-digest': {
    title: 'File changed after signing',
    meaning:
      'The digest stored in the signature does not match the digest computed from the file: something in the signed content (a stream, a table, the summary information, cabinet data, a PE section, header or overlay, or a page of a PE file with page hashes) was changed, added or removed after the file was signed.',
    windows: `WinVerifyTrust returns TRUST_E_BAD_DIGEST (${H.TRUST_E_BAD_DIGEST}); Windows Installer reports the package as tampered with, and UAC shows it as from an unknown publisher.`,
    hresult: H.TRUST_E_BAD_DIGEST,
    fix: 'Make signing the very last step. Any post-processing (filling MsiPatchCertificate, editing properties or the summary information, re-compressing, adding files) must happen before signing, or the file must be signed again after it. If the file left the signing step intact, find what rewrote it in transit (caches, artifact storage, antivirus, line-ending conversion).',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'integrity'],
  },
  'bad-signature': {
    title: 'Signature does not verify',
    meaning:
      "The signer's cryptographic signature does not verify with the signer certificate's public key, or the signed attributes do not match the signed content. The signature was damaged, forged, or made with a key that does not belong to the certificate it names.",
    windows: `WinVerifyTrust returns TRUST_E_BAD_DIGEST (${H.TRUST_E_BAD_DIGEST}); CryptoAPI reports the raw failure as NTE_BAD_SIGNATURE (${H.NTE_BAD_SIGNATURE}).`,
    hresult: H.TRUST_E_BAD_DIGEST,
    fix: 'Sign again from the unsigned build output. With a hardware token, a cloud HSM or a remote signing service, check that the key used is the key of the certificate passed to the signing tool (a renewed certificate with a new key needs the new key too).',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'integrity'],
  },
  'chain-incomplete': {
    title: 'Certificate chain is incomplete',
    meaning:
      'A certificate chain from the signer to a root could not be built: an issuing (intermediate) certificate is missing from the signature and from the configured certificates. Machines that do not already have that intermediate installed will reject the signature.',
    windows: `WinVerifyTrust returns CERT_E_CHAINING (${H.CERT_E_CHAINING}): "A certificate chain could not be built to a trusted root authority."`,
    hresult: H.CERT_E_CHAINING,
    fix: 'Include the intermediate certificates in the signature when signing: `osslsigncode sign -ac <intermediates.pem>` (or put them after the leaf in the -certs file), `signtool sign /ac <intermediate.cer>`. Alternatively deploy the intermediate to every endpoint and add it to the `trusted-roots` bundle, but a self-contained signature is more robust.',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'trust'],
  },
  'untrusted-root': {
    title: 'Chain ends at an untrusted root',
    meaning:
      'The certificate chain was built, but it ends at a root certificate that is not among the trusted roots this run was given.',
    windows: `WinVerifyTrust returns CERT_E_UNTRUSTEDROOT (${H.CERT_E_UNTRUSTEDROOT}) on machines that do not trust the root.`,
    hresult: H.CERT_E_UNTRUSTEDROOT,
    fix: 'If the root belongs to your organisation (a private PKI), add it to `trusted-roots` and make sure every endpoint has it in its Trusted Root Certification Authorities store (Group Policy, Intune). If you did not expect this root, the file was signed by someone else: treat it as a supply-chain incident and find out who signed it.',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'trust'],
  },
  expired: {
    title: 'Certificate expired',
    meaning:
      'The signer certificate (or a certificate above it) was not valid at the validation time. Without a valid timestamp the validation time is now, so an untimestamped signature stops verifying the day its certificate expires; with a valid timestamp it is the timestamp time.',
    windows: `WinVerifyTrust returns CERT_E_EXPIRED (${H.CERT_E_EXPIRED}).`,
    hresult: H.CERT_E_EXPIRED,
    fix: 'Timestamp every signature (`signtool sign /tr <URL> /td sha256`, `osslsigncode -ts <URL>`) so that it stays valid after the certificate expires, then renew the certificate and sign again. A certificate with the lifetime-signing usage (1.3.6.1.4.1.311.10.3.13) ignores timestamps: its signatures always die with it.',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'trust'],
  },
  'not-yet-valid': {
    title: 'Certificate not yet valid',
    meaning:
      "The signer certificate (or a certificate above it) only becomes valid after the validation time: a newly issued certificate whose validity starts in the future, a clock that is wrong on the verifying or signing machine, or a timestamp earlier than the certificate's issuance.",
    windows: `WinVerifyTrust reports it as CERT_E_EXPIRED (${H.CERT_E_EXPIRED}), the same code as an expired certificate.`,
    hresult: H.CERT_E_EXPIRED,
    fix: "Check the clocks of the signing machine and the timestamp authority, and the certificate's notBefore date. Sign again once the certificate is valid, with a current timestamp.",
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'trust'],
  },
  'no-codesigning-eku': {
    title: 'Certificate not valid for code signing',
    meaning:
      'The signer certificate has an extended key usage extension that does not include code signing (1.3.6.1.5.5.7.3.3), or a CA above it restricts usages to a list without code signing. A TLS server or e-mail certificate cannot sign software. Key usage bits (keyUsage) are reported separately as bad-key-usage.',
    windows: `WinVerifyTrust returns CERT_E_WRONG_USAGE (${H.CERT_E_WRONG_USAGE}).`,
    hresult: H.CERT_E_WRONG_USAGE,
    fix: 'Sign with a certificate issued for code signing. If you run your own CA, issue the signing certificate from a template with the Code Signing extended key usage.',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'trust'],
  },
  'wrong-signer': {
    title: 'Not signed by the pinned signer',
    meaning:
      'The signature is valid, but the primary signer certificate is not one of the certificates this run was told to accept (by certificate file, thumbprint or MsiPatchCertificate). The finding names who signed and who was expected.',
    windows:
      "Windows accepts any trusted signer, so it would install the file; the pin is this project's own, stricter rule. For patches the certificate identity matters to Windows too (see patch-certificate-mismatch).",
    fix: 'If you rotated the signing certificate on purpose, update the pin (`signer-certificate` / `signer-thumbprint`), and check MsiPatchCertificate in shipped products before signing patches with the new one. If you did not, someone else signed this file: treat it as a supply-chain incident.',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'pin'],
  },
  'timestamp-missing': {
    title: 'No valid timestamp',
    meaning:
      'The policy requires a timestamp and the signature has none (or none that verifies). Without a timestamp the signature stops verifying when the signer certificate expires or is revoked.',
    windows:
      'Windows accepts an untimestamped signature while the signer certificate is valid, and rejects it with CERT_E_EXPIRED once the certificate expires.',
    fix: 'Add an RFC 3161 timestamp when signing (`signtool sign /tr <URL> /td sha256`, `osslsigncode sign -ts <URL>`), or to an already signed file (`signtool timestamp /tr <URL> /td sha256 <file>`, `osslsigncode add -ts <URL>`).',
    defaultSeverity: 'error',
    tags: ['authenticode', 'timestamp'],
  },
  'timestamp-invalid': {
    title: 'Timestamp does not verify',
    meaning:
      "A timestamp is present but does not verify: its message imprint does not match the signature, the timestamp authority's signature is bad, it uses MD5, its certificate lacks the time-stamping usage, or its chain does not end at a trusted timestamping root. A present but invalid timestamp is an error, never silently ignored. The TSA chain is built from the token's certificates, the signature's and `intermediates`. Deliberate strictness: the timestamp authority's own certificate must carry id-kp-timeStamping (RFC 3161 §2.3 requires it, and every real TSA certificate does); a certificate without an extended key usage extension is not accepted as a TSA, although CryptoAPI reads a missing EKU as \"any usage\" and whether WinVerifyTrust accepts such a timestamp is not known. Every CA above it must allow time stamping too (the EKU intersection).",
    windows: `WinVerifyTrust returns TRUST_E_TIME_STAMP (${H.TRUST_E_TIME_STAMP}) (TRUST_E_COUNTER_SIGNER, ${H.TRUST_E_COUNTER_SIGNER}, for legacy countersignatures); it does not fall back to the current time. osslsigncode prints the timestamp failure and then verifies as of now, so it can accept a file this verifier and Windows reject.`,
    hresult: H.TRUST_E_TIME_STAMP,
    fix: "If the timestamp authority's root is legitimate, add it to `tsa-roots` (a missing TSA intermediate goes to `intermediates`). Otherwise timestamp again with a public, trusted timestamp authority; with signtool always pass /td sha256 together with /tr.",
    defaultSeverity: 'error',
    tags: ['authenticode', 'timestamp'],
  },
  'weak-digest': {
    title: 'Weak digest algorithm',
    meaning:
      "The file digest, or the SignerInfo digest (the hash the signer's key actually signs), is weaker than `min-digest` (SHA-256 by default): SHA-1 no longer protects against a prepared collision, so someone who can influence the file before signing could make a second file with the same signature. Either digest below `min-digest` gets the `weak-digest-severity` (warning by default). MD5 in either place, and in a timestamp, is always an error.",
    windows: `Windows refuses MD5 in Authenticode. Windows policy distrusts SHA-1 code signatures in many scenarios and can block them (CRYPT_E_SECURITY_SETTINGS, ${H.CRYPT_E_SECURITY_SETTINGS}).`,
    hresult: H.CRYPT_E_SECURITY_SETTINGS,
    fix: 'Sign with SHA-256 or stronger: `signtool sign /fd sha256 /td sha256`, `osslsigncode sign -h sha256`. Dual signing (SHA-1 primary plus SHA-256 nested) is only needed for Windows versions that are long out of support.',
    defaultSeverity: 'warning',
    tags: ['security', 'authenticode', 'algorithm'],
  },
  'patch-certificate-missing': {
    title: 'No MsiPatchCertificate table',
    meaning:
      'The MSI (or the product an MSP patches) has no MsiPatchCertificate table, so Windows Installer has no certificate to trust for patches applied by standard users.',
    windows:
      'Without the table, Windows Installer does not allow least-privileged (UAC) patching: a standard user applying a patch gets an elevation prompt or cannot patch at all. The table can only be added to an installed product by a patch that an administrator applies.',
    fix: 'Add the signing certificate to MsiPatchCertificate and MsiDigitalCertificate before the MSI is signed: the `fill-patch-certificate` action or `verify-authenticode fill-patch-certificate <msi> --cert <cert.pem>`, or WiX `<PatchCertificates>`. Then sign the MSI.',
    defaultSeverity: 'warning',
    tags: ['authenticode', 'msi', 'patching'],
  },
  'patch-certificate-mismatch': {
    title: 'Signer not listed in MsiPatchCertificate',
    meaning:
      "The MSI lists certificates in MsiPatchCertificate, but none is byte-for-byte the certificate that signs (for an MSI: the pinned signer; for an MSP: the patch's own signer, checked against each product it targets). Windows compares the exact certificate, so a renewed certificate does not match the old one even with the same subject and key.",
    windows:
      "Windows Installer compares the patch signer's certificate with the MsiPatchCertificate rows of the installed product. When none matches, it refuses least-privileged patching: standard users get a UAC elevation prompt (Windows Vista and later) and unattended user-level patch deployment fails.",
    fix: 'Sign patches with a certificate that the installed product lists. To rotate certificates, first ship a patch signed with the old certificate that adds the new certificate to MsiPatchCertificate (and MsiDigitalCertificate), and only then sign patches with the new one. For new MSIs, list the new certificate (or both) before signing.',
    defaultSeverity: 'error',
    tags: ['authenticode', 'msi', 'patching'],
  },
  'external-cabinet-missing': {
    title: 'External cabinet missing',
    meaning:
      "The MSI's Media table refers to an external cabinet (a Cabinet value without a leading #) but no such file is next to the MSI (an error when MsiDigitalSignature asks Windows to check its signature, a warning otherwise). The name is looked up as Windows Installer looks it up: without regard to case (a `DATA1.CAB` authored and a `data1.cab` shipped meet, with an `unusual-layout` notice) and with trailing dots and spaces dropped. Also reported for names that cannot name a cabinet file: a value in the `SHORT~1.CAB|Long Name.cab` short|long form (the Media.Cabinet column has the Cabinet data type, which does not allow that form: https://learn.microsoft.com/windows/win32/msi/cabinet), a reserved device name (`CON.cab`, `NUL`), several files that match without regard to case, or a directory or FIFO.",
    windows:
      'Windows Installer cannot find the source file and fails the installation when it needs files from that cabinet (error 1311, source file not found). A short|long value is taken as one literal name containing "|", which no Windows file has.',
    fix: 'Ship the cabinet next to the MSI with the name the Media table gives, and make sure the verify step sees it (the upload or download step includes .cab files). Author the Cabinet column with one plain file name: no short|long pair, no device name.',
    defaultSeverity: 'error',
    tags: ['authenticode', 'msi', 'cabinet'],
  },
  'external-cabinet-mismatch': {
    title: 'External cabinet does not match MsiDigitalSignature',
    meaning:
      'The MSI records in MsiDigitalSignature which certificate (and, optionally, which digest) an external cabinet must have, and the cabinet next to it does not match: it is unsigned, signed by another certificate, or its digest differs (it was rebuilt or re-signed after the MSI was built).',
    windows:
      "Before extracting files, Windows Installer verifies the cabinet and compares its signer certificate and hash with the MSI's tables; on a mismatch the installation stops with error 1330 (a required file cannot be installed because the cabinet file has an invalid digital signature).",
    fix: 'Sign the cabinets with the certificate recorded in MsiDigitalCertificate before building the MSI that records them, and do not re-sign or rebuild cabinets afterwards. After renewing the certificate, rebuild the MSI so its tables record the new certificate and digests, then sign the MSI.',
    defaultSeverity: 'error',
    tags: ['authenticode', 'msi', 'cabinet'],
  },
  'io-error': {
    title: 'File could not be read',
    meaning:
      'Reading the file failed: it vanished, is not readable by the runner user, is a directory or device, or the disk returned an error.',
    windows: `CryptoAPI reports CRYPT_E_FILE_ERROR (${H.CRYPT_E_FILE_ERROR}).`,
    hresult: H.CRYPT_E_FILE_ERROR,
    fix: 'Check the path and permissions, and that no other step is still writing or deleting the file while it is verified.',
    defaultSeverity: 'error',
    tags: ['package'],
  },
  'trailing-data': {
    title: 'Data no digest covers',
    meaning:
      'The file has bytes that no digest covers: data after the last allocated sector of a signed compound file (MSI/MSP/MST), bytes between the end of a cabinet (cbCabinet) and its appended signature, bytes inside a cabinet that no structure lists, or bytes after the certificate table of a PE file, which should end the file. Uncovered bytes are a place to hide content that the signature appears to vouch for.',
    windows:
      'MSI: WinVerifyTrust (signtool verify) rejects a signed MSI with data after its last allocated sector, so this is an error. CAB, bytes between cbCabinet and the signature: osslsigncode hashes them and reports a digest mismatch, jsign and we do not hash them; what Windows does is not known, so this is an error too. CAB, unlisted bytes inside cbCabinet (a gap before the first CFFILE): they are hashed and signed, so only a warning. PE: bytes after the certificate table are hashed with the image (only the table is excluded), so data appended after signing fails the digest (bad-digest) and this finding is a warning beside it. docs/hostile-input.md and docs/pe.md list each case.',
    fix: 'Rebuild and sign the package without appending anything. Find the step that appends data (installers that embed payloads, download tools, concatenation).',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'integrity'],
  },
  'digest-metadata-changed': {
    title: 'Storage metadata changed after signing',
    meaning:
      "The MsiDigitalSignatureEx stream (the pre-hash of stream and storage metadata: names, sizes, timestamps, state bits) no longer matches the file. The content digest still verifies, but a tool touched the compound file's directory after signing.",
    windows:
      'Windows does not recompute the metadata pre-hash; it uses the stored bytes, so Windows still accepts the file. osslsigncode recomputes it and rejects the file.',
    fix: 'Usually harmless. Sign as the last step so that no tool rewrites the package afterwards, or sign without MsiDigitalSignatureEx if your tools disagree.',
    defaultSeverity: 'warning',
    tags: ['authenticode', 'msi', 'integrity'],
  },
  'nested-signature-invalid': {
    title: 'Nested signature does not verify',
    meaning:
      'A secondary (nested) signature fails verification. The verdict follows the primary signature, as Windows does, unless the policy requires every signature to verify.',
    windows:
      'WinVerifyTrust checks only the primary signature by default; Explorer lists every signature and shows the broken one as invalid.',
    fix: 'Re-create the dual signature after the last change to the file (`signtool sign /as`, `osslsigncode sign -nest`), or sign once with SHA-256 only.',
    defaultSeverity: 'warning',
    tags: ['authenticode', 'signature'],
  },
  'chain-root': {
    title: 'Chain root',
    meaning:
      'trusted-roots is `none`, so the chain was not checked against any trusted root: this notes the root the chain ends at. Endpoints must trust this root for the signature to verify.',
    windows:
      'Windows accepts the signature only on machines whose Trusted Root Certification Authorities store holds this root.',
    fix: "Nothing to fix. Leave `trusted-roots` at its default (`windows`, Microsoft's Trusted Root Program) or name a root file to enforce which roots are acceptable.",
    defaultSeverity: 'notice',
    tags: ['authenticode', 'trust'],
  },
  'no-eku': {
    title: 'Certificate has no extended key usage',
    meaning:
      'The signer certificate has no extended key usage extension, which RFC 5280 reads as "valid for any purpose". It is accepted for code signing.',
    windows: 'Windows accepts a certificate without the extension for code signing.',
    fix: 'Nothing to fix. Prefer certificates that state the Code Signing usage explicitly.',
    defaultSeverity: 'notice',
    tags: ['authenticode', 'trust'],
  },
  'timestamp-rescued': {
    title: 'Valid thanks to its timestamp',
    meaning:
      'The signer certificate is no longer valid now, but a valid timestamp shows the file was signed while it was, so the signature verifies as of the timestamp time.',
    windows: 'Windows validates a timestamped signature at the timestamp time in the same way.',
    fix: 'Nothing to fix for this file. Sign new releases with a current certificate.',
    defaultSeverity: 'notice',
    tags: ['authenticode', 'timestamp'],
  },
  'expires-soon': {
    title: 'Certificate expires soon and the signature has no timestamp',
    meaning:
      'The signer certificate expires within the configured horizon and the signature has no valid timestamp, so the file will stop verifying when the certificate expires.',
    windows: `Until then Windows accepts it; afterwards it reports CERT_E_EXPIRED (${H.CERT_E_EXPIRED}).`,
    fix: 'Timestamp the signature (`signtool timestamp /tr <URL> /td sha256 <file>`, `osslsigncode add -ts <URL>`), and renew the certificate.',
    defaultSeverity: 'warning',
    tags: ['authenticode', 'timestamp'],
  },
  'short-lived-certificate': {
    title: 'Short-lived signing certificate',
    meaning:
      'The signer certificate is valid for less than 30 days, as with cloud signing services that issue a new certificate every few days. Every signature needs a timestamp to outlive it, and checks that compare the exact certificate (thumbprint pins, MsiPatchCertificate) will not match the next certificate.',
    windows:
      'Windows accepts the signature while the certificate is valid, or later if it is timestamped. Least-privileged patching compares the exact certificate, so patches signed with the next certificate will not match MsiPatchCertificate.',
    fix: 'Always timestamp. Pin by a long-lived certificate where you can, and for MsiPatchCertificate plan how patches will be signed before relying on least-privileged patching.',
    defaultSeverity: 'notice',
    tags: ['authenticode', 'trust'],
  },
  'ambiguous-digest-rule': {
    title: 'Digest verified under a disputed rule',
    meaning:
      'The file is one where Windows and other tools (osslsigncode, jsign) compute the signed digest differently, for example the cabinet fields they disagree about or a MsiDigitalSignatureEx stream whose length does not match the digest. The verdict follows Windows; other verifiers may disagree with it.',
    windows: 'Windows accepts the file under its own rule.',
    fix: 'Rebuild and sign the package with mainstream tools so that every rule gives the same digest.',
    defaultSeverity: 'notice',
    tags: ['authenticode', 'integrity'],
  },
  'unusual-layout': {
    title: 'Unusual package layout',
    meaning:
      'The package is readable but departs from what mainstream tools write: a non-zero reserved field, an unexpected format version, a signature stored in the header reserve, non-zero filler in the signature locator, a PE certificate table off its 8-byte boundary or holding more than one entry (Windows verifies only the first; nothing checks the others, reported as a warning). Windows reads such files; some tools may not.',
    windows: 'Windows accepts the layout; the verdict does not depend on it.',
    fix: 'Nothing to fix if the package installs. If you did not expect it, check which tool built or post-processed the package.',
    defaultSeverity: 'notice',
    tags: ['package'],
  },
  'findings-capped': {
    title: 'More findings than a report shows',
    meaning:
      'The file produced more than 100 findings. The report keeps the first 100 (errors first, so the verdict is unaffected) and this notice counts the rest by severity and code. Real packages produce a handful; hundreds come from a table or structure built to flood the report.',
    windows: 'Not a Windows condition: a limit of this report (docs/hostile-input.md).',
    fix: 'Fix the findings that are shown and verify again; the counted ones are usually the same problem repeated.',
    defaultSeverity: 'notice',
    tags: ['package'],
  },
  'trust-not-checked': {
    title: 'Trust not checked',
    meaning:
      "trusted-roots is `none`: no chain was checked against Microsoft's Trusted Root Program or a root file, so only the pinned signer (and the signature itself) decided the verdict. Without a pin, any signer passes.",
    windows:
      "Windows always checks the chain: it trusts the signature only if the root is in its root store or in Microsoft's Trusted Root Program, for code signing.",
    fix: 'Leave `trusted-roots` at its default (`windows`) for publicly trusted certificates, or name your own root file (`trusted-roots: fixtures/root.pem`, or both, one per line). Use `none` only together with a pinned signer.',
    defaultSeverity: 'warning',
    tags: ['authenticode', 'trust'],
  },
  'unsupported-compression': {
    title: 'Payload compressed with an unsupported method',
    meaning:
      'A cabinet folder inside the package (or the cabinet artifact itself) is compressed with Quantum or with a compression type no cabinet tool defines. Its files cannot be looked at, so whether they are signed is unknown. Stored, MSZIP and LZX folders are decoded.',
    windows:
      'Windows still extracts Quantum folders (cabinet.dll decodes them); an undefined type fails extraction and Windows Installer reports error 1335 (corrupt cabinet).',
    fix: 'Rebuild the cabinet with MSZIP or LZX compression (makecab /D CompressionType=MSZIP or LZX, WiX `CompressionLevel`), or set `payload: off` for this package.',
    defaultSeverity: 'warning',
    tags: ['payload', 'package'],
  },
  'corrupt-payload': {
    title: 'Damaged compressed payload',
    meaning:
      'A cabinet inside the package (or the cabinet artifact) cannot be extracted: a data block fails its checksum, the compressed data is damaged (truncated block, invalid Huffman table, a match that reaches before the start of the data or past the end of its block), or a file lies past the end of its folder. The files of the damaged folder were not checked.',
    windows:
      'Windows Installer stops the installation with error 1335 ("The cabinet file required for this installation is corrupt and cannot be used"); extraction tools report a checksum or decompression error.',
    fix: 'Rebuild the package from its sources; if it was downloaded or copied, fetch it again. The message names the folder and the block.',
    defaultSeverity: 'warning',
    tags: ['payload', 'package', 'security'],
  },
  'payload-too-large': {
    title: 'Payload larger than the limits',
    meaning:
      "The files a cabinet declares add up to more uncompressed bytes than verify-authenticode allows for a package of this size (100 times the package size, at least 64 MiB), the cabinet set has more volumes than allowed, containers nest deeper than allowed, an inner file is too large to be checked, or the walk did not finish within the file's time budget. This is what a decompression bomb looks like; nothing past the limit was decoded or checked.",
    windows:
      'Windows has no such limit: it extracts what the cabinet declares, which may fill the disk.',
    fix: 'If the package really carries that much, verify its payload with a larger limit on a dedicated job, or set `payload: off` for it. docs/hostile-input.md lists the limits.',
    defaultSeverity: 'warning',
    tags: ['payload', 'package', 'security'],
  },
  'continuation-cabinet-missing': {
    title: 'Cabinet of a set is missing',
    meaning:
      'The cabinet is one volume of a multi-cabinet set and its data continues into (or from) another volume that is not beside it. The files that span the missing volume were not checked.',
    windows:
      'Windows Installer asks for the next disk (or fails with error 1311, "Source file not found") when the volume is missing at install time.',
    fix: 'Keep every volume of the set beside the package (the names are in the cabinet headers and the Media table), or build one cabinet.',
    defaultSeverity: 'warning',
    tags: ['payload', 'package'],
  },
  'payload-unsigned': {
    title: 'Unsigned executable inside the package',
    meaning:
      'An executable (EXE, DLL, SYS…) that the package carries — in its cabinets, its Binary table (custom actions) or an inner package — has no Authenticode signature, or one that does not verify. The signature on the package says nothing about the files inside it: once installed, each one is checked on its own, by Windows (SmartScreen, WDAC/AppLocker, driver signing) and by anti-malware.',
    windows: `Windows Installer installs the file anyway; WinVerifyTrust on the installed file reports TRUST_E_NOSIGNATURE (${H.TRUST_E_NOSIGNATURE}), and application control policies may block it.`,
    hresult: H.TRUST_E_NOSIGNATURE,
    fix: 'Sign the file before it is packaged (sign the build output, then build the installer). If a third-party file is legitimately unsigned, list it in `payload-allow-unsigned` (the report counts what each entry excused).',
    defaultSeverity: 'warning',
    tags: ['payload', 'authenticode', 'security'],
  },
  'payload-wrong-signer': {
    title: 'Executable inside signed by someone not accepted',
    meaning:
      'An executable the package carries has a valid signature, but by a signer that is neither the pinned signer nor one of `payload-signers`. Typical: a redistributable signed by its vendor, or a file signed with a test or personal certificate by mistake.',
    windows: 'Windows accepts any valid signature; only your policy can say whose it must be.',
    fix: 'Add the vendor to `payload-signers` (a certificate file or sha256:THUMBPRINT) when the file is a genuine redistributable; otherwise re-sign it with your certificate.',
    defaultSeverity: 'warning',
    tags: ['payload', 'authenticode', 'pinning'],
  },
  'payload-unsigned-excused': {
    title: 'Unsigned executables allowed by payload-allow-unsigned',
    meaning:
      'How many unsigned executables inside the package each `payload-allow-unsigned` entry excused. An entry that excused nothing is stale: the file is gone or now signed.',
    windows: 'Not a Windows check.',
    fix: 'Remove entries that excuse nothing; shrink the list as vendors start signing their files.',
    defaultSeverity: 'notice',
    tags: ['payload'],
  },
  'too-few-artifacts': {
    title: 'Fewer artifacts than expected',
    meaning:
      'The path globs matched fewer files than `min-artifacts` requires. This catches a build or signing step that did not run, wrote its output elsewhere, or a glob that no longer matches.',
    windows: 'Not a Windows condition: the files that should have been checked were not found.',
    fix: 'Check the `paths` globs against where the build writes its output, and that the build and signing steps ran. Lower `min-artifacts` only if fewer files are really expected.',
    defaultSeverity: 'error',
    tags: ['configuration'],
  },
  'outside-workspace': {
    title: 'Artifact outside the workspace',
    meaning:
      "An artifact a glob, a directory walk or a symbolic link reached resolves outside the workspace (or outside the directory written, for a path the workflow gave outside it), or an external cabinet an MSI names in its Media table leads outside the package's directory. Paths the workflow author wrote explicitly are read wherever they are; globs do not follow links out, and cabinets are only read beside their package, so a pull request cannot make the action read files elsewhere on the runner.",
    windows: 'Not a Windows condition.',
    fix: 'Keep build output inside the workspace and do not commit links that lead out of it. To read a file elsewhere on purpose, write its path (absolute, or `${{ runner.temp }}/…`) in `paths`.',
    defaultSeverity: 'error',
    tags: ['security', 'configuration'],
  },
  'signer-not-pinned': {
    title: 'No signer pinned',
    meaning:
      'No signer certificate or thumbprint was given, so any publisher whose chain verifies passes: a throwaway certificate whose name copies yours would pass too. The action refuses to run without a pin unless the workflow opts out with `signer-certificate: any`; the CLI warns unless `--signer any` is given. An empty secret is the usual cause: GitHub passes no secrets to pull requests from forks, nor by default to Dependabot.',
    windows:
      'Windows has no pin: it accepts any signer whose chain ends at a trusted root. The pin is what makes this check stronger than Windows.',
    fix: 'Pin the signer with `signer-certificate` (a PEM file or inline PEM) or `signer-thumbprint` (`sha256:…`), or on the command line `--signer`. If the value comes from a secret, check that the secret is available to this event. Write `any` only when accepting every trusted publisher is intended.',
    defaultSeverity: 'warning',
    tags: ['security', 'configuration'],
  },
  'missing-path': {
    title: 'Path not found',
    meaning:
      'A path without glob characters names no file or directory. A literal path is a promise that the file exists, so a misspelt name or a build step that did not run fails the run even when other paths matched.',
    windows: 'Not a Windows condition: the file that should have been checked does not exist.',
    fix: 'Correct the path, or check that the build and signing steps wrote the file there. Use a glob (`out/*.msi`) if the set of files varies.',
    defaultSeverity: 'error',
    tags: ['configuration'],
  },
  'no-match': {
    title: 'Pattern matched nothing',
    meaning:
      'A glob pattern matched no file. The run goes on with what the other patterns found (`min-artifacts` still fails a run that found too few), but the pattern is named so that a stale glob does not go unnoticed. Each pattern and its match count are listed in the JSON report (`patterns`) and the job summary. With `fail-on: warning` this fails the run.',
    windows: 'Not a Windows condition.',
    fix: 'Correct the pattern or remove it. Patterns are matched relative to the workspace (the working directory for the CLI); quote globs on the command line so the shell does not expand them.',
    defaultSeverity: 'warning',
    tags: ['configuration'],
  },
  'extension-mismatch': {
    title: 'File extension does not match the content',
    meaning:
      'The file is typed by its content, and the content is not what its extension says: a cabinet named `.msi`, an installer database named `.cab`, a patch named `.msi`. The signature may be valid for what the file is, but the program that opens it goes by the name.',
    windows:
      'msiexec refuses a cabinet named .msi with error 1620 (ERROR_INSTALL_PACKAGE_INVALID), and a package named .cab is not opened by Windows Installer at all.',
    fix: 'Check that the build step copied the right file under that name, and rename it to match what it is (.msi, .msp, .mst, .msm, .cab).',
    defaultSeverity: 'warning',
    tags: ['package'],
  },
  'ca-certificate-skipped': {
    title: 'CA certificate skipped',
    meaning:
      'A certificate file given as the signer pin (or to fill-patch-certificate) holds CA certificates (basicConstraints CA:TRUE) besides the signer. A CA certificate never signs files itself, so pinning it, or listing it in MsiPatchCertificate, would only widen what is accepted; it is left out. When only CA certificates are left, the run refuses to start.',
    windows:
      'Not a Windows condition: it is about the pin and the MsiPatchCertificate list, which hold the certificate that signs, never its issuers.',
    fix: 'Nothing to do if the file is the signer certificate with its chain. To silence it, give the signer certificate alone.',
    defaultSeverity: 'notice',
    tags: ['configuration'],
  },
  'bad-certificate': {
    title: 'Invalid certificate',
    meaning:
      "A certificate in the signature or on the chain cannot be used: it does not decode, its issuer's signature on it does not verify, or it breaks CA rules (basic constraints, path length, an unknown critical extension). Key-usage problems are bad-key-usage, weak keys weak-key, MD5 certificate signatures weak-certificate-signature, critical name or policy constraints unevaluated-constraint.",
    windows: `WinVerifyTrust returns CERT_E_MALFORMED (${H.CERT_E_MALFORMED}), TRUST_E_CERT_SIGNATURE (${H.TRUST_E_CERT_SIGNATURE}), TRUST_E_BASIC_CONSTRAINTS (${H.TRUST_E_BASIC_CONSTRAINTS}), CERT_E_PATHLENCONST (${H.CERT_E_PATHLENCONST}) or CERT_E_CRITICAL (${H.CERT_E_CRITICAL}), depending on the fault.`,
    hresult: H.CERT_E_MALFORMED,
    fix: 'Sign with the certificate files your certificate authority issued, unmodified. If you run the CA, check the profile of the intermediate (CA flag, path length, key usage).',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'trust'],
  },
  'unsupported-algorithm': {
    title: 'Unsupported algorithm',
    meaning:
      'The signature uses a digest or signature algorithm the verifier does not support (for example MD2, DSA, or an unknown object identifier), so it cannot be verified. Also reported for an RSA key whose public exponent has more than 64 bits: real keys use 65537, and a huge exponent only makes verification slow (a denial-of-service shape), so such a key is never used.',
    windows: `CryptoAPI reports NTE_BAD_ALGID (${H.NTE_BAD_ALGID}) for algorithms it does not know.`,
    hresult: H.NTE_BAD_ALGID,
    fix: 'Sign with SHA-256 (or SHA-384/SHA-512) and an RSA (2048 bits or more) or ECDSA P-256/P-384 key.',
    defaultSeverity: 'error',
    tags: ['authenticode', 'algorithm'],
  },
  revoked: {
    title: 'Certificate revoked',
    meaning:
      'A certificate of the signer chain or of the timestamp authority chain is revoked: its CA lists it in a CRL or its OCSP responder says so. A timestamp keeps a signature valid only when it proves the signature was made before the revocation date and the reason (superseded, cessation of operation, affiliation changed, hold) does not say the key was misused; key compromise, CA compromise, privilege withdrawn, an unspecified reason, a revocation dated before the timestamp, or no timestamp at all distrust the signature. See docs/revocation.md.',
    windows: `WinVerifyTrust with revocation checking returns CERT_E_REVOKED (${H.CERT_E_REVOKED}); Windows shows the signature as revoked and SmartScreen, application control and Windows Installer treat the file as untrusted. Windows compares the revocation date with the timestamp; for key compromise and the other reasons above this tool also fails revocations dated after the timestamp, since CAs do not always back-date them (docs/revocation.md).`,
    hresult: H.CERT_E_REVOKED,
    fix: 'Do not ship the file. Sign it again with a new, unrevoked certificate (and a timestamp). If the key was compromised, also find out what else it signed.',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'revocation'],
  },
  'revoked-after-timestamp': {
    title: 'Revoked after the timestamp',
    meaning:
      'A certificate of the chain was revoked, but the timestamp proves the file was signed before the revocation date and the reason (superseded, cessation of operation, affiliation changed, hold) does not say the key was misused, so the signature stays valid.',
    windows:
      'WinVerifyTrust checks revocation relative to the timestamp time (CERT_REVOCATION_PARA.pftTimeToUse) and accepts the signature; tools that check revocation at the current time show the certificate as revoked.',
    fix: 'Nothing is required for this file. Sign new releases with the replacement certificate.',
    defaultSeverity: 'notice',
    tags: ['authenticode', 'revocation'],
  },
  'revocation-unknown': {
    title: 'Revocation status unknown',
    meaning:
      'The revocation status of a certificate could not be established: no CRL or OCSP responder answered in time, an answer did not verify (wrong signer, expired, delta CRL, unknown critical extension), or no source names the certificate. The message says which URL or file failed and why. A warning under `revocation: online` and for CRL files, an error under `revocation: require`.',
    windows: `WinVerifyTrust reports CRYPT_E_REVOCATION_OFFLINE (${H.CRYPT_E_REVOCATION_OFFLINE}) or CRYPT_E_NO_REVOCATION_CHECK and, with the default Authenticode policy, still accepts the signature; policies that require revocation checking refuse it (CERT_E_REVOCATION_FAILURE).`,
    hresult: H.CRYPT_E_REVOCATION_OFFLINE,
    fix: 'Give a current CRL of the issuing CA with `revocation-crls` / `--crl`, allow the runner to reach the CRL and OCSP URLs the certificates name, or use `revocation: online` instead of `require` when the status may stay unknown.',
    defaultSeverity: 'warning',
    tags: ['authenticode', 'revocation'],
  },
  'unusual-signature-type': {
    title: 'Unusual signature data type',
    meaning:
      "The SpcIndirectDataContent names a data type that the usual signers of this kind of file do not write. What is known: for cabinets, osslsigncode writes SPC_CAB_DATA_OBJID (1.3.6.1.4.1.311.2.1.25) with an SpcLink value, jsign SPC_CAB_DATA_OBJID with an SpcPeImageData value, and signtool SPC_LINK_OBJID (1.3.6.1.4.1.311.2.1.28) with an SpcLink moniker (SpcSerializedObject, class a6b586d5-b4a1-2466-ae05-a217da8e60d6) whose data is a SET holding szOID_ENHANCED_HASH (1.3.6.1.4.1.311.2.5.1) and a 32-byte hash; all three are accepted without a finding. For installer packages every signer writes SPC_SIPINFO_OBJID with an SpcSipInfo naming the MSI SIP {000C10F1-0000-0000-C000-000000000046}, version 1 (osslsigncode, jsign, relic) or 2 (signtool); both are accepted. What is not known: what signtool's enhanced hash covers (it is not checked, and not guessed at), and whether WinVerifyTrust rejects other types; no verifier we know of (osslsigncode, relic, jsign, psign) does. The file digest is what binds a signature to a file, so the verdict rests on it and any other type is this warning.",
    windows:
      'signtool verifies cabinets signed with either cabinet type above. Windows picks the subject interface package by the file format, not by this field.',
    fix: 'Nothing to fix if the signature came from a mainstream signing tool. Otherwise check which tool signed the file: a signature made for another file format whose digest still matches is unusual.',
    defaultSeverity: 'warning',
    tags: ['authenticode', 'signature'],
  },
  'timestamp-bare-digest': {
    title: 'Timestamp in the legacy bare-digest RSA form',
    meaning:
      "The timestamp authority's RSA PKCS#1 v1.5 signature block holds the bare digest of the signed attributes, without the DigestInfo structure that names the hash algorithm. The Symantec/Thawte SHA-1 timestamp service (\"Symantec Time Stamping Services Signer - G4\" and its predecessors, signtool's default for years) signed this way. It is accepted for timestamps (RFC 3161 tokens and legacy countersignatures) only, never for the file's signer, and this notice records that the timestamp used the form.",
    windows:
      'Windows accepts these timestamps (signify accepts them on purpose for the same reason); the signature is dated by them as usual.',
    fix: 'Nothing to fix. New signatures should be timestamped with SHA-256 by a current RFC 3161 service (`signtool sign /tr <URL> /td sha256`).',
    defaultSeverity: 'notice',
    tags: ['authenticode', 'timestamp'],
  },
  'weak-key': {
    title: 'RSA key under 1024 bits',
    meaning:
      'A certificate on the signer or timestamp authority chain (the root included) has an RSA key shorter than 1024 bits, which can be factored.',
    windows: `Since KB2661254 (2012) CertGetCertificateChain refuses every chain with an RSA key under 1024 bits; WinVerifyTrust fails the signature. Known exception we do not model: by default Windows still accepts code signed with such keys and timestamped before 1 January 2010. The exact HRESULT is not documented; ${H.TRUST_E_CERT_SIGNATURE} (TRUST_E_CERT_SIGNATURE) is our best reading.`,
    hresult: H.TRUST_E_CERT_SIGNATURE,
    fix: 'Sign with a certificate whose key has 2048 bits or more (3072 for new certificates), and use a timestamp authority with a current key.',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'trust', 'algorithm'],
  },
  'weak-certificate-signature': {
    title: 'Certificate signed with MD5',
    meaning:
      "A certificate on the signer or timestamp authority chain was signed by its issuer with MD5 (or MD2/MD4). A root's self-signature is exempt: a root is trusted for being in the store, not for its self-signature.",
    windows: `Windows refuses MD5-signed certificates below the root (Microsoft Security Advisory 2862973 and later Windows versions). The exact HRESULT is not documented; ${H.TRUST_E_CERT_SIGNATURE} (TRUST_E_CERT_SIGNATURE) is our best reading.`,
    hresult: H.TRUST_E_CERT_SIGNATURE,
    fix: 'Use a certificate chain signed with SHA-256 or stronger; ask the CA to reissue the certificate.',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'trust', 'algorithm'],
  },
  'unevaluated-constraint': {
    title: 'Critical constraint not evaluated',
    meaning:
      'A certificate on the chain (a root included) carries a critical name constraints, policy constraints or inhibitAnyPolicy extension. Windows enforces these; this verifier does not evaluate them, so it refuses the chain rather than accept it without the check. Non-critical ones are ignored, as RFC 5280 allows for extensions a verifier does not process.',
    windows: `Windows evaluates the constraints: a chain within them verifies, a chain outside them fails (CERT_E_INVALID_NAME / CERT_E_INVALID_POLICY). This verifier may therefore refuse a file Windows accepts; it never accepts one Windows would refuse for this reason. Reported with CERT_E_CRITICAL (${H.CERT_E_CRITICAL}).`,
    hresult: H.CERT_E_CRITICAL,
    fix: 'If the chain is legitimate and constrained on purpose, verify the file on Windows (`signtool verify /pa /v`) and pin the exact certificate; otherwise sign with a certificate from an unconstrained code-signing CA.',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'trust'],
  },
  'bad-key-usage': {
    title: 'Key usage does not allow this use',
    meaning:
      "A certificate's keyUsage extension does not allow what it is used for: the signer (or timestamp authority) certificate lacks digitalSignature, or a CA certificate lacks keyCertSign although it issued the certificate below it.",
    windows: `How sure we are: CryptoAPI's chain engine marks a CA without keyCertSign as not valid for usage (CERT_E_WRONG_USAGE, ${H.CERT_E_WRONG_USAGE}); this is documented behaviour and reproduced by Wine. That WinVerifyTrust also refuses an Authenticode signer whose keyUsage lacks digitalSignature is likely (RFC 5280 requires it and CryptoAPI exposes the bits to the policy) but we have not confirmed it on Windows; the verifier refuses it either way.`,
    hresult: H.CERT_E_WRONG_USAGE,
    fix: 'Issue the signing certificate with keyUsage digitalSignature (and, for CAs, keyCertSign) from your CA, then sign again.',
    defaultSeverity: 'error',
    tags: ['security', 'authenticode', 'trust'],
  },
};

/**
 * Where this verifier's verdict on a signature deliberately differs from `osslsigncode verify`,
 * and why. Rendered into docs/finding-codes.md; the osslsigncode agreement test
 * (test/verify/osslsigncode-agreement.test.ts) expects a different verdict on exactly the
 * fixtures named here.
 */
export interface OsslsigncodeDifference {
  topic: string;
  /** Committed fixtures showing the difference (paths from the repository root). */
  fixtures: string[];
  ours: string;
  osslsigncode: string;
  why: string;
}

export const OSSLSIGNCODE_DIFFERENCES: readonly OsslsigncodeDifference[] = [
  {
    topic: 'A second WIN_CERTIFICATE entry in a PE certificate table',
    fixtures: ['fixtures/pe/damaged/pe-second-certificate-entry.exe'],
    ours: 'valid, with the warning unusual-layout (nothing checks the other entry)',
    osslsigncode: 'refuses the table ("Corrupted attribute certificate table")',
    why: 'Windows verifies the first entry of the attribute certificate table and ignores the others; docs/pe.md.',
  },
  {
    topic: 'A certificate revoked as superseded after the timestamp',
    fixtures: ['fixtures/revocation/superseded-timestamped.cab'],
    ours: 'valid, with the notice revoked-after-timestamp (with the CRL files given)',
    osslsigncode: 'checks the CRL (-CRLfile) at the current time and fails the signature',
    why: 'Windows checks revocation at the timestamp time (CERT_REVOCATION_PARA.pftTimeToUse), so a revocation dated after the timestamp does not touch the signature; docs/revocation.md.',
  },
  {
    topic: 'Bytes after the last allocated sector of a signed MSI',
    fixtures: ['fixtures/damaged/msi-trailing-data.msi'],
    ours: 'error trailing-data',
    osslsigncode: 'ignores them and verifies',
    why: 'No digest covers them, and signtool verify (WinVerifyTrust) rejects such a file (osslsigncode issue #273); docs/hostile-input.md.',
  },
  {
    topic: 'MsiDigitalSignatureEx metadata changed after signing',
    fixtures: [
      'fixtures/msi/signed-dse-metadata-changed.msi',
      'fixtures/msi/signed-dse-empty-stream-added.msi',
    ],
    ours: 'valid, with the warning digest-metadata-changed',
    osslsigncode: 'recomputes the metadata pre-hash and reports a digest mismatch',
    why: 'Windows prepends the stored MsiDigitalSignatureEx bytes and never validates them; an empty stream added after signing leaves the content digest unchanged.',
  },
  {
    topic: 'Bytes after the last allocated sector of an MSI',
    fixtures: ['fixtures/damaged/msi-trailing-data.msi'],
    ours: 'error trailing-data',
    osslsigncode: 'ignores them (2.9)',
    why: 'No digest covers them and signtool verify rejects such a file (osslsigncode issue #273); see docs/hostile-input.md.',
  },
  {
    topic: 'A present timestamp that does not verify',
    fixtures: ['fixtures/msi/signed-timestamp-untrusted-tsa.msi'],
    ours: 'error timestamp-invalid',
    osslsigncode: 'prints the timestamp failure, then verifies as of now and succeeds',
    why: 'WinVerifyTrust reports TRUST_E_TIME_STAMP; it does not fall back to the current time.',
  },
  {
    topic: 'Timestamps whose RSA block holds the bare digest',
    fixtures: [
      'fixtures/msi/signed-expired-rfc3161-bare-digest.msi',
      'fixtures/msi/signed-expired-legacy-bare-digest.msi',
    ],
    ours: 'valid timestamp, with the notice timestamp-bare-digest',
    osslsigncode: 'rejects the timestamp signature, so an expired signer fails',
    why: 'The Symantec/Thawte SHA-1 timestamp service signed this way for years and Windows accepts its timestamps (see timestamp-bare-digest).',
  },
  {
    topic: "TSA chain built from the outer signature's certificates",
    fixtures: ['fixtures/msi/signed-expired-tsa-ca-outside-token.msi'],
    ours: 'builds the TSA chain from the token, the signature and `intermediates`',
    osslsigncode: "uses the token's certificates only and cannot find the TSA's issuing CA",
    why: 'CryptoAPI builds chains from every certificate store at hand, the signature’s included.',
  },
  {
    topic: 'Timestamp authority certificate without an EKU extension',
    fixtures: ['fixtures/msi/signed-expired-noeku-tsa.msi'],
    ours: 'error timestamp-invalid',
    osslsigncode: 'accepts the timestamp',
    why: 'Deliberate strictness: RFC 3161 §2.3 requires id-kp-timeStamping and every real TSA certificate carries it; accepting any EKU-less certificate as a TSA would let it back-date signatures. Whether Windows accepts such a timestamp is not known (see timestamp-invalid).',
  },
  {
    topic: 'MD5 in a timestamp',
    fixtures: ['fixtures/msi/signed-expired-md5-timestamp.msi'],
    ours: 'error timestamp-invalid',
    osslsigncode: 'accepts the timestamp',
    why: 'Windows refuses MD5 in Authenticode; a timestamp relying on it cannot date the signature. (An MD5 file or SignerInfo digest is the error weak-digest here; osslsigncode accepts those too.)',
  },
  {
    topic: 'RSA keys under 1024 bits',
    fixtures: ['fixtures/msi/signed-weak-key-512.msi'],
    ours: 'error weak-key',
    osslsigncode: 'accepts the chain',
    why: 'Windows refuses RSA keys under 1024 bits anywhere in a chain (KB2661254).',
  },
  {
    topic: 'MD5-signed certificates below the root',
    fixtures: ['fixtures/msi/signed-md5-intermediate.msi'],
    ours: 'error weak-certificate-signature',
    osslsigncode: 'accepts the chain',
    why: 'Windows refuses MD5-signed certificates other than a root’s self-signature.',
  },
  {
    topic: 'Critical name constraints and policy constraints',
    fixtures: ['fixtures/msi/signed-name-constrained-ca.msi'],
    ours: 'error unevaluated-constraint',
    osslsigncode: 'evaluates the constraints (OpenSSL) and accepts the chain, which is within them',
    why: 'Windows enforces these constraints; this verifier does not evaluate them and refuses rather than accept a chain unchecked (see unevaluated-constraint). Here we may refuse what Windows accepts.',
  },
  {
    topic: 'Signer keyUsage without digitalSignature',
    fixtures: ['fixtures/msi/signed-bad-key-usage.msi'],
    ours: 'error bad-key-usage',
    osslsigncode: 'accepts the signer',
    why: 'RFC 5280 requires digitalSignature for a key that signs; see bad-key-usage for how sure we are that Windows checks it.',
  },
];

/** Every code's description, in FINDING_CODES order. */
export const CODE_DESCRIPTIONS: readonly CodeDescription[] = FINDING_CODES.map((code) => ({
  code,
  ...DESCRIPTIONS[code],
}));

const BY_CODE = new Map<string, CodeDescription>(CODE_DESCRIPTIONS.map((d) => [d.code, d]));

/** The description of a code; a generic one for a code this version does not know. */
export function describeCode(code: string): CodeDescription {
  return (
    BY_CODE.get(code) ?? {
      code: code as FindingCode,
      title: 'Finding',
      meaning: 'A finding this version of the report renderer has no description for.',
      windows: '',
      fix: 'See the finding message.',
      defaultSeverity: 'error',
      tags: [],
    }
  );
}

/** Plain-text help: what it means, what Windows does, how to fix it. */
export function codeHelpText(code: string): string {
  const d = describeCode(code);
  const parts = [`${d.title}.`, d.meaning];
  if (d.windows) parts.push(`Windows: ${d.windows}`);
  parts.push(`Fix: ${d.fix}`);
  return parts.join('\n\n');
}

/** Markdown help for SARIF `help.markdown` and docs/finding-codes.md (text is ours, trusted). */
export function codeHelpMarkdown(code: string): string {
  const d = describeCode(code);
  const lines = [`**${d.title}** (\`${d.code}\`)`, '', d.meaning, ''];
  if (d.windows) lines.push(`**Windows:** ${d.windows}`, '');
  if (d.hresult) {
    const name = hresultName(d.hresult);
    lines.push(`**HRESULT:** \`${d.hresult}\`${name ? ` (${name})` : ''}`, '');
  }
  lines.push(`**Fix:** ${d.fix}`);
  return lines.join('\n');
}

/** docs/finding-codes.md: every code with its meaning, HRESULT and fix. */
export function renderFindingCodesDoc(): string {
  const out = [
    '# Finding codes',
    '',
    'Every finding has a stable, kebab-case code (codes are added, never renamed). This page is',
    'generated from `src/report/code-descriptions.ts`.',
    '',
    '| Code | Default severity | HRESULT | Title |',
    '| --- | --- | --- | --- |',
  ];
  for (const d of CODE_DESCRIPTIONS) {
    const hr = d.hresult ? `\`${d.hresult}\` ${hresultName(d.hresult) ?? ''}`.trim() : '—';
    out.push(`| [\`${d.code}\`](#${d.code}) | ${d.defaultSeverity} | ${hr} | ${d.title} |`);
  }
  for (const d of CODE_DESCRIPTIONS) {
    out.push('', `## ${d.code}`, '', codeHelpMarkdown(d.code));
  }
  out.push(
    '',
    '## Deliberate differences from osslsigncode',
    '',
    'osslsigncode is the independent implementation the fixtures are cross-checked against',
    '(`test/verify/osslsigncode-agreement.test.ts`). Where the verdicts differ on purpose:',
    '',
    '| Case | This verifier | osslsigncode | Why | Fixtures |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const d of OSSLSIGNCODE_DIFFERENCES) {
    out.push(
      `| ${d.topic} | ${d.ours} | ${d.osslsigncode} | ${d.why} | ${d.fixtures.map((f) => `\`${f}\``).join(', ')} |`,
    );
  }
  out.push(
    '',
    'Other differences: an MD5 file or SignerInfo digest is the error `weak-digest` here (Windows',
    'refuses MD5; the agreement test counts `weak-digest` as policy), and `min-digest` applies to',
    'the SignerInfo digest as well as the file digest; an unusual SpcIndirectDataContent type is a warning here and ignored by',
    'osslsigncode; chain building here is bounded (8 same-named issuers per step, 256 certificate',
    'signature checks per file, RSA public exponents of at most 64 bits).',
  );
  return out.join('\n') + '\n';
}
