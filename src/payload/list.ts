/**
 * `inspect --payload`: the payload of one file as a list, without a policy: each inner file
 * with its install path, size, where it is stored and how it is compressed, and whether it is
 * an executable. Reads the file once more after the signature inspection.
 */
import { detectContainer } from '../container/detect.js';
import { RandomAccessFile } from '../io/random-access-file.js';
import { payloadLimitsFor, walkPayload, type PayloadWalk } from './walk.js';

export async function listPayload(path: string): Promise<PayloadWalk> {
  const source = await RandomAccessFile.open(path);
  try {
    const detection = await detectContainer(source);
    if (detection.container === 'other') return { files: [], findings: [] };
    const kind = detection.container === 'cabinet' ? 'cab' : 'msi';
    return await walkPayload(path, source, kind, {
      limits: payloadLimitsFor(source.size),
      severity: 'warning',
    });
  } finally {
    await source.close();
  }
}
