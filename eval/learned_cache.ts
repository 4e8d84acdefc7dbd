/**
 * A disk cache of learned measurement matrices for the eval/ sweeps: each trained encoder's
 * state and training record in one JSON file per (dataset, seed, m, kind), so that a sweep
 * can be resumed or re-scored without retraining. Files are written atomically.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type Csr } from '../src/data/csr.js';
import { SimpleAeEncoder } from '../src/encoders/baselines.js';
import { type EncoderState } from '../src/encoders/encoder.js';
import { L1aeEncoder } from '../src/encoders/l1ae.js';
import { learnMatrix, type LearnedMatrixKind, matrixFromEncoder } from '../src/model/learned_matrix.js';
import { type SensingAeOptions } from '../src/sensing/ae_defaults.js';
import { type MeasurementMatrix } from '../src/sensing/matrices.js';
import { writeFileAtomic } from '../src/util/atomic.js';

export interface CachedLearned {
  matrix: MeasurementMatrix;
  encoder: L1aeEncoder | SimpleAeEncoder;
  bestEpoch: number;
  epochsRun: number;
  /** Training wall time when it was trained. */
  seconds: number;
}

function toBase64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function fromBase64(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Train (or read from `cacheDir`, when given) the learned matrix of `kind` for this dataset, seed and m. */
export async function learnCached(
  cacheDir: string, key: string, kind: LearnedMatrixKind, train: Csr, valid: Csr, m: number, seed: number, options: Partial<SensingAeOptions> = {},
): Promise<CachedLearned & { cached: boolean }> {
  const tag = Object.keys(options).length ? `_${Object.entries(options).map(([k, v]) => `${k}${v}`).join('_')}` : '';
  const file = cacheDir ? path.join(cacheDir, `${key}_seed${seed}_m${m}_${kind}${tag}.json`) : '';
  if (file) {
    const text = await fs.readFile(file, 'utf8').catch(() => null);
    if (text !== null) {
      const j = JSON.parse(text) as { state: Omit<EncoderState, 'arrays'> & { arrays: Record<string, string> }; bestEpoch: number; epochsRun: number; seconds: number };
      const state: EncoderState = { ...j.state, arrays: Object.fromEntries(Object.entries(j.state.arrays).map(([k, v]) => [k, fromBase64(v)])) };
      const encoder = kind === 'l1ae' ? L1aeEncoder.fromState(state) : SimpleAeEncoder.fromState(state);
      return { matrix: matrixFromEncoder(encoder), encoder, bestEpoch: j.bestEpoch, epochsRun: j.epochsRun, seconds: j.seconds, cached: true };
    }
  }
  const t0 = performance.now();
  const r = await learnMatrix(kind, train, m, seed, options, valid);
  const seconds = (performance.now() - t0) / 1000;
  if (file) {
    const st = r.encoder.state();
    await fs.mkdir(cacheDir, { recursive: true });
    await writeFileAtomic(file, JSON.stringify({
      state: { ...st, arrays: Object.fromEntries(Object.entries(st.arrays).map(([k, v]) => [k, toBase64(v)])) },
      bestEpoch: r.history.bestEpoch, epochsRun: r.history.epochsRun, seconds,
    }));
  }
  return { matrix: r.matrix, encoder: r.encoder, bestEpoch: r.history.bestEpoch, epochsRun: r.history.epochsRun, seconds, cached: false };
}
