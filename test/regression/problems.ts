/** Seeded random regression problems for the tests of src/regression. */
import { type Csr, fromDense } from '../../src/data/csr.js';
import { Rng } from '../../src/util/rng.js';

/** X (n × p, each entry nonzero with probability `density`, values in [0, 1)) in CSR and dense float64, and Gaussian targets Z (n × m). */
export function problem(n: number, p: number, m: number, density: number, seed: number): { x: Csr; xd: Float64Array; z: Float32Array } {
  const rng = new Rng(seed);
  const xd = new Float64Array(n * p);
  for (let i = 0; i < n * p; i++) if (rng.next() < density) xd[i] = Math.fround(rng.next());
  const z = Float32Array.from({ length: n * m }, () => rng.normal());
  return { x: fromDense(n, p, xd), xd, z };
}

/** Largest absolute entry-wise difference. */
export const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};
