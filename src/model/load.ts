import { ENCODER_KINDS } from '../encoders/encoder.js';
import { ModelFormatError } from '../errors.js';
import { readManifest } from './io.js';
import { EmbeddingModel } from './embed_model.js';
import { type Manifest } from './io.js';
import { KnnModel } from './knn_model.js';

/** Any trained xmlc model. */
export type Model = KnnModel | EmbeddingModel;

/** Registry of model loaders by the manifest's `method`. */
const LOADERS: Readonly<Record<string, (dir: string, manifest: Manifest) => Promise<Model>>> = Object.freeze({
  knn: KnnModel.load,
  ...Object.fromEntries(ENCODER_KINDS.map((kind) => [kind, EmbeddingModel.load])),
});

/** Load a saved model directory, whatever its method. */
export async function loadModel(dir: string): Promise<Model> {
  const manifest = await readManifest(dir);
  const loader = LOADERS[manifest.method];
  if (!loader) throw new ModelFormatError(`${dir}: unknown model method "${manifest.method}" (this xmlc knows ${Object.keys(LOADERS).join(', ')})`);
  return loader(dir, manifest);
}
