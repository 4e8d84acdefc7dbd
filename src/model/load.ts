import * as path from 'node:path';
import { ModelFormatError } from '../errors.js';
import { type Csr } from '../data/csr.js';
import { type Manifest, MANIFEST_FILE, readCsrFile, readManifest } from './io.js';
import { type MethodEntry, methodEntry, MODEL_METHODS } from './methods.js';
import { type Model } from './model.js';

export type { Model } from './model.js';

/** A model directory whose manifest was read and whose method is known, not loaded yet (see {@link openModel}). */
export interface OpenedModel {
  readonly dir: string;
  readonly manifest: Manifest;
  /** Whether the model computes with tensors: choose a tensor backend before {@link load} (a kNN model needs none). */
  readonly needsTensors: boolean;
  /** Load the model. */
  load(): Promise<Model>;
}

/** Read the manifest of the model directory `dir` and find its method. @throws ModelFormatError for a missing or invalid manifest or an unknown method. */
async function readKnown(dir: string): Promise<{ manifest: Manifest; entry: MethodEntry }> {
  const manifest = await readManifest(dir);
  const entry = methodEntry(manifest.method);
  if (!entry) throw new ModelFormatError(`${path.join(dir, MANIFEST_FILE)}: unknown model method ${JSON.stringify(manifest.method)} (this xmlc knows ${[...MODEL_METHODS.keys()].join(', ')})`);
  return { manifest, entry };
}

/**
 * Read a saved model's manifest (once), to learn what it needs before loading it. A model
 * replaced while it was being loaded (its old version folder removed by the writer) is read
 * again from the new manifest.
 */
export async function openModel(dir: string): Promise<OpenedModel> {
  const first = await readKnown(dir);
  return {
    dir,
    manifest: first.manifest,
    needsTensors: first.entry.needsTensors,
    load: async () => {
      let { manifest, entry } = first;
      for (let attempt = 0; ; attempt++) {
        try {
          let model = await (await entry.load()).load(dir, manifest);
          try {
            // A mixed ensemble: its other parts beside the first.
            if (manifest.mix !== undefined) model = await (await import('./mixed_model.js')).MixedModel.attach(model, dir, manifest);
            // A re-ranked model: its classifiers after the shortlisting model.
            if (manifest.rerank !== undefined) model = await (await import('./reranked_model.js')).RerankedModel.attach(model, dir, manifest);
            // Weighted features: the weights in front of everything but the text front end.
            if (manifest.features !== undefined) model = await (await import('./weighted_model.js')).WeightedModel.attach(model, dir, manifest);
            // A model trained on text: its vectoriser and label names in front.
            if (manifest.text !== undefined) model = await (await import('./text_model.js')).TextModel.attach(model, dir, manifest);
            return model;
          } catch (e) {
            model.dispose();
            throw e;
          }
        } catch (e) {
          if (attempt < 2 && e instanceof ModelFormatError && manifest.root !== '' && (await readManifest(dir).then((m) => m.root, () => manifest.root)) !== manifest.root) {
            ({ manifest, entry } = await readKnown(dir));
            continue;
          }
          throw e;
        }
      }
    },
  };
}

/**
 * Load a saved model directory, whatever its method. A missing, corrupt or inconsistent model
 * is a {@link ModelFormatError} naming the file.
 */
export async function loadModel(dir: string): Promise<Model> {
  return (await openModel(dir)).load();
}

/**
 * The training labels of an opened model (every method saves them, as `train_labels.csr`), read
 * without loading the model: what the propensity-scored metrics need.
 * @throws ModelFormatError for a missing or corrupt file.
 */
export async function readTrainLabels(opened: OpenedModel): Promise<Csr> {
  const { nPoints, nLabels } = opened.manifest.data;
  return readCsrFile(opened.dir, opened.manifest, 'train_labels.csr', nPoints, nLabels);
}
