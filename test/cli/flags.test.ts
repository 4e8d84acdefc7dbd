import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkNumericFlag } from '../../cli/common.js';
import { UsageError } from '../../src/errors.js';
import { describeNumeric, embedTrainParams, knnTrainParams, ParamsError, predictParams } from '../../src/model/params.js';
import { escapeRe, tempDir, xmlcInProcess } from './harness.js';

// Every numeric flag of every command, with the arguments the command needs besides it.
const NUMERIC_FLAGS: [string[], string[]][] = [
  [['train', '--model', 'M'], ['embedding-dim', 'depth', 'ensemble', 'epochs', 'batch-size', 'learning-rate', 'validation-fraction', 'patience', 'lambda', 'decoder-weight', 'k', 'hnsw-m', 'ef-construction', 'ef-search', 'seed', 'threads', 'feature-base', 'label-base']],
  [['run'], ['embedding-dim', 'epochs', 'learning-rate', 'k', 'seed', 'threads', 'ks', 'propensity-a', 'propensity-b', 'feature-base']],
  [['predict', '--model', 'M'], ['k', 'ef-search', 'decoder-weight', 'top-k', 'threshold', 'threads', 'feature-base', 'label-base']],
  [['evaluate', '--model', 'M'], ['k', 'ef-search', 'decoder-weight', 'ks', 'propensity-a', 'propensity-b', 'threads']],
  [['test', '--model', 'M'], ['k', 'ef-search', 'decoder-weight', 'top-k', 'threshold', 'ks', 'propensity-a', 'propensity-b', 'threads']],
  [['recover', '--matrix', 'gaussian', '--decoder', 'l1-min', '--data', 'D'], ['measurements', 'limit', 'seed', 'sparsity', 'block-size', 'blocks', 'lambda', 'steps', 'epochs', 'learning-rate', 'batch-size', 'patience', 'depth', 'threads', 'feature-base']],
  [['data', 'stats', 'F'], ['feature-base', 'label-base']],
  [['data', 'convert', 'F', 'G'], ['feature-base', 'label-base']],
  [['data', 'synth', 'synthetic1', '--out', 'O'], ['seed', 'scale']],
  [['datasets', 'verify', 'F'], ['feature-base', 'label-base']],
  [['info'], ['threads']],
];

test('every numeric flag of every command: a non-number is exit 2 naming the flag, what was expected and the token', async () => {
  for (const [base, flags] of NUMERIC_FLAGS) {
    for (const flag of flags) {
      for (const bad of ['abc', 'NaN', '1x']) {
        const r = await xmlcInProcess([...base, `--${flag}`, bad]);
        const what = `${base.join(' ')} --${flag} ${bad}`;
        assert.equal(r.code, 2, `${what} → ${r.code}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`^xmlc: --${escapeRe(flag)} must be .* but got "${bad}"`), what);
        assert.doesNotMatch(r.stderr, /null|\n\s+at /, what);
      }
    }
  }
});

test('the issue\'s cases: --feature-base 0.5, --propensity-b NaN, --propensity-a -1, --k abc are usage errors that say what was expected', async () => {
  const cases: [string[], RegExp][] = [
    [['data', 'stats', 'F', '--feature-base', '0.5'], /--feature-base must be a non-negative integer but got 0\.5/],
    [['evaluate', '--model', 'M', '--propensity-b', 'NaN'], /--propensity-b must be in \(0, 1000000\] but got "NaN"/],
    [['evaluate', '--model', 'M', '--propensity-a', '-1'], /--propensity-a must be in \(0, 1000000\] but got -1/],
    [['train', '--model', 'M', '--k', 'abc'], /--k must be an integer in \[1, 100000\] but got "abc"/],
    [['predict', '--model', 'M', '--top-k', '0'], /--top-k must be an integer in \[1, 1048576\] but got 0/],
    [['train', '--model', 'M', '--threads', '0'], /--threads must be an integer in \[1, 4096\] but got 0/],
    [['train', '--model', 'M', '--k', '3', '--k', '4'], /--k was given 2 times \(3, 4\); give it once/],
    [['train', '--model', 'M', '--k'], /Not enough arguments following: k/],
    [['train', '--model', 'M', '--decoder-weight', '1.5'], /--decoder-weight must be in \[0, 1\] but got 1\.5/],
    [['test', '--model', 'M', '--ks', '1,0'], /--ks must be an integer in \[1, 1048576\] but got 0/],
    [['evaluate', '--model', 'M', '--metrics', 'P,Precision'], /unknown metric "Precision" \(known: P, nDCG, PSP, PSnDCG, R\)/],
  ];
  for (const [args, re] of cases) {
    const r = await xmlcInProcess(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /null/);
  }
});

test('accepted values pass the flag check unchanged', async () => {
  const r = await xmlcInProcess(['train', '--print-params', '--k', '7', '--learning-rate', '0.5', '--decoder-weight', 'auto', '--seed', '0']);
  assert.equal(r.code, 0, r.stderr);
  const p = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.deepEqual([p['k'], p['learningRate'], p['decoderWeight'], p['seed']], [7, 0.5, 'auto', 0]);
});

test('--lambda: a number or auto (default 1, for the default model too)', async () => {
  const lambdaOfRun = async (args: string[]): Promise<unknown> => {
    const r = await xmlcInProcess(['train', '--print-params', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as Record<string, unknown>)['lambda'];
  };
  assert.equal(await lambdaOfRun([]), 1);
  assert.equal(await lambdaOfRun(['--lambda', 'auto']), 'auto');
  assert.equal(await lambdaOfRun(['--lambda', '3']), 3);
  assert.equal(await lambdaOfRun(['--method', 'l1ae']), 1);
  assert.equal(await lambdaOfRun(['--method', 'pca', '--lambda', 'auto']), 'auto');
  assert.equal(await lambdaOfRun(['--ensemble', 'l1ae:1,pca:1']), 1);
  const bad = await xmlcInProcess(['train', '--model', 'M', '--lambda', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--lambda must be in \(0, 1000000000000\] but got 0/);
});

test('checkNumericFlag and describeNumeric: the one check, its wording', () => {
  assert.equal(checkNumericFlag('k', 3, { int: true, min: 1 }), 3);
  assert.throws(() => checkNumericFlag('k', 'abc', { int: true, min: 1 }), (e: Error) => e instanceof UsageError && e.message === '--k must be a positive integer but got "abc"');
  assert.throws(() => checkNumericFlag('x', Number.NaN, { int: false }), { message: '--x must be a number but got NaN' });
  assert.throws(() => checkNumericFlag('x', Infinity, { int: false, min: 0 }), { message: '--x must be a number >= 0 but got Infinity' });
  assert.throws(() => checkNumericFlag('x', 2 ** 60, { int: true }), { message: `--x must be an integer but got ${2 ** 60}` });
  assert.equal(describeNumeric({ int: true, min: 0 }), 'a non-negative integer');
  assert.equal(describeNumeric({ int: false, min: 0, minOpen: true }), 'a number > 0');
  assert.equal(describeNumeric({ int: false, min: 0, max: 1, maxOpen: true }), 'in [0, 1)');
  assert.equal(describeNumeric({ int: true, min: 2, max: 9 }), 'an integer in [2, 9]');
});

test('parameters named like Object.prototype members are unknown parameters (library and --params)', async () => {
  for (const key of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
    const given = JSON.parse(`{"${key}": 1}`) as Record<string, unknown>;
    for (const f of [knnTrainParams, embedTrainParams, predictParams]) {
      assert.throws(() => f(given), (e: Error) => e instanceof ParamsError && e.message.includes(`parameter '${key}'`), `${f.name} ${key}`);
    }
  }
  const { dir, cleanup } = await tempDir('xmlc-flags-');
  try {
    for (const key of ['toString', 'constructor', '__proto__']) {
      const pf = path.join(dir, `${key}.json`);
      await fs.writeFile(pf, `{"${key}": {"polluted": true}}`);
      const r = await xmlcInProcess(['train', '--print-params', '--params', pf]);
      assert.equal(r.code, 2, `${key}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`unknown embedding-model training parameter '${escapeRe(key)}'`));
      const k = await xmlcInProcess(['train', '--print-params', '--method', 'knn', '--params', pf]);
      assert.equal(k.code, 2, k.stderr);
    }
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined, 'no prototype was polluted');
  } finally {
    await cleanup();
  }
});

test('a parameter that is not a number says what was expected and what it got (never "got null")', () => {
  assert.throws(() => knnTrainParams({ k: Number.NaN }), { message: "parameter 'k' must be an integer in [1, 100000] but got NaN" });
  assert.throws(() => embedTrainParams({ learningRate: 'fast' }), { message: 'parameter \'learningRate\' must be in (0, 10] but got "fast"' });
});

test('--params and --predictions must be regular files: a device or a FIFO is refused at once (no hang, no "Invalid string length")', async () => {
  const { spawnSync: spawn } = await import('node:child_process');
  const { dir } = await tempDir('xmlc-flags-files-');
  const fifo = path.join(dir, 'fifo');
  const haveFifo = spawn('mkfifo', [fifo]).status === 0;
  for (const f of ['/dev/zero', ...(haveFifo ? [fifo] : [])]) {
    const p = await xmlcInProcess(['train', '--print-params', '--params', f]);
    assert.equal(p.code, 2, p.stderr);
    assert.match(p.stderr, /parameters file .* is a (character device|FIFO \(named pipe\)), not a regular file/);
    const e = await xmlcInProcess(['evaluate', '--predictions', f, '--test', 'Bibtex:test', '-q']);
    assert.equal(e.code, 1, e.stderr);
    assert.match(e.stderr, /predictions file .* is a (character device|FIFO \(named pipe\)), not a regular file/);
  }
  const big = path.join(dir, 'big.json');
  await fs.writeFile(big, `{"seed": 1${' '.repeat(1 << 20)}}`);
  const r = await xmlcInProcess(['train', '--print-params', '--params', big]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /more than the 1048576 it may have/);
});
