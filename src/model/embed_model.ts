import * as path from 'node:path';
import { type Csr, normalizeRowsL2 } from '../data/csr.js';
import { ModelFormatError } from '../errors.js';
import { type EncoderKind, type LabelEncoder } from '../encoders/encoder.js';
import { ENCODERS, rebuildEncoder } from '../encoders/registry.js';
import { type TrainHistory, type TrainLoopOptions } from '../encoders/train_loop.js';
import { ExactDenseIndex } from '../knn/exact_dense.js';
import { HnswIndex, resolveIndexKind } from '../knn/hnsw.js';
import { activeBackend, ensureBackend } from '../engine/backends.js';
import { meanRowNorm, normalizeDenseRows } from '../linalg/dense.js';
import { rankByStrategy, STRATEGIES } from '../predict/strategies.js';
import { type Ranked } from '../ranking/topk.js';
import { type ProgressFn, task } from '../progress.js';
import { fitRidge, type RidgeModel, ridgeFromWeights } from '../regression/ridge.js';
import { decodeFloats, encodeCsr, encodeFloats, type Manifest, MANIFEST_FILE, modelFilePath, type ModelWriter, readCsrFile, readModelFile } from './io.js';
import { type ManifestBody } from './manifest.js';
import { JsonChecker } from './manifest.js';
import { disposedError, embeddingSummary, type Model, type ModelSummary, predictionPlan } from './model.js';
import { type EmbedTrainParams, embedTrainParams, ParamsError, type PredictParams, predictParams, type Strategy } from './params.js';
import { chooseDecoderWeight, chooseLambda, LAMBDA_START, type LambdaChoice, type WeightChoice } from './validation.js';
import { FeatureSpace, loadFeatureSpace, saveFeatureSpace } from './feature_space.js';
import { checkLabelSpace, checkTrainingData, type TestFeatures, testRows, type TrainingData } from './training_data.js';
import { type SaveOptions, writeModelDir } from './store.js';

/** One model of an ensemble: label encoder, feature → embedding regressor, kNN index over the training embeddings. @internal */
export interface Member {
  readonly encoder: LabelEncoder;
  readonly regressor: RidgeModel;
  readonly index: HnswIndex | ExactDenseIndex;
  /** Mean ℓ2 norm of the training label embeddings: the decoder's inputs are rescaled to it. */
  readonly embeddingNorm: number;
  /** Autoencoder training record (absent for untrained encoders and loaded models). */
  readonly history?: TrainHistory;
  /** The ridge penalty a `lambda: 'auto'` chose for this member (absent when λ was given). */
  readonly lambda?: number;
  /** That choice's held-out scores (absent for loaded models). */
  readonly lambdaChoice?: LambdaChoice;
}

/**
 * The two-stage embedding pipeline (docs/architecture.md; Wu et al., ICML 2019, Section 5):
 * a label encoder (ℓ1-AE or a baseline) embeds the training label vectors, ridge regression maps
 * ℓ2-normalised features to those embeddings, and a test point is scored by the kNN vote of
 * its neighbours among the training embeddings, by the encoder's decoder, or by the average of
 * the two (each normalised to a maximum of 1); an ensemble averages its members' scores.
 */
export class EmbeddingModel implements Model {
  private constructor(
    readonly params: EmbedTrainParams,
    /** Training label matrix (n × L): the kNN votes. */
    readonly trainLabels: Csr,
    /** The feature columns of the training data (the columns that occur, in order). @internal */
    readonly space: FeatureSpace,
    /** The ensemble; empty once disposed. */
    private members: readonly Member[],
    /** Weight of the decoder in the average strategy (resolved when `params.decoderWeight` is `auto`). */
    readonly decoderWeight: number,
    /** The compute backend the model was trained on (undefined when its manifest has no `backend` field). */
    readonly backend: string | undefined,
  ) {}

  /** What training chose for the caller (e.g. exact search where hnswlib-node is missing); empty for loaded models. */
  notes: readonly string[] = [];

  /** The label encoder of stage 1 (`l1ae`, `pca`, …). */
  get method(): EmbedTrainParams['method'] { return this.params.method; }
  /** The strategies `predict` accepts: all three when every member's encoder has a decoder, else the kNN vote. */
  get strategies(): readonly Strategy[] { return this.live('list the strategies').every((m) => m.encoder.decode) ? STRATEGIES : ['knn']; }
  /** Features the training data declared (test data may have fewer, not more). */
  get nFeatures(): number { return this.space.nFeatures; }
  /** Labels the training data declared: label ids in predictions are 0 … nLabels − 1. */
  get nLabels(): number { return this.trainLabels.nCols; }
  /** Training points. */
  get nTrain(): number { return this.trainLabels.nRows; }
  /** Embedding dimension actually used (the parameter clipped to the number of labels). */
  get embeddingDim(): number { return this.live('read the embedding dimension')[0]!.encoder.dim; }
  /** The label encoders of the ensemble's members (their measurement matrices, for compressed sensing). */
  get encoders(): readonly LabelEncoder[] { return this.live('read the encoders').map((m) => m.encoder); }
  /** The ridge penalty of each member: its held-out choice when `params.lambda` is `auto` (undefined in models saved before the choice existed), else `params.lambda`. */
  get lambdas(): readonly (number | undefined)[] { return this.live('read the ridge penalties').map((m) => m.lambda ?? (typeof this.params.lambda === 'number' ? this.params.lambda : undefined)); }
  /** Training records of the members' autoencoders, if any. */
  get histories(): (TrainHistory | undefined)[] { return this.members.map((m) => m.history); }

  /** The members, or the error of a disposed model. */
  private live(what: string): readonly Member[] {
    if (this.members.length === 0) throw disposedError(this.method, what);
    return this.members;
  }

  /**
   * Fit on `data` with `params` merged over {@link EMBED_DEFAULTS} (validated at run time too, for
   * JavaScript callers and JSON parameters: unknown or invalid ones are a ParamsError).
   */
  static async train(data: TrainingData, params: Partial<EmbedTrainParams> = {}, onProgress?: ProgressFn): Promise<EmbeddingModel> {
    const { p, notes, space, x } = await EmbeddingModel.prepare(data, params);
    const members: Member[] = [];
    for (let i = 0; i < p.ensemble; i++) members.push(await EmbeddingModel.trainMember(x, data.labels, p, i, onProgress));
    const weight = await EmbeddingModel.chooseWeight(x, data.labels, p, members[0]!.encoder, members[0]!.lambda, onProgress, members[0]!.lambdaChoice?.weight);
    const model = new EmbeddingModel(p, data.labels, space, members, weight, activeBackend());
    model.notes = notes;
    return model;
  }

  /**
   * What every member's training starts from: the parameters resolved (index kind, clusters = 1),
   * the data checked, the feature space and the projected, normalised feature rows.
   * @internal (the distributed jobs, src/distributed, train the members one by one)
   */
  static async prepare(data: TrainingData, params: Partial<EmbedTrainParams>): Promise<{ p: EmbedTrainParams; notes: string[]; space: FeatureSpace; x: Csr }> {
    const notes: string[] = [];
    const given = embedTrainParams(params);
    if (given.clusters !== 'auto' && given.clusters !== 1) {
      throw new ParamsError(`EmbeddingModel.train() fits one global model but got clusters = ${given.clusters}; train clustered models with trainModel() or ClusteredModel.train()`);
    }
    const p: EmbedTrainParams = Object.freeze({ ...given, clusters: 1, index: resolveIndexKind(given.index, params.index !== undefined, notes, { points: data.features.nRows, dim: given.embeddingDim, embeddings: true }) });
    const { features, labels } = data;
    checkTrainingData(data, p.method);
    // Per label, at least: the m × L encoder with its gradient and two Adam moments, and a mini-batch of
    // label vectors with its reconstruction, residual and gradient (float32).
    checkLabelSpace(data, p.method, 4 * 4 * (Math.min(p.embeddingDim, labels.nCols) + p.batchSize));
    await ensureBackend();
    const space = FeatureSpace.fromTraining(features);
    const x = space.project(normalizeRowsL2(features));
    if (p.embeddingDim > labels.nCols) notes.push(`embedding dimension ${p.embeddingDim} clipped to the ${labels.nCols} labels of the training data`);
    return { p, notes, space, x };
  }

  /**
   * The average strategy's decoder weight: `params.decoderWeight`, or for `auto` the choice on
   * held-out points with the first member's encoder and ridge penalty `lambda` (its choice when
   * `params.lambda` is `auto`; 0.5 for encoders without a decoder). `known`: that choice, already
   * made with the penalty (chooseLambda's).
   * @internal
   */
  static async chooseWeight(x: Csr, labels: Csr, p: EmbedTrainParams, first: LabelEncoder, lambda: number | undefined, onProgress?: ProgressFn, known?: WeightChoice): Promise<number> {
    if (typeof p.decoderWeight === 'number') return p.decoderWeight;
    if (!first.decode) return 0.5;
    if (known) return known.weight;
    const l = lambda ?? (typeof p.lambda === 'number' ? p.lambda : LAMBDA_START);
    return (await task(onProgress, 'choose the decoder weight on held-out points', undefined, () => chooseDecoderWeight(x, labels, { encoder: first }, p, l))).weight;
  }

  /**
   * Train ensemble member `i` (seed + i) on the prepared rows `x`.
   * @internal
   */
  static async trainMember(x: Csr, labels: Csr, p: EmbedTrainParams, i: number, onProgress?: ProgressFn): Promise<Member> {
    const tag = p.ensemble > 1 ? ` (model ${i + 1}/${p.ensemble})` : '', seed = p.seed + i;
    const m = Math.min(p.embeddingDim, labels.nCols);
    const loop: TrainLoopOptions = {
      epochs: p.epochs, batchSize: p.batchSize, learningRate: p.learningRate, optimizer: p.optimizer,
      validationFraction: p.validationFraction, patience: p.patience, seed,
    };
    const { encoder, history } = await ENCODERS[p.method].train({
      labels, dim: m, seed, loop, tag, params: p,
    }, onProgress);
    const choice = p.lambda === 'auto'
      ? await task(onProgress, `choose the ridge penalty on held-out points${tag}`, undefined, () => chooseLambda(x, labels, encoder, p))
      : undefined;
    const lambda = choice ? choice.lambda : p.lambda as number;
    const z = encoder.encode(labels);
    const embeddingNorm = meanRowNorm(z, x.nRows, m);
    const regressor = await task(onProgress, `ridge regression${tag}${choice ? ` (λ = ${lambda})` : ''}`, undefined, () => fitRidge(x, z, m, { lambda, solver: p.solver, bias: true }));
    const points = normalizeDenseRows(p.knnSpace === 'regressed' ? regressor.predict(x) : z, x.nRows, m);
    const index = p.index === 'exact'
      ? new ExactDenseIndex(points, x.nRows, m)
      : await task(onProgress, `build HNSW index${tag}`, x.nRows, (tick) =>
        HnswIndex.buildDense(points, x.nRows, m, { m: p.hnswM, efConstruction: p.efConstruction, efSearch: p.efSearch, seed }, tick));
    return { encoder, regressor, index, embeddingNorm, ...(history ? { history } : {}), ...(choice ? { lambda, lambdaChoice: choice } : {}) };
  }

  /**
   * Rank labels for every row of `features` with the trained strategy or `options.strategy`: at
   * most {@link nLabels} per row. Fewer columns than the model's are fine; more are a
   * DataFormatError naming `features.source` when given. The scoring is src/predict/strategies.ts'.
   */
  async predict(features: TestFeatures, options: Partial<PredictParams> = {}, onProgress?: ProgressFn): Promise<Ranked> {
    const all = this.live('predict');
    const pp: PredictParams = predictParams(options);
    const x = testRows(features, this.space);
    await ensureBackend();
    const { strategy, members } = predictionPlan(this, pp, this.params.strategy, all);
    const opts = { strategy, decoderWeight: pp.decoderWeight ?? this.decoderWeight, k: pp.k ?? this.params.k, topK: Math.min(pp.topK, Math.max(1, this.nLabels)), ...(pp.efSearch !== undefined ? { efSearch: pp.efSearch } : {}), ...(pp.decoderPrecision !== undefined ? { decoderPrecision: pp.decoderPrecision } : {}) };
    return task(onProgress, `predict (${strategy})`, x.nRows, (tick) => rankByStrategy(x, members, this.trainLabels, opts, tick));
  }

  describe(options: Partial<PredictParams> = {}): ModelSummary {
    const all = this.live('describe');
    const pp = predictParams(options);
    return embeddingSummary(this, pp, all.length, this.embeddingDim, (strategy) =>
      (strategy === 'average' ? { decoderWeight: pp.decoderWeight ?? this.decoderWeight } : {}));
  }

  /**
   * Save as a model directory, crash-safely (the files are written to a fresh folder and put in place
   * by one atomic rename): a new path or an empty
   * folder, or with `overwrite` an existing xmlc model; anything else is refused.
   */
  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    this.live('save');
    await writeModelDir(dir, options, (w) => this.writeTo(w));
  }

  /**
   * Write the model's files through `w` and return its manifest body (what {@link save} puts in
   * `manifest.json`); a clustered model writes each cluster's model through a scoped writer.
   * @internal
   */
  async writeTo(w: ModelWriter): Promise<ManifestBody> {
    const all = this.live('save');
    await EmbeddingModel.writeShared(w, this.trainLabels, this.space);
    const members: unknown[] = [];
    for (const [i, mem] of all.entries()) members.push(await EmbeddingModel.writeMember(w, i, mem));
    return EmbeddingModel.body(this.params, this.trainLabels, this.space, members, this.decoderWeight, this.backend);
  }

  /**
   * Write member `i`'s files (`m<i>.encoder.f32`, `m<i>.regressor.f32`, the index) through `w`;
   * returns its entry of the manifest's `extra.members`.
   * @internal
   */
  static async writeMember(w: ModelWriter, i: number, mem: Member): Promise<unknown> {
    const st = mem.encoder.state();
    const names = Object.keys(st.arrays);
    await w.writeBytes(`m${i}.encoder.f32`, encodeFloats(names.map((k) => st.arrays[k]!)));
    await w.writeBytes(`m${i}.regressor.f32`, encodeFloats([mem.regressor.weights, mem.regressor.bias]));
    if (mem.index instanceof HnswIndex) {
      mem.index.save(w.path(`m${i}.index.hnsw`));
      await w.addExisting(`m${i}.index.hnsw`);
    } else {
      await w.writeBytes(`m${i}.embeddings.f32`, encodeFloats([mem.index.points]));
    }
    return {
      encoder: { kind: st.kind, nLabels: st.nLabels, dim: st.dim, config: st.config, arrays: names.map((k) => [k, st.arrays[k]!.length]) },
      embeddingNorm: mem.embeddingNorm,
      ...(mem.lambda !== undefined ? { lambda: mem.lambda } : {}),
    };
  }

  /** Write the files the members share (training labels, feature space) through `w`. @internal */
  static async writeShared(w: ModelWriter, labels: Csr, space: FeatureSpace): Promise<void> {
    await w.writeBytes('train_labels.csr', encodeCsr(labels));
    await saveFeatureSpace(w, space);
  }

  /** The manifest body of a model with these members' entries. @internal */
  static body(p: EmbedTrainParams, labels: Csr, space: FeatureSpace, members: unknown[], decoderWeight: number, backend: string | undefined): ManifestBody {
    return embeddingBody(p, labels, space, { members, decoderWeight }, backend);
  }

  /**
   * Member `i`'s label encoder from a model directory's files (checked against `meta`).
   * @internal
   */
  static async readEncoder(dir: string, manifest: Manifest, i: number, meta: MemberMeta, nLabels: number): Promise<LabelEncoder> {
    const where = modelFilePath(dir, manifest, `m${i}.encoder.f32`);
    const arrays = decodeFloats(await readModelFile(dir, manifest, `m${i}.encoder.f32`), meta.arrays.map(([, n]) => n), where);
    let encoder: LabelEncoder;
    try {
      encoder = rebuildEncoder({ kind: meta.kind, nLabels, dim: meta.dim, config: meta.config, arrays: Object.fromEntries(meta.arrays.map(([name], j) => [name, arrays[j]!])) });
    } catch (err) {
      throw new ModelFormatError(`${where}: ${(err as Error).message}`);
    }
    if (encoder.dim !== meta.dim || encoder.nLabels !== nLabels) throw new ModelFormatError(`${where}: a ${encoder.nLabels} → ${encoder.dim} encoder, but the manifest says ${nLabels} → ${meta.dim}`);
    return encoder;
  }

  /**
   * Load a directory written by {@link save}: the members' metadata is validated, and every
   * file's size, checksum and dimensions are checked against the manifest before any native call.
   * Use {@link loadModel}, which reads and validates the manifest first.
   * @internal
   */
  static async load(dir: string, manifest: Manifest): Promise<EmbeddingModel> {
    const check = new JsonChecker(path.join(dir, MANIFEST_FILE));
    // Models saved before clustered models existed have no `clusters`: they are one global model.
    const given = check.params(embedTrainParams, manifest.params);
    if (given.clusters !== 'auto' && given.clusters !== 1) check.fail('params.clusters', '1 (a model without extra.partitions is one global model)', given.clusters);
    const p = Object.freeze({ ...given, clusters: 1 });
    if (p.method !== manifest.method) check.fail('params.method', `"${manifest.method}" (the model's method)`, p.method);
    const { nPoints, nLabels } = manifest.data;
    const metas = readMemberMetas(check, manifest, p.ensemble);
    const weight = check.number(JsonChecker.field(manifest.extra ?? {}, 'decoderWeight'), 'extra.decoderWeight', 0, 1);
    const labels = await readCsrFile(dir, manifest, 'train_labels.csr', nPoints, nLabels);
    const space = await loadFeatureSpace(dir, manifest);
    const members: Member[] = [];
    for (const [i, meta] of metas.entries()) {
      const file = (name: string): Promise<Uint8Array> => readModelFile(dir, manifest, name);
      const encoder = await EmbeddingModel.readEncoder(dir, manifest, i, meta, nLabels);
      const m = encoder.dim;
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
      members.push({ encoder, regressor, index, embeddingNorm: meta.embeddingNorm, ...(meta.lambda !== undefined ? { lambda: meta.lambda } : {}) });
    }
    return new EmbeddingModel(p, labels, space, members, weight, manifest.backend);
  }

  /** Release the encoders' tensors and drop the kNN indexes (hnswlib's native graphs are freed with them). */
  dispose(): void {
    for (const m of this.members) m.encoder.dispose();
    this.members = [];
  }
}

/** An ensemble member's entry in the manifest's `extra.members`. @internal */
export interface MemberMeta {
  readonly kind: EncoderKind;
  readonly dim: number;
  readonly config: Record<string, unknown>;
  /** Encoder arrays in file order: name and length. */
  readonly arrays: readonly (readonly [string, number])[];
  readonly embeddingNorm: number;
  /** The ridge penalty `lambda: 'auto'` chose (absent when λ was given, and in models saved before the choice existed). */
  readonly lambda?: number;
}

/** Validate `extra.members` of an embedding model's manifest: `ensemble` entries, each a member's encoder shape and embedding norm. */
export function readMemberMetas(check: JsonChecker, manifest: Manifest, ensemble: number): MemberMeta[] {
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
      ...(f(member, 'lambda') !== undefined ? { lambda: check.number(f(member, 'lambda'), `${w}.lambda`, Number.MIN_VALUE, Number.MAX_VALUE) } : {}),
    };
  });
}

/**
 * The manifest body of an embedding model (global or clustered) trained on `labels` in `space`
 * with `p`: method, data shape, parameters, the model's own `extra`, and the backend.
 * @internal
 */
export function embeddingBody(p: EmbedTrainParams, labels: Csr, space: FeatureSpace, extra: Record<string, unknown>, backend: string | undefined): ManifestBody {
  return {
    method: p.method,
    data: { nPoints: labels.nRows, nFeatures: space.nFeatures, nLabels: labels.nCols },
    params: { ...p },
    extra,
    ...(backend !== undefined ? { backend } : {}),
  };
}
