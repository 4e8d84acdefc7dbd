/** Seeded train / validation splits of row ids (no tensors: the CLI's light paths use it). */
import { Rng } from './rng.js';

/** Split 0..n−1 into seeded shuffled train and validation row lists. */
export function splitRows(n: number, validationFraction: number, seed: number): { train: Int32Array; valid: Int32Array } {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  new Rng(seed).shuffle(perm);
  const nValid = validationFraction > 0 && n > 1 ? Math.min(n - 1, Math.max(1, Math.round(n * validationFraction))) : 0;
  return { valid: perm.slice(0, nValid).sort(), train: perm.slice(nValid) };
}
