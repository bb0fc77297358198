// The waiting room's shuffle, checked in the buyer's browser (queue plugin README, "Pre-queue and
// the verifiable shuffle"): before the sale start only the commitment hex(SHA-256(seed)) is known;
// after it the seed and every pre-queue join id are public, the seed must hash to the commitment,
// and the shuffled order is the join ids sorted by hex(HMAC-SHA256(key = seed, joinId)), ties by
// id. Pure functions over WebCrypto; nothing here trusts the server's claim of a position.
import type { Fairness } from './api/types';

export type FairnessCheck =
  | { kind: 'committed' }                                   // before the start: nothing to check yet
  | { kind: 'mismatch' }                                    // the seed does not hash to the commitment
  | { kind: 'verified'; place: number | null; of: number }; // place in the shuffled block, or null

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

function fromHex(text: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export async function checkFairness(f: Fairness, joinId: string): Promise<FairnessCheck> {
  if (!f.seed || !f.joinIds) return { kind: 'committed' };
  if (!/^([0-9a-f]{2})+$/.test(f.seed)) return { kind: 'mismatch' };
  const seed = fromHex(f.seed);
  if (hex(await crypto.subtle.digest('SHA-256', seed)) !== f.commitment.toLowerCase()) return { kind: 'mismatch' };
  const key = await crypto.subtle.importKey('raw', seed, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const encoder = new TextEncoder();
  const keyed = await Promise.all(
    f.joinIds.map(async (id) => ({ id, order: hex(await crypto.subtle.sign('HMAC', key, encoder.encode(id))) })),
  );
  keyed.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const at = keyed.findIndex((k) => k.id === joinId);
  return { kind: 'verified', place: at < 0 ? null : at + 1, of: keyed.length };
}
