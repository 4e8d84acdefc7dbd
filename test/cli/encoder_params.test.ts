/** Every encoder's parameters reach it from `xmlc train` flags; bad values are usage errors; old models still load. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { ENCODER_PARAMS, paramFlagName } from '../../src/encoders/param_schema.js';
import { EmbeddingModel } from '../../src/model/embed_model.js';
import { readManifest } from '../../src/model/io.js';
import { loadModel } from '../../src/model/load.js';
import { describeNumeric } from '../../src/model/params.js';
import { escapeRe, headBow, tempDir, xmlc, xmlcInProcess } from './harness.js';

let dir = '', cleanup = async (): Promise<void> => undefined;
const f = (name: string): string => path.join(dir, name);
before(async () => {
  ({ dir, cleanup } = await tempDir('xmlc-encoder-params-'));
  await headBow(BUNDLED_BIBTEX.train, f('train.txt'), 120);
});
after(() => cleanup());

/** Train `method` with `flags` (few epochs, small m, exact search) and return the loaded model and its manifest params. */
async function trainWith(method: string, flags: string[]): Promise<{ model: EmbeddingModel; params: Record<string, unknown> }> {
  const out = f(`model-${method}`);
  const r = await xmlcInProcess(['train', '-q', '--train', f('train.txt'), '--model', out, '--method', method, '--epochs', '2',
    '--embedding-dim', '8', '--index', 'exact', '--decoder-weight', '0.5', '--seed', '1', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  const model = await loadModel(out);
  assert.ok(model instanceof EmbeddingModel);
  return { model, params: (await readManifest(out)).params };
}

/** `--print-params` with `flags`: the parameters as printed. */
async function printed(method: string, flags: string[]): Promise<Record<string, unknown>> {
  const r = await xmlcInProcess(['train', '--print-params', '--method', method, ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Per encoder: flags with non-default values, the encoder config fields they must set, and a check on the trained state. */
const CASES: { method: string; flags: string[]; keys: Record<string, unknown>; config: Record<string, unknown>; state?: (m: EmbeddingModel) => void }[] = [
  {
    method: 'l1ae', flags: ['--depth', '3', '--decoder-matrix', 'learned'],
    keys: { depth: 3, decoderMatrix: 'learned' }, config: { depth: 3, decoderMatrix: 'learned' },
  },
  {
    method: 'l1-sae', flags: ['--l1sae-beta', '0.05', '--l1sae-reductions', '2', '--l1sae-alpha-factor', '0.5'],
    keys: { l1saeBeta: 0.05, l1saeReductions: 2, l1saeAlphaFactor: 0.5, l1saeAlpha0: 'auto' },
    // α0 = 1/β when not given.
    config: { beta: 0.05, reductions: 2, alphaFactor: 0.5, alpha0: 1 / 0.05 },
  },
  {
    method: 'tied-relu', flags: ['--tied-relu-epsilon', 'fixed', '--tied-relu-epsilon-value', '0.25'],
    keys: { tiedReluEpsilon: 'fixed', tiedReluEpsilonValue: 0.25 }, config: { bias: 'fixed', biasInit: 0.25 },
    // A fixed ε stays at its value through training.
    state: (m) => assert.deepEqual([...new Set(m.encoders[0]!.state().arrays['eps'])], [0.25]),
  },
  {
    method: 'deep-l0', flags: ['--deep-l0-lambda', '0.2', '--deep-l0-stages', '3', '--deep-l0-sigma-decay', '4'],
    keys: { deepL0Lambda: 0.2, deepL0Stages: 3, deepL0SigmaDecay: 4 }, config: { lambda: 0.2, stages: 3, sigmaDecay: 4 },
  },
  {
    method: 'm-sparse', flags: ['--m-sparse-m', '2', '--no-m-sparse-train-dictionary'],
    keys: { mSparseM: 2, mSparseTrainDictionary: false }, config: { sparsity: 2, trainDictionary: false },
    // M = 2: every code has at most 2 nonzeros (the default M = 10 would allow up to 8 of m = 8).
    state: (m) => {
      const z = m.encoders[0]!.encode(m.trainLabels), dim = m.encoders[0]!.dim;
      for (let i = 0; i < m.trainLabels.nRows; i++) assert.ok(z.subarray(i * dim, (i + 1) * dim).filter((v) => v !== 0).length <= 2, `row ${i}`);
    },
  },
];

for (const c of CASES) {
  test(`${c.method}: ${c.flags.join(' ')} reaches the encoder, the saved params and --print-params`, async () => {
    const specs = ENCODER_PARAMS[c.method as keyof typeof ENCODER_PARAMS];
    for (const [key, v] of Object.entries(c.keys)) {
      const spec = specs.find((s) => s.key === key)!;
      if (v !== 'auto') assert.notEqual(spec.default, v, `${key}: the test value must differ from the default`);
    }
    const p = await printed(c.method, c.flags);
    for (const [key, v] of Object.entries(c.keys)) assert.equal(p[key], v, key);
    // --print-params shows the chosen method's parameters only.
    for (const [kind, other] of Object.entries(ENCODER_PARAMS)) if (kind !== c.method) for (const s of other) assert.ok(!(s.key in p), s.key);

    const { model, params } = await trainWith(c.method, c.flags);
    try {
      for (const [key, v] of Object.entries(c.keys)) assert.equal(params[key], v, `manifest params.${key}`);
      const config = model.encoders[0]!.state().config;
      for (const [opt, v] of Object.entries(c.config)) assert.equal(config[opt], v, `encoder config ${opt}`);
      c.state?.(model);
    } finally {
      model.dispose();
    }
  });
}

test('every numeric encoder flag out of range is exit 2 naming the flag and its range', async () => {
  for (const [kind, specs] of Object.entries(ENCODER_PARAMS)) {
    for (const s of specs) {
      if (s.type !== 'number') continue;
      const bad = s.range.max !== undefined ? s.range.max + 1 : s.range.min! - 1;
      const flag = paramFlagName(s.key);
      const r = await xmlcInProcess(['train', '--print-params', '--method', kind, `--${flag}`, String(bad)]);
      assert.equal(r.code, 2, `--${flag} ${bad}`);
      assert.match(r.stderr, new RegExp(`--${escapeRe(flag)} must be ${escapeRe(describeNumeric(s.range))} but got ${bad}`));
    }
  }
});

test('an encoder flag for another method, a bad enum value or an out-of-range --params value is exit 2', async () => {
  const other = await xmlcInProcess(['train', '--print-params', '--method', 'pca', '--l1sae-beta', '0.1']);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /--l1sae-beta sets a parameter of --method l1-sae, not of pca/);
  const viaFile = await xmlcInProcess(['train', '--print-params', '--l1sae-beta', '0.1']);
  assert.equal(viaFile.code, 2, 'the default method is l1ae');

  const choice = await xmlcInProcess(['train', '--print-params', '--method', 'tied-relu', '--tied-relu-epsilon', 'sometimes']);
  assert.equal(choice.code, 2);
  assert.match(choice.stderr, /tied-relu-epsilon/);

  const pf = f('params.json');
  await fs.writeFile(pf, JSON.stringify({ method: 'm-sparse', mSparseM: 0 }));
  const range = await xmlcInProcess(['train', '--print-params', '--params', pf]);
  assert.equal(range.code, 2);
  assert.match(range.stderr, /parameter 'mSparseM' must be an integer in \[1, 65536\] but got 0/);
  await fs.writeFile(pf, '{"method": "deep-l0", "deepL0Lamda": 0.1}');
  const typo = await xmlcInProcess(['train', '--print-params', '--params', pf]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown embedding-model training parameter 'deepL0Lamda'/);
  // A --params file's method decides which encoder flags apply; flags override the file.
  await fs.writeFile(pf, JSON.stringify({ method: 'deep-l0', deepL0Lambda: 0.3 }));
  const merged = await xmlcInProcess(['train', '--print-params', '--params', pf, '--deep-l0-stages', '4']);
  assert.equal(merged.code, 0, merged.stderr);
  assert.deepEqual([JSON.parse(merged.stdout).deepL0Lambda, JSON.parse(merged.stdout).deepL0Stages], [0.3, 4]);
});

test('a model saved before encoder parameters existed loads, predicts as it did, and reads the defaults', async () => {
  const fx = fileURLToPath(new URL('../../../test/fixtures/models/m-sparse-pre-schema/', import.meta.url));
  const params = (await readManifest(path.join(fx, 'model'))).params;
  assert.equal(params['mSparseM'], undefined, 'the fixture predates the parameter');
  const model = await loadModel(path.join(fx, 'model'));
  assert.ok(model instanceof EmbeddingModel);
  try {
    assert.equal(model.params['mSparseM'], 10);
    assert.equal(model.encoders[0]!.state().config['sparsity'], 10);
  } finally {
    model.dispose();
  }
  const r = xmlc(['predict', '-q', '--model', path.join(fx, 'model'), '--test', path.join(fx, 'points.txt')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, await fs.readFile(path.join(fx, 'expected.txt'), 'utf8'));
});
