/**
 * Compressed sensing with a learned measurement matrix: learn a 15 × 159 matrix A from the
 * bundled Bibtex training label vectors (the encoder of an ℓ1-AE), measure unseen test label
 * vectors x as y = A·x, recover x from y by ℓ1-minimisation (x ≥ 0), and compare with a
 * random Gaussian matrix of the same size.
 */
import {
  BUNDLED_BIBTEX, densifyRows, gaussianMatrix, learnMatrix, measureRows, normalizeRowsL2, readDataset, recover, recoveryStats, useBackend,
} from 'xmlc';

await useBackend('auto');
const train = (await readDataset(BUNDLED_BIBTEX.train)).labels;
const test = normalizeRowsL2((await readDataset(BUNDLED_BIBTEX.test)).labels);
const m = 15, n = test.nRows, d = test.nCols;
const x = Float64Array.from(densifyRows(test, 0, n)); // the true vectors, n × d

const learned = await learnMatrix('l1ae', train, m, 1, { epochs: 20 });
for (const [name, matrix] of [['learned (ℓ1-AE)', learned.matrix], ['Gaussian', gaussianMatrix(m, d, 1)]] as const) {
  const y = measureRows(matrix, test); // n × m measurements
  const xHat = await recover('l1-min-pos', matrix, y, n);
  const { exactFraction, rmse } = recoveryStats(x, xHat, n, d);
  console.log(`${name}: ${(100 * exactFraction).toFixed(1)}% of ${n} vectors recovered exactly, RMSE ${rmse.toFixed(4)}`);
}
learned.encoder.dispose();
