import { UsageError } from '../errors.js';

/** A hyper-parameter has the wrong type or is out of range. The CLI reports it as a usage error (exit 2). */
export class ParamsError extends UsageError {}

/** Training parameters of the kNN baseline (`--method knn`). */
export interface KnnTrainParams {
  readonly method: 'knn';
  /** Neighbours that vote. */
  readonly k: number;
  /** `hnsw`: approximate search with hnswlib; `exact`: brute force through an inverted index. */
  readonly index: 'hnsw' | 'exact';
  /** HNSW graph degree (hnswlib's M). */
  readonly hnswM: number;
  /** HNSW build-time candidate list. */
  readonly efConstruction: number;
  /** HNSW search-time candidate list. */
  readonly efSearch: number;
  /** Seed of every random choice (HNSW levels). */
  readonly seed: number;
}

/** Parameters that may change per prediction call. */
export interface PredictParams {
  /** Ranked labels returned per point. */
  readonly topK: number;
  /** Override of the trained number of voting neighbours. */
  readonly k?: number;
  /** Override of the trained HNSW search list size. */
  readonly efSearch?: number;
}

/**
 * Defaults, defined once: the CLI reads its defaults from here.
 * k = 15 neighbours: the best validation P@1 on seeded 80/20 splits of the Bibtex and Delicious
 * training sets among k ∈ {1, 3, 5, 10, 15, 20, 30, 50} (eval/knn_baseline.ts, results/knn_baseline.md);
 * M = 16 and efConstruction = 200 are hnswlib's recommended defaults.
 */
export const KNN_DEFAULTS: Readonly<KnnTrainParams> = Object.freeze({
  method: 'knn',
  k: 15,
  index: 'hnsw',
  hnswM: 16,
  efConstruction: 200,
  efSearch: 100,
  seed: 0,
});

export const PREDICT_DEFAULTS: Readonly<PredictParams> = Object.freeze({ topK: 5 });

function checkInt(name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ParamsError(`parameter '${name}' must be an integer but got ${JSON.stringify(v)}`);
  if (v < min || v > max) throw new ParamsError(`parameter '${name}' must be in [${min}, ${max}] but got ${v}`);
  return v;
}

function checkEnum<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ParamsError(`parameter '${name}' must be one of ${allowed.join(', ')} but got ${JSON.stringify(v)}`);
  }
  return v as T;
}

function rejectUnknown(given: Record<string, unknown>, known: object, what: string): void {
  for (const key of Object.keys(given)) {
    if (!(key in known)) throw new ParamsError(`unknown ${what} parameter '${key}' (known: ${Object.keys(known).join(', ')})`);
  }
}

/** Merge `given` over the defaults and validate every field. Unknown keys are errors. */
export function knnTrainParams(given: Record<string, unknown> = {}): KnnTrainParams {
  rejectUnknown(given, KNN_DEFAULTS, 'knn training');
  const p = { ...KNN_DEFAULTS, ...given } as Record<string, unknown>;
  return Object.freeze({
    method: checkEnum('method', p['method'], ['knn'] as const),
    k: checkInt('k', p['k'], 1, 100000),
    index: checkEnum('index', p['index'], ['hnsw', 'exact'] as const),
    hnswM: checkInt('hnswM', p['hnswM'], 2, 1024),
    efConstruction: checkInt('efConstruction', p['efConstruction'], 1, 1 << 20),
    efSearch: checkInt('efSearch', p['efSearch'], 1, 1 << 20),
    seed: checkInt('seed', p['seed'], 0, 0xffffffff),
  });
}

/** Merge `given` over the predict defaults and validate. */
export function predictParams(given: Record<string, unknown> = {}): PredictParams {
  rejectUnknown(given, { topK: 0, k: 0, efSearch: 0 }, 'prediction');
  const p = { ...PREDICT_DEFAULTS, ...given } as Record<string, unknown>;
  const out: { topK: number; k?: number; efSearch?: number } = { topK: checkInt('topK', p['topK'], 1, 1 << 20) };
  if (p['k'] !== undefined) out.k = checkInt('k', p['k'], 1, 100000);
  if (p['efSearch'] !== undefined) out.efSearch = checkInt('efSearch', p['efSearch'], 1, 1 << 20);
  return Object.freeze(out);
}
