import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { EXIT, userErrorExitCode } from '../cli/xmlc.js';
import { ArchiveError } from '../datasets/zip.js';
import { DataFormatError, InvalidArgumentError, ModelFormatError, ParamsError, TrainingDivergedError, UsageError, XmlcError } from '../src/errors.js';
import { ParamsError as ParamsErrorOfParams } from '../src/model/params.js';
import { ModelPathError } from '../src/model/store.js';
import { LockedError } from '../src/util/lock.js';
import { repoRoot } from './helpers.js';

/** One instance of every error class xmlc raises on purpose, with its parent class and CLI exit code. */
const CLASSES: ReadonlyArray<{ error: XmlcError; parent: new (...args: never[]) => Error; exit: number }> = [
  { error: new XmlcError('x'), parent: Error, exit: EXIT.failure },
  { error: new UsageError('x'), parent: XmlcError, exit: EXIT.usage },
  { error: new ParamsError('x'), parent: UsageError, exit: EXIT.usage },
  { error: new ModelPathError('x'), parent: UsageError, exit: EXIT.usage },
  { error: new InvalidArgumentError('topKRows', 'x'), parent: XmlcError, exit: EXIT.failure },
  { error: new DataFormatError('a.txt', 3, 'x'), parent: XmlcError, exit: EXIT.failure },
  { error: new ModelFormatError('x'), parent: XmlcError, exit: EXIT.failure },
  { error: new TrainingDivergedError('ℓ1-AE', 2, Number.NaN, 0.01), parent: XmlcError, exit: EXIT.failure },
  { error: new ArchiveError('x'), parent: XmlcError, exit: EXIT.failure },
  { error: new LockedError('x'), parent: XmlcError, exit: EXIT.failure },
];

test('errors: every class is an Error and an XmlcError under its documented parent, and is named after itself', () => {
  for (const { error, parent } of CLASSES) {
    const name = error.constructor.name;
    assert.ok(error instanceof XmlcError, name);
    assert.equal(Object.getPrototypeOf(error.constructor), parent, `${name} extends ${parent.name}`);
    assert.equal(error.name, name);
  }
  assert.equal(ParamsErrorOfParams, ParamsError, 'src/model/params.ts re-exports the one ParamsError');
  const e = new InvalidArgumentError('topKRows', "'k' passed to topKRows() must be >= 1 but got 0");
  assert.equal(e.fn, 'topKRows');
  assert.equal(e.message, "'k' passed to topKRows() must be >= 1 but got 0");
  assert.ok(!(e instanceof RangeError) && !(e instanceof UsageError));
});

test('errors: the CLI exit code is 2 for a UsageError, 1 for every other XmlcError and file-system errors, none (internal) otherwise', () => {
  for (const { error, exit } of CLASSES) assert.equal(userErrorExitCode(error), exit, error.name);
  let enoent: unknown;
  try {
    readFileSync(path.join(repoRoot, 'no-such-file.txt'));
  } catch (err) {
    enoent = err;
  }
  assert.equal(userErrorExitCode(enoent), EXIT.failure, 'ENOENT with a path');
  for (const internal of [new RangeError('x'), new TypeError("'k' passed to f() must be 1"), new Error('x'), 'a string', undefined]) {
    assert.equal(userErrorExitCode(internal), undefined, String(internal));
  }
});

/**
 * The only sites in src/, cli/ and datasets/ that construct a plain Error, RangeError or
 * TypeError: internal invariants that only a bug in xmlc can break (callers inside xmlc
 * compute the sizes these check). Every failure a user or library caller can cause uses an
 * XmlcError subclass from src/errors.ts instead.
 */
const INTERNAL_INVARIANTS: Readonly<Record<string, number>> = {
  'src/encoders/l1ae_network.ts': 1, // the fused ℓ1-AE kernels called without the native addon
  'src/engine/native_backend.ts': 1, // a kernel the tfjs CPU backend must have
  'src/engine/optimizers.ts': 1, // NativeAdam without the native addon
  'src/linalg/cholesky.ts': 3, // array sizes from the ridge solver and CoSaMP's least squares
  'src/linalg/dense.ts': 4, // array sizes from the model, kNN, k-means and sensing code
  'src/model/reranked_model.ts': 1, // chooseRerank's callers (MixedModel's hook, chooseOnSplit) pass the fit rows' shortlists when they are needed
  'src/predict/knn_vote.ts': 1, // the vote buffer the strategies allocate
  'src/predict/scores.ts': 1, // the score buffers the strategies allocate
};

function sources(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir), { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.ts$/.test(d.name))
    .map((d) => path.relative(repoRoot, path.join(d.parentPath, d.name)).split(path.sep).join('/'));
}

test('errors: src/, cli/ and datasets/ construct plain Error/RangeError/TypeError only at the listed internal-invariant sites', () => {
  const found: Record<string, number> = {};
  const files = ['src', 'cli', 'datasets'].flatMap(sources);
  assert.ok(files.length > 100, `expected the sources, found ${files.length}`);
  for (const f of files) {
    const n = readFileSync(path.join(repoRoot, f), 'utf8').match(/\bnew\s+(?:Range|Type|Syntax|Reference|Eval)?Error\s*\(/g)?.length ?? 0;
    if (n > 0) found[f] = n;
  }
  assert.deepEqual(found, INTERNAL_INVARIANTS,
    'a user-fixable failure must throw an XmlcError subclass (src/errors.ts); an internal invariant belongs in INTERNAL_INVARIANTS with a reason');
});
