import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sliceRows } from '../../src/data/csr.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { readDataset } from '../../src/data/index.js';
import { useBackend } from '../../src/engine/backends.js';
import { HELD_OUT_MARGIN } from '../../src/metrics/held_out.js';
import { EmbeddingModel } from '../../src/model/embed_model.js';
import { loadModel } from '../../src/model/load.js';
import { embedTrainParams, ParamsError } from '../../src/model/params.js';
import { chooseDecoderWeight, chooseLambda, LAMBDA_GRID, LAMBDA_START, walkLambdas } from '../../src/model/validation.js';
import { tempDir } from '../tmp.js';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';

/** A score curve over the grid (by λ), and the λs the walk asked for, in order. */
function walk(curve: Record<string, number>): { lambda: number; asked: number[] } {
  const asked: number[] = [];
  const { lambda, scores } = walkLambdas((l) => { asked.push(l); return curve[String(l)]!; });
  assert.deepEqual(Object.keys(scores).map(Number), asked, 'scores lists the λs tried, in order');
  return { lambda, asked };
}
const curve = (peak: number, height: number): Record<string, number> =>
  Object.fromEntries(LAMBDA_GRID.map((l) => [String(l), 0.4 + height - 0.01 * Math.abs(Math.log10(l) - Math.log10(peak))]));

test('walkLambdas: up the grid to the peak, down when 3 does not beat 1, and 1 unless the best beats it by the margin', () => {
  // Peak at 10: 1, 3, 10, 30 asked (30 is worse: stop); 10 beats 1 by 0.01 > the margin.
  assert.deepEqual(walk(curve(10, 0)), { lambda: 10, asked: [1, 3, 10, 30] });
  // Peak at 0.1: 3 is worse than 1, so down: 0.3, 0.1, 0.03.
  assert.deepEqual(walk(curve(0.1, 0)), { lambda: 0.1, asked: [1, 3, 0.3, 0.1, 0.03] });
  // Peak at 1: 3 and 0.3 asked, 1 kept.
  assert.deepEqual(walk(curve(1, 0)), { lambda: 1, asked: [1, 3, 0.3] });
  // Better at 3 by less than the margin: 1 kept.
  const flat: Record<string, number> = Object.fromEntries(LAMBDA_GRID.map((l) => [String(l), 0.5]));
  flat['3'] = 0.5 + HELD_OUT_MARGIN / 2;
  assert.deepEqual(walk(flat), { lambda: 1, asked: [1, 3, 10] });
  // Rising to the end of the grid: stops at 1000.
  const rising = Object.fromEntries(LAMBDA_GRID.map((l, i) => [String(l), 0.1 * i]));
  assert.deepEqual(walk(rising), { lambda: 1000, asked: LAMBDA_GRID.slice(LAMBDA_GRID.indexOf(1)) });
  assert.equal(LAMBDA_START, 1);
});

test('lambda: a number or auto, validated', () => {
  assert.equal(embedTrainParams({ lambda: 'auto' }).lambda, 'auto');
  assert.equal(embedTrainParams({}).lambda, 1);
  assert.throws(() => embedTrainParams({ lambda: 'often' as unknown as number }), ParamsError);
  assert.throws(() => embedTrainParams({ lambda: 0 }), ParamsError);
});

test('chooseLambda: a λ of the grid scored on held-out points, its decoder weight the one chooseDecoderWeight gives; the model saves and reloads it', async () => {
  await useBackend('auto');
  const train = await readDataset(BUNDLED_BIBTEX.train);
  const data = { features: sliceRows(train.features, 0, 1500), labels: sliceRows(train.labels, 0, 1500) };
  const params = { method: 'pca', index: 'exact', embeddingDim: 30, lambda: 'auto', seed: 2 } as const;
  const model = await EmbeddingModel.train(data, params);
  const { p, x } = await EmbeddingModel.prepare(data, params);
  const choice = chooseLambda(x, data.labels, model.encoders[0]!, p);
  assert.ok(LAMBDA_GRID.includes(choice.lambda), `λ ${choice.lambda}`);
  assert.ok('1' in choice.scores && ('3' in choice.scores || '0.3' in choice.scores), JSON.stringify(choice.scores));
  for (const v of Object.values(choice.scores)) assert.ok(v > 0.2 && v <= 1, JSON.stringify(choice.scores));
  if (choice.lambda !== 1) assert.ok(choice.scores[String(choice.lambda)]! > choice.scores['1']! + HELD_OUT_MARGIN);
  assert.deepEqual(choice.weight, chooseDecoderWeight(x, data.labels, { encoder: model.encoders[0]! }, p, choice.lambda));
  assert.equal(model.decoderWeight, choice.weight!.weight);
  // The model's regressor is the fit with the chosen λ; the manifest records it.
  const fixed = await EmbeddingModel.train(data, { ...params, lambda: choice.lambda, decoderWeight: choice.weight!.weight });
  const test0 = await readDataset(BUNDLED_BIBTEX.test);
  const q = sliceRows(test0.features, 0, 200);
  const a = await model.predict(q, { topK: 5 }), b = await fixed.predict(q, { topK: 5 });
  assert.deepEqual(a.labels, b.labels);
  assert.deepEqual(a.scores, b.scores);
  const dir = path.join(tempDir('lambda'), 'model');
  await model.save(dir);
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as { params: { lambda: unknown }; extra: { members: { lambda?: number }[] } };
  assert.equal(manifest.params.lambda, 'auto');
  assert.equal(manifest.extra.members[0]!.lambda, choice.lambda);
  assert.equal((await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')).includes('"lambda"'), true);
  const loaded = await loadModel(dir);
  assert.deepEqual((await loaded.predict(q, { topK: 5 })).labels, a.labels);
});
