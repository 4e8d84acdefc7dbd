import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
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

const tmp = tempDir('recover-cli');
test.after(() => fs.rm(tmp, { recursive: true, force: true }));
const dir = path.join(tmp, 'syn1');
// synthetic1 at 5% scale: 300 / 100 / 100 vectors of d = 1000, one block of 10 nonzeros.
const made = xmlc('data', 'synth', 'synthetic1', '--out', dir, '--seed', '2', '--scale', '0.05', '--quiet');
const file = (f: string): string => path.join(dir, f);

test('recover --json: Gaussian + ℓ1-min pos recovers 10-sparse vectors exactly with m = 100 ≫ 2k·log(d/k)', () => {
  assert.equal(made.code, 0, made.stderr);
  const r = xmlc('recover', '--matrix', 'gaussian', '--decoder', 'l1-min-pos', '--data', file('test.txt'), '--measurements', '100', '--json', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const out = JSON.parse(r.stdout) as Record<string, number>;
  assert.ok(out['exactFraction']! >= 0.95, `exact fraction ${out['exactFraction']}`);
  assert.ok(out['rmse']! < 0.05, `rmse ${out['rmse']}`);
  assert.equal(out['points'], 100);
  // Too few measurements: nothing is recovered exactly, and the same seed gives the same numbers.
  const few = ['recover', '--matrix', 'gaussian', '--decoder', 'l1-min-pos', '--data', file('test.txt'), '-m', '10', '--json', '--quiet', '--seed', '4'];
  const a = JSON.parse(xmlc(...few).stdout) as Record<string, number>, b = JSON.parse(xmlc(...few).stdout) as Record<string, number>;
  assert.ok(a['exactFraction']! < 0.2, `m = 10 should not recover 10-sparse vectors: ${a['exactFraction']}`);
  assert.equal(a['rmse'], b['rmse']);
});

test('recover: model-based CoSaMP pos with the block model', () => {
  const r = xmlc('recover', '--matrix', 'gaussian', '--decoder', 'model-cosamp-pos', '--block-size', '10', '--blocks', '1', '--data', file('test.txt'), '-m', '60', '--json', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, number>;
  assert.ok(out['exactFraction']! >= 0.9, `exact fraction ${out['exactFraction']}`);
});

test('recover: human-readable output names the counts and the RMSE', () => {
  const r = xmlc('recover', '--matrix', 'fourier', '--decoder', 'l1-min', '--data', file('test.txt'), '-m', '60', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /exact recovery \(‖x − x̂‖₂ ≤ 1e-10\): \d+ \/ 100 points/);
  assert.match(r.stdout, /RMSE: /);
});

test('recover --matrix l1ae trains on --train and runs its own decoder', () => {
  const r = xmlc('recover', '--matrix', 'l1ae', '--decoder', 'l1ae', '--train', file('train.txt'), '--valid', file('valid.txt'), '--data', file('test.txt'),
    '-m', '20', '--epochs', '2', '--json', '--backend', 'cpu');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /train ℓ1-AE/);
  const out = JSON.parse(r.stdout) as Record<string, number>;
  assert.equal(out['measurements'], 20);
  assert.ok(Number.isFinite(out['rmse']) && out['rmse']! > 0, 'a float32 network decoder is never exact');
  assert.equal(out['exactFraction'], 0);
});

test('recover: usage errors exit 2 naming the fix; bad data exits 1 naming file and line', async () => {
  const cases: [string[], RegExp][] = [
    [['--matrix', 'gaussian', '--decoder', 'l1-min-pos', '--data', file('test.txt')], /--measurements M is required/],
    [['--matrix', 'pca', '--decoder', 'l1-min-pos', '--data', file('test.txt'), '-m', '5'], /--train FILE/],
    [['--matrix', 'gaussian', '--decoder', 'l1ae', '--data', file('test.txt'), '-m', '5'], /needs --matrix l1ae/],
    [['--matrix', 'gaussian', '--decoder', 'model-cosamp-pos', '--data', file('test.txt'), '-m', '5'], /--block-size B --blocks K/],
    [['--matrix', 'nosuchthing', '--decoder', 'l1-min', '--data', file('test.txt'), '-m', '5'], /model directory/],
    [['--matrix', 'gaussian', '--decoder', 'l1-min', '--data', file('test.txt'), '-m', '0'], /positive integer/],
    [['--matrix', 'gaussian', '--decoder', 'l1-min', '--data', file('test.txt'), '-m', '1000000000'], /--measurements 1000000000 is more than the dimension \d+ of the vectors in .*test\.txt/],
  ];
  for (const [args, re] of cases) {
    const r = xmlc('recover', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, '');
  }
  const bad = path.join(tmp, 'bad.txt');
  await fs.writeFile(bad, '2 10 0\n 1:0.5 3:0.5\n 2:x\n');
  const r = xmlc('recover', '--matrix', 'gaussian', '--decoder', 'l1-min-pos', '--data', bad, '-m', '4');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bad\.txt:3: malformed feature/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('recover --matrix MODEL_DIR: the encoder of a trained model measures label vectors; no tfjs banner on stderr', () => {
  const model = path.join(tmp, 'model');
  const t = xmlc('train', '--method', 'l1ae', '--embedding-dim', '20', '--epochs', '1', '--model', model, '--quiet');
  assert.equal(t.code, 0, t.stderr);
  const r = xmlc('recover', '--matrix', model, '--decoder', 'l1-min-pos', '--data', BUNDLED_BIBTEX.test, '--vectors', 'labels', '-m', '20', '--limit', '20', '--json', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'nothing on stderr with --quiet (tfjs prints a banner on first use unless in production mode)');
  const out = JSON.parse(r.stdout) as Record<string, number>;
  assert.equal(out['points'], 20);
  // Bibtex label vectors have 2.4 nonzeros on average: a 20 × 159 matrix recovers most of them exactly.
  assert.ok(out['exactFraction']! >= 0.5, `exact fraction ${out['exactFraction']}`);
});

test('recover --matrix MODEL_DIR: an ℓ1-AE model offers its own decoder (--decoder l1ae); a kNN model has no matrix (exit 1)', () => {
  const model = path.join(tmp, 'model-l1ae-dec');
  assert.equal(xmlc('train', '--method', 'l1ae', '--embedding-dim', '20', '--epochs', '1', '--model', model, '--quiet').code, 0);
  const r = xmlc('recover', '--matrix', model, '--decoder', 'l1ae', '--data', BUNDLED_BIBTEX.test, '--vectors', 'labels', '--limit', '20', '--json', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as Record<string, number>)['points'], 20);
  const pca = path.join(tmp, 'model-pca');
  assert.equal(xmlc('train', '--method', 'pca', '--embedding-dim', '20', '--model', pca, '--quiet').code, 0);
  const noDecoder = xmlc('recover', '--matrix', pca, '--decoder', 'l1ae', '--data', BUNDLED_BIBTEX.test, '--vectors', 'labels', '--limit', '5', '--quiet');
  assert.equal(noDecoder.code, 2, noDecoder.stderr);
  assert.match(noDecoder.stderr, /--decoder l1ae needs an ℓ1-AE/);
  const knn = path.join(tmp, 'model-knn');
  assert.equal(xmlc('train', '--method', 'knn', '--model', knn, '--quiet').code, 0);
  const k = xmlc('recover', '--matrix', knn, '--decoder', 'l1-min-pos', '--data', BUNDLED_BIBTEX.test, '--vectors', 'labels', '--limit', '5', '--quiet');
  assert.equal(k.code, 1, k.stderr);
  assert.match(k.stderr, /model-knn: this model has no measurement matrix/);
});
