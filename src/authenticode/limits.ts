/**
 * Bounds on file-controlled counts. Real signatures carry a handful of each; a blob beyond
 * these is hostile or broken and is reported as malformed rather than processed.
 */
export const LIMITS = {
  certificates: 256,
  crls: 256,
  /** SignerInfos looked at before rejecting anything but exactly one. */
  signerInfos: 16,
  /** Attributes in one authenticated or unauthenticated attribute set. */
  attributes: 64,
  /** Values of one attribute. */
  attributeValues: 64,
  /** Nested signatures across all SPC_NESTED_SIGNATURE attributes of the primary signer. */
  nestedSignatures: 64,
  /** RFC 3161 tokens plus legacy countersignatures on one signer. */
  timestamps: 16,
  /** Characters kept of a display string (program name, URL) from the file. */
  displayString: 1024,
} as const;
