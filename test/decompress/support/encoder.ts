/**
 * The fixture generator's LZX encoder and cabinet writer (plain JavaScript under
 * fixtures/tools/, imported by URL and typed here).
 */
export interface LzxBlockPlan {
  type: 'verbatim' | 'aligned' | 'uncompressed';
  size: number;
}
export interface LzxEncoderOptions {
  windowBits?: number;
  blocks?: LzxBlockPlan[];
  e8FileSize?: number;
  chainLimit?: number;
}
export interface EncodedFrame {
  data: Buffer;
  size: number;
}
export interface CabinetSpec {
  folders: {
    compression: 'none' | 'mszip' | 'lzx' | 'quantum';
    windowBits?: number;
    lzx?: LzxEncoderOptions;
    files: { name: string; data: Buffer }[];
    blocks?: EncodedFrame[];
  }[];
  checksums?: boolean;
  declaredSizes?: Record<string, number>;
}

export interface FixtureEncoder {
  lzxCompress(input: Uint8Array, options?: LzxEncoderOptions): EncodedFrame[];
  writeCabinet(spec: CabinetSpec): Buffer;
}

export async function loadFixtureEncoder(): Promise<FixtureEncoder> {
  const encoder = (await import(
    new URL('../../../fixtures/tools/lzx-encoder.mjs', import.meta.url).href
  )) as Pick<FixtureEncoder, 'lzxCompress'>;
  const writer = (await import(
    new URL('../../../fixtures/tools/cab-writer.mjs', import.meta.url).href
  )) as Pick<FixtureEncoder, 'writeCabinet'>;
  return { lzxCompress: encoder.lzxCompress, writeCabinet: writer.writeCabinet };
}
