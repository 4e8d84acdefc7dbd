import { createRequire } from 'node:module';
import { type Csr } from '../data/csr.js';
import { InvalidArgumentError, ModelFormatError, XmlcError } from '../errors.js';
import { emptyNeighbors, type Neighbors, type SearchOptions } from '../ranking/neighbors.js';
import { nativeAddon, type NativeHnsw, type NativeHnswHandle } from '../engine/addon.js';

/**
 * Settings of an HNSW index (Malkov & Yashunin, "Efficient and robust approximate nearest neighbor search using Hierarchical Navigable Small World graphs", TPAMI 2018).
 * @inline
 */
export interface HnswConfig {
  /** Maximum out-degree of the graph's upper layers (hnswlib's M). */
  readonly m: number;
  /** Candidate list size while building. */
  readonly efConstruction: number;
  /** Candidate list size while searching (raised to k when smaller). */
  readonly efSearch: number;
  /** Seed of the level generator. */
  readonly seed: number;
}

/**
 * Default HNSW settings, defined once (the training parameters `hnswM`, `efConstruction`,
 * `efSearch` and the CLI flags read them): M = 16 and efConstruction = 200 are hnswlib's
 * recommended values (hnswlib's ALGO_PARAMS.md); efSearch = 100 keeps recall near exact search for k ≤ 100.
 */
export const HNSW_DEFAULTS: Readonly<Omit<HnswConfig, 'seed'>> = Object.freeze({ m: 16, efConstruction: 200, efSearch: 100 });

/** Index kinds: `hnsw` (approximate, hnswlib-node) or `exact` (brute force). */
export const INDEX_KINDS = Object.freeze(['hnsw', 'exact'] as const);
/**
 * A nearest-neighbour index kind: `'hnsw'` (approximate, hnswlib-node) or `'exact'` (brute force).
 * @useDeclaredType
 */
export type IndexKind = (typeof INDEX_KINDS)[number];

interface HnswNative {
  initIndex(maxElements: number, m?: number, efConstruction?: number, randomSeed?: number): void;
  addPoint(point: number[], label: number): void;
  searchKnn(query: number[], k: number): { distances: number[]; neighbors: number[] };
  setEf(ef: number): void;
  getCurrentCount(): number;
  writeIndexSync(path: string): void;
  readIndexSync(path: string): void;
}
type HnswCtor = new (space: 'l2' | 'ip' | 'cosine', dim: number) => HnswNative;

/** Set to 1 to behave as if hnswlib-node were not installed (tests the fallback to exact search). */
export const DISABLE_HNSWLIB_ENV = 'XMLC_DISABLE_HNSWLIB';

let loaded: { ctor?: HnswCtor; reason?: string } | undefined;
/** Loads hnswlib-node (an optional dependency) on first use, so the rest of xmlc works where its addon is missing. */
function loadHnswlib(): { ctor?: HnswCtor; reason?: string } {
  if (!loaded) {
    if (process.env[DISABLE_HNSWLIB_ENV] === '1') {
      loaded = { reason: `disabled by ${DISABLE_HNSWLIB_ENV}=1` };
    } else {
      try {
        const require = createRequire(import.meta.url);
        loaded = { ctor: (require('hnswlib-node') as { HierarchicalNSW: HnswCtor }).HierarchicalNSW };
      } catch (e) {
        loaded = { reason: (e as Error).message.split('\n')[0] ?? String(e) };
      }
    }
  }
  return loaded;
}

/** Whether hnswlib-node (the HNSW index) loads here, and if not why. Never throws. */
export function hnswStatus(): {
  /** Whether hnswlib-node loaded. */
  readonly ok: boolean;
  /** Why not, when it did not (the load error, or that XMLC_DISABLE_HNSWLIB is set). */
  readonly reason?: string;
} {
  const l = loadHnswlib();
  return l.ctor ? { ok: true } : { ok: false, reason: l.reason ?? 'unknown' };
}

/** hnswlib's index class, or an error saying that `what` needs it and what to do instead (`alternative`). */
function hnswCtor(what: string, alternative = 'use exact search (--index exact)'): HnswCtor {
  const l = loadHnswlib();
  if (!l.ctor) {
    throw new XmlcError(`${what} needs the optional native module hnswlib-node, which is not available here (${l.reason}); install it (it compiles with a C++ toolchain: npm install hnswlib-node) or ${alternative}`);
  }
  return l.ctor;
}

/**
 * Largest number of dense vector entries (points × dimension) for which an HNSW index is built
 * by default (200 MB of float32). hnswlib stores every point as a dense float32 vector and every
 * distance costs a pass over the dimension, so over sparse features with many columns it costs
 * memory and time in proportion to points × columns, while exact sparse search costs in
 * proportion to the nonzeros. The limit keeps HNSW for Bibtex and Delicious and switches
 * RCV1-like data to exact search, which there trains and predicts many times faster with the
 * same precision (eval/results/knn_index_choice.md, with the commands).
 */
export const HNSW_MAX_DENSE_ENTRIES = 50_000_000;

/**
 * Largest number of training-embedding entries (points × embedding dimension) for which the
 * embedding models search their kNN exactly by default. Exact search costs n·m per query in
 * blocked products with a running top-k (src/engine/native/knn_exact.cc, both cores); HNSW's walk
 * (efSearch 100) costs a few thousand scattered distances whatever n. Up to this size the exact
 * search is the faster of the two, needs no graph to build, and returns the true neighbours:
 * 3,185 queries, m = 100 (eval/bench_knn_embed.ts; eval/results/knn_index_choice.md): 12,920
 * points exact 49 ms, HNSW 113 ms (+ 2.1 s to build); 40,000 points 114 vs 149 ms; 100,000
 * points 454 vs 245 ms — past the limit HNSW wins.
 */
export const EXACT_MAX_EMBEDDING_ENTRIES = 4_000_000;

/**
 * The index to build for a requested kind. Unless the caller asked for `hnsw` by name
 * (`explicit`), `hnsw` falls back to exact search, with a note, when hnswlib-node is missing or
 * by the size of the points (`shape`): over sparse feature rows (`embeddings` false) when their
 * dense vectors would exceed {@link HNSW_MAX_DENSE_ENTRIES} entries; over embeddings
 * (`embeddings` true) when they have at most {@link EXACT_MAX_EMBEDDING_ENTRIES} entries and the
 * addon's exact kernel is there. Asked for by name, a missing hnswlib-node is an error.
 */
export function resolveIndexKind(requested: IndexKind, explicit: boolean, notes: string[], shape?: { readonly points: number; readonly dim: number; readonly embeddings?: boolean }): IndexKind {
  if (requested === 'exact') return 'exact';
  const s = hnswStatus();
  if (s.ok) {
    if (explicit || !shape) return 'hnsw';
    const entries = shape.points * shape.dim;
    if (shape.embeddings) {
      if (entries > EXACT_MAX_EMBEDDING_ENTRIES || typeof nativeAddon().addon?.exactKnnDense !== 'function') return 'hnsw';
      notes.push(`${shape.points} points × ${shape.dim} embedding dimensions: exact kNN search is faster than HNSW at this size (index 'exact'; --index hnsw forces HNSW)`);
      return 'exact';
    }
    if (entries <= HNSW_MAX_DENSE_ENTRIES) return 'hnsw';
    notes.push(`${shape.points} points × ${shape.dim} feature columns: an HNSW index would hold ${Math.round(entries * 4 / 2 ** 20)} MB of dense vectors; using exact sparse kNN search (index 'exact'; --index hnsw forces HNSW)`);
    return 'exact';
  }
  if (explicit) hnswCtor('index \'hnsw\'');
  notes.push(`hnswlib-node is not available (${s.reason}): using exact kNN search (index 'exact')`);
  return 'exact';
}

/** Queries per call of the addon's batched search (progress is reported after each). */
const SEARCH_BLOCK = 1024;

/** Rows [s, e) of a CSR matrix as dense row-major float32 rows of `dim` columns (columns ≥ dim dropped). */
function denseRows(m: Csr, s: number, e: number, dim: number): Float32Array {
  const out = new Float32Array((e - s) * dim);
  for (let i = s; i < e; i++) {
    for (let p = m.rowPtr[i]!, pe = m.rowPtr[i + 1]!; p < pe; p++) {
      const j = m.indices[p]!;
      if (j < dim) out[(i - s) * dim + j] = m.values[p]!;
    }
  }
  return out;
}

/** Row i of a CSR matrix into a dense JS array (hnswlib-node accepts only plain arrays). */
function denseRow(m: Csr, i: number, dim: number, scratch: number[]): number[] {
  scratch.fill(0);
  for (let p = m.rowPtr[i]!, e = m.rowPtr[i + 1]!; p < e; p++) {
    const j = m.indices[p]!;
    if (j < dim) scratch[j] = m.values[p]!;
  }
  return scratch;
}

/**
 * Approximate cosine nearest-neighbour search with hnswlib's HNSW graph. Points are
 * ℓ2-normalised by the caller, so the inner-product space gives 1 − cosine as distance.
 * Points are inserted one at a time in row order: with a fixed seed the graph, and so every
 * search result, is reproducible.
 */
export class HnswIndex {
  readonly kind = 'hnsw' as const;
  /**
   * The graph: in hnswlib-node (indexes built in this process), or in xmlc's addon (loaded
   * indexes, when the addon was built with hnswlib), which searches a block of queries per call
   * on every core.
   */
  private constructor(
    private readonly graph: { readonly node: HnswNative } | { readonly addon: NativeHnsw; readonly handle: NativeHnswHandle },
    readonly dim: number, readonly size: number, readonly config: HnswConfig,
  ) {}

  /** Build over the rows of `points` (ℓ2-normalised, n×dim). */
  static build(points: Csr, config: HnswConfig, onRow?: (done: number) => void): HnswIndex {
    const dim = Math.max(1, points.nCols);
    const scratch = new Array<number>(dim).fill(0);
    return HnswIndex.buildRows(points.nRows, dim, (i) => denseRow(points, i, dim, scratch), config, onRow);
  }

  /** Build over dense row-major points (n × dim, ℓ2-normalised): embeddings. */
  static buildDense(points: Float32Array, n: number, dim: number, config: HnswConfig, onRow?: (done: number) => void): HnswIndex {
    if (points.length !== n * dim) throw new InvalidArgumentError('HnswIndex.buildDense', `HnswIndex.buildDense(): expected ${n} × ${dim} values but got ${points.length}`);
    return HnswIndex.buildRows(n, dim, (i) => Array.from(points.subarray(i * dim, (i + 1) * dim)), config, onRow);
  }

  private static buildRows(n: number, dim: number, row: (i: number) => number[], config: HnswConfig, onRow?: (done: number) => void): HnswIndex {
    const native = new (hnswCtor('the HNSW index'))('ip', dim);
    native.initIndex(Math.max(1, n), config.m, config.efConstruction, config.seed);
    for (let i = 0; i < n; i++) {
      native.addPoint(row(i), i);
      onRow?.(i + 1);
    }
    return new HnswIndex({ node: native }, dim, n, config);
  }

  /**
   * Load an index written by {@link save}. `bytes` are the file's verified contents: they are
   * checked by {@link checkHnswFile} against `dim` and `size` before hnswlib reads the file.
   */
  static load(path: string, bytes: Uint8Array, dim: number, size: number, config: HnswConfig): HnswIndex {
    checkHnswFile(bytes, Math.max(1, dim), size, path);
    const ctor = hnswCtor(`the model's HNSW index ${path}`, 'retrain the model with --index exact');
    const { addon } = nativeAddon();
    let graph: HnswIndex['graph'];
    let count: number;
    if (addon?.hnswLoad && addon.hnswSearch && addon.hnswSave && addon.hnswCount) {
      let handle: NativeHnswHandle;
      try {
        handle = addon.hnswLoad(path, Math.max(1, dim));
      } catch (e) {
        throw new ModelFormatError(`HNSW index ${path} cannot be read: ${(e as Error).message}`);
      }
      graph = { addon: addon as NativeHnsw, handle };
      count = addon.hnswCount(handle);
    } else {
      const native = new ctor('ip', Math.max(1, dim));
      native.readIndexSync(path);
      graph = { node: native };
      count = native.getCurrentCount();
    }
    if (count !== size) throw new ModelFormatError(`HNSW index ${path} holds ${count} points but the manifest says ${size}`);
    return new HnswIndex(graph, Math.max(1, dim), size, config);
  }

  /** Write the graph to `path`. */
  save(path: string): void {
    if ('node' in this.graph) this.graph.node.writeIndexSync(path);
    else this.graph.addon.hnswSave(this.graph.handle, path);
  }

  /** The k nearest indexed points of every query row, best first, as cosine similarities. */
  search(queries: Csr, k: number, opts: SearchOptions = {}): Neighbors {
    if (queries.nCols > this.dim && queries.nCols > 1) {
      throw new InvalidArgumentError('HnswIndex.search', `HnswIndex.search(): queries have ${queries.nCols} features but the index has ${this.dim}`);
    }
    if (!('node' in this.graph)) return this.searchBatched(this.graph, queries.nRows, (s, e) => denseRows(queries, s, e, this.dim), k, opts);
    const scratch = new Array<number>(this.dim).fill(0);
    return this.searchRows(this.graph.node, queries.nRows, (i) => denseRow(queries, i, this.dim, scratch), k, opts);
  }

  /** {@link search} for dense row-major queries (nq × dim). */
  searchDense(queries: Float32Array, nq: number, k: number, opts: SearchOptions = {}): Neighbors {
    if (queries.length !== nq * this.dim) throw new InvalidArgumentError('HnswIndex.searchDense', `HnswIndex.searchDense(): expected ${nq} × ${this.dim} values but got ${queries.length}`);
    if (!('node' in this.graph)) return this.searchBatched(this.graph, nq, (s, e) => queries.subarray(s * this.dim, e * this.dim), k, opts);
    return this.searchRows(this.graph.node, nq, (i) => Array.from(queries.subarray(i * this.dim, (i + 1) * this.dim)), k, opts);
  }

  /**
   * The search through the addon's copy of the index, {@link SEARCH_BLOCK} queries per call: the
   * same hnswlib search, hence the same neighbours and similarities, as {@link searchRows}.
   */
  private searchBatched(graph: { readonly addon: NativeHnsw; readonly handle: NativeHnswHandle }, nq: number, rows: (start: number, end: number) => Float32Array, k: number, opts: SearchOptions): Neighbors {
    const { addon, handle } = graph;
    const { onRow, efSearch = this.config.efSearch } = opts;
    const out = emptyNeighbors(nq, k);
    const kk = Math.min(k, this.size);
    if (kk === 0) return out;
    // With fewer points than k, rows of kk are written to scratch and copied into rows of k.
    const ids = kk === k ? out.ids : new Int32Array(SEARCH_BLOCK * kk).fill(-1);
    const sims = kk === k ? out.sims : new Float32Array(SEARCH_BLOCK * kk);
    for (let s = 0; s < nq; s += SEARCH_BLOCK) {
      const e = Math.min(nq, s + SEARCH_BLOCK);
      if (kk === k) {
        addon.hnswSearch(handle, rows(s, e), e - s, kk, Math.max(efSearch, kk), ids.subarray(s * k, e * k), sims.subarray(s * k, e * k));
      } else {
        addon.hnswSearch(handle, rows(s, e), e - s, kk, Math.max(efSearch, kk), ids, sims);
        for (let i = s; i < e; i++) {
          out.ids.set(ids.subarray((i - s) * kk, (i - s + 1) * kk), i * k);
          out.sims.set(sims.subarray((i - s) * kk, (i - s + 1) * kk), i * k);
        }
      }
      onRow?.(e);
    }
    return out;
  }

  /** The search through hnswlib-node, one query per call (indexes built in this process, or without the addon's hnswlib). */
  private searchRows(native: HnswNative, nq: number, row: (i: number) => number[], k: number, opts: SearchOptions): Neighbors {
    const { onRow, efSearch = this.config.efSearch } = opts;
    const out = emptyNeighbors(nq, k);
    const kk = Math.min(k, this.size);
    if (kk === 0) return out;
    native.setEf(Math.max(efSearch, kk));
    for (let i = 0; i < nq; i++) {
      const res = native.searchKnn(row(i), kk);
      const dist = res.distances, nbr = res.neighbors;
      // hnswlib returns neighbours nearest first; order by (similarity desc, id asc) so ties are
      // deterministic (sorting only when hnswlib's order is not that already).
      let sorted = true;
      for (let t = 1; t < nbr.length && sorted; t++) sorted = dist[t - 1]! < dist[t]! || (dist[t - 1] === dist[t] && nbr[t - 1]! < nbr[t]!);
      const order = sorted ? undefined : nbr.map((_, t) => t).sort((a, b) => (dist[a]! - dist[b]!) || (nbr[a]! - nbr[b]!));
      for (let t = 0; t < nbr.length; t++) {
        const o = order ? order[t]! : t;
        out.ids[i * k + t] = nbr[o]!;
        out.sims[i * k + t] = 1 - dist[o]!;
      }
      onRow?.(i + 1);
    }
    return out;
  }
}

/** Bytes of the header hnswlib's `HierarchicalNSW::saveIndex` writes (hnswalg.h): 10 size_t, an int, a uint32, a double. */
const HNSW_HEADER_BYTES = 96;

/**
 * Check an hnswlib index file (inner-product space over float32 vectors) against what the
 * manifest claims, so hnswlib never reads past its buffers: the header (layout of hnswlib's
 * `saveIndex`: offsetLevel0, max_elements, cur_element_count, size_data_per_element,
 * label_offset, offset_data, maxlevel, enterpoint_node, maxM, maxM0, M, mult, ef_construction)
 * must describe `size` points of `dim` dimensions, every level-0 record and upper-level link
 * list must fit the file exactly, every neighbour id must be < `size` and every label < `size`.
 * @throws ModelFormatError naming `file`.
 */
export function checkHnswFile(bytes: Uint8Array, dim: number, size: number, file: string): void {
  const bad = (what: string): never => { throw new ModelFormatError(`HNSW index ${file} is corrupt or does not match the manifest: ${what}`); };
  if (bytes.length < HNSW_HEADER_BYTES) bad(`${bytes.length} bytes is shorter than its ${HNSW_HEADER_BYTES}-byte header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u64 = (off: number): number => {
    const v = dv.getBigUint64(off, true);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
  };
  const [offsetLevel0, maxElements, count, perElement, labelOffset, offsetData] = [0, 8, 16, 24, 32, 40].map(u64) as [number, number, number, number, number, number];
  const maxLevel = dv.getInt32(48, true), enterPoint = dv.getUint32(52, true);
  const [maxM, maxM0, m] = [56, 64, 72].map(u64) as [number, number, number];
  if (count !== size) bad(`it holds ${count} points, the manifest says ${size}`);
  if (maxElements < count || maxElements > Math.max(1, count)) bad(`capacity ${maxElements} for ${count} points`);
  if (m < 1 || m > 1 << 16 || maxM !== m || maxM0 !== 2 * m) bad(`graph degrees M = ${m}, maxM = ${maxM}, maxM0 = ${maxM0}`);
  const links0 = 4 * maxM0 + 4; // level-0 neighbour list: a count, then maxM0 uint32 ids
  if (offsetLevel0 !== 0 || offsetData !== links0) bad('unexpected record layout');
  const storedDim = (labelOffset - offsetData) / 4;
  if (storedDim !== dim) bad(`its vectors have ${storedDim} dimensions, the manifest says ${dim}`);
  if (perElement !== labelOffset + 8) bad(`records of ${perElement} bytes for ${dim}-dimensional vectors`);
  if (count === 0 ? maxLevel !== -1 : maxLevel < 0 || maxLevel > 64 || enterPoint >= count) bad(`entry point ${enterPoint} at level ${maxLevel}`);
  const level0End = HNSW_HEADER_BYTES + count * perElement;
  if (level0End > bytes.length) bad(`${bytes.length} bytes cannot hold ${count} records of ${perElement} bytes`);
  const checkList = (off: number, max: number): void => {
    const n = dv.getUint16(off, true);
    if (n > max) bad(`a neighbour list of ${n} entries (at most ${max})`);
    for (let j = 0; j < n; j++) if (dv.getUint32(off + 4 + 4 * j, true) >= count) bad(`a neighbour id out of range at byte ${off + 4 + 4 * j}`);
  };
  for (let i = 0; i < count; i++) {
    const rec = HNSW_HEADER_BYTES + i * perElement;
    checkList(rec, maxM0);
    if (u64(rec + labelOffset) >= size) bad(`point ${i} has label ${u64(rec + labelOffset)}`);
  }
  const linksUpper = 4 * maxM + 4;
  let off = level0End;
  for (let i = 0; i < count; i++) {
    if (off + 4 > bytes.length) bad('the upper-level link lists are truncated');
    const len = dv.getUint32(off, true);
    off += 4;
    if (len % linksUpper !== 0 || len / linksUpper > maxLevel || off + len > bytes.length) bad(`point ${i} has an upper-level link block of ${len} bytes`);
    for (let l = 0; l < len; l += linksUpper) checkList(off + l, maxM);
    off += len;
  }
  if (off !== bytes.length) bad(`${bytes.length - off} bytes after the last link list`);
}
