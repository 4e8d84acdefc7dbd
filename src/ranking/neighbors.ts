/** Result of a batched k-nearest-neighbour search. */
export interface Neighbors {
  readonly nRows: number;
  readonly k: number;
  /** Row-major nRows×k neighbour ids (rows of the indexed set), best first; -1 pads missing ones. */
  readonly ids: Int32Array;
  /** Cosine similarities parallel to `ids` (0 for padding). */
  readonly sims: Float32Array;
}

/** Allocate an all-padding result. */
export function emptyNeighbors(nRows: number, k: number): Neighbors {
  return { nRows, k, ids: new Int32Array(nRows * k).fill(-1), sims: new Float32Array(nRows * k) };
}

/** Options of a batched search. */
export interface SearchOptions {
  /** Called with the number of query rows done. */
  readonly onRow?: (done: number) => void;
  /** HNSW: candidate list size for this search (exact search ignores it). */
  readonly efSearch?: number;
}
