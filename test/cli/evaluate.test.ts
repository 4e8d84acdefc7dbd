import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { parsePredictions } from '../../src/metrics/predictions_file.js';
import { limitRanked } from '../../cli/report.js';
import { escapeRe, headBow, tempDir, xmlc, xmlcInProcess } from './harness.js';

let dir = '', cleanup = async (): Promise<void> => undefined;
const f = (name: string): string => path.join(dir, name);
before(async () => {
  ({ dir, cleanup } = await tempDir('xmlc-evaluate-cli-'));
  // Hand fixture: 3 test points over 4 labels (the third has none), 4 training points.
  await fs.writeFile(f('test.txt'), '3 2 4\n0,1 0:1\n2 1:1\n 0:1 1:1\n');
  await fs.writeFile(f('train.txt'), '4 2 4\n0 0:1\n0,1 1:1\n0,2 0:1\n0 1:1\n');
  // Row 1 is not in rank order on purpose: the reader ranks by score.
  await fs.writeFile(f('pred.txt'), '0:0.1 1:0.9 2:0.5\n3:0.8 2:0.7\n0:0.3\n');
  await headBow(BUNDLED_BIBTEX.train, f('bib-train.txt'), 300);
  await headBow(BUNDLED_BIBTEX.test, f('bib-test.txt'), 100);
});
after(() => cleanup());

const round2 = (x: number): number => Number((100 * x).toFixed(2));

/** The keys `evaluate --model` and `test` add to the metrics. */
const SPEED_KEYS = ['predictSeconds', 'pointsPerSecond'];
const withoutSpeed = (o: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(o).filter(([key]) => !SPEED_KEYS.includes(key)));
/** Both speed keys positive, and pointsPerSecond = points / predictSeconds (to its one decimal). */
function checkSpeed(o: Record<string, number>, points: number): void {
  const s = o['predictSeconds']!, r = o['pointsPerSecond']!;
  assert.ok(s > 0 && r > 0, JSON.stringify(o));
  assert.ok(Math.abs(r - points / s) <= 0.05 + 1e-9 * r, `${r} points/s vs ${points} points / ${s} s`);
}

test('evaluate --predictions: hand-computed P, nDCG and R at k = 1, 3, in % in the JSON as in the table', async () => {
  const r = await xmlcInProcess(['evaluate', '--predictions', f('pred.txt'), '--test', f('test.txt'), '--ks', '1,3', '--metrics', 'P,nDCG,R', '--json']);
  assert.equal(r.code, 0, r.stderr);
  // Row 1: truth {0, 1}, ranked 1, 2, 0 (hits at ranks 1 and 3); row 2: truth {2}, ranked 3, 2 (hit at rank 2); row 3: no truth.
  const ndcg3 = ((1 + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3)) + 1 / Math.log2(3)) / 3;
  assert.deepEqual(JSON.parse(r.stdout), {
    'P@1': round2(1 / 3), 'P@3': round2((2 / 3 + 1 / 3) / 3),
    'nDCG@1': round2(1 / 3), 'nDCG@3': round2(ndcg3),
    'R@1': round2(0.5 / 3), 'R@3': round2(2 / 3),
  });
  const t = await xmlcInProcess(['evaluate', '--predictions', f('pred.txt'), '--test', f('test.txt'), '--ks', '1,3', '--metrics', 'P,nDCG,R']);
  assert.equal(t.code, 0, t.stderr);
  assert.deepEqual(t.stdout.split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/)), [
    ['metric', '(%)', '@1', '@3'], ['P', '33.33', '33.33'], ['nDCG', '33.33', (100 * ndcg3).toFixed(2)], ['R', '16.67', '66.67'],
  ]);
});

test('evaluate --predictions --train: PSP@1 from the training labels\' propensities (Jain et al. 2016), by hand', async () => {
  const r = await xmlcInProcess(['evaluate', '--predictions', f('pred.txt'), '--test', f('test.txt'), '--train', f('train.txt'), '--ks', '1', '--metrics', 'PSP', '--json']);
  assert.equal(r.code, 0, r.stderr);
  // N = 4 training points; label counts 4, 1, 1, 0; A = 0.55, B = 1.5.
  const A = 0.55, B = 1.5, N = 4, C = (Math.log(N) - 1) * Math.pow(B + 1, A);
  const inv = [4, 1, 1, 0].map((n) => 1 + C * Math.exp(-A * Math.log(n + B)));
  // Rank 1: row 1 hits label 1, row 2 misses; best possible: row 1 its rarest true label, row 2 label 2.
  const psp1 = inv[1]! / (Math.max(inv[0]!, inv[1]!) + inv[2]!);
  assert.deepEqual(JSON.parse(r.stdout), { 'PSP@1': round2(psp1) });
});

test('evaluate --predictions without --train: PSP/PSnDCG left out with a note, or a usage error when asked for', async () => {
  const r = await xmlcInProcess(['evaluate', '--predictions', f('pred.txt'), '--test', f('test.txt'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(Object.keys(JSON.parse(r.stdout)), ['P', 'nDCG', 'R'].flatMap((m) => [1, 3, 5].map((k) => `${m}@${k}`)));
  assert.match(r.stderr, /PSP and PSnDCG left out: propensities need the training labels \(give --train FILE\)/);
  const asked = await xmlcInProcess(['evaluate', '--predictions', f('pred.txt'), '--test', f('test.txt'), '--metrics', 'P,PSP']);
  assert.equal(asked.code, 2);
  assert.match(asked.stderr, /--metrics PSP needs the training labels \(propensities\): give --train FILE/);
});

test('evaluate --predictions: malformed lines are exit 1 naming file:line; the line count must match the test points', async () => {
  const cases: [string, RegExp][] = [
    ['1:0.5\n3:abc\n\n', /:2: malformed prediction '3:abc'/],
    ['1:0.5\n2\n\n', /:2: malformed prediction '2'/],
    ['1:0.5 x:1\n\n\n', /:1: malformed prediction 'x:1'/],
    ['1:0.5\n\n-1:0.2\n', /:3: malformed prediction '-1:0.2'/],
    ['1:0.5 1:0.4\n\n\n', /:1: label 1 is listed twice/],
    ['1:Infinity\n\n\n', /:1: malformed prediction '1:Infinity'/],
  ];
  for (const [i, [text, re]] of cases.entries()) {
    const file = f(`bad${i}.txt`);
    await fs.writeFile(file, text);
    const r = await xmlcInProcess(['evaluate', '--predictions', file, '--test', f('test.txt')]);
    assert.equal(r.code, 1, `${JSON.stringify(text)}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^xmlc: error: ${escapeRe(file)}${re.source}`));
  }
  await fs.writeFile(f('short.txt'), '1:0.5\n');
  const short = await xmlcInProcess(['evaluate', '--predictions', f('short.txt'), '--test', f('test.txt')]);
  assert.equal(short.code, 1);
  assert.match(short.stderr, /short\.txt has 1 lines of predictions but .*test\.txt has 3 points/);
  for (const args of [['--model', f('m')], ['--strategy', 'knn'], ['--k', '3'], ['--train', f('train.txt'), '--decoder-weight', '0.5'], ['--train', f('train.txt'), '--decoder-precision', 'float32']]) {
    const r = await xmlcInProcess(['evaluate', '--predictions', f('pred.txt'), '--test', f('test.txt'), ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
  const trainWithModel = await xmlcInProcess(['evaluate', '--model', f('m'), '--train', f('train.txt')]);
  assert.equal(trainWithModel.code, 2);
  assert.match(trainWithModel.stderr, /--train goes with --predictions/);
});

test('parsePredictions: ranked by score, stable on ties, padded to the longest line; BOM and CRLF accepted', () => {
  const r = parsePredictions('\uFEFF5:1 2:3 7:3\r\n\r\n4:0.5\r\n', 'p', 2);
  assert.equal(r.nRows, 3);
  assert.equal(r.k, 3);
  assert.deepEqual([...r.labels], [2, 7, 5, -1, -1, -1, 4, -1, -1]);
  assert.deepEqual([...r.scores].slice(0, 3), [3, 3, 1]);
});

test('limitRanked: --top-k first, then --threshold; the width is kept', () => {
  const r = parsePredictions('1:0.9 2:0.5 3:0.4\n4:0.3 5:0.2\n', 'p');
  const l = limitRanked(r, 2, 0.35);
  assert.equal(l.k, 3);
  assert.deepEqual([...l.labels], [1, 2, -1, -1, -1, -1]);
  assert.deepEqual([...limitRanked(r, 3).labels], [...r.labels]);
});

test('xmlc test: the metrics of evaluate --model in one pass; --out writes what it scored (evaluate --predictions agrees)', async () => {
  const model = f('knn');
  const tr = xmlc(['train', '--train', f('bib-train.txt'), '--model', model, '--method', 'knn', '--seed', '1', '--quiet']);
  assert.equal(tr.code, 0, tr.stderr);
  const ev = xmlc(['evaluate', '--model', model, '--test', f('bib-test.txt'), '--json', '--quiet']);
  const te = xmlc(['test', '--model', model, '--test', f('bib-test.txt'), '--json', '--quiet']);
  assert.equal(te.code, 0, te.stderr);
  assert.deepEqual(withoutSpeed(JSON.parse(te.stdout)), withoutSpeed(JSON.parse(ev.stdout)));
  assert.deepEqual(Object.keys(JSON.parse(te.stdout)), [...['P', 'nDCG', 'PSP', 'PSnDCG', 'R'].flatMap((m) => [1, 3, 5].map((k) => `${m}@${k}`)), ...SPEED_KEYS]);
  for (const r of [ev, te]) checkSpeed(JSON.parse(r.stdout), 100);

  const out = f('test-pred.txt');
  const args = ['--ks', '1,2,10', '--metrics', 'P,PSP,R', '--json', '--quiet'];
  const t2 = xmlc(['test', '--model', model, '--test', f('bib-test.txt'), '--out', out, '--top-k', '3', ...args]);
  assert.equal(t2.code, 0, t2.stderr);
  const lines = (await fs.readFile(out, 'utf8')).split('\n');
  assert.equal(lines.length, 101);
  assert.ok(lines.every((l) => l.split(' ').filter(Boolean).length <= 3), 'at most --top-k labels per line');
  const e2 = xmlc(['evaluate', '--predictions', out, '--test', f('bib-test.txt'), '--train', f('bib-train.txt'), ...args]);
  assert.equal(e2.code, 0, e2.stderr);
  assert.deepEqual(JSON.parse(e2.stdout), withoutSpeed(JSON.parse(t2.stdout)));
  assert.deepEqual(Object.keys(JSON.parse(t2.stdout)), ['P@1', 'P@2', 'P@10', 'PSP@1', 'PSP@2', 'PSP@10', 'R@1', 'R@2', 'R@10', ...SPEED_KEYS]);
  assert.deepEqual(Object.keys(JSON.parse(e2.stdout)).filter((key) => SPEED_KEYS.includes(key)), [], 'evaluate --predictions predicted nothing: no speed');

  const table = xmlc(['test', '--model', model, '--test', f('bib-test.txt'), '--ks', '1,10', '--metrics', 'R,P', '--quiet']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^metric \(%\)\s+@1\s+@10\nR\s+[\d.]+\s+[\d.]+\nP\s+[\d.]+\s+[\d.]+\npredicted 100 points in \d+\.\d{3} s: \d+ points\/s \(model loading and data reading excluded\)\n$/);
  const evTable = xmlc(['evaluate', '--predictions', out, '--test', f('bib-test.txt'), '--ks', '1,10', '--metrics', 'R,P', '--quiet']);
  assert.match(evTable.stdout, /^metric \(%\)\s+@1\s+@10\nR\s+[\d.]+\s+[\d.]+\nP\s+[\d.]+\s+[\d.]+\n$/, 'no speed line without a prediction');
  assert.equal(xmlc(['test', '--model', model, '--out', '-']).code, 2, 'test prints metrics on stdout: --out - is refused');

  // predict: stdout by default and with --out -, the same bytes as --out FILE; --threshold keeps the scores ≥ T after --top-k.
  const base = ['predict', '--model', model, '--test', f('bib-test.txt'), '--top-k', '4', '--quiet'];
  const toStdout = xmlc(base);
  assert.equal(toStdout.code, 0, toStdout.stderr);
  assert.equal(toStdout.stderr, '');
  assert.equal(xmlc([...base, '--out', '-']).stdout, toStdout.stdout);
  assert.equal(xmlc([...base, '--out', f('p.txt')]).stdout, '');
  assert.equal(await fs.readFile(f('p.txt'), 'utf8'), toStdout.stdout);
  const scores = [...new Set(toStdout.stdout.split(/\s+/).filter(Boolean).map((p) => Number(p.split(':')[1])))].sort((a, b) => a - b);
  assert.ok(scores.length >= 3, 'the kNN scores of Bibtex take several values');
  const T = (scores[Math.floor(scores.length / 2) - 1]! + scores[Math.floor(scores.length / 2)]!) / 2;
  const thr = xmlc([...base, '--threshold', String(T)]);
  assert.equal(thr.code, 0, thr.stderr);
  const expected = toStdout.stdout.split('\n').map((l) => l.split(' ').filter((p) => p !== '' && Number(p.split(':')[1]) >= T).join(' ')).join('\n');
  assert.equal(thr.stdout, expected);
  assert.notEqual(thr.stdout, toStdout.stdout, 'the threshold removed labels');
});
