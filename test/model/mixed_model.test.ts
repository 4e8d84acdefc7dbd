/**
 * Mixed ensembles (issue 18): the parts' parameters, the mean of their normalised scores against a
 * hand computation from the parts trained alone, save → load, and the CLI's --ensemble method:count.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { sliceRows } from '../../src/data/csr.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { readDataset } from '../../src/data/index.js';
import { trainModel } from '../../src/model/methods.js';
import { MixedModel, parseMix } from '../../src/model/mixed_model.js';
import { ParamsError } from '../../src/model/params.js';
import { headBow, xmlc } from '../cli/harness.js';
import { tempDir } from '../tmp.js';
import { assertSameRanking, saveAndLoad } from './reload.js';

const train = await readDataset(BUNDLED_BIBTEX.train);
const test0 = await readDataset(BUNDLED_BIBTEX.test);
const data = { features: sliceRows(train.features, 0, 1000), labels: sliceRows(train.labels, 0, 1000) };
const queries = sliceRows(test0.features, 0, 150);

test('parseMix: "method:count" lists and objects; bad ones are ParamsErrors', () => {
  assert.deepEqual(parseMix('l1ae:3,tied-relu:2'), [{ method: 'l1ae', ensemble: 3 }, { method: 'tied-relu', ensemble: 2 }]);
  assert.deepEqual(parseMix([{ method: 'pca' }, { method: 'knn', ensemble: 1 }]), [{ method: 'pca', ensemble: 1 }, { method: 'knn', ensemble: 1 }]);
  for (const bad of ['l1ae:3', 'l1ae:0,pca:1', 'l1ae:2,l1ae:1', 'nope:1,pca:1', 'knn:2,pca:1', 'pca:1:2,knn:1', 42]) assert.throws(() => parseMix(bad), ParamsError, JSON.stringify(bad));
});

test('a mixed ensemble scores the mean of its parts\' max-normalised top-S scores, each part weighted by its model count; save → load predicts the same', async () => {
  const common = { index: 'exact' as const, seed: 5, epochs: 2 };
  const mixed = await trainModel(data, { ...common, mix: 'pca:2,knn:1', merge: 'mean' }) as MixedModel;
  assert.ok(mixed instanceof MixedModel);
  assert.equal(mixed.describe().mix, 'pca:2,knn:1');
  const got = await mixed.predict(queries, { topK: 5 });
  // By hand, from the parts trained alone with the same parameters.
  const pca = await trainModel(data, { ...common, method: 'pca', ensemble: 2 });
  const knn = await trainModel(data, { method: 'knn', index: 'exact', seed: 5 });
  const L = data.labels.nCols, n = queries.nRows;
  const acc = new Float64Array(n * L);
  for (const [m, w] of [[pca, 2 / 3], [knn, 1 / 3]] as const) {
    const r = await m.predict(queries, { topK: 100 });
    for (let i = 0; i < n; i++) {
      const top = r.scores[i * r.k]!, scale = top > 0 ? 1 / top : 1;
      for (let j = 0; j < r.k; j++) { const l = r.labels[i * r.k + j]!; if (l >= 0) acc[i * L + l]! += w * scale * r.scores[i * r.k + j]!; }
    }
  }
  for (let i = 0; i < n; i++) {
    const best = Array.from({ length: L }, (_, l) => l).sort((a, b) => acc[i * L + b]! - acc[i * L + a]! || a - b)[0]!;
    assert.ok(Math.abs(got.scores[i * 5]! - acc[i * L + best]!) < 1e-5, `row ${i}`);
    assert.ok(Math.abs(acc[i * L + got.labels[i * 5]!]! - acc[i * L + best]!) < 1e-5, `row ${i}: top label`);
  }
  // Options go to the parts that have them: the PCA part takes the decoder weight and a member count,
  // the kNN part (which refuses both) predicts without them.
  const knnPart = mixed.members[1]!;
  await assert.rejects(knnPart.predict(queries, { decoderWeight: 0.3 }), /applies to models with strategies/);
  const weighted = await mixed.predict(queries, { topK: 5, decoderWeight: 0.3, members: 1 });
  assert.equal(weighted.labels.length, queries.nRows * 5);
  assert.notDeepEqual(weighted.scores, got.scores, 'the options reached the PCA part');
  await assert.rejects(knnPart.predict(queries, { decoderPrecision: 'float32' }), /applies to models with strategies/);
  assert.equal((await mixed.predict(queries, { topK: 5, decoderPrecision: 'float32' })).labels.length, queries.nRows * 5, 'the decoder precision reaches the PCA part only');
  const { loaded } = await saveAndLoad(mixed, 'mixed');
  assert.ok(loaded instanceof MixedModel);
  const again = await loaded.predict(queries, { topK: 5 });
  assertSameRanking(again, got);
  loaded.dispose();
});

test('xmlc train --ensemble pca:1,knn:1 --rerank trains, saves and tests a re-ranked mixed ensemble', async () => {
  const tmp = tempDir('mixed-cli');
  const trainFile = path.join(tmp, 'train.txt'), testFile = path.join(tmp, 'test.txt'), model = path.join(tmp, 'model');
  await headBow(BUNDLED_BIBTEX.train, trainFile, 800);
  await headBow(BUNDLED_BIBTEX.test, testFile, 150);
  const printed = JSON.parse(xmlc(['train', '--ensemble', 'pca:1,knn:1', '--print-params']).stdout) as { mix: string; ensemble: number };
  assert.equal(printed.mix, 'pca:1,knn:1');
  assert.equal(xmlc(['train', '--ensemble', 'pca:0,knn:1', '--print-params']).code, 2);
  const r = xmlc(['train', '--train', trainFile, '--model', model, '--ensemble', 'pca:1,knn:1', '--rerank', '--rerank-alpha', '0.6', '--rerank-c', '1', '-q']);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(xmlc(['info', '--model', model, '--json']).stdout) as { mix: string; rerank: { alpha: number } };
  assert.equal(info.mix, 'pca:1,knn:1');
  assert.equal(info.rerank.alpha, 0.6);
  const t = xmlc(['test', '--model', model, '--test', testFile, '--json', '-q']);
  assert.equal(t.code, 0, t.stderr);
  assert.ok((JSON.parse(t.stdout) as Record<string, number>)['P@1']! > 0.3);
});
