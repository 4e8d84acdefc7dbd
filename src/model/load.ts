import * as path from 'node:path';
import { ENCODER_KINDS } from '../encoders/kinds.js';
import { ModelFormatError } from '../errors.js';
import type { EmbeddingModel } from './embed_model.js';
import { type Manifest, MANIFEST_FILE, readManifest } from './io.js';
import type { KnnModel } from './knn_model.js';

/** Any trained xmlc model. */
export type Model = KnnModel | EmbeddingModel;

/** Registry of model loaders by the manifest's `method` (a Map: no inherited keys such as `constructor`). */
const LOADERS: ReadonlyMap<string, (dir: string, manifest: Manifest) => Promise<Model>> = new Map<string, (dir: string, manifest: Manifest) => Promise<Model>>([
  // Each model class is loaded when a model of its kind is (a kNN model needs no tensor library).
  ['knn', async (dir, manifest) => (await import('./knn_model.js')).KnnModel.load(dir, manifest)],
  ...ENCODER_KINDS.map((kind) => [kind, async (dir: string, manifest: Manifest) => (await import('./embed_model.js')).EmbeddingModel.load(dir, manifest)] as const),
]);

/**
 * Load a saved model directory, whatever its method. A missing, corrupt or inconsistent model
 * is a {@link ModelFormatError} naming the file. A model replaced while it was being read (its
 * old version folder removed by the writer) is read again from the new manifest.
 */
export async function loadModel(dir: string): Promise<Model> {
  for (let attempt = 0; ; attempt++) {
    const manifest = await readManifest(dir);
    const loader = LOADERS.get(manifest.method);
    if (!loader) throw new ModelFormatError(`${path.join(dir, MANIFEST_FILE)}: unknown model method ${JSON.stringify(manifest.method)} (this xmlc knows ${[...LOADERS.keys()].join(', ')})`);
    try {
      return await loader(dir, manifest);
    } catch (e) {
      if (attempt < 2 && e instanceof ModelFormatError && manifest.root !== '' && (await readManifest(dir).then((m) => m.root, () => manifest.root)) !== manifest.root) continue;
      throw e;
    }
  }
}
