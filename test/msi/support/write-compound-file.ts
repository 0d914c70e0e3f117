/**
 * Writes streams into a real compound file with the npm `cfb` package, so msitools can read
 * databases built by our encode side. (The writer adds its own "\x01Sh33tJ5" stream.)
 */
import CFB from 'cfb';

export const NPM_CFB_SEED_STREAM = '\u0001Sh33tJ5';

export function writeCompoundFile(
  streams: ReadonlyMap<string, Uint8Array>,
  rootClsid: Uint8Array,
): Buffer {
  const container = CFB.utils.cfb_new({ CLSID: Buffer.from(rootClsid).toString('hex') });
  for (const [name, bytes] of streams) {
    if (name.includes('/'))
      throw new Error(`cannot write stream name ${JSON.stringify(name)} with npm cfb`);
    CFB.utils.cfb_add(container, `/${name}`, Buffer.from(bytes));
  }
  return Buffer.from(CFB.write(container, { type: 'buffer', fileType: 'cfb' }) as Uint8Array);
}
