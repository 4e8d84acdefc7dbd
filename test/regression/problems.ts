/** Seeded random regression problems for the tests of src/regression. */
import { spawnSync } from 'node:child_process';
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

/** The normal equations in float64: A = X̃ᵀX̃ + Λ and B = X̃ᵀZ (X̃ = X with a ones column when `bias`). */
export function normalEquations(xd: Float64Array, n: number, p: number, z: Float32Array, m: number, lambda: number, bias: boolean): { a: Float64Array; b: Float64Array; q: number } {
  const q = bias ? p + 1 : p;
  const at = (i: number, j: number): number => (j === p ? 1 : xd[i * p + j]!);
  const a = new Float64Array(q * q), b = new Float64Array(q * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < q; j++) {
      const u = at(i, j);
      if (u === 0) continue;
      for (let k = 0; k < q; k++) a[j * q + k]! += u * at(i, k);
      for (let c = 0; c < m; c++) b[j * m + c]! += u * z[i * m + c]!;
    }
  }
  for (let j = 0; j < p; j++) a[j * q + j]! += lambda;
  return { a, b, q };
}

/**
 * A numpy reference for ridge: python3 reads X (n × p, with a ones column appended when `bias`),
 * Z (n × m), lam and bias, runs `body`, which prints the solution [V; bᵀ] as a JSON list. Gives
 * the reason instead when python3 with numpy is not available (the caller skips).
 */
export function numpyRidge(body: string, xd: Float64Array, n: number, p: number, z: Float32Array, m: number, lambda: number, bias: boolean): { ref: number[] } | { skip: string } {
  const script = `import json,sys,numpy as np
d=json.load(sys.stdin); n,p,m,lam,bias=d['n'],d['p'],d['m'],d['lam'],d['bias']
X=np.array(d['x']).reshape(n,p); Z=np.array(d['z']).reshape(n,m)
if bias: X=np.hstack([X,np.ones((n,1))])
${body}`;
  const py = spawnSync('python3', ['-c', script], { input: JSON.stringify({ n, p, m, lam: lambda, bias, x: Array.from(xd), z: Array.from(z) }), encoding: 'utf8' });
  if (py.error || py.status !== 0) return { skip: `python3 with numpy is not available: ${py.error?.message ?? py.stderr.split('\n')[0]}` };
  return { ref: JSON.parse(py.stdout) as number[] };
}
