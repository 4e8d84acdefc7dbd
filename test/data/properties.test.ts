import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { csr, type Csr } from '../../src/data/csr.js';
import { type Dataset, formatDataset, parseDataset, type ParseOptions, readDataset, readDatasetStream, writeDataset, type WriteOptions } from '../../src/data/index.js';
import { XmlcError } from '../../src/errors.js';

/**
 * Property-based tests of the data reader and writer (fast-check, seeded through fc.assert's
 * `seed`, so every run checks the same cases and a failure reproduces):
 * (a) write → read of random valid datasets is the identity, bit for bit (BoW and LIBSVM with
 *     random id bases, with and without gzip, empty rows and rows without labels included);
 * (b) on random bytes and on random mutations of valid files, the readers return a well-formed
 *     dataset or throw an XmlcError, nothing else.
 */

const SEED = 20261206;
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-props-'));
test.after(() => fs.rm(tmp, { recursive: true, force: true }));

/** A CSR matrix from rows of (sorted, distinct) column ids and values. */
function toCsr(nCols: number, rows: { ids: number[]; values: number[] }[]): Csr {
  const rowPtr = new Int32Array(rows.length + 1);
  rows.forEach((r, i) => { rowPtr[i + 1] = rowPtr[i]! + r.ids.length; });
  return csr(rows.length, nCols, rowPtr, Int32Array.from(rows.flatMap((r) => r.ids)), Float32Array.from(rows.flatMap((r) => r.values)));
}

/** Random valid datasets: up to 25 points, 40 features, 20 labels; any row may be empty. */
const datasetArb = fc.record({ nFeatures: fc.integer({ min: 0, max: 40 }), nLabels: fc.integer({ min: 0, max: 20 }) }).chain(({ nFeatures, nLabels }) => {
  const ids = (n: number): fc.Arbitrary<number[]> => (n === 0 ? fc.constant([]) : fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: Math.min(n, 12) }).map((a) => a.sort((x, y) => x - y)));
  // Every finite float32, -0 and subnormals included.
  const row = fc.record({ labels: ids(nLabels), features: ids(nFeatures).chain((f) => fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: f.length, maxLength: f.length }).map((v) => ({ ids: f, values: v }))) });
  return fc.array(row, { maxLength: 25 }).map((rows) => ({
    features: toCsr(nFeatures, rows.map((r) => r.features)),
    labels: toCsr(nLabels, rows.map((r) => ({ ids: r.labels, values: r.labels.map(() => 1) }))),
  }));
});

/** How to write: BoW, or LIBSVM with random id bases; gzip or not. */
const writeArb = fc.oneof(
  fc.record({ format: fc.constant<'bow'>('bow'), gzip: fc.boolean() }),
  fc.record({ format: fc.constant<'libsvm'>('libsvm'), featureBase: fc.integer({ min: 0, max: 3 }), labelBase: fc.integer({ min: 0, max: 3 }), gzip: fc.boolean() }),
);

/** The read options that undo `w` for data `d` (LIBSVM has no header: its dimensions are given as minimums). */
function readOptionsFor(w: WriteOptions, d: { features: Csr; labels: Csr }): ParseOptions {
  return w.format === 'bow' ? { format: 'bow' } : { format: 'libsvm', featureBase: w.featureBase!, labelBase: w.labelBase!, nFeatures: d.features.nCols, nLabels: d.labels.nCols };
}

function assertSameCsr(a: Csr, b: Csr, what: string): void {
  assert.equal(a.nRows, b.nRows, `${what}: nRows`);
  assert.equal(a.nCols, b.nCols, `${what}: nCols`);
  assert.deepEqual([...a.rowPtr], [...b.rowPtr], `${what}: rowPtr`);
  assert.deepEqual([...a.indices], [...b.indices], `${what}: indices`);
  // Bit for bit: -0 stays -0.
  a.values.forEach((v, i) => assert.ok(Object.is(v, b.values[i]), `${what}: value ${i}: ${v} vs ${b.values[i]}`));
}

function assertRoundTrip(got: Dataset, want: { features: Csr; labels: Csr }, w: WriteOptions): void {
  assert.equal(got.format, w.format);
  assertSameCsr(got.features, want.features, 'features');
  assertSameCsr(got.labels, want.labels, 'labels');
}

test('(a) formatDataset → parseDataset is the identity (BoW, LIBSVM with bases, gzip)', () => {
  fc.assert(fc.property(datasetArb, writeArb, (d, w) => {
    const text = formatDataset(d, w);
    const bytes = w.gzip ? gzipSync(text) : Buffer.from(text);
    assertRoundTrip(parseDataset(bytes, 'x', readOptionsFor(w, d)), d, w);
    // Auto-detection finds the format written (a LIBSVM file needs at least one line).
    if (w.format === 'bow' || d.features.nRows > 0) assert.equal(parseDataset(bytes, 'x', { ...readOptionsFor(w, d), format: 'auto' }).format, w.format);
  }), { seed: SEED, numRuns: 400 });
});

test('(a) writeDataset → readDataset / readDatasetStream through files is the identity', async () => {
  let k = 0;
  await fc.assert(fc.asyncProperty(datasetArb, writeArb, fc.integer({ min: 1, max: 64 }), async (d, w, chunk) => {
    const file = path.join(tmp, `rt-${k++}.${w.gzip ? 'txt.gz' : 'txt'}`);
    try {
      await writeDataset(file, d, w);
      assertRoundTrip(await readDataset(file, readOptionsFor(w, d)), d, w);
      // The same bytes as a stream in small chunks (lines, BOM checks and gzip headers split anywhere).
      const bytes = await fs.readFile(file);
      const chunks = Readable.from((function* () { for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk); })());
      assertRoundTrip(await readDatasetStream(chunks, 'stream', readOptionsFor(w, d)), d, w);
    } finally {
      await fs.rm(file, { force: true });
    }
  }), { seed: SEED, numRuns: 60 });
});

/** The dataset is well-formed (CSR invariants hold), or the error is one of xmlc's own. */
function wellFormedOrXmlcError(read: () => Dataset): void {
  let ds: Dataset;
  try {
    ds = read();
  } catch (e) {
    assert.ok(e instanceof XmlcError, `not an XmlcError: ${(e as Error)?.stack ?? String(e)}`);
    return;
  }
  for (const m of [ds.features, ds.labels]) csr(m.nRows, m.nCols, m.rowPtr, m.indices, m.values);
  assert.ok(ds.features.values.every(Number.isFinite));
  assert.ok(ds.features.nCols <= 0x7fffffff && ds.labels.nCols <= 0x7fffffff);
}

const optionsArb = fc.record({ format: fc.constantFrom<ParseOptions['format']>('auto', 'bow', 'libsvm'), featureBase: fc.integer({ min: 0, max: 2 }), labelBase: fc.integer({ min: 0, max: 2 }) });

// Pieces that matter to the parser, spliced into valid files.
const TOKENS = ['\0', '\ufeff', '\r', '\n', '\r\n', ' ', '\t', ':', ',', '-', '+', '.', 'e', 'e-', 'NaN', 'inf', '1e39', '0x1', '99999999999999999999', '2147483647', '2147483648', '4294967296', '\xff', '\u00e9', '1f8b', '\x1f\x8b'];

/** Random edits of a byte string: flips, insertions of parser-relevant tokens, deletions, truncation. */
const mutationArb = fc.array(fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
), { minLength: 1, maxLength: 6 });

function mutate(bytes: Buffer, edits: { kind: string; at: number; byte?: number; token?: string; length?: number }[]): Buffer {
  let b = bytes;
  for (const m of edits) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    if (m.kind === 'flip' && b.length > 0) { b = Buffer.from(b); b[at % b.length] = m.byte!; }
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(m.token!, m.token === '\xff' || m.token === '\x1f\x8b' ? 'latin1' : 'utf8'), b.subarray(at)]);
    else if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length!)]);
    else if (m.kind === 'truncate') b = b.subarray(0, at);
  }
  return b;
}

test('(b) parseDataset on random bytes returns a well-formed dataset or throws an XmlcError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), optionsArb, (bytes, o) => {
    wellFormedOrXmlcError(() => parseDataset(bytes, 'random', o));
    // With a gzip header in front: corrupt gzip data, an XmlcError too.
    wellFormedOrXmlcError(() => parseDataset(Buffer.concat([Buffer.from([0x1f, 0x8b]), bytes]), 'random.gz', o));
  }), { seed: SEED, numRuns: 2000 });
});

test('(b) parseDataset on random mutations of valid files (plain and gzip) returns a well-formed dataset or throws an XmlcError', () => {
  fc.assert(fc.property(datasetArb, writeArb, mutationArb, optionsArb, fc.boolean(), (d, w, edits, o, mutateCompressed) => {
    const text = Buffer.from(formatDataset(d, w));
    const bytes = w.gzip ? (mutateCompressed ? mutate(gzipSync(text), edits) : gzipSync(mutate(text, edits))) : mutate(text, edits);
    wellFormedOrXmlcError(() => parseDataset(bytes, 'mutated', o));
    wellFormedOrXmlcError(() => parseDataset(bytes, 'mutated', readOptionsFor(w, d)));
  }), { seed: SEED, numRuns: 2000 });
});

test('(b) readDataset and readDatasetStream on random and mutated bytes resolve or reject with an XmlcError', async () => {
  let k = 0;
  const bytesArb = fc.oneof(fc.uint8Array({ maxLength: 4096 }).map((a) => Buffer.from(a)),
    fc.tuple(datasetArb, writeArb, mutationArb).map(([d, w, edits]) => (w.gzip ? gzipSync(mutate(Buffer.from(formatDataset(d, w)), edits)) : mutate(Buffer.from(formatDataset(d, w)), edits))));
  await fc.assert(fc.asyncProperty(bytesArb, optionsArb, fc.integer({ min: 1, max: 512 }), async (bytes, o, chunk) => {
    const file = path.join(tmp, `fuzz-${k++}`);
    await fs.writeFile(file, bytes);
    try {
      for (const read of [() => readDataset(file, o), () => readDatasetStream(Readable.from((function* () { for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk); })()), 'stream', o)]) {
        let ds: Dataset | undefined;
        try { ds = await read(); } catch (e) { assert.ok(e instanceof XmlcError, `not an XmlcError: ${(e as Error)?.stack ?? String(e)}`); }
        if (ds) wellFormedOrXmlcError(() => ds!);
      }
    } finally {
      await fs.rm(file, { force: true });
    }
  }), { seed: SEED, numRuns: 300 });
});
