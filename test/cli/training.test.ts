import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { stderrProgress } from '../../cli/progress.js';
import { nativeAddon } from '../../src/engine/addon.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { headBow, tempDir, xmlc } from './harness.js';

let dir = '', cleanup = async (): Promise<void> => undefined;
const f = (name: string): string => path.join(dir, name);
before(async () => {
  ({ dir, cleanup } = await tempDir('xmlc-training-cli-'));
  await headBow(BUNDLED_BIBTEX.train, f('train.txt'), 300);
  await fs.mkdir(f('empty-data-dir'));
});
after(() => cleanup());

const SMALL_L1AE = ['--method', 'l1ae', '--embedding-dim', '20', '--depth', '3', '--backend', 'cpu'];

test('training that diverges is exit 1 naming the encoder, the epoch and the fix; no model is written', () => {
  const model = f('diverged');
  const r = xmlc(['train', '--train', f('train.txt'), '--model', model, ...SMALL_L1AE, '--optimizer', 'sgd', '--learning-rate', '10', '--epochs', '5']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^xmlc: error: training the ℓ1-AE diverged in epoch \d+ \(loss (NaN|Infinity)\); lower the learning rate \(--learning-rate, now 10; try 1\)$/m);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.equal(existsSync(model), false);
});

test('--threads N sets the BLAS and OpenMP threads (xmlc info reports them; train says so)', (t) => {
  if (!nativeAddon().addon) { t.skip('the native addon is not built here'); return; }
  for (const n of [1, 3]) {
    const r = xmlc(['info', '--threads', String(n), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { threads: unknown }).threads, { blas: n, openmp: n });
    assert.match(xmlc(['info', '--threads', String(n)]).stdout, new RegExp(`, ${n} BLAS threads, ${n} OpenMP threads`));
  }
  // Without the flag: the libraries' default (every core unless the environment says otherwise).
  const env = xmlc(['info', '--json'], { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' });
  assert.deepEqual((JSON.parse(env.stdout) as { threads: unknown }).threads, { blas: 1, openmp: 1 });
  const tr = xmlc(['train', '--train', f('train.txt'), '--model', f('knn-threads'), '--method', 'knn', '--threads', '1'], { OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2' });
  assert.equal(tr.code, 0, tr.stderr);
  assert.match(tr.stderr, /^threads: 1 BLAS, 1 OpenMP$/m);
});

test('training progress: the epoch, training and validation loss and best epoch every few epochs; --verbose adds stage timings', () => {
  // A 20-epoch schedule (the default is 5).
  const r = xmlc(['train', '--train', f('train.txt'), '--model', f('l1ae'), ...SMALL_L1AE, '--epochs', '20', '--schedule-epochs', '20', '--patience', '50']);
  assert.equal(r.code, 0, r.stderr);
  const epochLines = r.stderr.split('\n').filter((l) => l.startsWith('train ℓ1-AE: epoch'));
  // Not a terminal: a line every 20 / 10 = 2 epochs.
  assert.deepEqual(epochLines.map((l) => Number(/epoch (\d+)\/20/.exec(l)![1])), [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
  for (const l of epochLines) {
    const m = /^train ℓ1-AE: epoch (\d+)\/20, loss [\d.e+-]+, validation [\d.e+-]+, best epoch (\d+)$/.exec(l);
    assert.ok(m, l);
    // Best epoch 0: the PCA warm start, which competes with the epochs.
    assert.ok(Number(m[2]) >= 0 && Number(m[2]) <= Number(m[1]), l);
  }
  assert.doesNotMatch(r.stderr, /: \d+\.\d\ds/, 'no timings without --verbose');
  // 300 training embeddings: exact kNN search, and the note says so.
  assert.match(r.stderr, /^300 points × \d+ embedding dimensions: exact kNN search is faster than HNSW at this size \(index 'exact'; --index hnsw forces HNSW\)$/m);
  const v = xmlc(['train', '--train', f('train.txt'), '--model', f('l1ae-v'), ...SMALL_L1AE, '--epochs', '2', '--index', 'hnsw', '--verbose']);
  assert.equal(v.code, 0, v.stderr);
  for (const stage of ['read .*train\\.txt', 'train ℓ1-AE', 'ridge regression', 'build HNSW index', 'choose the decoder weight on held-out points', 'save model to .*l1ae-v']) {
    assert.match(v.stderr, new RegExp(`^${stage}: \\d+\\.\\d\\ds`, 'm'), stage);
  }
});

test('stderrProgress on a terminal: the epoch drawn in place beside the bar, kept as a line when the task ends', () => {
  const writes: string[] = [];
  const orig = process.stderr.write.bind(process.stderr), tty = process.stderr.isTTY;
  process.stderr.write = ((s: string | Uint8Array, ...rest: unknown[]) => (typeof s === 'string' ? (writes.push(s), true) : (orig as (...a: unknown[]) => boolean)(s, ...rest))) as typeof process.stderr.write;
  process.stderr.isTTY = true;
  try {
    const p = stderrProgress({ quiet: false });
    p({ status: 'start', task: 'fit', total: 4 });
    p({ status: 'epoch', task: 'fit', epoch: 1, epochs: 2, trainLoss: 0.5, validLoss: 0.25, bestEpoch: 1 });
    p({ status: 'progress', task: 'fit', done: 4, total: 4 });
    p({ status: 'epoch', task: 'fit', epoch: 2, epochs: 2, trainLoss: 0.4, bestEpoch: 2 });
    p({ status: 'done', task: 'fit', seconds: 1.5 });
  } finally {
    process.stderr.write = orig;
    process.stderr.isTTY = tty;
  }
  assert.deepEqual(writes, [
    '\r\x1b[Kfit: epoch 1/2, loss 0.5000, validation 0.2500, best epoch 1',
    '\r\x1b[Kfit [##############################] 100% epoch 1/2, loss 0.5000, validation 0.2500, best epoch 1',
    '\r\x1b[Kfit: epoch 2/2, loss 0.4000, best epoch 2',
    '\r\x1b[K',
    'fit: epoch 2/2, loss 0.4000, best epoch 2\n',
    'fit\n',
  ]);
});

test('the bundled Bibtex is the dataset Bibtex everywhere: listed present, readable by name, trainable and testable', () => {
  const env = { XMLC_DATA_DIR: f('empty-data-dir') };
  const list = xmlc(['datasets', 'list', '--json'], env);
  assert.equal(list.code, 0, list.stderr);
  const bib = (JSON.parse(list.stdout) as { datasets: { name: string; present: boolean; bundled: boolean }[] }).datasets.find((d) => d.name === 'Bibtex')!;
  assert.deepEqual([bib.present, bib.bundled], [true, true]);
  assert.match(xmlc(['datasets', 'list'], env).stdout, /^Bibtex .* yes \(bundled\)$/m);
  for (const [arg, points] of [['Bibtex', 4880], ['Bibtex:test', 2515], ['bibtex:train', 4880]] as const) {
    const s = xmlc(['data', 'stats', arg, '--json', '-q'], env);
    assert.equal(s.code, 0, `${arg}: ${s.stderr}`);
    assert.equal((JSON.parse(s.stdout) as { points: number }).points, points, arg);
  }
  const model = f('bibtex-knn');
  const tr = xmlc(['train', '--train', 'Bibtex', '--model', model, '--method', 'knn', '--quiet'], env);
  assert.equal(tr.code, 0, tr.stderr);
  const te = xmlc(['test', '--model', model, '--test', 'Bibtex', '--ks', '1', '--metrics', 'P', '--json', '--quiet'], env);
  assert.equal(te.code, 0, te.stderr);
  // The kNN baseline on Bibtex: the repository's kNN reaches P@1 = 57.04.
  assert.ok((JSON.parse(te.stdout) as Record<string, number>)['P@1']! > 50, te.stdout);
  // A bare dataset name means the option's split: --test Bibtex is the 2,515-point test split.
  const pr = xmlc(['predict', '--model', model, '--test', 'Bibtex', '--top-k', '1', '--quiet'], env);
  assert.equal(pr.code, 0, pr.stderr);
  assert.equal(pr.stdout.split('\n').length - 1, 2515);
});
