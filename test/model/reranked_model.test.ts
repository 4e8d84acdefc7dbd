/**
 * The linear re-ranker (issue 18): its scores against a hand combination of the shortlist and the
 * classifiers, the ends of α, save → load, the held-out choice, parameter checks.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { type Csr, normalizeRowsL2, sliceRows } from '../../src/data/csr.js';
import { type Ranked } from '../../src/ranking/topk.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { readDataset } from '../../src/data/index.js';
import { ModelFormatError } from '../../src/errors.js';
import { ovrScores, trainOneVsRest } from '../../src/linear/ovr.js';
import { loadModel } from '../../src/model/load.js';
import { trainModel } from '../../src/model/methods.js';
import { ParamsError } from '../../src/model/params.js';
import { chooseRerank, crossValidatedGain, RERANK_CS, rerankNote, RerankedModel, rerankParams, shortlistNegatives } from '../../src/model/reranked_model.js';
import { MixedModel, parseMix } from '../../src/model/mixed_model.js';
import { selectRows } from '../../src/data/csr.js';
import { type Model } from '../../src/model/model.js';
import { assertSameRanking, saveAndLoad } from './reload.js';
import { EURLEX_4K_LIKE, generateXmcLike } from '../../datasets/synthetic_xmc.js';

const train = await readDataset(BUNDLED_BIBTEX.train);
const test0 = await readDataset(BUNDLED_BIBTEX.test);
const trainSmall = { features: sliceRows(train.features, 0, 1200), labels: sliceRows(train.labels, 0, 1200) };
const queries = sliceRows(test0.features, 0, 200);
const base = { method: 'knn', index: 'exact', k: 10, seed: 3 } as const;

test('re-ranked scores are α·(the model\'s shortlist score) + (1 − α)·σ(w·x), the best k of the shortlist', async () => {
  const alpha = 0.4, S = 20;
  const model = await trainModel(trainSmall, { ...base, rerank: { alpha, c: 2, shortlist: S } });
  assert.ok(model instanceof RerankedModel);
  const got = await model.predict(queries, { topK: 5 });
  // By hand: the kNN model's top S, the classifiers trained alone on the normalised rows.
  const knn = await trainModel(trainSmall, base);
  const short = await knn.predict(queries, { topK: S });
  const ovr = trainOneVsRest(normalizeRowsL2(trainSmall.features), trainSmall.labels, { loss: 'logistic', c: 2, bias: 1, pruneBelow: 0.01, seed: 3 });
  const sc = ovrScores(ovr, normalizeRowsL2(queries));
  const L = ovr.nLabels;
  for (let i = 0; i < queries.nRows; i++) {
    const cand: [number, number][] = [];
    for (let j = 0; j < S; j++) {
      const l = short.labels[i * S + j]!;
      if (l >= 0) cand.push([alpha * short.scores[i * S + j]! + (1 - alpha) / (1 + Math.exp(-sc[i * L + l]!)), l]);
    }
    cand.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (let j = 0; j < 5; j++) {
      assert.equal(got.labels[i * 5 + j], cand[j]?.[1] ?? -1, `row ${i}, rank ${j}`);
      if (cand[j]) assert.ok(Math.abs(got.scores[i * 5 + j]! - cand[j]![0]) < 1e-6);
    }
  }
});

test('α = 1 keeps the model\'s ranking; α = 0 with the whole label set as shortlist is the classifiers\' ranking', async () => {
  const knn = await trainModel(trainSmall, base);
  const plain = await knn.predict(queries, { topK: 5 });
  const one = await (await trainModel(trainSmall, { ...base, rerank: { alpha: 1, c: 1 } })).predict(queries, { topK: 5 });
  assert.deepEqual(one.labels, plain.labels);
  const zero = await (await trainModel(trainSmall, { ...base, rerank: { alpha: 0, c: 1, shortlist: 159 } })).predict(queries, { topK: 5 });
  const ovr = trainOneVsRest(normalizeRowsL2(trainSmall.features), trainSmall.labels, { loss: 'logistic', c: 1, bias: 1, pruneBelow: 0.01, seed: 3 });
  const sc = ovrScores(ovr, normalizeRowsL2(queries));
  const short = await knn.predict(queries, { topK: 159 });
  // The shortlist is the labels the kNN vote ranks (it pads with −1 past those): the best classifier score among them comes first.
  for (let i = 0; i < queries.nRows; i++) {
    let best = -1;
    for (let j = 0; j < 159; j++) {
      const l = short.labels[i * 159 + j]!;
      if (l >= 0 && (best < 0 || sc[i * 159 + l]! > sc[i * 159 + best]! || (sc[i * 159 + l] === sc[i * 159 + best] && l < best))) best = l;
    }
    assert.equal(zero.labels[i * 5], best, `row ${i}`);
  }
});

test('the automatic choice of α and C on a held-out split: recorded, reproducible; save → load predicts the same; a corrupt weight file is refused', async () => {
  const a = await trainModel(trainSmall, { ...base, rerank: true }) as RerankedModel;
  assert.ok(a.choice, 'the choice is recorded');
  assert.ok(RERANK_CS.includes(a.choice.c) && a.alpha >= 0 && a.alpha <= 1);
  assert.deepEqual(Object.keys(a.choice.scores), RERANK_CS.map(String), 'every C of the grid is tried');
  for (const row of Object.values(a.choice.scores)) assert.equal(row.length, 11);
  const b = await trainModel(trainSmall, { ...base, rerank: true }) as RerankedModel;
  assert.equal(b.alpha, a.alpha);
  assert.deepEqual(b.choice, a.choice);
  const before = await a.predict(queries, { topK: 5 });
  assert.deepEqual((await b.predict(queries, { topK: 5 })).labels, before.labels);
  const { dir, loaded } = await saveAndLoad(a, 'rerank');
  assert.ok(loaded instanceof RerankedModel);
  const after = await loaded.predict(queries, { topK: 5 });
  assertSameRanking(after, before);
  loaded.dispose();
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as { root: string; rerank: { weights: string } };
  const file = path.join(dir, manifest.root, manifest.rerank.weights);
  const bytes = await fs.readFile(file);
  bytes[bytes.length - 1]! ^= 1;
  await fs.writeFile(file, bytes);
  await assert.rejects(loadModel(dir), ModelFormatError);
});

test('re-ranker parameters are checked', async () => {
  for (const p of [{ shortlist: 0 }, { loss: 'hinge' }, { c: 0 }, { c: 'many' }, { bias: -1 }, { alpha: 1.5 }, { validationFraction: 1 }, { shortlst: 5 }]) {
    assert.throws(() => rerankParams(p as never), ParamsError, JSON.stringify(p));
  }
  await assert.rejects(trainModel(trainSmall, { ...base, rerank: { alpha: 2 } }), ParamsError);
});

/** A held-out choice obeys the cross-validation rule: α < 1 exactly when the choice's cross-validated gain is above 0. */
function assertCrossValidationRule(choice: { alpha: number; scores: Readonly<Record<string, readonly number[]>>; gain?: number; se?: number; cvGain?: number; cvSe?: number }): void {
  const best = Math.max(...Object.values(choice.scores).flat()), own = choice.scores[String(RERANK_CS[0])]!.at(-1)!;
  if (best === own) {
    assert.equal(choice.alpha, 1, 'α = 1 ties the best: the model\'s own ranking');
    assert.equal(choice.gain, undefined);
  } else {
    assert.ok(choice.gain !== undefined && choice.se !== undefined && choice.cvGain !== undefined && choice.cvSe !== undefined);
    assert.ok(Math.abs(choice.gain - (best - own)) < 1e-9, 'the paired gain is the difference of the held-out means');
    assert.equal(choice.alpha < 1, choice.cvGain > 0);
  }
}

test('rerank: "auto" around one method: the choice of the re-ranker\'s own split; the classifiers kept only when it gives them a weight, else the plain model', async () => {
  const kept: boolean[] = [];
  for (const params of [base, { method: 'knn', index: 'exact', k: 1, seed: 3 }] as const) {
    const p = rerankParams({});
    const plainTrain = (d: typeof trainSmall): Promise<Model> => trainModel(d, params);
    const choice = await RerankedModel.chooseOnSplit(trainSmall, p, plainTrain, 3);
    assert.ok(choice);
    assertCrossValidationRule(choice);
    const model = await trainModel(trainSmall, { ...params, rerank: 'auto' });
    const plain = await plainTrain(trainSmall);
    if (choice.alpha < 1) {
      assert.ok(model instanceof RerankedModel);
      assert.deepEqual(model.choice, choice);
      assert.deepEqual((await model.model.predict(queries, { topK: 5 })).labels, (await plain.predict(queries, { topK: 5 })).labels);
    } else {
      assert.ok(!(model instanceof RerankedModel), 'α = 1: no classifiers are kept');
      assert.deepEqual((await model.predict(queries, { topK: 5 })).labels, (await plain.predict(queries, { topK: 5 })).labels);
    }
    kept.push(choice.alpha < 1);
    model.dispose();
    plain.dispose();
  }
  // k = 1 votes are poor shortlists' scores: the classifiers earn a weight there (a property of this seeded fixture).
  assert.deepEqual(kept, [kept[0], true]);
});

test('rerank: "auto" around a mixed ensemble chooses on the merge rule\'s held-out split from the parts trained there; the parts are those of the model without the re-ranker', async () => {
  const common = { index: 'exact' as const, seed: 4, k: 1, trees: 3 };
  const parts = parseMix('knn:1,forest:1');
  let byHand: Awaited<ReturnType<typeof chooseRerank>> | undefined;
  // The hook sees the parts trained on the merge rule's 90%: the choice made from them by hand.
  const mixed = await MixedModel.train(trainSmall, common, parts, 'auto', undefined, async (fitted, fitRows, valid) => {
    const ranked = await fitted.predict(selectRows(trainSmall.features, valid), { topK: 100 });
    byHand = await chooseRerank(trainSmall, fitRows, valid, ranked, rerankParams({}), 4);
  });
  assert.ok(byHand);
  assertCrossValidationRule(byHand);
  const model = await trainModel(trainSmall, { ...common, mix: 'knn:1,forest:1', rerank: 'auto' });
  const inner = model instanceof RerankedModel ? model.model : model;
  assert.ok(inner instanceof MixedModel);
  assert.equal(model instanceof RerankedModel, byHand.alpha < 1);
  assert.ok(model instanceof RerankedModel, 'this seeded fixture (1-NN votes) gives the classifiers a weight');
  assert.deepEqual(model.choice, byHand);
  assert.ok(model.notes.includes(rerankNote(byHand)), 'the choice is in the model\'s notes');
  assert.match(rerankNote(byHand), /^re-ranker: α = 0(\.\d)?, C = (1|10|100) \(held-out mean P@1,3,5 \+\d+\.\d\d ± \d+\.\d\d points over the model's own ranking, \+\d+\.\d\d ± \d+\.\d\d cross-validated\)$/);
  const without = await trainModel(trainSmall, { ...common, mix: 'knn:1,forest:1', rerank: false });
  assert.ok(without instanceof MixedModel);
  assert.deepEqual((await inner.predict(queries, { topK: 5 })).labels, (await without.predict(queries, { topK: 5 })).labels);
  assert.deepEqual((await mixed.predict(queries, { topK: 5 })).labels, (await without.predict(queries, { topK: 5 })).labels);
  for (const m of [model, without, mixed]) m.dispose();
});

test('rerankNote says why the classifiers were not kept: the held-out gain and the cross-validated one not above 0, or α = 1 best', () => {
  const scores = { 1: [0.5, 0.6], 10: [0.55, 0.6] };
  assert.equal(rerankNote({ c: 10, alpha: 1, scores, bestAlpha: 0.7, gain: 0.0015, se: 0.0009, cvGain: -0.0009, cvSe: 0.0011 }),
    're-ranker: not kept (best α = 0.7, C = 10: held-out mean P@1,3,5 +0.15 ± 0.09 points over the model\'s own ranking, −0.09 ± 0.11 cross-validated, not above 0)');
  assert.equal(rerankNote({ c: 1, alpha: 0.6, scores, bestAlpha: 0.6, gain: 0.0035, se: 0.0015, cvGain: 0.0021, cvSe: 0.0014 }),
    're-ranker: α = 0.6, C = 1 (held-out mean P@1,3,5 +0.35 ± 0.15 points over the model\'s own ranking, +0.21 ± 0.14 cross-validated)');
  assert.equal(rerankNote({ c: 1, alpha: 1, scores }), 're-ranker: not kept (on held-out points the model\'s own ranking, α = 1, was best)');
});

test('crossValidatedGain: the choice made without a point scores that point (hand-computed, one point a fold)', () => {
  const f = (...v: number[]): Float64Array => Float64Array.from(v);
  // Leave one out (4 folds of 4 points: the seed cannot matter). A beats own on the other three points every time:
  // picked = A = [1, 1, 1, 0] against own 0.5 → differences [.5, .5, .5, −.5]: mean .25, sd √(.75/3) = .5, se .5/√4 = .25.
  for (const seed of [0, 1, 7]) {
    const g = crossValidatedGain([f(0.5, 0.5, 0.5, 0.5), f(1, 1, 1, 0)], f(0.5, 0.5, 0.5, 0.5), 4, seed);
    assert.ok(Math.abs(g.gain - 0.25) < 1e-12 && Math.abs(g.se - 0.25) < 1e-12, JSON.stringify(g));
  }
  // Two lucky candidates: each is best (+0.25 in sample) only because of one point, which its own fold never sees —
  // left out, point 0 picks C (C[0] = 0), point 1 picks B (B[1] = 0), points 2 and 3 pick B (tie, earlier): gain 0.
  const own = f(0, 0, 0, 0);
  assert.deepEqual(crossValidatedGain([own, f(1, 0, 0, 0), f(0, 1, 0, 0)], own, 4, 3), { gain: 0, se: 0 });
  // Equal means keep the earlier candidate (own first: no gain).
  assert.deepEqual(crossValidatedGain([own, f(0, 0, 0, 0)], own, 2, 5), { gain: 0, se: 0 });
});

/** The n × L pattern of each row's ranked labels (the candidates trainOneVsRest takes), by hand. */
function shortlistsOf(short: Ranked, nLabels: number): Csr {
  const S = short.k, rowPtr = new Int32Array(short.nRows + 1), cols: number[] = [];
  for (let i = 0; i < short.nRows; i++) {
    cols.push(...Array.from(short.labels.subarray(i * S, (i + 1) * S)).filter((l) => l >= 0).sort((a, b) => a - b));
    rowPtr[i + 1] = cols.length;
  }
  return { nRows: short.nRows, nCols: nLabels, rowPtr, indices: Int32Array.from(cols), values: new Float32Array(cols.length).fill(1) };
}

test('negatives: shortlist trains each label on its positives and the training points whose shortlist holds it; auto does so past 10·S labels', async () => {
  const S = 15, rr = { alpha: 0.5, c: 2, shortlist: S } as const;
  const onShortlists = await trainModel(trainSmall, { ...base, rerank: { ...rr, negatives: 'shortlist' } }) as RerankedModel;
  // By hand: the kNN model's top S of the training points as the candidates of plain trainOneVsRest.
  const knn = await trainModel(trainSmall, base);
  const candidates = shortlistsOf(await knn.predict(trainSmall.features, { topK: S }), 159);
  const byHand = trainOneVsRest(normalizeRowsL2(trainSmall.features), trainSmall.labels, { loss: 'logistic', c: 2, bias: 1, pruneBelow: 0.01, seed: 3, candidates });
  assert.deepEqual(onShortlists.ovr.weights, byHand.weights);
  assert.deepEqual(onShortlists.ovr.biasWeights, byHand.biasWeights);
  const all = await trainModel(trainSmall, { ...base, rerank: { ...rr, negatives: 'all' } }) as RerankedModel;
  assert.notDeepEqual(all.ovr.weights.values, onShortlists.ovr.weights.values, 'fewer negatives, other weights');
  // auto: Bibtex's 159 labels exceed 10 · 15 but not 10 · 16.
  const auto15 = await trainModel(trainSmall, { ...base, rerank: rr }) as RerankedModel;
  assert.deepEqual(auto15.ovr.weights, byHand.weights);
  const auto16 = await trainModel(trainSmall, { ...base, rerank: { ...rr, shortlist: 16 } }) as RerankedModel;
  assert.deepEqual(auto16.ovr.weights, all.ovr.weights);
  assert.equal(shortlistNegatives(rerankParams({ shortlist: 15 }), 151), true);
  assert.equal(shortlistNegatives(rerankParams({ shortlist: 15 }), 150), false);
  assert.equal(shortlistNegatives(rerankParams({ negatives: 'all' }), 1e6), false);
  assert.equal(shortlistNegatives(rerankParams({ negatives: 'shortlist' }), 2), true);
  assert.throws(() => rerankParams({ negatives: 'hard' as never }), /re-ranker parameter 'negatives' must be "all", "shortlist" or "auto" but got "hard"/);
  // The setting is saved with the model and the loaded model predicts the same.
  const { loaded: back } = await saveAndLoad(onShortlists, 'rerank-negatives');
  assert.equal((back as RerankedModel).rerankParams.negatives, 'shortlist');
  assertSameRanking(await back.predict(queries, { topK: 5 }), await onShortlists.predict(queries, { topK: 5 }));
});

test('with over 10·S labels the default re-ranker and --rerank train on shortlists: the held-out choice and the final classifiers see the fit rows\' and the training points\' top-S', async () => {
  // An EURLex-4K-shaped set of 700 points (3,993 labels > 10 × 100) and a cheap mix (kNN and a 3-tree forest).
  const { train: small } = generateXmcLike('eurlex-4k-like', EURLEX_4K_LIKE, { seed: 2, scale: 0.045 });
  assert.ok(small.labels.nCols > 1000 && small.features.nRows >= 600);
  const params = { mix: 'knn:1,forest:1', trees: 3, rerank: 'auto', k: 10, index: 'exact', seed: 4 } as const;
  const model = await trainModel(small, params);
  const choiceNote = model.notes.find((s) => s.startsWith('re-ranker:'));
  // chooseRerank refuses to run without the fit rows' shortlists when it trains on shortlists, so a choice means they were passed.
  assert.ok(choiceNote, `the held-out choice was made: ${model.notes.join(' | ')}`);
  assert.ok(model instanceof RerankedModel, 'kept on this seeded set (α < 1)');
  assert.equal(model.describe().rerank?.negatives, 'shortlist');
  // The final classifiers: trainOneVsRest on the ensemble's top 100 of every training point.
  const plain = await trainModel(small, { ...params, rerank: false });
  const candidates = shortlistsOf(await plain.predict(small.features, { topK: 100 }), small.labels.nCols);
  const byHand = trainOneVsRest(normalizeRowsL2(small.features), small.labels, { loss: 'logistic', c: model.ovr.c, bias: 1, pruneBelow: 0.01, seed: 4, candidates });
  assert.deepEqual(model.ovr.weights, byHand.weights);
  // --rerank with α and C auto: its own split, the same shortlist training; recorded and reproducible.
  const a = await trainModel(small, { method: 'knn', k: 10, index: 'exact', seed: 4, rerank: { c: 'auto', alpha: 'auto' } }) as RerankedModel;
  assert.ok(a.choice && RERANK_CS.includes(a.choice.c));
  assert.equal(a.describe().rerank?.negatives, 'shortlist');
  const b = await trainModel(small, { method: 'knn', k: 10, index: 'exact', seed: 4, rerank: { c: 'auto', alpha: 'auto' } }) as RerankedModel;
  assert.deepEqual(b.choice, a.choice);
  assert.deepEqual(b.ovr.weights, a.ovr.weights);
});
