/** The encoders' parameter schema: flags unique, options real, defaults valid, README table generated from it. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { encoderParamsTable, TABLE_END, TABLE_START, withParamsTable } from '../../eval/params_table.js';
import { DEEP_L0_DEFAULTS, L1SAE_DEFAULTS, TIED_RELU_DEFAULTS } from '../../src/encoders/param_schema.js';
import { ENCODER_PARAMS, encoderOptions, encoderOwning, paramFlagName } from '../../src/encoders/param_schema.js';
import { EMBED_DEFAULTS, embedTrainParams, ParamsError } from '../../src/model/params.js';

test('README.md holds the table generated from the schema (node dist/eval/params_table.js --write)', async () => {
  const readme = await fs.readFile(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
  assert.ok(readme.includes(`${TABLE_START}\n${encoderParamsTable()}\n${TABLE_END}`), 'README table out of date: run node dist/eval/params_table.js --write');
  assert.equal(withParamsTable(readme), readme);
  // One row per parameter.
  const n = Object.values(ENCODER_PARAMS).reduce((s, a) => s + a.length, 0);
  assert.equal(encoderParamsTable().split('\n').length, n + 2);
});

test('keys and flags are unique, flags are kebab-case of keys, and each key has one owner', () => {
  const keys = Object.values(ENCODER_PARAMS).flatMap((a) => a.map((s) => s.key));
  assert.equal(new Set(keys).size, keys.length);
  assert.equal(paramFlagName('deepL0Lambda'), 'deep-l0-lambda');
  assert.equal(paramFlagName('mSparseM'), 'm-sparse-m');
  assert.equal(paramFlagName('l1saeBeta'), 'l1sae-beta');
  for (const [kind, specs] of Object.entries(ENCODER_PARAMS)) for (const s of specs) assert.equal(encoderOwning(s.key), kind);
  assert.equal(encoderOwning('embeddingDim'), undefined);
});

test('every option names a field of its encoder\'s config, and the schema defaults are the encoder defaults', () => {
  const configs: Record<string, object> = { 'l1-sae': L1SAE_DEFAULTS, 'tied-relu': TIED_RELU_DEFAULTS, 'deep-l0': DEEP_L0_DEFAULTS, 'm-sparse': DEEP_L0_DEFAULTS };
  for (const [kind, cfg] of Object.entries(configs)) {
    for (const s of ENCODER_PARAMS[kind as keyof typeof ENCODER_PARAMS]) {
      assert.ok(Object.hasOwn(cfg, s.option), `${kind}: ${s.option}`);
      if (s.default !== 'auto') assert.equal(s.default, (cfg as Record<string, unknown>)[s.option], `${kind}: ${s.key}`);
    }
  }
  // The pipeline's defaults hold every encoder parameter with its schema default.
  for (const specs of Object.values(ENCODER_PARAMS)) for (const s of specs) assert.equal(EMBED_DEFAULTS[s.key], s.default, s.key);
  // An 'auto' value is left for the encoder to resolve (α0 = 1/β).
  assert.ok(!('alpha0' in encoderOptions('l1-sae', EMBED_DEFAULTS)));
  assert.equal(encoderOptions('l1-sae', { ...EMBED_DEFAULTS, l1saeAlpha0: 3 })['alpha0'], 3);
  assert.deepEqual(encoderOptions('m-sparse', EMBED_DEFAULTS)['sparsity'], DEEP_L0_DEFAULTS.sparsity);
});

test('embedTrainParams checks every encoder parameter against its schema entry', () => {
  for (const specs of Object.values(ENCODER_PARAMS)) {
    for (const s of specs) {
      const bad = s.type === 'number' ? (s.range.max ?? 0) + 1 : s.type === 'boolean' ? 'yes' : 'neither';
      assert.throws(() => embedTrainParams({ [s.key]: bad }), (e: Error) => e instanceof ParamsError && e.message.startsWith(`parameter '${s.key}' must be`), s.key);
    }
  }
  assert.equal(embedTrainParams({ l1saeAlpha0: 'auto' })['l1saeAlpha0'], 'auto');
  assert.throws(() => embedTrainParams({ depth: 'auto' }), ParamsError);
});
