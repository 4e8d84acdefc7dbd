import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { sliceRows } from '../../src/data/csr.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { readDataset } from '../../src/data/index.js';
import { activeBackend } from '../../src/engine/backends.js';
import { ModelFormatError } from '../../src/errors.js';
import { EmbeddingModel } from '../../src/model/embed_model.js';
import { loadModel } from '../../src/model/load.js';
import { manifestChecksum } from '../../src/model/manifest.js';
import { tempDir } from '../tmp.js';

const train = await readDataset(BUNDLED_BIBTEX.train);
const small = { features: sliceRows(train.features, 0, 200), labels: sliceRows(train.labels, 0, 200) };

test('the manifest records the backend an embedding model was trained on; a loaded model reports it; a malformed value is a corrupt model', async () => {
  const model = await EmbeddingModel.train(small, { method: 'pca', embeddingDim: 10, index: 'exact', seed: 1 });
  assert.equal(model.backend, activeBackend());
  const dir = path.join(tempDir('backend'), 'model');
  await model.save(dir);
  const file = path.join(dir, 'manifest.json');
  const raw = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  assert.equal(raw['backend'], activeBackend());
  const loaded = await loadModel(dir);
  assert.ok(loaded instanceof EmbeddingModel);
  assert.equal(loaded.backend, activeBackend());

  for (const bad of [5, '../../etc', '']) {
    const { manifestSha256: _, ...rest } = raw;
    const edited = { ...rest, backend: bad };
    await fs.writeFile(file, JSON.stringify({ ...edited, manifestSha256: manifestChecksum(edited) }));
    await assert.rejects(loadModel(dir), (e: Error) => e instanceof ModelFormatError && /backend/.test(e.message), String(bad));
  }
  // Older manifests without the field still load (backend unknown).
  const { manifestSha256: _, backend: __, ...old } = raw;
  await fs.writeFile(file, JSON.stringify({ ...old, manifestSha256: manifestChecksum(old) }));
  assert.equal(((await loadModel(dir)) as EmbeddingModel).backend, undefined);
});
