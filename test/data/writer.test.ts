import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../tmp.js';
import { test } from 'node:test';
import { Rng } from '../../src/util/rng.js';
import { type Csr } from '../../src/data/csr.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { formatDataset, formatFloat32, parseDataset, readDataset, writeDataset, type WriteOptions } from '../../src/data/index.js';
import { repoRoot } from '../helpers.js';
import { InvalidArgumentError } from '../../src/errors.js';

const tmp = tempDir('writer');
test.after(() => fs.rm(tmp, { recursive: true, force: true }));

/** Seeded uniform numbers in [0, 1) for test data (xmlc's own generator). */
function prng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

/** Bitwise equality of two CSR matrices (so -0 ≠ 0). */
function assertSameCsr(a: Csr, b: Csr, what: string): void {
  assert.equal(a.nRows, b.nRows, `${what}: nRows`);
  assert.equal(a.nCols, b.nCols, `${what}: nCols`);
  for (const k of ['rowPtr', 'indices', 'values'] as const) {
    assert.ok(Buffer.from(a[k].buffer, a[k].byteOffset, a[k].byteLength).equals(Buffer.from(b[k].buffer, b[k].byteOffset, b[k].byteLength)), `${what}: ${k} differ`);
  }
}

/** A random sparse matrix: `density` of the entries set, values from `value()` (1 for labels). */
function randomCsr(rnd: () => number, n: number, d: number, density: number, value: () => number): Csr {
  const rowPtr = new Int32Array(n + 1);
  const idx: number[] = [], val: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) if (rnd() < density) { idx.push(j); val.push(value()); }
    rowPtr[i + 1] = idx.length;
  }
  return { nRows: n, nCols: d, rowPtr, indices: Int32Array.from(idx), values: Float32Array.from(val) };
}

/** Values of all kinds: short decimals, random float32 bit patterns (subnormals included), ±0, integers. */
function randomValue(rnd: () => number): number {
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  const kind = Math.floor(rnd() * 5);
  if (kind === 0) return Math.fround(Number((rnd() * 10).toFixed(1 + Math.floor(rnd() * 6))));
  if (kind === 1) { do u[0] = Math.floor(rnd() * 2 ** 32); while (!Number.isFinite(f[0]!)); return f[0]!; }
  if (kind === 2) return rnd() < 0.5 ? -0 : 0;
  if (kind === 3) return Math.floor((rnd() - 0.5) * 1e6);
  return Math.fround((rnd() - 0.3) * 10 ** (Math.floor(rnd() * 16) - 8));
}

function randomData(rnd: () => number, n: number, d: number, l: number, density = 0.2): { features: Csr; labels: Csr } {
  return { features: randomCsr(rnd, n, d, density, () => randomValue(rnd)), labels: randomCsr(rnd, n, l, 0.15, () => 1) };
}

test('formatDataset: exact BoW and LIBSVM text, unlabeled and empty rows', () => {
  const data = {
    // rows: {0:0.1, 2:-3} | {} | {1:2.5e-7}
    features: { nRows: 3, nCols: 3, rowPtr: Int32Array.of(0, 2, 2, 3), indices: Int32Array.of(0, 2, 1), values: Float32Array.of(0.1, -3, 2.5e-7) },
    // rows: {1} | {} | {0,2}
    labels: { nRows: 3, nCols: 4, rowPtr: Int32Array.of(0, 1, 1, 3), indices: Int32Array.of(1, 0, 2), values: Float32Array.of(1, 1, 1) },
  };
  assert.equal(formatDataset(data), '3 3 4\n1 0:0.1 2:-3\n \n0,2 1:2.5e-7\n');
  assert.equal(formatDataset(data, { format: 'libsvm' }), '1 1:0.1 3:-3\n \n0,2 2:2.5e-7\n');
  assert.equal(formatDataset(data, { format: 'libsvm', featureBase: 0, labelBase: 1 }), '2 0:0.1 2:-3\n \n1,3 1:2.5e-7\n');
  const noLabels = { ...data, labels: { ...data.labels, rowPtr: new Int32Array(4), indices: new Int32Array(0), values: new Float32Array(0) } };
  assert.equal(formatDataset(noLabels), '3 3 4\n 0:0.1 2:-3\n \n 1:2.5e-7\n');
  for (const opts of [{}, { format: 'libsvm' as const }]) {
    const back = parseDataset(formatDataset(data, opts), 'x', { nFeatures: 3, nLabels: 4 });
    assertSameCsr(back.features, data.features, 'features');
    assertSameCsr(back.labels, data.labels, 'labels');
  }
});

test('formatDataset refuses data a reader would reject', () => {
  const ok = { nRows: 1, nCols: 3, rowPtr: Int32Array.of(0, 2), indices: Int32Array.of(0, 2), values: Float32Array.of(1, 2) };
  const labels = { nRows: 1, nCols: 2, rowPtr: Int32Array.of(0, 1), indices: Int32Array.of(1), values: Float32Array.of(1) };
  assert.throws(() => formatDataset({ features: { ...ok, indices: Int32Array.of(2, 0) }, labels }), /feature id 0 in row 0 is not greater than the previous id 2/);
  assert.throws(() => formatDataset({ features: { ...ok, indices: Int32Array.of(0, 3) }, labels }), /feature id 3 in row 0 is out of range \[0, 3\)/);
  assert.throws(() => formatDataset({ features: { ...ok, values: Float32Array.of(1, NaN) }, labels }), /non-finite/);
  assert.throws(() => formatDataset({ features: ok, labels: { ...labels, indices: Int32Array.of(2) } }), /label id 2 in row 0 is out of range/);
  assert.throws(() => formatDataset({ features: ok, labels: { ...labels, nRows: 2 } }), /rows/);
  assert.throws(() => formatDataset({ features: ok, labels }, { format: 'csv' as 'bow' }), InvalidArgumentError);
});

test('formatFloat32 gives the shortest decimal that reads back as the same float32', () => {
  // Reference: the first precision p in 1..9 whose toPrecision(p) reads back.
  const reference = (v: number): string => {
    if (Number.isInteger(v) && Math.abs(v) < 2 ** 24) return Object.is(v, -0) ? '-0' : String(v);
    for (let p = 1; p < 9; p++) if (Math.fround(Number(v.toPrecision(p))) === v) return String(Number(v.toPrecision(p)));
    return String(Number(v.toPrecision(9)));
  };
  const rnd = prng(2);
  for (let i = 0; i < 20000; i++) {
    const v = randomValue(rnd);
    const s = formatFloat32(v);
    assert.ok(Object.is(Math.fround(Number(s)), v), `${v} → ${s}`);
    assert.equal(s, reference(v), `${v}`);
  }
  assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
  assert.equal(formatFloat32(Math.fround(0.123456)), '0.123456');
  assert.equal(formatFloat32(1), '1');
  assert.equal(formatFloat32(-0), '-0');
  assert.equal(formatFloat32(Math.fround(3.4028234663852886e38)), '3.4028235e+38');
  assert.equal(formatFloat32(Math.fround(1e-45)), '1e-45');
});

test('write → read round-trips exactly: BoW, LIBSVM, bases, gzip, random data', async () => {
  const rnd = prng(21);
  const cases: [string, WriteOptions, { featureBase?: number; labelBase?: number }][] = [
    ['a.txt', {}, {}],
    ['b.svm', { format: 'libsvm' }, {}],
    ['c.svm.gz', { format: 'libsvm', featureBase: 0, labelBase: 1 }, { featureBase: 0, labelBase: 1 }],
    ['d.txt.gz', {}, {}],
    ['e.bin', { gzip: true }, {}],
    ['f.gz', { gzip: false }, {}],
  ];
  for (let trial = 0; trial < 6; trial++) {
    const data = randomData(rnd, 1 + Math.floor(rnd() * 40), 1 + Math.floor(rnd() * 25), 1 + Math.floor(rnd() * 10));
    for (const [name, wopts, ropts] of cases) {
      const file = path.join(tmp, name);
      await writeDataset(file, data, wopts);
      const head = (await fs.readFile(file)).subarray(0, 2);
      assert.equal(head[0] === 0x1f && head[1] === 0x8b, wopts.gzip ?? name.endsWith('.gz'), `${name}: gzip`);
      const back = await readDataset(file, { ...ropts, nFeatures: data.features.nCols, nLabels: data.labels.nCols });
      assert.equal(back.format, wopts.format ?? 'bow');
      assertSameCsr(back.features, data.features, `${name} features`);
      assertSameCsr(back.labels, data.labels, `${name} labels`);
    }
  }
});

test('a multi-MB round trip (many read chunks, size hint, gzip)', async () => {
  const rnd = prng(5);
  const n = 8000;
  const data = randomData(rnd, n, 800, 30, 0.08);
  for (const name of ['big.txt', 'big.txt.gz']) {
    const file = path.join(tmp, name);
    await writeDataset(file, data);
    const back = await readDataset(file);
    assertSameCsr(back.features, data.features, `${name} features`);
    assertSameCsr(back.labels, data.labels, `${name} labels`);
  }
  const size = (await fs.stat(path.join(tmp, 'big.txt'))).size;
  assert.ok(size > 4.5 * 2 ** 20, `the file (${size} bytes) spans more than one 4 MiB read chunk`);
});

test('the real Bibtex test split round-trips through the writer (BoW, LIBSVM, gzip)', async () => {
  const shared = path.join(repoRoot, '..', 'shared', 'datasets', 'Bibtex', 'Bibtex_test.txt');
  const ds = await readDataset(existsSync(shared) ? shared : BUNDLED_BIBTEX.test);
  assert.equal(ds.features.nRows, 2515);
  for (const [name, opts] of [['bibtex.txt', {}], ['bibtex.svm.gz', { format: 'libsvm' }]] as const) {
    const out = path.join(tmp, name);
    await writeDataset(out, ds, opts);
    const back = await readDataset(out, { nFeatures: ds.features.nCols, nLabels: ds.labels.nCols });
    assertSameCsr(back.features, ds.features, `${name} features`);
    assertSameCsr(back.labels, ds.labels, `${name} labels`);
  }
});

test('writeDataset is atomic: failures leave neither a partial file nor a temporary one', async () => {
  const rnd = prng(1);
  const small = randomData(rnd, 3, 3, 3);
  // A directory that does not exist: throws, creates nothing.
  await assert.rejects(writeDataset(path.join(tmp, 'no', 'such', 'dir.txt'), small), /ENOENT/);
  assert.equal(existsSync(path.join(tmp, 'no')), false);

  const sub = await fs.mkdtemp(path.join(tmp, 'atomic-'));
  const target = path.join(sub, 'ok.txt');
  await writeDataset(target, small);
  const before = await fs.readFile(target);
  // Rows that disagree: refused up front.
  await assert.rejects(writeDataset(path.join(sub, 'bad.txt'), { features: small.features, labels: { ...small.labels, nRows: 9 } }), /rows/);
  // A bad entry in the last row of a large dataset: found after MBs went to the temporary
  // file; it is removed and the existing target keeps its content.
  const big = randomData(rnd, 3000, 400, 10, 0.1);
  const indices = big.features.indices.slice();
  indices[indices.length - 1] = 400;
  for (const name of ['ok.txt', 'new.txt', 'new.txt.gz']) {
    await assert.rejects(writeDataset(path.join(sub, name), { features: { ...big.features, indices }, labels: big.labels }), /feature id 400 in row 2999 is out of range/);
  }
  assert.deepEqual(await fs.readdir(sub), ['ok.txt']);
  assert.ok((await fs.readFile(target)).equals(before));
});

test('writeDataset writes through a symbolic link (the link stays a link); data convert to - writes stdout', async () => {
  const rnd = prng(7);
  const small = randomData(rnd, 4, 5, 3);
  const sub = await fs.mkdtemp(path.join(tmp, 'link-'));
  const real = path.join(sub, 'real.txt'), link = path.join(sub, 'link.txt');
  await fs.writeFile(real, 'old\n');
  await fs.symlink('real.txt', link);
  await writeDataset(link, small);
  assert.ok((await fs.lstat(link)).isSymbolicLink());
  assert.equal(await fs.readFile(real, 'utf8'), formatDataset(small));
  assert.deepEqual((await fs.readdir(sub)).sort(), ['link.txt', 'real.txt']);

  const { spawnSync } = await import('node:child_process');
  const bin = path.join(repoRoot, 'dist', 'cli', 'main.js');
  const r = spawnSync(process.execPath, [bin, 'data', 'convert', real, '-', '--to', 'libsvm', '-q'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, formatDataset(small, { format: 'libsvm' }));
  assert.equal(existsSync('-'), false);
});
