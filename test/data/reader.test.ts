import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../tmp.js';
import { test } from 'node:test';
import { Rng } from '../../src/util/rng.js';
import { gunzipSync } from 'node:zlib';
import { type Csr } from '../../src/data/csr.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { DatasetParser, parseDataset, readDataset, type ReadOptions } from '../../src/data/index.js';
import { DataFormatError, InvalidArgumentError, XmlcError } from '../../src/errors.js';
import { repoRoot } from '../helpers.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures');
const tmp = tempDir('reader');
test.after(() => fs.rm(tmp, { recursive: true, force: true }));

function arrays(m: Csr): unknown {
  return { nRows: m.nRows, nCols: m.nCols, rowPtr: [...m.rowPtr], indices: [...m.indices], values: [...m.values] };
}

/** Bitwise equality of two CSR matrices (so -0 ≠ 0). */
function assertSameCsr(a: Csr, b: Csr, what: string): void {
  assert.equal(a.nRows, b.nRows, `${what}: nRows`);
  assert.equal(a.nCols, b.nCols, `${what}: nCols`);
  for (const k of ['rowPtr', 'indices', 'values'] as const) {
    assert.ok(Buffer.from(a[k].buffer, a[k].byteOffset, a[k].byteLength).equals(Buffer.from(b[k].buffer, b[k].byteOffset, b[k].byteLength)), `${what}: ${k} differ`);
  }
}

/** Seeded uniform numbers in [0, 1) for test data (xmlc's own generator). */
function prng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

// The fixture, by hand (rows: labels | features):
//   0: {0,2} | 1:0.5 3:2
//   1: {}    | 0:1 5:-1.25     (no labels: the line starts with a space)
//   2: {1}   | (no features)
//   3: {2,1} | 4:3 2:0.25      (unsorted in the file: sorted on reading)
const expectedFeatures = { nRows: 4, nCols: 6, rowPtr: [0, 2, 4, 4, 6], indices: [1, 3, 0, 5, 2, 4], values: [0.5, 2, 1, -1.25, 0.25, 3] };
const expectedLabels = { nRows: 4, nCols: 3, rowPtr: [0, 2, 2, 3, 5], indices: [0, 2, 1, 1, 2], values: [1, 1, 1, 1, 1] };

test('BoW fixture: hand-checked CSR, rows without labels or features kept', async () => {
  const file = path.join(fixtures, 'valid', 'small_bow.txt');
  const ds = await readDataset(file);
  assert.equal(ds.format, 'bow');
  assert.equal(ds.source, file);
  assert.deepEqual(arrays(ds.features), expectedFeatures);
  assert.deepEqual(arrays(ds.labels), expectedLabels);
  assert.ok(ds.labels.values instanceof Float32Array && ds.features.indices instanceof Int32Array);
});

test('gzip input (by magic bytes, with or without .gz) gives the identical dataset', async () => {
  const plain = await readDataset(path.join(fixtures, 'valid', 'small_bow.txt'));
  for (const name of ['small_bow.txt.gz', 'small_bow_gz_without_extension']) {
    const gz = await readDataset(path.join(fixtures, 'valid', name));
    assert.equal(gz.format, 'bow');
    assertSameCsr(gz.features, plain.features, name);
    assertSameCsr(gz.labels, plain.labels, name);
    const inMemory = parseDataset(await fs.readFile(path.join(fixtures, 'valid', name)), name);
    assertSameCsr(inMemory.features, plain.features, `${name} in memory`);
  }
});

test('LIBSVM fixture with CRLF: auto-detected, 1-based features, trailing blank line ignored', async () => {
  const ds = await readDataset(path.join(fixtures, 'valid', 'small_libsvm_crlf.txt'));
  assert.equal(ds.format, 'libsvm');
  assert.deepEqual(arrays(ds.features), expectedFeatures);
  assert.deepEqual(arrays(ds.labels), expectedLabels);
  // Forcing LIBSVM on a BoW file fails on the header line.
  await assert.rejects(readDataset(path.join(fixtures, 'valid', 'small_bow.txt'), { format: 'libsvm' }), /small_bow\.txt:1: malformed feature `6`/);
});

test('featureBase / labelBase / nFeatures / nLabels options (LIBSVM)', () => {
  // Features 0-based widens the feature space by one; labels 1-based shift down.
  const zero = parseDataset('2 0:1 3:2\n', 'x', { featureBase: 0, labelBase: 1 });
  assert.deepEqual(arrays(zero.features), { nRows: 1, nCols: 4, rowPtr: [0, 2], indices: [0, 3], values: [1, 2] });
  assert.deepEqual(arrays(zero.labels), { nRows: 1, nCols: 2, rowPtr: [0, 1], indices: [1], values: [1] });
  const high = parseDataset('12,10 5:1\n', 'x', { featureBase: 5, labelBase: 10 });
  assert.deepEqual([...high.features.indices], [0]);
  assert.deepEqual([...high.labels.indices], [0, 2]);
  assert.throws(() => parseDataset('0 1:1\n', 'x', { labelBase: 1 }), /x:1: label id 0 is below the first label id 1/);
  assert.throws(() => parseDataset('0 4:1\n', 'x', { featureBase: 5 }), /x:1: feature id 4 is below the first feature id 5/);
  // Minimum dimensions align a test file with a model's; they never narrow.
  const wide = parseDataset('0 1:1\n', 'x', { nFeatures: 50, nLabels: 7 });
  assert.equal(wide.features.nCols, 50);
  assert.equal(wide.labels.nCols, 7);
  const narrow = parseDataset('6 9:1\n', 'x', { nFeatures: 2, nLabels: 2 });
  assert.equal(narrow.features.nCols, 9);
  assert.equal(narrow.labels.nCols, 7);
  // Bases do not apply to BoW (always 0-based).
  const bow = parseDataset('1 3 2\n0 0:1\n', 'x', { featureBase: 1, labelBase: 1 });
  assert.deepEqual([...bow.features.indices], [0]);
  assert.deepEqual([...bow.labels.indices], [0]);
  assert.throws(() => parseDataset('0 1:1\n', 'x', { featureBase: -1 }), InvalidArgumentError);
});

test('auto-detection: a first line of three integers is a BoW header, anything else LIBSVM', () => {
  assert.equal(parseDataset('1 3 2\n0 1:1\n', 'x').format, 'bow');
  assert.equal(parseDataset('\n\n1\t3  2 \r\n0 1:1\n', 'x').format, 'bow'); // leading empty lines, tabs, CRLF
  assert.equal(parseDataset('0 1:1\n', 'x').format, 'libsvm');
  assert.equal(parseDataset('1,2 3:1\n', 'x').format, 'libsvm');
  assert.equal(parseDataset('5\n', 'x').format, 'libsvm'); // a point with one label, no features
  assert.equal(parseDataset(' 3:1\n', 'x').format, 'libsvm');
  // Explicit formats override detection.
  assert.throws(() => parseDataset('0 1:1\n', 'x', { format: 'bow' }), (e: unknown) => e instanceof DataFormatError && e.line === 1 && /missing or bad header/.test(e.detail));
  assert.throws(() => parseDataset('1 1 1\n', 'x', { format: 'bow' }), /header says 1 points but the file has only 0/);
  assert.equal(parseDataset('', 'x', { format: 'libsvm' }).features.nRows, 0);
  assert.throws(() => parseDataset('', 'x'), /x: the file is empty/);
  assert.throws(() => parseDataset('1 1 1\n', 'x', { format: 'csv' as 'bow' }), InvalidArgumentError);
});

test('blank lines: BoW empty points while the header expects them, trailing ones ignored; LIBSVM', () => {
  // BoW: an empty or whitespace-only line is a point with no labels and no features ...
  const bow = parseDataset('4 3 2\n0 1:1\n\n \t\r\n1 2:1\n', 'x');
  assert.deepEqual([...bow.features.rowPtr], [0, 1, 1, 1, 2]);
  assert.deepEqual([...bow.labels.rowPtr], [0, 1, 1, 1, 2]);
  // ... including a last point written as an empty line ...
  const last = parseDataset('2 3 2\n0 1:1\n\n', 'x');
  assert.equal(last.features.nRows, 2);
  // ... and after the N points blank lines are ignored.
  const trailing = parseDataset('1 3 2\n0 1:1\n\n  \r\n\n', 'x');
  assert.equal(trailing.features.nRows, 1);
  assert.throws(() => parseDataset('1 3 2\n0 1:1\n\n1 2:1\n', 'x'), (e: unknown) => e instanceof DataFormatError && e.line === 4 && /found more at line 4/.test(e.detail));
  // LIBSVM: whitespace-only lines are empty points; empty lines count only between data lines.
  const svm = parseDataset('\n\n1 1:1\n\n2 2:1\n \n\n\n', 'x');
  assert.deepEqual([...svm.features.rowPtr], [0, 1, 1, 2, 2]);
  assert.deepEqual([...svm.labels.indices], [1, 2]);
});

test('separators: tabs, repeated and trailing spaces, CRLF, no final newline', () => {
  const ds = parseDataset('2 5 3\r\n2,0\t 4:1.5  1:2 \t\r\n 0:-1', 'x');
  assert.deepEqual(arrays(ds.features), { nRows: 2, nCols: 5, rowPtr: [0, 2, 3], indices: [1, 4, 0], values: [2, 1.5, -1] });
  assert.deepEqual(arrays(ds.labels), { nRows: 2, nCols: 3, rowPtr: [0, 2, 2], indices: [0, 2], values: [1, 1] });
  // Labels alone; a row's first token with a colon is a feature (no labels) in LIBSVM.
  const svm = parseDataset('3,1\n1:1 2:2\n', 'x');
  assert.deepEqual([...svm.labels.rowPtr], [0, 2, 2]);
  assert.deepEqual([...svm.features.rowPtr], [0, 0, 2]);
});

test('every file of the malformed corpus is rejected with file, line and message', async () => {
  const dir = path.join(fixtures, 'malformed');
  type Expectation = { line: number; message: string; options?: ReadOptions };
  const expected = JSON.parse(await fs.readFile(path.join(dir, 'expected.json'), 'utf8')) as Record<string, Expectation>;
  const files = (await fs.readdir(dir)).filter((f) => f !== 'expected.json').sort();
  assert.deepEqual(files, Object.keys(expected).sort(), 'every corpus file has an expectation and vice versa');
  for (const f of files) {
    const exp = expected[f]!;
    const file = path.join(dir, f);
    await assert.rejects(readDataset(file, exp.options ?? {}), (e: unknown) => {
      assert.ok(e instanceof DataFormatError, `${f}: expected DataFormatError, got ${String(e)}`);
      assert.equal(e.file, file, f);
      assert.equal(e.line, exp.line, `${f}: line (${e.message})`);
      assert.match(e.detail, new RegExp(exp.message), f);
      assert.equal(e.message, exp.line > 0 ? `${file}:${exp.line}: ${e.detail}` : `${file}: ${e.detail}`);
      return true;
    });
    // The in-memory parser agrees.
    const bytes = await fs.readFile(file);
    assert.throws(() => parseDataset(bytes, f, exp.options ?? {}), (e: unknown) => e instanceof DataFormatError && e.file === f && e.line === exp.line, f);
  }
});

test('missing files, directories and corrupt gzip give clear errors', async () => {
  await assert.rejects(readDataset(path.join(tmp, 'nope.txt')), (e: unknown) => e instanceof XmlcError && !(e instanceof DataFormatError) && /^cannot read .*nope\.txt: no such file$/.test(e.message));
  await assert.rejects(readDataset(tmp), /is a directory/);
  const gz = await fs.readFile(path.join(fixtures, 'valid', 'small_bow.txt.gz'));
  const corrupt = path.join(tmp, 'corrupt.gz');
  await fs.writeFile(corrupt, Buffer.concat([gz.subarray(0, 12), Buffer.from('garbage garbage garbage')]));
  await assert.rejects(readDataset(corrupt), /corrupt\.gz: corrupt gzip data/);
});

test('lines split across chunk boundaries parse the same (1-byte chunks; size hint midway)', async () => {
  const text = await fs.readFile(path.join(fixtures, 'valid', 'small_bow.txt'));
  const p = new DatasetParser('bytes');
  for (let i = 0; i < text.length; i++) {
    p.feed(text.subarray(i, i + 1));
    if (i === 20) p.sizeHint(text.length);
  }
  const ds = p.finish();
  assert.deepEqual(arrays(ds.features), expectedFeatures);
  assert.deepEqual(arrays(ds.labels), expectedLabels);
});

test('values equal Math.fround(parseFloat(token)) on varied and random number forms', () => {
  const tokens = ['1', '0.5', '-2.75', '+3', '.25', '5.', '1e-3', '2.5E+2', '0.1', '0.333333333333333333', '123456789012345678',
    '3.4028234e38', '1.17549435e-38', '1e-50', '0.000001234', '7.000000', '-0', '0.0000000000000000000001', '0.00000000000000000000001',
    '999999999999999', '9999999999999999', '1.00000000000000000001', '0.30000000000000004'];
  // Random decimals around the fast path's limits (15 digits, 22 fraction digits).
  const rnd = prng(7);
  for (let i = 0; i < 3000; i++) {
    const intDigits = Math.floor(rnd() * 8), fracDigits = Math.floor(rnd() * 25);
    let t = rnd() < 0.3 ? '-' : '';
    for (let k = 0; k < intDigits; k++) t += Math.floor(rnd() * 10);
    if (fracDigits > 0 || intDigits === 0) t += '.';
    for (let k = 0; k < Math.max(fracDigits, intDigits === 0 ? 1 : 0); k++) t += Math.floor(rnd() * 10);
    tokens.push(t);
  }
  const line = '0 ' + tokens.map((t, i) => `${i}:${t}`).join(' ') + '\n';
  const ds = parseDataset(line, 'numbers', { featureBase: 0 });
  assert.equal(ds.features.values.length, tokens.length);
  tokens.forEach((t, i) => assert.ok(Object.is(ds.features.values[i], Math.fround(parseFloat(t))), `${t}: ${ds.features.values[i]}`));
});

test('the real Bibtex test split: header counts, values equal Math.fround(parseFloat) on sampled tokens', async () => {
  const file = BUNDLED_BIBTEX.test;
  const ds = await readDataset(file);
  assert.equal(ds.format, 'bow');
  assert.equal(ds.features.nRows, 2515);
  assert.equal(ds.labels.nRows, 2515);
  assert.equal(ds.features.nCols, 1836);
  assert.equal(ds.labels.nCols, 159);
  const lines = gunzipSync(await fs.readFile(file)).toString('utf8').split('\n');
  assert.equal(lines[0]!.trim(), '2515 1836 159');
  let checked = 0;
  for (let i = 0; i < 2515; i += 97) {
    const tokens = lines[i + 1]!.trim().split(' ');
    const labels = tokens[0]!.includes(':') ? [] : tokens.shift()!.split(',').map(Number).sort((a, b) => a - b);
    const r = ds.labels.rowPtr[i]!;
    assert.deepEqual([...ds.labels.indices.subarray(r, ds.labels.rowPtr[i + 1])], labels, `row ${i} labels`);
    const f = ds.features.rowPtr[i]!;
    assert.equal(ds.features.rowPtr[i + 1]! - f, tokens.length, `row ${i} feature count`);
    tokens.forEach((t, j) => {
      const [id, v] = t.split(':');
      assert.equal(ds.features.indices[f + j], Number(id));
      assert.equal(ds.features.values[f + j], Math.fround(parseFloat(v!)));
      checked++;
    });
  }
  assert.ok(checked > 500);
});

const sharedBibtex = path.join(repoRoot, '..', 'shared', 'datasets', 'Bibtex', 'Bibtex_test.txt');
test('the shared uncompressed Bibtex_test.txt reads the same as the bundled copy', { skip: !existsSync(sharedBibtex) && 'shared datasets not present' }, async () => {
  const [a, b] = await Promise.all([readDataset(sharedBibtex), readDataset(BUNDLED_BIBTEX.test)]);
  assertSameCsr(a.features, b.features, 'features');
  assertSameCsr(a.labels, b.labels, 'labels');
});

test('onProgress reports raw bytes, non-decreasing, ending at the file size', async () => {
  const file = BUNDLED_BIBTEX.train;
  const size = (await fs.stat(file)).size;
  const calls: [number, number][] = [];
  await readDataset(file, { onProgress: (done, total) => calls.push([done, total]) });
  assert.ok(calls.length >= 1);
  assert.deepEqual(calls.at(-1), [size, size]);
  for (let i = 1; i < calls.length; i++) assert.ok(calls[i]![0] >= calls[i - 1]![0]);
});
