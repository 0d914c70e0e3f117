import type { RandomAccessSource } from '../io/random-access-file.js';
import { openCabinetContainer } from './cabinet.js';
import { openCompoundFileContainer } from './compound-file.js';
import { openPortableExecutableContainer } from './portable-executable.js';
import type { Detection } from './detect.js';
import type { ContainerFormat, OpenContainerOptions, SignedContainer } from './types.js';

/**
 * Opens the container `detection` found (see detect.ts). Throws the format's typed errors when
 * its structure cannot be read at all; what is read before a later failure is kept, with the
 * failure in {@link SignedContainer.deferredError}.
 */
export async function openContainer(
  source: RandomAccessSource,
  detection: Extract<Detection, { container: ContainerFormat }>,
  options: OpenContainerOptions = {},
): Promise<SignedContainer> {
  switch (detection.container) {
    case 'compound-file':
      return openCompoundFileContainer(source, options);
    case 'cabinet':
      return openCabinetContainer(source, options);
    case 'portable-executable':
      return openPortableExecutableContainer(source, options);
  }
}
