/**
 * Shared by eval/accuracy.ts and eval/split_seeds.ts: the one-vs-rest baseline and the paired
 * comparison of two rankings on the same test points.
 */
import { type Csr, normalizeRowsL2, selectRows } from '../src/data/csr.js';
import { predictTopK, trainOneVsRest } from '../src/linear/ovr.js';
import { meanPrecision135, pairedGain } from '../src/metrics/held_out.js';
import { type Ranked } from '../src/ranking/topk.js';
import { splitRows } from '../src/util/split.js';

/** One-vs-rest logistic regression with C chosen on a held-out 10% (seeded), refitted on all the points. */
export async function ovrAlone(data: { features: Csr; labels: Csr }): Promise<{ ranked: (x: Csr) => Ranked; c: number; scores: number[] }> {
  const x = normalizeRowsL2(data.features);
  const { train, valid } = splitRows(x.nRows, 0.1, 0x5bd1e995);
  const opts = { loss: 'logistic' as const, bias: 1, pruneBelow: 0.01, seed: 0 };
  const scores: number[] = [];
  const cs = [1, 10, 100];
  for (const c of cs) {
    const m = trainOneVsRest(selectRows(x, train), selectRows(data.labels, train), { ...opts, c });
    scores.push(meanPrecision135(predictTopK(m, selectRows(x, valid), 5), selectRows(data.labels, valid)));
  }
  const c = cs[scores.indexOf(Math.max(...scores))]!;
  const m = trainOneVsRest(x, data.labels, { ...opts, c });
  return { ranked: (t) => predictTopK(m, normalizeRowsL2(t), 5), c, scores };
}

/** Per test point, P@k of the ranking `r` (its first k labels) against the label rows `truth`. */
function pointPrecision(r: Pick<Ranked, 'nRows' | 'k' | 'labels'>, truth: Csr, k: number): Float64Array {
  const out = new Float64Array(r.nRows);
  for (let i = 0; i < r.nRows; i++) {
    const row = new Set(truth.indices.subarray(truth.rowPtr[i]!, truth.rowPtr[i + 1]!));
    let hits = 0;
    for (let j = 0; j < Math.min(k, r.k); j++) if (row.has(r.labels[i * r.k + j]!)) hits++;
    out[i] = hits / k;
  }
  return out;
}

/**
 * The default's lead over a baseline on the same test points: for P@1, P@3, P@5 the mean of the
 * per-point differences (in points of %) ± its standard error sd/√n — the paired comparison, which
 * is tighter than the two rows' own standard errors.
 */
export function pairedLead(def: Pick<Ranked, 'nRows' | 'k' | 'labels'>, other: Pick<Ranked, 'nRows' | 'k' | 'labels'>, truth: Csr): string {
  return [1, 3, 5].map((k) => {
    const { gain: mean, se } = pairedGain(pointPrecision(def, truth, k), pointPrecision(other, truth, k));
    const pct = Math.abs(100 * mean).toFixed(2);
    return `P@${k} ${mean >= 0 || Number(pct) === 0 ? '+' : '−'}${pct} ± ${(100 * se).toFixed(2)}`;
  }).join(', ');
}

