import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const lib = fileURLToPath(new URL('../../src/index.js', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Run a module script in a fresh process (cwd: the repository, so it resolves the same tfjs-core). */
function fresh(script: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: root });
}

test('a library user who never calls useBackend() trains and predicts on native here, not on tfjs cpu', () => {
  const r = fresh(`
    const lib = await import(${JSON.stringify(lib)});
    const tf = await import('@tensorflow/tfjs-core');
    const x = tf.add(tf.tensor([1, 2]), 1); // a tensor op before any train(): tfjs picks the highest-priority backend
    const first = tf.getBackend();
    x.dispose();
    const data = { features: lib.fromDense(3, 2, [1, 0, 0, 1, 1, 1]), labels: lib.fromDense(3, 2, [1, 0, 0, 1, 1, 1]) };
    const model = await lib.EmbeddingModel.train(data, { method: 'l1ae', epochs: 2, index: 'exact' });
    const afterTrain = tf.getBackend();
    await model.predict(data.features);
    console.log(JSON.stringify({ first, afterTrain, afterPredict: tf.getBackend() }));`);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { first: 'native', afterTrain: 'native', afterPredict: 'native' });
});

test('a backend chosen with useBackend() is kept by train and predict', () => {
  const r = fresh(`
    const lib = await import(${JSON.stringify(lib)});
    const tf = await import('@tensorflow/tfjs-core');
    await lib.useBackend('cpu');
    const data = { features: lib.fromDense(3, 2, [1, 0, 0, 1, 1, 1]), labels: lib.fromDense(3, 2, [1, 0, 0, 1, 1, 1]) };
    const model = await lib.EmbeddingModel.train(data, { method: 'pca', index: 'exact' });
    await model.predict(data.features);
    console.log(tf.getBackend());`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'cpu');
});
