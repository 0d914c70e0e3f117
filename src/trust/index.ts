export {
  BundleError,
  loadCertificateFile,
  loadCertificates,
  looksLikePem,
  parseInlinePem,
} from './bundle.js';
export {
  buildChain,
  validationTime,
  type ChainOptions,
  type ChainResult,
  type ChainStatus,
  type ChainUsage,
  type ValidationTimeReason,
} from './chain.js';
export {
  newSignatureCheckBudget,
  SignatureCheckBudget,
  SIGNATURE_CHECKS_PER_FILE,
} from './facts.js';
export {
  firstChainError,
  hresultForCode,
  orderTrustProblems,
  TRUST_HRESULT,
  type TrustProblem,
} from './hresult.js';
export { parsePin, PinError, PinSet, type ParsePinOptions, type Pin } from './pin.js';
