import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { type Csr, fromDense } from '../../src/data/csr.js';
import { formatDataset, formatFloat32, parseDataset, readDataset, writeDataset } from '../../src/data/index.js';
import { DataFormatError, XmlcError } from '../../src/errors.js';
import { Rng } from '../../src/util/rng.js';
import { repoRoot } from '../helpers.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { gunzipSync } from 'node:zlib';

const fixtures = path.join(repoRoot, 'test', 'fixtures');
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-reader-'));

function arrays(m: Csr): unknown {
  return { nRows: m.nRows, nCols: m.nCols, rowPtr: [...m.rowPtr], indices: [...m.indices], values: [...m.values] };
}

// The fixture, by hand (rows: labels | features):
//   0: {0,2} | 1:0.5 3:2
//   1: {}    | 0:1 5:-1.25     (no labels: the line starts with a space)
//   2: {1}   | (no features)
//   3: {2,1} | 4:3 2:0.25      (unsorted in the file: sorted on reading)
const expectedFeatures = { nRows: 4, nCols: 6, rowPtr: [0, 2, 4, 4, 6], indices: [1, 3, 0, 5, 2, 4], values: [0.5, 2, 1, -1.25, 0.25, 3] };
const expectedLabels = { nRows: 4, nCols: 3, rowPtr: [0, 2, 2, 3, 5], indices: [0, 2, 1, 1, 2], values: [1, 1, 1, 1, 1] };

test('BoW fixture: hand-checked CSR, rows without labels or features kept', async () => {
  const ds = await readDataset(path.join(fixtures, 'valid', 'small_bow.txt'));
  assert.equal(ds.format, 'bow');
  assert.deepEqual(arrays(ds.features), expectedFeatures);
  assert.deepEqual(arrays(ds.labels), expectedLabels);
});

test('gzip input (by magic bytes, with or without .gz) gives the identical dataset', async () => {
  const plain = await readDataset(path.join(fixtures, 'valid', 'small_bow.txt'));
  for (const name of ['small_bow.txt.gz', 'small_bow_gz_without_extension']) {
    const gz = await readDataset(path.join(fixtures, 'valid', name));
    assert.deepEqual(arrays(gz.features), arrays(plain.features));
    assert.deepEqual(arrays(gz.labels), arrays(plain.labels));
  }
});

test('LIBSVM fixture with CRLF: auto-detected, 1-based features, trailing blank line ignored', async () => {
  const ds = await readDataset(path.join(fixtures, 'valid', 'small_libsvm_crlf.txt'));
  assert.equal(ds.format, 'libsvm');
  assert.deepEqual(arrays(ds.features), expectedFeatures);
  assert.deepEqual(arrays(ds.labels), expectedLabels);
  // Other bases: features 0-based widens the feature space by one; labels 1-based shifts them down.
  const zero = parseDataset('2 0:1 3:2\n', 'x', { featureBase: 0, labelBase: 1 });
  assert.deepEqual(arrays(zero.features), { nRows: 1, nCols: 4, rowPtr: [0, 2], indices: [0, 3], values: [1, 2] });
  assert.deepEqual([...zero.labels.indices], [1]);
  assert.throws(() => parseDataset('0 1:1\n', 'x', { labelBase: 1 }), /label id 0 is below the first label id 1/);
  // Minimum dimensions align a test file with a model's.
  const wide = parseDataset('0 1:1\n', 'x', { nFeatures: 50, nLabels: 7 });
  assert.equal(wide.features.nCols, 50);
  assert.equal(wide.labels.nCols, 7);
  // Forcing LIBSVM on a BoW file fails on the header line.
  await assert.rejects(readDataset(path.join(fixtures, 'valid', 'small_bow.txt'), { format: 'libsvm' }), /small_bow.txt:1: malformed feature `6`/);
});

test('every file of the malformed corpus is rejected with file, line and message', async () => {
  const dir = path.join(fixtures, 'malformed');
  const expected = JSON.parse(await fs.readFile(path.join(dir, 'expected.json'), 'utf8')) as Record<string, { line: number; message: string; format?: 'bow' }>;
  const files = (await fs.readdir(dir)).filter((f) => f !== 'expected.json').sort();
  assert.deepEqual(files, Object.keys(expected).sort(), 'every corpus file has an expectation and vice versa');
  for (const f of files) {
    const exp = expected[f]!;
    const file = path.join(dir, f);
    await assert.rejects(readDataset(file, exp.format ? { format: exp.format } : {}), (e: unknown) => {
      assert.ok(e instanceof DataFormatError, `${f}: expected DataFormatError, got ${String(e)}`);
      assert.equal(e.file, file, f);
      assert.equal(e.line, exp.line, `${f}: line (${e.message})`);
      assert.ok(e.detail.includes(exp.message), `${f}: message ${JSON.stringify(e.detail)} should contain ${JSON.stringify(exp.message)}`);
      assert.equal(e.message, exp.line > 0 ? `${file}:${exp.line}: ${e.detail}` : `${file}: ${e.detail}`);
      return true;
    });
  }
});

test('missing files, directories and corrupt gzip give clear errors', async () => {
  await assert.rejects(readDataset(path.join(tmp, 'nope.txt')), (e: unknown) => e instanceof XmlcError && /nope.txt: no such file/.test(e.message));
  await assert.rejects(readDataset(tmp), /is a directory/);
  const gz = await fs.readFile(path.join(fixtures, 'valid', 'small_bow.txt.gz'));
  const corrupt = path.join(tmp, 'corrupt.gz');
  await fs.writeFile(corrupt, Buffer.concat([gz.subarray(0, 12), Buffer.from('garbage garbage garbage')]));
  await assert.rejects(readDataset(corrupt), /corrupt\.gz: corrupt gzip data/);
});

test('a line split across chunk boundaries parses the same (1-byte chunks)', async () => {
  const text = await fs.readFile(path.join(fixtures, 'valid', 'small_bow.txt'));
  const { DatasetParser } = await import('../../src/data/index.js');
  const p = new DatasetParser('bytes');
  for (let i = 0; i < text.length; i++) p.feed(text.subarray(i, i + 1));
  const ds = p.finish();
  assert.deepEqual(arrays(ds.features), expectedFeatures);
  assert.deepEqual(arrays(ds.labels), expectedLabels);
});

test('values equal Math.fround(parseFloat(token)) on varied number forms', () => {
  const tokens = ['1', '0.5', '-2.75', '+3', '.25', '5.', '1e-3', '2.5E+2', '0.1', '0.333333333333333333', '123456789012345678', '3.4028234e38', '1.17549435e-38', '1e-50', '0.000001234', '7.000000', '-0'];
  const line = '0 ' + tokens.map((t, i) => `${i}:${t}`).join(' ') + '\n';
  const ds = parseDataset(line, 'numbers', { featureBase: 0 });
  tokens.forEach((t, i) => assert.ok(Object.is(ds.features.values[i], Math.fround(parseFloat(t))), `${t}: ${ds.features.values[i]}`));
});

function randomData(rng: Rng, n: number, d: number, l: number): { features: Csr; labels: Csr } {
  const X = new Float64Array(n * d), Y = new Float64Array(n * l);
  for (let i = 0; i < n * d; i++) if (rng.next() < 0.2) X[i] = Math.fround((rng.next() - 0.3) * 10 ** (rng.int(8) - 4));
  for (let i = 0; i < n * l; i++) if (rng.next() < 0.15) Y[i] = 1;
  return { features: fromDense(n, d, X), labels: fromDense(n, l, Y) };
}

test('write → read round-trips exactly: BoW, LIBSVM, gzip, random data', async () => {
  const rng = new Rng(21);
  for (let trial = 0; trial < 5; trial++) {
    const data = randomData(rng, 1 + rng.int(30), 1 + rng.int(20), 1 + rng.int(10));
    for (const [name, opts] of [['a.txt', {}], ['b.svm', { format: 'libsvm' as const }], ['c.svm.gz', { format: 'libsvm' as const, featureBase: 0, labelBase: 1 }], ['d.txt.gz', {}]] as const) {
      const file = path.join(tmp, name);
      await writeDataset(file, data, opts);
      const back = await readDataset(file, {
        ...('featureBase' in opts ? { featureBase: opts.featureBase, labelBase: opts.labelBase } : {}),
        nFeatures: data.features.nCols, nLabels: data.labels.nCols,
      });
      assert.deepEqual(arrays(back.features), arrays(data.features), name);
      assert.deepEqual(arrays(back.labels), arrays(data.labels), name);
    }
  }
  assert.equal(formatDataset(fromDenseData()), '2 2 2\n1 0:0.1\n \n');
  function fromDenseData(): { features: Csr; labels: Csr } {
    return { features: fromDense(2, 2, [0.1, 0, 0, 0]), labels: fromDense(2, 2, [0, 1, 0, 0]) };
  }
});

test('formatFloat32 gives the shortest decimal that reads back as the same float32', () => {
  const rng = new Rng(2);
  for (let i = 0; i < 2000; i++) {
    const v = Math.fround((rng.next() - 0.5) * 10 ** (rng.int(20) - 10));
    const s = formatFloat32(v);
    assert.equal(Math.fround(Number(s)), v);
    // Significant digits of s: no sign, exponent or point, no leading or trailing zeros.
    const digits = s.replace(/^-|e.*$|\./g, '').replace(/^0+/, '').replace(/0+$/, '').length;
    if (digits > 1) {
      // One digit fewer does not round-trip.
      const shorter = v.toPrecision(digits - 1);
      assert.notEqual(Math.fround(Number(shorter)), v, `${s} could be ${shorter}`);
    }
  }
  assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
  assert.equal(formatFloat32(1), '1');
});

test('the real Bibtex test split (bundled): header counts, round trip through the writer', async () => {
  const file = BUNDLED_BIBTEX.test;
  const ds = await readDataset(file);
  assert.equal(ds.features.nRows, 2515);
  assert.equal(ds.features.nCols, 1836);
  assert.equal(ds.labels.nCols, 159);
  // Spot-check the first line's tokens against parseFloat.
  const text = gunzipSync(await fs.readFile(file)).toString('utf8');
  const first = text.split('\n')[1]!.trim().split(' ');
  const feats = first.filter((t) => t.includes(':'));
  feats.forEach((t, j) => {
    const [id, v] = t.split(':');
    assert.equal(ds.features.indices[j], Number(id));
    assert.equal(ds.features.values[j], Math.fround(parseFloat(v!)));
  });
  const out = path.join(tmp, 'bibtex_copy.txt.gz');
  await writeDataset(out, ds);
  const back = await readDataset(out);
  assert.deepEqual(arrays(back.features), arrays(ds.features));
  assert.deepEqual(arrays(back.labels), arrays(ds.labels));
});

test('writeDataset is atomic: a bad directory throws and leaves nothing behind', async () => {
  const data = randomData(new Rng(1), 3, 3, 3);
  await assert.rejects(writeDataset(path.join(tmp, 'no', 'such', 'dir.txt'), data));
  const sub = await fs.mkdtemp(path.join(tmp, 'atomic-'));
  await writeDataset(path.join(sub, 'ok.txt'), data);
  await assert.rejects(writeDataset(path.join(sub, 'bad.txt'), { features: data.features, labels: { ...data.labels, nRows: 9 } }), /rows/);
  assert.deepEqual(await fs.readdir(sub), ['ok.txt']);
});
