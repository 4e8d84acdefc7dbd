import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { fromDense } from '../../src/data/csr.js';
import { ModelFormatError } from '../../src/errors.js';
import { KnnModel } from '../../src/model/knn_model.js';
import { loadModel } from '../../src/model/load.js';
import { ModelPathError } from '../../src/model/store.js';
import { LockedError } from '../../src/util/lock.js';
import { repoRoot } from '../helpers.js';

// Three training points (the committed knn-exact-v1 fixture's data); models differ by k.
const data = { features: fromDense(3, 3, [1, 1, 0, 1, 0, 0, 0, 1, 1]), labels: fromDense(3, 3, [1, 0, 0, 0, 1, 0, 0, 0, 1]) };
const queries = fromDense(3, 3, [2, 0, 0, 0, 0.5, 0, 0.2, 0.3, 0.9]);
const tiny = (k: number): Promise<KnnModel> => KnnModel.train(data, { index: 'exact', k });

async function tempRoot(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-store-'));
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  return root;
}

/** The k of the model at `dir` after checking its predictions are those of a fresh model with that k. */
async function loadedK(dir: string): Promise<number> {
  const model = await loadModel(dir);
  const k = (model.params as { k: number }).k;
  const want = await (await tiny(k)).predict(queries, { topK: 3 });
  const got = await model.predict(queries, { topK: 3 });
  assert.deepEqual(got.labels, want.labels);
  assert.deepEqual(got.scores, want.scores);
  return k;
}

/** A model directory holds its manifest and exactly one version folder, and nothing of a writer is left beside it. */
async function assertClean(dir: string): Promise<void> {
  const root = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')).root as string;
  assert.deepEqual((await fs.readdir(dir)).sort(), ['manifest.json', root].sort());
  assert.deepEqual(await fs.readdir(path.dirname(dir)), [path.basename(dir)]);
}

test('save refuses a file, a folder of other files and a model without overwrite; replaces a model with it', async (t) => {
  const root = await tempRoot(t);
  const file = path.join(root, 'train.txt');
  await fs.writeFile(file, 'user data\n');
  await assert.rejects((await tiny(1)).save(file, { overwrite: true }), (e: Error) => e instanceof ModelPathError && e.message.includes(file) && /not a directory/.test(e.message));
  assert.equal(await fs.readFile(file, 'utf8'), 'user data\n');

  const folder = path.join(root, 'docs');
  await fs.mkdir(folder);
  await fs.writeFile(path.join(folder, 'notes.txt'), 'precious');
  await assert.rejects((await tiny(1)).save(folder, { overwrite: true }), (e: Error) => e instanceof ModelPathError && e.message.includes(folder) && /holds no xmlc model/.test(e.message));
  assert.deepEqual(await fs.readdir(folder), ['notes.txt']);

  const empty = path.join(root, 'empty');
  await fs.mkdir(empty);
  await (await tiny(1)).save(empty);
  assert.equal(await loadedK(empty), 1);

  const model = path.join(root, 'model');
  await (await tiny(1)).save(model);
  await assert.rejects((await tiny(2)).save(model), (e: Error) => e instanceof ModelPathError && /already holds an xmlc model; use --force/.test(e.message));
  assert.equal(await loadedK(model), 1);
  await (await tiny(2)).save(model, { overwrite: true });
  assert.equal(await loadedK(model), 2);
  await fs.rm(empty, { recursive: true });
  await fs.rm(folder, { recursive: true });
  await fs.rm(file);
  await assertClean(model);

  await fs.symlink(path.join(root, 'nowhere'), path.join(root, 'dangling'));
  await assert.rejects((await tiny(1)).save(path.join(root, 'dangling')), /symbolic link to nothing/);
});

test('a format-1 (flat) model is replaced by a versioned one, and its files removed', async (t) => {
  const root = await tempRoot(t);
  const dir = path.join(root, 'model');
  await fs.cp(path.join(repoRoot, 'test', 'fixtures', 'models', 'knn-exact-v1'), dir, { recursive: true });
  assert.equal(await loadedK(dir), 2);
  await (await tiny(1)).save(dir, { overwrite: true });
  assert.equal(await loadedK(dir), 1);
  await assertClean(dir);
});

const CHILD = `
const [knnUrl, csrUrl, dir, k] = process.argv.slice(1);
const { KnnModel } = await import(knnUrl);
const { fromDense } = await import(csrUrl);
const data = { features: fromDense(3, 3, [1, 1, 0, 1, 0, 0, 0, 1, 1]), labels: fromDense(3, 3, [1, 0, 0, 0, 1, 0, 0, 0, 1]) };
await (await KnnModel.train(data, { index: 'exact', k: Number(k) })).save(dir, { overwrite: true });
`;
const childArgs = (dir: string, k: number): string[] => ['--input-type=module', '-e', CHILD,
  pathToFileURL(path.join(repoRoot, 'dist', 'src', 'model', 'knn_model.js')).href,
  pathToFileURL(path.join(repoRoot, 'dist', 'src', 'data', 'csr.js')).href, dir, String(k)];

/** Every step of a save where a writer may die, in order; the manifest rename happens between 'manifest-written' and 'switched'. */
const STEPS = ['locked', 'version-dir', 'file-written', 'version-filled', 'manifest-written', 'switched', 'cleaned'] as const;
const SWITCHED = STEPS.indexOf('switched');

for (const start of ['no model', 'format-2 model', 'format-1 model'] as const) {
  test(`a writer killed at every step (${start} before): the path loads as the old or the new model, and the next save cleans up`, async (t) => {
    const root = await tempRoot(t);
    for (const [i, step] of STEPS.entries()) {
      if (start === 'no model' && step === 'cleaned') continue; // a first save has no old version to remove
      const dir = path.join(root, step, 'model');
      await fs.mkdir(path.dirname(dir));
      if (start === 'format-2 model') await (await tiny(1)).save(dir);
      if (start === 'format-1 model') await fs.cp(path.join(repoRoot, 'test', 'fixtures', 'models', 'knn-exact-v1'), dir, { recursive: true });
      const oldK = start === 'format-2 model' ? 1 : 2;
      const r = spawnSync(process.execPath, childArgs(dir, 3), { env: { ...process.env, XMLC_FAULT_INJECT: step }, encoding: 'utf8' });
      assert.equal(r.signal, 'SIGKILL', `killed at ${step}: ${r.stderr}`);
      if (i >= SWITCHED) assert.equal(await loadedK(dir), 3, step);
      else if (start === 'no model') await assert.rejects(loadModel(dir), ModelFormatError, step);
      else assert.equal(await loadedK(dir), oldK, step);
      // The dead writer's lock and leftovers do not block the next save, which removes them.
      await (await tiny(4)).save(dir, { overwrite: true });
      assert.equal(await loadedK(dir), 4, step);
      await assertClean(dir);
    }
  });
}

/** Resolve once process `pid` is stopped (state T in /proc): a condition, not a timer. */
async function stopped(pid: number): Promise<void> {
  for (;;) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) T /.test(stat)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('two writers: the second gets a clear LockedError naming the first, the model stays whole', async (t) => {
  const root = await tempRoot(t);
  const dir = path.join(root, 'model');
  await (await tiny(1)).save(dir);
  const child = spawn(process.execPath, childArgs(dir, 2), { env: { ...process.env, XMLC_FAULT_INJECT: 'version-filled:stop' }, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await stopped(child.pid!);
    await assert.rejects((await tiny(3)).save(dir, { overwrite: true }), (e: Error) => e instanceof LockedError && e.message.includes(`pid ${child.pid}`) && e.message.includes(dir));
    assert.equal(await loadedK(dir), 1, 'the old model loads while the other writer holds the lock');
  } finally {
    child.kill('SIGCONT');
  }
  assert.equal(await exited, 0);
  assert.equal(await loadedK(dir), 2);
  await assertClean(dir);
});
