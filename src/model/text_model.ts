/**
 * Models trained on raw text (issue 17): a TF-IDF vectoriser and a label vocabulary in front of
 * any xmlc model. Training fits the vectoriser on the training texts and names the labels; the
 * model directory holds the inner model's files plus the vectoriser and the label names (both
 * checksummed in the manifest like every other file); prediction vectorises the texts and gives
 * label ids whose names are {@link TextModel.labelNames}.
 */
import { type Csr } from '../data/csr.js';
import { ParamsError, UsageError } from '../errors.js';
import { methodOf, trainModel } from './methods.js';
import { type Manifest, type ModelWriter, readModelFile } from './io.js';
import { JsonChecker, type ManifestBody } from './manifest.js';
import { MANIFEST_FILE } from './io.js';
import { type Model, type TrainOptions } from './model.js';
import { WrappedModel } from './wrapped_model.js';
import { type PredictParams } from './params.js';
import { type ProgressFn, task } from '../progress.js';
import { type Ranked } from '../ranking/topk.js';
import { type TfidfParams, TfidfVectorizer, VectorizerFormatError } from '../text/tfidf.js';
import * as path from 'node:path';

/** Label rows made from label names. */
export interface EncodedLabels {
  /** One row per document, the label ids of its names. */
  readonly labels: Csr;
  /** Occurrences of names unseen in training. */
  readonly unseen: number;
}

/** The label names of a text model: sorted and distinct; label id i is names[i]. */
export class LabelNames {
  private readonly ids: Map<string, number>;

  /** @param names sorted (code-unit order) and distinct. */
  constructor(readonly names: readonly string[]) {
    this.ids = new Map(names.map((n, i) => [n, i]));
  }

  /** The names occurring in `labels`, sorted. */
  static fromDocuments(labels: readonly (readonly string[])[]): LabelNames {
    const all = new Set<string>();
    for (const row of labels) for (const l of row) all.add(l);
    return new LabelNames([...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** The id of a name, or undefined for a name unseen in training. */
  id(name: string): number | undefined { return this.ids.get(name); }

  /** Label rows of `labels` (ids sorted per row); names unseen in training are left out and counted. */
  encode(labels: readonly (readonly string[])[]): EncodedLabels {
    return this.rows(labels, false);
  }

  /**
   * Label rows of `labels` for scoring: names unseen in training get ids from names.length on (one
   * per distinct name, in order of appearance), so they count as misses — the matrix has that
   * many more columns than the model's labels.
   */
  encodeWithUnseen(labels: readonly (readonly string[])[]): EncodedLabels {
    return this.rows(labels, true);
  }

  /** The label rows of `labels`; unseen names counted, and given ids after the known ones when `keepUnseen`. */
  private rows(labels: readonly (readonly string[])[], keepUnseen: boolean): EncodedLabels {
    const extra = new Map<string, number>();
    const rowPtr = new Int32Array(labels.length + 1);
    const idx: number[] = [];
    let unseen = 0;
    labels.forEach((row, i) => {
      const ids: number[] = [];
      for (const l of row) {
        let id = this.ids.get(l);
        if (id === undefined) {
          unseen++;
          if (!keepUnseen) continue;
          id = extra.get(l);
          if (id === undefined) { id = this.names.length + extra.size; extra.set(l, id); }
        }
        ids.push(id);
      }
      ids.sort((a, b) => a - b);
      idx.push(...ids);
      rowPtr[i + 1] = idx.length;
    });
    return { labels: { nRows: labels.length, nCols: this.names.length + extra.size, rowPtr, indices: Int32Array.from(idx), values: new Float32Array(idx.length).fill(1) }, unseen };
  }

  /** The names as bytes (UTF-8 JSON), for {@link fromBytes}. */
  toBytes(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ format: 'xmlc-label-names', version: 1, names: this.names }));
  }

  /** @throws VectorizerFormatError when `bytes` are not saved label names. */
  static fromBytes(bytes: Uint8Array, source: string): LabelNames {
    let json: { format?: unknown; version?: unknown; names?: unknown };
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as typeof json;
    } catch (e) {
      throw new VectorizerFormatError(`${source}: not saved label names (${(e as Error).message})`);
    }
    const names = json?.names;
    if (json?.format !== 'xmlc-label-names' || json.version !== 1 || !Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
      throw new VectorizerFormatError(`${source}: not saved label names (format "xmlc-label-names", version 1, "names": a list of strings)`);
    }
    for (let i = 1; i < names.length; i++) if (!((names[i - 1] as string) < (names[i] as string))) throw new VectorizerFormatError(`${source}: the label names must be sorted and distinct (name ${i})`);
    return new LabelNames(names as string[]);
  }
}

/** Text documents with label names. */
export interface TextDocuments {
  /** The documents' texts. */
  readonly texts: readonly string[];
  /** Each document's label names. */
  readonly labels: readonly (readonly string[])[];
  /** Where they were read from, for messages. */
  readonly source?: string;
}

/** The model directory's files of the text front end. */
const VECTORIZER_FILE = 'text.vectorizer.json';
const LABEL_NAMES_FILE = 'text.labels.json';

/**
 * A model over TF-IDF features of text, with named labels. It is a {@link Model} (its `predict`
 * takes feature rows of its vectoriser) and adds {@link predictTexts}.
 * @example
 * const m = await TextModel.train({ texts, labels }, { method: 'l1ae' }, { ngramMax: 2 });
 * const ranked = await m.predictTexts(['a new document']); // label ids: m.labelNames.names[id]
 */
export class TextModel extends WrappedModel {
  constructor(
    model: Model,
    /** The fitted TF-IDF vectoriser (the model's features are its terms). */
    readonly vectorizer: TfidfVectorizer,
    /** The names of the model's labels (label id i is `labelNames.names[i]`). */
    readonly labelNames: LabelNames,
  ) {
    super(model);
  }

  /**
   * Fit the vectoriser on `docs.texts`, name the labels, and train `params.method` on the TF-IDF rows.
   * @throws UsageError (ParamsError) for bad parameters; DataFormatError for unusable data.
   */
  static async train(docs: TextDocuments, params: TrainOptions = {}, tfidf: Partial<TfidfParams> = {}, onProgress?: ProgressFn): Promise<TextModel> {
    methodOf(params);
    if (params.features !== undefined && params.features !== 'raw') throw new ParamsError(`parameter 'features' weights BoW/LIBSVM features; text is weighted by the TF-IDF vectoriser (parameter 'tfidf')`);
    if (docs.texts.length !== docs.labels.length) throw new UsageError(`TextModel.train(): ${docs.texts.length} texts but ${docs.labels.length} label lists`);
    const { vectorizer, features } = await task(onProgress, 'fit the TF-IDF vectoriser', undefined, async () => TfidfVectorizer.fitTransform(docs.texts, tfidf));
    const labelNames = LabelNames.fromDocuments(docs.labels);
    const { labels } = labelNames.encode(docs.labels);
    // Text is weighted by the vectoriser: the model takes its rows as they are.
    const model = await trainModel({ features, labels, ...(docs.source !== undefined ? { source: docs.source } : {}) }, { ...params, features: 'raw' } as TrainOptions, onProgress);
    return new TextModel(model, vectorizer, labelNames);
  }

  /** Rank labels for raw texts: vectorised, then {@link predict}; label ids name `labelNames.names[id]`. */
  async predictTexts(texts: readonly string[], options?: Partial<PredictParams>, onProgress?: ProgressFn): Promise<Ranked> {
    const features = await task(onProgress, 'vectorise the texts', undefined, async () => this.vectorizer.transform(texts));
    return this.model.predict(features, options, onProgress);
  }

  /** The inner model's files, the vectoriser and the label names; the manifest body names them under `text`. @internal */
  override async writeTo(w: ModelWriter): Promise<ManifestBody> {
    const body = await this.model.writeTo(w);
    await w.writeBytes(VECTORIZER_FILE, this.vectorizer.toBytes());
    await w.writeBytes(LABEL_NAMES_FILE, this.labelNames.toBytes());
    return { ...body, text: { vectorizer: VECTORIZER_FILE, labelNames: LABEL_NAMES_FILE, terms: this.vectorizer.nFeatures, labels: this.labelNames.names.length } };
  }

  /**
   * The text model of a loaded `model` whose manifest has a `text` entry: its vectoriser and label
   * names read (checksums verified) and checked against the model's shape.
   * @throws ModelFormatError for a missing, corrupt or inconsistent front end.
   * @internal
   */
  static async attach(model: Model, dir: string, manifest: Manifest): Promise<TextModel> {
    const check = new JsonChecker(path.join(dir, MANIFEST_FILE));
    const text = check.object(manifest.text, 'text');
    const vFile = check.string(JsonChecker.field(text, 'vectorizer'), 'text.vectorizer', /^text\.[a-z.]+$/);
    const lFile = check.string(JsonChecker.field(text, 'labelNames'), 'text.labelNames', /^text\.[a-z.]+$/);
    let vectorizer: TfidfVectorizer, labelNames: LabelNames;
    try {
      vectorizer = TfidfVectorizer.fromBytes(await readModelFile(dir, manifest, vFile), path.join(dir, vFile));
      labelNames = LabelNames.fromBytes(await readModelFile(dir, manifest, lFile), path.join(dir, lFile));
    } catch (e) {
      if (e instanceof VectorizerFormatError) check.fail('text', `a valid text front end (${e.message})`, vFile);
      throw e;
    }
    if (vectorizer.nFeatures !== model.nFeatures) check.fail('text.vectorizer', `a vectoriser of the model's ${model.nFeatures} features`, vectorizer.nFeatures);
    if (labelNames.names.length !== model.nLabels) check.fail('text.labelNames', `the names of the model's ${model.nLabels} labels`, labelNames.names.length);
    return new TextModel(model, vectorizer, labelNames);
  }
}

/** Whether a model is a {@link TextModel}. */
export function isTextModel(model: Model): model is TextModel {
  return model instanceof TextModel;
}
