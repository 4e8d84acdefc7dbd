import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../tmp.js';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkSynthArgs } from '../../cli/commands/data.js';
import { generateSynthetic } from '../../datasets/synthetic.js';
import { readDataset } from '../../src/data/index.js';
import { UsageError } from '../../src/errors.js';

const bin = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
function synth(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'data', 'synth', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = tempDir('synth-cli');
test.after(() => fs.rm(tmp, { recursive: true, force: true }));

test('synthetic2: train/valid/test files, one summary line each, same seed ⇒ same bytes', async () => {
  const dirs = ['a', 'b', 'c'].map((d) => path.join(tmp, 'nested', d));
  const runs = [
    synth('synthetic2', '--out', dirs[0]!, '--seed', '3', '--scale', '0.05'),
    synth('synthetic2', '--out', dirs[1]!, '--seed', '3', '--scale', '0.05', '--quiet'),
    synth('synthetic2', '--out', dirs[2]!, '--seed', '4', '--scale', '0.05'),
  ];
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  assert.match(runs[0]!.stderr, /generate synthetic2/);
  assert.equal(runs[1]!.stderr, '', '--quiet prints nothing on stderr');
  const lines = runs[0]!.stdout.trim().split('\n');
  assert.equal(lines.length, 3);
  for (const [k, split, n] of [[0, 'train', 300], [1, 'valid', 100], [2, 'test', 100]] as const) {
    assert.match(lines[k]!, new RegExp(`${split}\\.txt: ${n} points, 1000 features, 0 labels, ${n * 10} nnz`));
  }
  assert.deepEqual((await fs.readdir(dirs[0]!)).sort(), ['test.txt', 'train.txt', 'valid.txt']);
  for (const f of ['train.txt', 'valid.txt', 'test.txt']) {
    const [a, b, c] = await Promise.all(dirs.map((d) => fs.readFile(path.join(d, f))));
    assert.ok(a!.equals(b!), `${f}: seed 3 twice gives different files`);
    assert.ok(!a!.equals(c!), `${f}: seeds 3 and 4 give the same file`);
  }
  // The files hold what the library generates for that seed and scale.
  const lib = generateSynthetic('synthetic2', { seed: 3, scale: 0.05 });
  const back = await readDataset(path.join(dirs[0]!, 'valid.txt'));
  assert.deepEqual(back.features, lib.valid!.features);
});

test('eurlex-4k-like (scaled): train.txt and test.txt with the dataset shape', async () => {
  const out = path.join(tmp, 'eurlex');
  const r = synth('eurlex-4k-like', '--out', out, '--scale', '0.01');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await fs.readdir(out)).sort(), ['test.txt', 'train.txt']);
  const train = await readDataset(path.join(out, 'train.txt'));
  assert.equal(train.features.nRows, 155);
  assert.equal(train.features.nCols, 5000);
  assert.equal(train.labels.nCols, 3993);
  assert.match(r.stdout, /train\.txt: 155 points, 5000 features, 3993 labels, \d+ nnz/);
  assert.match(r.stdout, /test\.txt: 38 points, 5000 features, 3993 labels, \d+ nnz/);
});

test('usage errors exit 2: unknown name (the names are listed), bad --scale or --seed, no --out', () => {
  const unknown = synth('eurlex', '--out', path.join(tmp, 'x'));
  assert.equal(unknown.code, 2);
  for (const n of ['eurlex-4k-like', 'wiki10-31k-like', 'amazoncat-13k-like', 'synthetic1', 'synthetic2', 'synthetic3']) assert.match(unknown.stderr, new RegExp(n));
  for (const args of [['synthetic1', '--out', path.join(tmp, 'x'), '--scale', '0'], ['synthetic1', '--out', path.join(tmp, 'x'), '--seed', '1.5'], ['synthetic1'], []]) {
    const r = synth(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^xmlc: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('checkSynthArgs accepts integer seeds and positive scales only', () => {
  assert.equal(checkSynthArgs({ seed: 0, scale: 0.5 }), true);
  assert.equal(checkSynthArgs({ seed: -7, scale: 2 }), true);
  for (const bad of [{ seed: 1, scale: -1 }, { seed: 1, scale: Infinity }, { seed: Number.NaN, scale: 1 }, { seed: 0.5, scale: 1 }]) {
    assert.throws(() => checkSynthArgs(bad), (e: Error) => e instanceof UsageError && /Example usage/.test(e.message));
  }
});
