/**
 * The number of compute threads: OpenBLAS's and OpenMP's in the native addon (every matrix
 * product and the OpenMP-parallel kernels), and the intra-op threads libtensorflow starts with
 * (read from the environment when `@tensorflow/tfjs-node` loads, so set before a backend loads).
 * xmlc starts no worker pools of its own; the wasm and cpu backends run on the calling thread.
 * Until set, OpenBLAS and OpenMP use every core (or $OPENBLAS_NUM_THREADS / $OMP_NUM_THREADS).
 */
import { nativeAddon } from './addon.js';
import { InvalidArgumentError } from '../errors.js';

/** Threads the native addon's libraries will use, or undefined without the addon. */
export interface ThreadReport { readonly blas: number; readonly openmp: number }

/**
 * Use `n` compute threads from now on (OpenBLAS: `openblas_set_num_threads`, OpenMP:
 * `omp_set_num_threads`, libtensorflow: `TF_NUM_INTRAOP_THREADS`).
 * @param n a positive integer.
 * @returns what the addon reports afterwards (undefined without the addon).
 * @throws InvalidArgumentError if n is not a positive integer.
 */
export function setThreads(n: number): ThreadReport | undefined {
  if (!(Number.isSafeInteger(n) && n >= 1)) throw new InvalidArgumentError('setThreads', `'n' passed to setThreads() must be a positive integer but got ${n}`);
  process.env['TF_NUM_INTRAOP_THREADS'] = String(n);
  const { addon } = nativeAddon();
  if (!addon) return undefined;
  addon.setThreads(n);
  return threadReport();
}

/** The addon's current OpenBLAS and OpenMP thread counts (undefined without the addon). */
export function threadReport(): ThreadReport | undefined {
  const { addon } = nativeAddon();
  if (!addon) return undefined;
  const i = addon.info();
  return { blas: i.blasThreads, openmp: i.ompThreads };
}
