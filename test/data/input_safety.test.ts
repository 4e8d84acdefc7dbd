import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync, promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { datasetStats } from '../../src/data/stats.js';
import { DatasetParser, parseDataset, readDataset, readDatasetStream } from '../../src/data/index.js';
import { MAX_LINE_BYTES } from '../../src/data/parser.js';
import { DataFormatError, XmlcError } from '../../src/errors.js';

/**
 * Issue 13, data side of items 5, 6 and 9: only regular files or standard input are read,
 * memory follows the data rather than a header's counts, byte-order marks, NUL bytes, endless
 * lines and ids beyond Int32.
 */

const bin = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
/** Run the CLI; `stdin` is a string/Buffer to pipe in, or a file descriptor. The timeout only guards against a hang. */
function xmlc(args: string[], stdin?: string | Buffer | number): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8', timeout: 60_000,
    ...(typeof stdin === 'number' ? { stdio: [stdin, 'pipe', 'pipe'] } : stdin !== undefined ? { input: stdin } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-input-'));
test.after(() => fs.rm(tmp, { recursive: true, force: true }));

/** A stream of `bytes` in chunks of `size` bytes. */
const chunked = (bytes: Uint8Array, size: number): Readable => Readable.from((function* () {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
})());

const SMALL = '2 4 3\n0,2 1:0.5 3:2\n1 0:1\n';

test('a directory, a device, a FIFO, a socket and a symlink to /dev/zero are refused at once, naming the path', async () => {
  const fifo = path.join(tmp, 'fifo');
  const haveFifo = spawnSync('mkfifo', [fifo]).status === 0;
  const sock = path.join(tmp, 'sock');
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(sock, r));
  const link = path.join(tmp, 'zero-link');
  await fs.symlink('/dev/zero', link);
  try {
    const cases: [string, RegExp][] = [[tmp, /it is a directory, not a regular file/], [sock, /it is a socket, not a regular file/]];
    if (existsSync('/dev/zero')) cases.push(['/dev/zero', /it is a character device, not a regular file/], [link, /it is a character device, not a regular file/]);
    if (haveFifo) cases.push([fifo, /it is a FIFO \(named pipe\), not a regular file/]);
    for (const [p, re] of cases) {
      await assert.rejects(readDataset(p), (e: unknown) => e instanceof XmlcError && !(e instanceof DataFormatError) && e.message.startsWith(`cannot read ${p}: `) && re.test(e.message), p);
      const r = xmlc(['data', 'stats', p]);
      assert.equal(r.code, 1, `${p}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^xmlc: error: cannot read .*not a regular file \(expected a data file\)\n$/);
    }
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test("'-' reads standard input: plain and gzip, the same dataset as the file", async () => {
  const file = path.join(tmp, 'small.txt');
  await fs.writeFile(file, SMALL);
  const want = xmlc(['data', 'stats', file, '--json', '-q']);
  assert.equal(want.code, 0, want.stderr);
  for (const input of [Buffer.from(SMALL), gzipSync(SMALL)]) {
    const r = xmlc(['data', 'stats', '-', '--json', '-q'], input);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, want.stdout);
  }
  // As an option's value too, and in error messages stdin is <stdin>.
  const bad = xmlc(['train', '--method', 'knn', '--train', '-', '--model', path.join(tmp, 'm')], '1 4 3\n0 9:1\n');
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /^xmlc: error: <stdin>:2: feature id 9 out of range \[0, 4\)/m);
  // The library: any async iterable of bytes, in chunks of any size (a gzip header split too).
  for (const bytes of [Buffer.from(SMALL), gzipSync(SMALL)]) {
    const ds = await readDatasetStream(chunked(bytes, 1), 'bytes');
    assert.deepEqual(datasetStats(ds), datasetStats(parseDataset(SMALL, 'x')));
  }
});

test('stdin from /dev/zero or binary junk ends at once with a NUL-byte error', { skip: !existsSync('/dev/zero') && 'no /dev/zero' }, () => {
  const fd = openSync('/dev/zero', 'r');
  try {
    const r = xmlc(['data', 'stats', '-'], fd);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^xmlc: error: <stdin>:1: binary data \(a NUL byte\)/);
  } finally {
    closeSync(fd);
  }
});

test('NUL bytes are reported on their line; a line longer than the limit is an error, not a hang', () => {
  assert.throws(() => parseDataset('1 4 3\n0 1:1\u0000\n', 'x'), (e: unknown) => e instanceof DataFormatError && e.line === 2 && /NUL byte/.test(e.detail));
  // A line split over many chunks: the limit is checked as it grows (no quadratic joining either).
  const p = new DatasetParser('long');
  const piece = Buffer.alloc(1 << 20, 0x31);
  assert.throws(() => { for (let i = 0; i <= MAX_LINE_BYTES >> 20; i++) p.feed(piece); },
    (e: unknown) => e instanceof DataFormatError && e.line === 1 && /line longer than 64 MiB/.test(e.detail));
});

test('a UTF-8 byte-order mark is skipped (file, stdin, gzip, split over chunks); UTF-16 is refused; a BOM elsewhere is shown escaped', async () => {
  const want = parseDataset(SMALL, 'x');
  const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SMALL)]);
  const file = path.join(tmp, 'bom.txt'), gz = path.join(tmp, 'bom.txt.gz');
  await fs.writeFile(file, withBom);
  await fs.writeFile(gz, gzipSync(withBom));
  for (const ds of [await readDataset(file), await readDataset(gz), parseDataset(withBom, 'b'), parseDataset(`\ufeff${SMALL}`, 's'),
    await readDatasetStream(chunked(withBom, 1), 'one byte at a time'), await readDatasetStream(chunked(gzipSync(withBom), 7), 'gz')]) {
    assert.equal(ds.format, 'bow');
    assert.deepEqual(datasetStats(ds), datasetStats(want));
    assert.deepEqual([...ds.labels.indices], [...want.labels.indices]);
  }
  // LIBSVM with a BOM: the first label is 50, not "\ufeff50".
  const svm = parseDataset('\ufeff50 1:1\n', 'x');
  assert.deepEqual([...svm.labels.indices], [50]);
  const cli = xmlc(['data', 'stats', '-', '--json', '-q'], withBom);
  assert.equal(cli.code, 0, cli.stderr);
  // Only the mark: an empty file; a lone EF BB: not a mark, a malformed line.
  assert.throws(() => parseDataset(Buffer.from([0xef, 0xbb, 0xbf]), 'x'), /x: the file is empty/);
  assert.throws(() => parseDataset(Buffer.from([0xef, 0xbb, 0x0a, 0x31]), 'x'), /x:1: malformed label list `\\xef\\xbb`/);
  for (const mark of [[0xff, 0xfe], [0xfe, 0xff]]) {
    assert.throws(() => parseDataset(Buffer.concat([Buffer.from(mark), Buffer.from('1\u00002\u0000')]), 'u'), (e: unknown) => e instanceof DataFormatError && e.line === 1 && /UTF-16 or UTF-32 text/.test(e.detail));
  }
  assert.throws(() => parseDataset('1 4 3\n\ufeff0 1:1\n', 'x'), /x:2: malformed label list `\\u\{FEFF\}0`/);
});

test('ids: the largest is 2^31 − 2 after the base, so every dimension fits Int32; beyond is an error quoting the id', () => {
  const top = parseDataset('2147483646 2147483647:1\n', 'x');
  assert.equal(top.features.nCols, 2147483647);
  assert.equal(top.labels.nCols, 2147483647);
  assert.throws(() => parseDataset('0 2147483647:1\n', 'x', { featureBase: 0 }), /x:1: feature id `2147483647` is too large: at most 2147483646$/);
  assert.throws(() => parseDataset('0 2147483648:1\n', 'x'), /feature id `2147483648` is too large: at most 2147483647$/);
  assert.throws(() => parseDataset('2147483647 1:1\n', 'x'), /label id `2147483647` is too large: at most 2147483646$/);
  assert.throws(() => parseDataset('99999999999999999999999 1:1\n', 'x'), /label id `99999999999999999999999` is too large/);
  assert.throws(() => parseDataset('1 3 2\n0 4294967296:1\n', 'x'), /feature id `4294967296` out of range \[0, 3\)/);
  assert.throws(() => parseDataset('1 2147483648 2\n', 'x'), /header value 2147483648 is too large/);
});

test('memory follows the data: headers declaring 2^31 − 1 points, features or labels allocate nothing by them', async () => {
  const cases = ['1 2147483647 2\n0 2147483646:1\n', '1 5 2147483647\n2147483646 1:1\n', '1 33554432 2\n0 33554431:1\n', '0 2147483647:1\n'];
  for (const text of cases) {
    const file = path.join(tmp, 'declared.txt');
    await fs.writeFile(file, text);
    const before = process.memoryUsage().arrayBuffers;
    const ds = await readDataset(file);
    const s = datasetStats(ds);
    // The arrays hold one point; a dense per-column array would be 128 MB to 8 GB.
    assert.ok(process.memoryUsage().arrayBuffers - before < 8 << 20, text);
    assert.equal(s.points, 1);
    assert.equal(ds.features.rowPtr.length + ds.labels.rowPtr.length, 4);
  }
  const many = path.join(tmp, 'many.txt');
  await fs.writeFile(many, '2147483647 5 2\n0 1:1\n');
  await assert.rejects(readDataset(many), /many\.txt:3: the header says 2147483647 points but the file has only 1/);
});
