import type { EncoderKind } from '../../src/encoders/kinds.js';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { csr, type Csr, emptyCsr, fromDense } from '../../src/data/csr.js';
import { DataFormatError, UsageError } from '../../src/errors.js';
import { EmbeddingModel } from '../../src/model/embed_model.js';
import { KnnModel } from '../../src/model/knn_model.js';
import { checkLabelSpace } from '../../src/model/training_data.js';

const METHODS = ['knn', 'pca', 'gaussian', 'l1ae'] as const;

function train(method: string, data: { features: Csr; labels: Csr; source?: string }): Promise<unknown> {
  return method === 'knn'
    ? KnnModel.train(data, { index: 'exact' })
    : EmbeddingModel.train(data, { method: method as EncoderKind, epochs: 2, index: 'exact' });
}

/** A DataFormatError (not a usage error) whose message names `file` and contains `fragment`. */
function dataError(file: string, fragment: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof DataFormatError && !(e instanceof UsageError) && e.message.startsWith(`${file}: `) && fragment.test(e.message);
}

for (const method of METHODS) {
  test(`${method}: 0 or 1 training points, or no labels, is a DataFormatError naming the file and the minimum`, async () => {
    for (const n of [0, 1]) {
      const data = { features: emptyCsr(n, 4), labels: fromDense(n, 2, new Array<number>(2 * n).fill(1)), source: 'tiny.txt' };
      await assert.rejects(train(method, data), dataError('tiny.txt', new RegExp(`has ${n} points?; method ${method} needs at least 2 training points`)));
    }
    const unlabelled = { features: fromDense(3, 2, [1, 0, 0, 1, 1, 1]), labels: emptyCsr(3, 4), source: 'nolabels.txt' };
    await assert.rejects(train(method, unlabelled), dataError('nolabels.txt', /has no labels/));
    await assert.rejects(train(method, { ...unlabelled, labels: emptyCsr(3, 0), source: undefined as unknown as string }), dataError('the training data', /has no labels/));
  });
}

const TRAIN = { features: fromDense(4, 3, [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0]), labels: fromDense(4, 3, [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0]) };

for (const method of ['knn', 'pca'] as const) {
  test(`${method}: 2 points train; a wider test file is a DataFormatError naming it; top-k is capped at the label count`, async () => {
    const two = { features: fromDense(2, 3, [1, 0, 0, 0, 1, 0]), labels: fromDense(2, 3, [1, 0, 0, 0, 1, 0]) };
    const small = method === 'knn' ? await KnnModel.train(two, { index: 'exact' }) : await EmbeddingModel.train(two, { method, index: 'exact' });
    assert.equal((await small.predict(fromDense(1, 3, [1, 0, 0]), { topK: 1 })).labels[0], 0);
    const model = method === 'knn' ? await KnnModel.train(TRAIN, { index: 'exact' }) : await EmbeddingModel.train(TRAIN, { method, index: 'exact' });
    const wide = csr(1, 5, Int32Array.from([0, 1]), Int32Array.from([4]), Float32Array.from([1]));
    await assert.rejects(model.predict({ features: wide, source: 'wide.txt' }), dataError('wide.txt', /has 5 features but the model was trained on 3/));
    await assert.rejects(model.predict(wide), dataError('the test data', /has 5 features/));
    const r = await model.predict(fromDense(2, 3, [1, 0, 0, 0, 0, 1]), { topK: 1000000 });
    assert.equal(r.k, 3);
    assert.equal(r.labels.length, 6);
    assert.equal(r.labels[0], 0);
    assert.equal(r.labels[3], 2);
  });
}

test('embedding dimension above the label count: clipped, with a note', async () => {
  const model = await EmbeddingModel.train(TRAIN, { method: 'pca', embeddingDim: 10, index: 'exact' });
  assert.equal(model.embeddingDim, 3);
  assert.ok(model.notes.some((n) => /embedding dimension 10 clipped to the 3 labels/.test(n)), model.notes.join('\n'));
  assert.deepEqual((await EmbeddingModel.train(TRAIN, { method: 'pca', embeddingDim: 2, index: 'exact' })).notes, []);
});

test('a label count beyond the machine memory is refused before allocating, naming the file and the occurring labels', async () => {
  const labels = csr(2, 2 ** 31 - 1, Int32Array.from([0, 1, 2]), Int32Array.from([5, 2 ** 31 - 2]), Float32Array.from([1, 1]));
  const data = { features: fromDense(2, 2, [1, 0, 0, 1]), labels, source: 'huge.txt' };
  // pca needs ≥ 3.6 kB per declared label: 7.8 TB here.
  await assert.rejects(EmbeddingModel.train(data, { method: 'pca', index: 'exact' }), dataError('huge.txt', /declares 2147483647 labels \(2 occur\); method pca needs at least \d+\.\d GB .*renumber the labels/));
  checkLabelSpace({ ...data, labels: fromDense(2, 4, [1, 0, 0, 1, 0, 0, 0, 0]) }, 'knn', 25, 100);
  assert.throws(() => checkLabelSpace({ ...data, labels: fromDense(2, 4, [1, 0, 0, 1, 0, 0, 0, 0]) }, 'knn', 26, 100), dataError('huge.txt', /declares 4 labels \(2 occur\)/));
});

test('CLI: a 2-point, 3-label training file trains and evaluates at k = 1, 3, 5; a 1-point file is exit 1 naming it', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-tiny-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const bin = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
  const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => spawnSync(process.execPath, [bin, ...args, '-q'], { encoding: 'utf8' });
  const two = path.join(dir, 'two.txt'), one = path.join(dir, 'one.txt');
  await fs.writeFile(two, '2 5 3\n0,2 1:1 3:0.5\n1 0:1 4:2\n');
  await fs.writeFile(one, '1 5 3\n0,2 1:1 3:0.5\n');
  for (const method of ['knn', 'pca']) {
    const model = path.join(dir, method);
    const tr = run('train', '--train', two, '--method', method, '--model', model);
    assert.equal(tr.status, 0, tr.stderr);
    const ev = run('evaluate', '--model', model, '--test', two, '--json');
    assert.equal(ev.status, 0, ev.stderr);
    const m = JSON.parse(ev.stdout) as Record<string, number>;
    assert.equal(m['P@1'], 100, method); // each training point's nearest neighbour is itself
    assert.equal(m['P@5'], 30, method); // 3 relevant labels in 2 × 5 places; the places beyond the 3 labels are misses
    const bad = run('train', '--train', one, '--method', method, '--model', path.join(dir, `${method}-1`));
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, new RegExp(`${one.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: has 1 point; method ${method} needs at least 2 training points`));
  }
});
