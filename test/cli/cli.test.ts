import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../tmp.js';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';

const bin = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
function xmlc(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = tempDir('cli');
// A small real dataset for the end-to-end runs: the first 800 Bibtex training points, 200 test points.
async function head(src: string, dst: string, n: number): Promise<void> {
  const { gunzipSync } = await import('node:zlib');
  const lines = gunzipSync(await fs.readFile(src)).toString('utf8').split('\n');
  const [, d, l] = lines[0]!.split(' ');
  await fs.writeFile(dst, [`${n} ${d} ${l}`, ...lines.slice(1, n + 1)].join('\n') + '\n');
}
const trainFile = path.join(tmp, 'train.txt'), testFile = path.join(tmp, 'test.txt');
await head(BUNDLED_BIBTEX.train, trainFile, 800);
await head(BUNDLED_BIBTEX.test, testFile, 200);

test('--help and --version exit 0 and print to stdout', () => {
  for (const args of [['--help'], ['train', '--help'], ['predict', '--help'], ['evaluate', '--help'], ['run', '--help'], ['data', 'stats', '--help'], ['data', '--help']]) {
    const r = xmlc(...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /xmlc/);
  }
  assert.match(xmlc('--version').stdout, /^\d+\.\d+\.\d+/);
});

test('usage errors exit 2 with a message and no stack', () => {
  for (const args of [[], ['nonsense'], ['train', '--train', trainFile], ['predict'], ['test'], ['train', '--model', 'x', '--k', '0'], ['train', '--model', 'x', '--bogus'], ['data', 'stats']]) {
    const r = xmlc(...args);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, /^xmlc: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('data stats prints the documented JSON keys', () => {
  const r = xmlc('data', 'stats', BUNDLED_BIBTEX.train, '--json');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Record<string, number>;
  assert.deepEqual(Object.keys(s).sort(), ['features', 'labels', 'labelsPerPoint', 'nnzPerPoint', 'points', 'pointsPerLabel']);
  assert.equal(s['points'], 4880);
  assert.equal(s['features'], 1836);
  assert.equal(s['labels'], 159);
  assert.ok(Math.abs(s['labelsPerPoint']! * 4880 - s['pointsPerLabel']! * 159) < 1e-6);
  const t = xmlc('data', 'stats', BUNDLED_BIBTEX.train);
  assert.match(t.stdout, /points\s+4880/);
});

test('bad data exits 1 naming file and line, without a stack trace', async () => {
  const bad = path.join(tmp, 'bad.txt');
  await fs.writeFile(bad, '2 10 3\n0 1:0.5\n1 4:abc\n');
  const r = xmlc('data', 'stats', bad);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: `));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  const missing = xmlc('data', 'stats', path.join(tmp, 'nope.txt'));
  assert.equal(missing.code, 1);
  assert.doesNotMatch(missing.stderr, /\n\s+at /);
});

test('train → predict → evaluate end to end; evaluate --json has the documented keys', async () => {
  const model = path.join(tmp, 'model');
  const tr = xmlc('train', '--train', trainFile, '--model', model, '--method', 'knn', '--seed', '3', '--quiet');
  assert.equal(tr.code, 0, tr.stderr);
  assert.ok((await fs.readdir(model)).includes('manifest.json'));

  const out = path.join(tmp, 'pred.txt');
  const pr = xmlc('predict', '--model', model, '--test', testFile, '--out', out, '--top-k', '3', '--quiet');
  assert.equal(pr.code, 0, pr.stderr);
  const lines = (await fs.readFile(out, 'utf8')).split('\n');
  assert.equal(lines.length, 201); // 200 lines + final newline
  for (const line of lines.slice(0, 200)) {
    const pairs = line === '' ? [] : line.split(' ');
    assert.ok(pairs.length <= 3);
    let prev = Infinity;
    for (const pair of pairs) {
      const m = /^(\d+):([0-9.e+-]+)$/.exec(pair);
      assert.ok(m, `bad pair ${pair}`);
      const s = Number(m[2]);
      assert.ok(s <= prev, 'scores ranked best first');
      prev = s;
    }
  }

  const ev = xmlc('evaluate', '--model', model, '--test', testFile, '--json', '--quiet');
  assert.equal(ev.code, 0, ev.stderr);
  const m = JSON.parse(ev.stdout) as Record<string, number>;
  // Every metric the table shows, in the table's unit (%), then the prediction speed.
  const metricKeys = ['P', 'nDCG', 'PSP', 'PSnDCG', 'R'].flatMap((f) => [1, 3, 5].map((k) => `${f}@${k}`));
  assert.deepEqual(Object.keys(m), [...metricKeys, 'predictSeconds', 'pointsPerSecond']);
  for (const key of metricKeys) assert.ok(m[key]! >= 0 && m[key]! <= 100);
  assert.ok(m['predictSeconds']! > 0 && m['pointsPerSecond']! > 0);
  assert.ok(m['P@1']! > 20, `a kNN on Bibtex should be far better than chance, got P@1 = ${m['P@1']}`);
  assert.equal(m['P@1'], m['nDCG@1']);

  const table = xmlc('evaluate', '--model', model, '--test', testFile, '--quiet');
  assert.equal(table.code, 0);
  assert.match(table.stdout, /^P\s+\d+\.\d\d/m);

  const badModel = xmlc('evaluate', '--model', path.join(tmp, 'no-model'), '--test', testFile);
  assert.equal(badModel.code, 1);
  assert.match(badModel.stderr, /is not an xmlc model/);
});

test('train --print-params prints the defaults merged with flags and a params file', async () => {
  const pf = path.join(tmp, 'params.json');
  await fs.writeFile(pf, JSON.stringify({ k: 25, efSearch: 50 }));
  const r = xmlc('train', '--print-params', '--params', pf, '--ef-search', '70');
  assert.equal(r.code, 0, r.stderr);
  const p = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(p['k'], 25);
  assert.equal(p['efSearch'], 70);
  assert.equal(p['method'], undefined, 'the default model is a mixed ensemble');
  assert.equal(p['mix'], 'l1ae:1,forest:1');
  assert.equal(p['merge'], 'auto');
  assert.equal(p['trees'], 50);
  assert.equal(p['embeddingDim'], 100);
  const one = JSON.parse(xmlc('train', '--print-params', '--params', pf, '--method', 'l1ae').stdout) as Record<string, unknown>;
  assert.equal(one['method'], 'l1ae');
  assert.equal(one['k'], 25);
  assert.equal(one['mix'], undefined);
  assert.equal(one['trees'], undefined);
  const forest = JSON.parse(xmlc('train', '--print-params', '--method', 'forest', '--trees', '7', '--leaf-size', '3').stdout) as Record<string, unknown>;
  assert.deepEqual([forest['method'], forest['trees'], forest['leafSize'], forest['k']], ['forest', 7, 3, undefined]);
  assert.equal(xmlc('train', '--print-params', '--method', 'l1ae', '--merge', 'rank').code, 2, '--merge needs a mixed ensemble');
  await fs.writeFile(pf, '{"k": "many"}');
  const bad = xmlc('train', '--print-params', '--params', pf);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /parameter 'k' must be an integer/);
});

test('l1ae: train (ensemble of 2) → evaluate with each strategy; predictions are reproducible; flags validated', async () => {
  const model = path.join(tmp, 'l1ae-model');
  const flags = ['--method', 'l1ae', '--embedding-dim', '20', '--depth', '3', '--epochs', '3', '--ensemble', '2', '--seed', '1', '--backend', 'cpu', '--quiet'];
  const tr = xmlc('train', '--train', trainFile, '--model', model, ...flags);
  assert.equal(tr.code, 0, tr.stderr);
  const manifest = JSON.parse(await fs.readFile(path.join(model, 'manifest.json'), 'utf8')) as { method: string; params: Record<string, unknown> };
  assert.equal(manifest.method, 'l1ae');
  assert.equal(manifest.params['ensemble'], 2);
  const results: Record<string, number>[] = [];
  for (const strategy of ['knn', 'decoder', 'average']) {
    const ev = xmlc('evaluate', '--model', model, '--test', testFile, '--strategy', strategy, '--json', '--quiet');
    assert.equal(ev.code, 0, ev.stderr);
    const m = JSON.parse(ev.stdout) as Record<string, number>;
    assert.ok(m['P@1']! > 20, `${strategy}: P@1 = ${m['P@1']}`);
    results.push(m);
  }
  // Same flags and seed, a second model: identical predictions.
  const model2 = path.join(tmp, 'l1ae-model2');
  assert.equal(xmlc('train', '--train', trainFile, '--model', model2, ...flags).code, 0);
  const p1 = path.join(tmp, 'p1.txt'), p2 = path.join(tmp, 'p2.txt');
  assert.equal(xmlc('predict', '--model', model, '--test', testFile, '--out', p1, '--quiet').code, 0);
  assert.equal(xmlc('predict', '--model', model2, '--test', testFile, '--out', p2, '--quiet').code, 0);
  assert.equal(await fs.readFile(p1, 'utf8'), await fs.readFile(p2, 'utf8'));
  const bad = xmlc('train', '--train', trainFile, '--model', path.join(tmp, 'bad'), '--method', 'l1ae', '--learning-rate', '-1', '--quiet');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--learning-rate must be in \(0, 10\] but got -1/);
  const knnStrategy = xmlc('evaluate', '--model', path.join(tmp, 'model'), '--test', testFile, '--strategy', 'decoder', '--quiet');
  assert.equal(knnStrategy.code, 2);
});

test('info --json lists the backends, the auto choice and whether hnswlib-node loads', () => {
  const r = xmlc('info', '--json');
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout) as { backends: Record<string, boolean>; auto: string; hnswlib: boolean; bfloat16Decoder: boolean };
  assert.deepEqual(Object.keys(info).sort(), ['auto', 'backends', 'bfloat16Decoder', 'hnswlib', 'threads']);
  assert.equal(typeof info.bfloat16Decoder, 'boolean');
  assert.equal(info.hnswlib, true); // CI installs a compiler; .ci/no_compiler checks the other case
  assert.deepEqual(Object.keys(info.backends).sort(), ['cpu', 'native', 'tensorflow', 'wasm']);
  assert.equal(info.backends['cpu'], true);
  assert.equal(info.backends[info.auto], true);
  const bad = xmlc('train', '--model', path.join(tmp, 'm2'), '--backend', 'gpu');
  assert.equal(bad.code, 2);
});
