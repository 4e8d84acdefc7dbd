import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers.js';
import { xmlc as xmlcArgs } from './harness.js';

const xmlc = (...args: string[]): { code: number | null; stderr: string } => xmlcArgs(args);

const trainFixture = path.join(repoRoot, 'test', 'fixtures', 'valid', 'knn_train.txt');
const TRAIN = ['--method', 'knn', '--index', 'exact', '--quiet'];

test('train --model refuses the training file, a folder of user files and an existing model; --force replaces only a model', async (t) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-cli-model-'));
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const train = path.join(root, 'train.txt');
  await fs.copyFile(trainFixture, train);
  const original = await fs.readFile(train, 'utf8');
  for (const force of [[], ['--force']]) {
    const r = xmlc('train', '--train', train, '--model', train, ...TRAIN, ...force);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(train) && /not a directory/.test(r.stderr) && !/\n\s+at /.test(r.stderr), r.stderr);
    assert.equal(await fs.readFile(train, 'utf8'), original, 'the training file is kept');
  }
  const docs = path.join(root, 'docs');
  await fs.mkdir(docs);
  await fs.writeFile(path.join(docs, 'notes.txt'), 'precious');
  for (const force of [[], ['--force']]) {
    const r = xmlc('train', '--train', train, '--model', docs, ...TRAIN, ...force);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(docs) && /holds no xmlc model/.test(r.stderr), r.stderr);
    assert.deepEqual(await fs.readdir(docs), ['notes.txt']);
    assert.equal(await fs.readFile(path.join(docs, 'notes.txt'), 'utf8'), 'precious');
  }
  const model = path.join(root, 'model');
  const trainedK = async (): Promise<unknown> => JSON.parse(await fs.readFile(path.join(model, 'manifest.json'), 'utf8')).params.k;
  assert.equal(xmlc('train', '--train', train, '--model', model, ...TRAIN, '--k', '1').code, 0);
  const again = xmlc('train', '--train', train, '--model', model, ...TRAIN, '--k', '2');
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds an xmlc model; use --force/);
  assert.equal(await trainedK(), 1);
  assert.equal(xmlc('train', '--train', train, '--model', model, ...TRAIN, '--k', '2', '--force').code, 0);
  assert.equal(await trainedK(), 2);
  // run --model obeys the same rule, before training.
  const run = xmlc('run', '--train', train, '--test', train, '--model', train, ...TRAIN);
  assert.equal(run.code, 2, run.stderr);
  assert.equal(await fs.readFile(train, 'utf8'), original);
});
