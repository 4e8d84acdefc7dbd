/**
 * Label embedding only: train an ℓ1-AE label encoder on the bundled Bibtex training labels,
 * encode the test split's label vectors (159 labels) into 40 numbers each, decode them back, and
 * count how many of each point's true labels the decoder ranks in its top k (k = the point's
 * number of labels).
 */
import { BUNDLED_BIBTEX, L1aeEncoder, normalizeRowsL2, readDataset, topKRows, useBackend } from 'xmlc';

await useBackend('auto');
const train = (await readDataset(BUNDLED_BIBTEX.train)).labels;
// Options left out take their defaults (ENCODER_PARAMS and TRAIN_LOOP_DEFAULTS).
const { encoder } = await L1aeEncoder.train(train, { embeddingDim: 40 }, { epochs: 20, patience: 5, seed: 1 });

const test = normalizeRowsL2((await readDataset(BUNDLED_BIBTEX.test)).labels);
const z = encoder.encode(test); // n × 40 embeddings, row-major
const scores = encoder.decode(z, test.nRows); // n × 159 label scores
const top = topKRows(scores, test.nRows, test.nCols, test.nCols);
let hits = 0;
for (let i = 0; i < test.nRows; i++) {
  const truth = Array.from(test.indices.subarray(test.rowPtr[i], test.rowPtr[i + 1]));
  hits += truth.filter((l) => top.labels.subarray(i * top.k, i * top.k + truth.length).includes(l)).length;
}
console.log(`the decoder ranks ${hits} of the ${test.indices.length} true labels in each point's top k`);
encoder.dispose();
