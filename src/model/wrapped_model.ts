/**
 * A model in front of another (the text front end, the re-ranker): every {@link Model} member
 * goes to the inner model unless the wrapper overrides it; saving writes the wrapper's files
 * after the inner model's (see `writeTo`).
 */
import { type Csr } from '../data/csr.js';
import { type ProgressFn } from '../progress.js';
import { type Ranked } from '../ranking/topk.js';
import { type ModelWriter } from './io.js';
import { type ManifestBody } from './manifest.js';
import { type Model, type ModelSummary } from './model.js';
import { type PredictParams } from './params.js';
import { type SaveOptions, writeModelDir } from './store.js';
import { type TestFeatures } from './training_data.js';

/** The members every wrapper passes through to the model it wraps. */
export abstract class WrappedModel implements Model {
  constructor(
    /** The model inside. */
    readonly model: Model,
  ) {}

  get method(): Model['method'] { return this.model.method; }
  get nFeatures(): number { return this.model.nFeatures; }
  get nLabels(): number { return this.model.nLabels; }
  get nTrain(): number { return this.model.nTrain; }
  get params(): Model['params'] { return this.model.params; }
  get notes(): readonly string[] { return this.model.notes; }
  get trainLabels(): Csr { return this.model.trainLabels; }
  get strategies(): Model['strategies'] { return this.model.strategies; }
  get encoders(): Model['encoders'] { return this.model.encoders; }

  predict(features: TestFeatures, options?: Partial<PredictParams>, onProgress?: ProgressFn): Promise<Ranked> {
    return this.model.predict(features, options, onProgress);
  }

  describe(options?: Partial<PredictParams>): ModelSummary { return this.model.describe(options); }
  dispose(): void { this.model.dispose(); }

  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    await writeModelDir(dir, options, (w) => this.writeTo(w));
  }

  /** The inner model's files and the wrapper's; the manifest body with the wrapper's entry. @internal */
  abstract writeTo(w: ModelWriter): Promise<ManifestBody>;
}
