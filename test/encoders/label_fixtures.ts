/** Label matrices shared by the encoder tests. */
import { type Csr, fromDense } from '../../src/data/csr.js';
import { Rng } from '../../src/util/rng.js';

/** A seeded random sparse 0/1 n × d label matrix with about `k` nonzeros per row. */
export function labelMatrix(n: number, d: number, k: number, seed: number): Csr {
  const rng = new Rng(seed);
  const dense = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) dense[i * d + rng.int(d)] = 1;
  return fromDense(n, d, dense);
}
