/**
 * Extreme multi-label classification end to end: train an embedding model (ℓ1-AE label
 * encoder + ridge regression + kNN) on the bundled Bibtex training split, rank labels for the
 * test split, report P@1/3/5, then save the model, load it back and check it predicts the same.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_BIBTEX, evaluateRanking, loadModel, readDataset, trainModel, useBackend } from 'xmlc';

await useBackend('auto');
const train = await readDataset(BUNDLED_BIBTEX.train);
const test = await readDataset(BUNDLED_BIBTEX.test);
const model = await trainModel(train, { method: 'l1ae', embeddingDim: 100, epochs: 5, decoderWeight: 0.5, seed: 1 });
const ranked = await model.predict(test, { topK: 5 });

// Metrics are fractions in [0, 1]; print them as percentages.
const metrics = evaluateRanking(ranked, test.labels, { ks: [1, 3, 5], metrics: ['P'] });
for (const [name, value] of Object.entries(metrics)) console.log(`${name} = ${(100 * value).toFixed(2)}%`);

const dir = await mkdtemp(join(tmpdir(), 'xmlc-example-'));
try {
  await model.save(join(dir, 'model'));
  const loaded = await loadModel(join(dir, 'model'));
  const again = await loaded.predict(test, { topK: 5 });
  const same = again.labels.every((label, i) => label === ranked.labels[i]);
  console.log(`saved and loaded: ${same ? 'same' : 'DIFFERENT'} predictions`);
  if (!same) process.exitCode = 1;
  loaded.dispose();
} finally {
  model.dispose();
  await rm(dir, { recursive: true, force: true });
}
