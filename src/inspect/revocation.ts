import {
  revocationActive,
  revocationCheckerFor,
  revocationFinding,
  type RevocationRole,
  type RevocationSettings,
} from '../revocation/index.js';
import { chainItems, revocationEntry } from '../verify/revocation-check.js';
import type { ChainInspection, Inspection } from './model.js';
import { builtChainOf } from './signature.js';

/**
 * Adds each chain certificate's revocation status to an inspection (`inspect --revocation` or
 * `--crl`), with the finding `verify` would report: the signer chain is protected by the first
 * valid timestamp when it was judged at that time, a TSA chain by its own token's time.
 */
export async function inspectRevocation(
  inspection: Inspection,
  settings: RevocationSettings,
  now: Date,
): Promise<void> {
  if (!revocationActive(settings)) return;
  const checker = revocationCheckerFor(settings, now);
  const annotate = async (
    chain: ChainInspection,
    leafRole: RevocationRole,
    caRole: RevocationRole,
    provenBy: Date | null,
  ): Promise<void> => {
    const built = builtChainOf(chain);
    if (!built) return;
    for (const item of chainItems(built, leafRole, caRole, provenBy)) {
      const certificate = built.chain[item.index]!;
      const result = await checker.check({
        certificate,
        issuer: built.chain[item.index + 1],
        isCa: item.index > 0,
      });
      if (!result) continue;
      const finding = revocationFinding({
        role: item.role,
        certificate,
        result,
        provenBy,
        mode: settings.mode,
      });
      (chain.revocation ??= []).push({
        ...revocationEntry(item.role, certificate, result),
        ...(finding ? { finding } : {}),
      });
    }
  };
  for (const signature of inspection.signatures) {
    const stamp =
      signature.timestamps.find((ts) => ts.valid && ts.time && ts.kind === 'rfc3161') ??
      signature.timestamps.find((ts) => ts.valid && ts.time);
    if (signature.chain) {
      const provenBy =
        signature.chain.timeReason === 'timestamp' && stamp?.time ? new Date(stamp.time) : null;
      await annotate(signature.chain, 'signer', 'ca', provenBy);
    }
    for (const ts of signature.timestamps) {
      if (ts.chain && ts.time)
        await annotate(ts.chain, 'timestamp-authority', 'timestamp-ca', new Date(ts.time));
    }
  }
  inspection.revocation = {
    mode: settings.mode,
    crlFiles: settings.crls.map((c) => c.location),
    checked: true,
    requests: checker.requests,
  };
}
