import * as path from 'node:path';
import { type Csr, normalizeRowsL2, selectRows, sliceRows, withCols } from '../data/csr.js';
import { ModelFormatError, UsageError } from '../errors.js';
import { type EncoderKind, type LabelEncoder } from '../encoders/encoder.js';
import { ENCODERS, rebuildEncoder } from '../encoders/registry.js';
import { splitRows, type TrainHistory, type TrainLoopOptions } from '../encoders/train_loop.js';
import { ExactDenseIndex } from '../knn/exact_dense.js';
import { evaluateRanking } from '../metrics/ranking_metrics.js';
import { HnswIndex, resolveIndexKind } from '../knn/hnsw.js';
import { activeBackend, ensureBackend } from '../engine/backends.js';
import { addKnnVotes, addScaled, normalizeRowsMax } from '../predict/scores.js';
import { type Ranked, topKRows } from '../ranking/topk.js';
import { type ProgressFn, task } from '../progress.js';
import { fitRidge, type RidgeModel, ridgeFromWeights } from '../regression/ridge.js';
import { decodeFloats, encodeCsr, encodeFloats, type Manifest, MANIFEST_FILE, modelFilePath, readCsrFile, readModelFile } from './io.js';
import { JsonChecker } from './manifest.js';
import { type EmbedTrainParams, embedTrainParams, type PredictParams, predictParams, type Strategy } from './params.js';
import { FeatureSpace, loadFeatureSpace, saveFeatureSpace } from './feature_space.js';
import { checkLabelSpace, checkTrainingData, type TestFeatures, testRows, type TrainingData } from './training_data.js';
import { type SaveOptions, writeModelDir } from './store.js';

/** One model of an ensemble: label encoder, feature → embedding regressor, kNN index over the training embeddings. */
interface Member {
  readonly encoder: LabelEncoder;
  readonly regressor: RidgeModel;
  readonly index: HnswIndex | ExactDenseIndex;
  /** Mean ℓ2 norm of the training label embeddings: the decoder's inputs are rescaled to it. */
  readonly embeddingNorm: number;
  /** Autoencoder training record (absent for untrained encoders and loaded models). */
  readonly history?: TrainHistory;
}

/** A held-out gain (mean of P@1, P@3, P@5) that moves the decoder weight away from the paper's 0.5. */
const HELD_OUT_MARGIN = 0.005;

/** Score matrices are built for this many (test rows × labels) entries at a time. */
const SCORE_BLOCK_ENTRIES = 1 << 24;

/** ℓ2-normalise the rows of a dense row-major block in place. */
function normalizeDenseRows(a: Float32Array, n: number, m: number): Float32Array {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * m; j < (i + 1) * m; j++) s += a[j]! * a[j]!;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = i * m; j < (i + 1) * m; j++) a[j]! *= inv;
  }
  return a;
}

/** Mean ℓ2 norm of the rows of a dense n × m block. */
function meanRowNorm(a: Float32Array, n: number, m: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * m; j < (i + 1) * m; j++) s += a[j]! * a[j]!;
    total += Math.sqrt(s);
  }
  return n ? total / n : 0;
}

/**
 * One model's max-normalised label scores (rows × L) for normalised feature rows `x`: the
 * similarity-weighted kNN vote over the training embeddings and/or the decoder's output.
 */
function memberScores(member: Member, x: Csr, trainLabels: Csr, k: number, knn: boolean, decoder: boolean, efSearch?: number): { knn?: Float32Array; decoder?: Float32Array } {
  const n = x.nRows, L = trainLabels.nCols, m = member.encoder.dim;
  const z = member.regressor.predict(x);
  const out: { knn?: Float32Array; decoder?: Float32Array } = {};
  if (knn) {
    const q = normalizeDenseRows(Float32Array.from(z), n, m);
    const nb = member.index.searchDense(q, n, k, efSearch !== undefined ? { efSearch } : {});
    const votes = new Float32Array(n * L);
    addKnnVotes(nb, k, trainLabels, votes);
    out.knn = normalizeRowsMax(votes, n, L);
  }
  if (decoder && member.encoder.decode) {
    // The unrolled decoder takes steps of fixed size β/t, so it is not scale-invariant, and ridge
    // regression shrinks its outputs: decode V·x rescaled to the training embeddings' mean norm
    // (raised P@1/P@3 on validation splits of Bibtex and Delicious; a no-op for the linear and
    // ReLU decoders of the baselines, which are positively homogeneous, once max-normalised).
    const zd = normalizeDenseRows(z, n, m).map((v) => v * member.embeddingNorm);
    out.decoder = normalizeRowsMax(member.encoder.decode(zd, n), n, L);
  }
  return out;
}

/**
 * The two-stage embedding pipeline of ../shared/DESIGN.md (Wu et al., ICML 2019, Section 5):
 * a label encoder (ℓ1-AE or a baseline) embeds the training label vectors, ridge regression maps
 * ℓ2-normalised features to those embeddings, and a test point is scored by the kNN vote of
 * its neighbours among the training embeddings, by the encoder's decoder, or by the average of
 * the two (each normalised to a maximum of 1); an ensemble averages its members' scores.
 */
export class EmbeddingModel {
  private constructor(
    readonly params: EmbedTrainParams,
    /** Training label matrix (n × L): the kNN votes. */
    readonly trainLabels: Csr,
    /** The feature columns of the training data (see {@link FeatureSpace}). */
    readonly space: FeatureSpace,
    private readonly members: readonly Member[],
    /** Weight of the decoder in the average strategy (resolved when `params.decoderWeight` is `auto`). */
    readonly decoderWeight: number,
    /** The compute backend the model was trained on (undefined for models saved before it was recorded). */
    readonly backend: string | undefined,
  ) {}

  /** What training chose for the caller (e.g. exact search where hnswlib-node is missing); empty for loaded models. */
  notes: readonly string[] = [];

  get method(): EmbedTrainParams['method'] { return this.params.method; }
  /** Features the training data declared (test data may have fewer, not more). */
  get nFeatures(): number { return this.space.nFeatures; }
  get nLabels(): number { return this.trainLabels.nCols; }
  get nTrain(): number { return this.trainLabels.nRows; }
  /** Embedding dimension actually used (the parameter clipped to the number of labels). */
  get embeddingDim(): number { return this.members[0]!.encoder.dim; }
  /** The label encoders of the ensemble's members (their measurement matrices, for compressed sensing). */
  get encoders(): readonly LabelEncoder[] { return this.members.map((m) => m.encoder); }
  /** Training records of the members' autoencoders, if any. */
  get histories(): (TrainHistory | undefined)[] { return this.members.map((m) => m.history); }

  /** Fit on `data` with `params` merged over {@link EMBED_DEFAULTS}. */
  static async train(data: TrainingData, params: Record<string, unknown> = {}, onProgress?: ProgressFn): Promise<EmbeddingModel> {
    const notes: string[] = [];
    const given = embedTrainParams(params);
    const p: EmbedTrainParams = Object.freeze({ ...given, index: resolveIndexKind(given.index, params['index'] !== undefined, notes) });
    const { features, labels } = data;
    checkTrainingData(data, p.method);
    // Per label, at least: the m × L encoder with its gradient and two Adam moments, and a mini-batch of
    // label vectors with its reconstruction, residual and gradient (float32).
    checkLabelSpace(data, p.method, 4 * 4 * (Math.min(p.embeddingDim, labels.nCols) + p.batchSize));
    await ensureBackend();
    const space = FeatureSpace.fromTraining(features);
    const x = space.project(normalizeRowsL2(features));
    if (p.embeddingDim > labels.nCols) notes.push(`embedding dimension ${p.embeddingDim} clipped to the ${labels.nCols} labels of the training data`);
    const members: Member[] = [];
    for (let i = 0; i < p.ensemble; i++) {
      const tag = p.ensemble > 1 ? ` (model ${i + 1}/${p.ensemble})` : '';
      members.push(await EmbeddingModel.trainMember(x, labels, p, p.seed + i, tag, onProgress));
    }
    let weight = typeof p.decoderWeight === 'number' ? p.decoderWeight : 0.5;
    if (p.decoderWeight === 'auto' && members[0]!.encoder.decode) {
      weight = (await task(onProgress, 'choose the decoder weight on held-out points', undefined, () => EmbeddingModel.chooseDecoderWeight(x, labels, members[0]!, p))).weight;
    }
    const model = new EmbeddingModel(p, labels, space, members, weight, activeBackend());
    model.notes = notes;
    return model;
  }

  private static async trainMember(x: Csr, labels: Csr, p: EmbedTrainParams, seed: number, tag: string, onProgress?: ProgressFn): Promise<Member> {
    const m = Math.min(p.embeddingDim, labels.nCols);
    const loop: TrainLoopOptions = {
      epochs: p.epochs, batchSize: p.batchSize, learningRate: p.learningRate, optimizer: p.optimizer,
      validationFraction: p.validationFraction, patience: p.patience, seed,
    };
    const { encoder, history } = await ENCODERS[p.method].train({
      labels, dim: m, seed, loop, tag, params: p,
    }, onProgress);
    const z = encoder.encode(labels);
    const embeddingNorm = meanRowNorm(z, x.nRows, m);
    const regressor = await task(onProgress, `ridge regression${tag}`, undefined, () => fitRidge(x, z, m, { lambda: p.lambda, solver: p.solver, bias: true }));
    const points = normalizeDenseRows(p.knnSpace === 'regressed' ? regressor.predict(x) : z, x.nRows, m);
    const index = p.index === 'exact'
      ? new ExactDenseIndex(points, x.nRows, m)
      : await task(onProgress, `build HNSW index${tag}`, x.nRows, (tick) =>
        HnswIndex.buildDense(points, x.nRows, m, { m: p.hnswM, efConstruction: p.efConstruction, efSearch: p.efSearch, seed }, tick));
    return { encoder, regressor, index, embeddingNorm, ...(history ? { history } : {}) };
  }

  /**
   * Rank labels for every row of `features` with the trained strategy or `params.strategy`: at most
   * {@link nLabels} per row. Fewer columns than the model's are fine; more are a DataFormatError
   * naming `features.source` when given.
   */
  async predict(features: TestFeatures, params: Record<string, unknown> = {}, onProgress?: ProgressFn): Promise<Ranked> {
    const pp: PredictParams = predictParams(params);
    const x = testRows(features, this.space);
    await ensureBackend();
    const strategy = pp.strategy ?? this.params.strategy;
    if (pp.members !== undefined && pp.members > this.members.length) {
      throw new UsageError(`the model is an ensemble of ${this.members.length}; cannot use ${pp.members} of its models`);
    }
    if (strategy !== 'knn' && !this.members.every((m) => m.encoder.decode)) {
      throw new UsageError(`strategy '${strategy}' needs a decoder, which a ${this.method} encoder does not have`);
    }
    const n = x.nRows, L = this.nLabels, topK = Math.min(pp.topK, Math.max(1, L));
    const labels = new Int32Array(n * topK), scores = new Float32Array(n * topK);
    const block = Math.max(1, Math.floor(SCORE_BLOCK_ENTRIES / Math.max(1, L)));
    await task(onProgress, `predict (${strategy})`, n, (tick) => {
      for (let s = 0; s < n; s += block) {
        const e = Math.min(n, s + block);
        const sc = this.blockScores(sliceRows(x, s, e), strategy, pp);
        const top = topKRows(sc, e - s, L, topK, { onlyPositive: strategy === 'knn' });
        labels.set(top.labels, s * topK);
        scores.set(top.scores, s * topK);
        tick(e);
      }
    });
    return { nRows: n, k: topK, labels, scores };
  }

  /** Dense label scores (rows × L) of a block of normalised feature rows: the members' weighted strategy scores, averaged. */
  private blockScores(x: Csr, strategy: Strategy, pp: PredictParams): Float32Array {
    const n = x.nRows, L = this.nLabels;
    const total = new Float32Array(n * L);
    const members = this.members.slice(0, pp.members ?? this.members.length);
    const wDec = strategy === 'knn' ? 0 : strategy === 'decoder' ? 1 : pp.decoderWeight ?? this.decoderWeight;
    const k = pp.k ?? this.params.k;
    for (const member of members) {
      const parts = memberScores(member, x, this.trainLabels, k, wDec < 1, wDec > 0, pp.efSearch);
      if (parts.knn) addScaled(total, parts.knn, (1 - wDec) / members.length);
      if (parts.decoder) addScaled(total, parts.decoder, wDec / members.length);
    }
    return total;
  }

  /**
   * Choose the average strategy's decoder weight w ∈ {0, 0.1, …, 1}: refit the regressor of the
   * first model on 90% of the training points (seeded split), index them, and score the other
   * 10% (at most 2,000) by the mean of P@1, P@3 and P@5; w stays 0.5 (the paper's plain average)
   * unless another weight beats it by more than {@link HELD_OUT_MARGIN}. (Measured: Bibtex's curve is
   * flat — 43.2 at w = 0.1, 42.8 at 0.5 — Delicious' is not — 60.5 at 0.2, 58.8 at 0.5.) The encoder
   * is the trained one (it has seen those labels, not their features).
   */
  private static chooseDecoderWeight(x: Csr, labels: Csr, member: Member, p: EmbedTrainParams): { weight: number; scores: number[] } {
    const { train, valid: allValid } = splitRows(x.nRows, 0.1, p.seed ^ 0x3c6ef372);
    const valid = allValid.slice(0, 2000);
    if (valid.length < 10) return { weight: 0.5, scores: [] };
    const m = member.encoder.dim;
    const xt = selectRows(x, train), yt = selectRows(labels, train), xv = selectRows(x, valid), yv = selectRows(labels, valid);
    const z = member.encoder.encode(yt);
    const regressor = fitRidge(xt, z, m, { lambda: p.lambda, solver: p.solver, bias: true });
    const points = normalizeDenseRows(p.knnSpace === 'regressed' ? regressor.predict(xt) : z, xt.nRows, m);
    const probe: Member = { ...member, regressor, index: new ExactDenseIndex(points, xt.nRows, m), embeddingNorm: meanRowNorm(z, xt.nRows, m) };
    const parts = memberScores(probe, xv, yt, p.k, true, true);
    const n = valid.length, L = labels.nCols;
    const scores: number[] = [];
    for (let i = 0; i <= 10; i++) {
      const w = i / 10;
      const sc = new Float32Array(n * L);
      addScaled(sc, parts.knn!, 1 - w);
      addScaled(sc, parts.decoder!, w);
      const r = evaluateRanking(topKRows(sc, n, L, 5), yv, { ks: [1, 3, 5], metrics: ['P'] });
      scores.push((r['P@1']! + r['P@3']! + r['P@5']!) / 3);
    }
    // Keep the paper's plain average unless another weight is better by more than half a point
    // (about one standard error of these held-out means); among the others the best, ties to the smaller w.
    const best = scores.reduce((b, v, i) => (v > scores[b]! ? i : b), 0);
    const weight = scores[5]! >= scores[best]! - HELD_OUT_MARGIN ? 0.5 : best / 10;
    return { weight, scores };
  }

  /**
   * Save as a model directory, crash-safely (see {@link writeModelDir}): a new path or an empty
   * folder, or with `overwrite` an existing xmlc model; anything else is refused.
   */
  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    await writeModelDir(dir, options, async (w) => {
      await w.writeBytes('train_labels.csr', encodeCsr(this.trainLabels));
      await saveFeatureSpace(w, this.space);
      const members: unknown[] = [];
      for (const [i, mem] of this.members.entries()) {
        const st = mem.encoder.state();
        const names = Object.keys(st.arrays);
        await w.writeBytes(`m${i}.encoder.f32`, encodeFloats(names.map((k) => st.arrays[k]!)));
        await w.writeBytes(`m${i}.regressor.f32`, encodeFloats([mem.regressor.weights, mem.regressor.bias]));
        if (mem.index instanceof HnswIndex) {
          mem.index.save(path.join(w.dir, `m${i}.index.hnsw`));
          await w.addExisting(`m${i}.index.hnsw`);
        } else {
          await w.writeBytes(`m${i}.embeddings.f32`, encodeFloats([mem.index.points]));
        }
        members.push({
          encoder: { kind: st.kind, nLabels: st.nLabels, dim: st.dim, config: st.config, arrays: names.map((k) => [k, st.arrays[k]!.length]) },
          embeddingNorm: mem.embeddingNorm,
        });
      }
      return {
        method: this.method,
        data: { nPoints: this.nTrain, nFeatures: this.nFeatures, nLabels: this.nLabels },
        params: { ...this.params },
        extra: { members, decoderWeight: this.decoderWeight },
        ...(this.backend !== undefined ? { backend: this.backend } : {}),
      };
    });
  }

  /**
   * Load a directory written by {@link save}: the members' metadata is validated, and every
   * file's size, checksum and dimensions are checked against the manifest before any native call.
   */
  static async load(dir: string, manifest: Manifest): Promise<EmbeddingModel> {
    const check = new JsonChecker(path.join(dir, MANIFEST_FILE));
    const p = check.params(embedTrainParams, manifest.params);
    if (p.method !== manifest.method) check.fail('params.method', `"${manifest.method}" (the model's method)`, p.method);
    const { nPoints, nLabels } = manifest.data;
    const metas = readMemberMetas(check, manifest, p.ensemble);
    const weight = check.number(JsonChecker.field(manifest.extra ?? {}, 'decoderWeight'), 'extra.decoderWeight', 0, 1);
    const labels = await readCsrFile(dir, manifest, 'train_labels.csr', nPoints, nLabels);
    const space = await loadFeatureSpace(dir, manifest);
    const members: Member[] = [];
    for (const [i, meta] of metas.entries()) {
      const file = (name: string): Promise<Uint8Array> => readModelFile(dir, manifest, name);
      const where = modelFilePath(dir, manifest, `m${i}.encoder.f32`);
      const arrays = decodeFloats(await file(`m${i}.encoder.f32`), meta.arrays.map(([, n]) => n), where);
      let encoder: LabelEncoder;
      try {
        encoder = rebuildEncoder({ kind: meta.kind, nLabels, dim: meta.dim, config: meta.config, arrays: Object.fromEntries(meta.arrays.map(([name], j) => [name, arrays[j]!])) });
      } catch (err) {
        throw new ModelFormatError(`${where}: ${(err as Error).message}`);
      }
      const m = encoder.dim;
      if (m !== meta.dim || encoder.nLabels !== nLabels) throw new ModelFormatError(`${where}: a ${encoder.nLabels} → ${m} encoder, but the manifest says ${nLabels} → ${meta.dim}`);
      const [weights, bias] = decodeFloats(await file(`m${i}.regressor.f32`), [space.dim * m, m], modelFilePath(dir, manifest, `m${i}.regressor.f32`));
      const regressor = ridgeFromWeights(weights!, bias!, space.dim, m);
      let index: HnswIndex | ExactDenseIndex;
      if (p.index === 'hnsw') {
        const bytes = await file(`m${i}.index.hnsw`);
        index = HnswIndex.load(modelFilePath(dir, manifest, `m${i}.index.hnsw`), bytes, m, nPoints, { m: p.hnswM, efConstruction: p.efConstruction, efSearch: p.efSearch, seed: p.seed + i });
      } else {
        const [points] = decodeFloats(await file(`m${i}.embeddings.f32`), [nPoints * m], modelFilePath(dir, manifest, `m${i}.embeddings.f32`));
        index = new ExactDenseIndex(points!, nPoints, m);
      }
      members.push({ encoder, regressor, index, embeddingNorm: meta.embeddingNorm });
    }
    return new EmbeddingModel(p, labels, space, members, weight, manifest.backend);
  }

  /** Release the encoders' tensors. */
  dispose(): void {
    for (const m of this.members) m.encoder.dispose();
  }
}

/** An ensemble member's entry in the manifest's `extra.members`. */
interface MemberMeta {
  readonly kind: EncoderKind;
  readonly dim: number;
  readonly config: Record<string, unknown>;
  /** Encoder arrays in file order: name and length. */
  readonly arrays: readonly (readonly [string, number])[];
  readonly embeddingNorm: number;
}

/** Validate `extra.members` of an embedding model's manifest: `ensemble` entries, each a member's encoder shape and embedding norm. */
function readMemberMetas(check: JsonChecker, manifest: Manifest, ensemble: number): MemberMeta[] {
  const f = JsonChecker.field;
  const list = check.array(f(manifest.extra ?? {}, 'members'), 'extra.members');
  if (list.length !== ensemble) check.fail('extra.members', `a list of ${ensemble} ensemble members`, `${list.length} members`);
  return list.map((raw, i) => {
    const w = `extra.members[${i}]`;
    const member = check.object(raw, w);
    const e = check.object(f(member, 'encoder'), `${w}.encoder`);
    const kind = check.string(f(e, 'kind'), `${w}.encoder.kind`);
    if (kind !== manifest.method) check.fail(`${w}.encoder.kind`, `"${manifest.method}" (the model's method)`, kind);
    check.int(f(e, 'nLabels'), `${w}.encoder.nLabels`, manifest.data.nLabels, manifest.data.nLabels);
    const names = new Set<string>();
    const arrays = check.array(f(e, 'arrays'), `${w}.encoder.arrays`).map((a, j) => {
      const pair = check.array(a, `${w}.encoder.arrays[${j}]`);
      if (pair.length !== 2) check.fail(`${w}.encoder.arrays[${j}]`, 'a [name, length] pair', pair);
      const name = check.string(pair[0], `${w}.encoder.arrays[${j}][0]`, /^[A-Za-z][A-Za-z0-9_]{0,63}$/);
      if (names.has(name)) check.fail(`${w}.encoder.arrays[${j}][0]`, 'a name not used before', name);
      names.add(name);
      return [name, check.int(pair[1], `${w}.encoder.arrays[${j}][1]`)] as const;
    });
    return {
      kind: kind as EncoderKind,
      dim: check.int(f(e, 'dim'), `${w}.encoder.dim`, 1, Math.max(1, manifest.data.nLabels)),
      config: check.object(f(e, 'config'), `${w}.encoder.config`),
      arrays,
      embeddingNorm: check.number(f(member, 'embeddingNorm'), `${w}.embeddingNorm`, 0, Number.MAX_VALUE),
    };
  });
}
