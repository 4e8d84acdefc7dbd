import { ModelFormatError } from '../errors.js';
import { readManifest } from './io.js';
import { KnnModel } from './knn_model.js';

/** Any trained xmlc model. */
export type Model = KnnModel;

/** Registry of model loaders by the manifest's `method`. */
const LOADERS = Object.freeze({
  knn: KnnModel.load,
} as const);

/** Load a saved model directory, whatever its method. */
export async function loadModel(dir: string): Promise<Model> {
  const manifest = await readManifest(dir);
  const loader = (LOADERS as Record<string, typeof KnnModel.load | undefined>)[manifest.method];
  if (!loader) throw new ModelFormatError(`${dir}: unknown model method "${manifest.method}" (this xmlc knows ${Object.keys(LOADERS).join(', ')})`);
  return loader(dir, manifest);
}
