/**
 * Signed containers: every file format the verifier reads, behind one interface
 * ({@link SignedContainer}) that verification and inspection both evaluate.
 */
export { openContainer } from './open.js';
export { claimedKind, detectContainer, notAPackageMessage, type Detection } from './detect.js';
export { prehashAlgorithm } from './compound-file.js';
export type {
  ContainerFormat,
  ContainerStructure,
  DeferredError,
  OpenContainerOptions,
  SignatureCheck,
  SignedContainer,
} from './types.js';
