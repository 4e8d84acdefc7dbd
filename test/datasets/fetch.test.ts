import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { tempDir } from '../tmp.js';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { fetchDataset, resolveDataArg, resolveDataDir, selectSplit, verifyDataset } from '../../datasets/fetch.js';
import { type DatasetInfo, DATASETS, findDataset, maxFileBytes } from '../../datasets/registry.js';
import { extractZipEntry, listZip, MAX_INFLATE_RATIO } from '../../datasets/zip.js';
import { Rng } from '../../src/util/rng.js';
import { repoRoot } from '../helpers.js';
import { XmlcError } from '../../src/errors.js';

/**
 * `xmlc datasets fetch` against a local HTTP server on 127.0.0.1 serving a fixture archive built
 * here (machines of this kind have no internet): a complete download, an interrupted one that
 * resumes with a Range request, a corrupt archive, counts that disagree with the registry.
 */

/** One entry of {@link zipOf}: its deflated bytes and what the directory records (sizes may lie). */
interface RawEntry { name: string; comp: Buffer; crc: number; size: number }

/** A ZIP archive of deflated entries, written by hand per APPNOTE 4.3: local headers, central directory, end record. */
function zipOf(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [], centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, comp, crc, size } of entries) {
    const nameBuf = Buffer.from(name);
    const loc = Buffer.alloc(30);
    loc.writeUInt32LE(0x04034b50, 0); loc.writeUInt16LE(20, 4); loc.writeUInt16LE(8, 8);
    loc.writeUInt32LE(crc, 14); loc.writeUInt32LE(comp.length, 18); loc.writeUInt32LE(size, 22); loc.writeUInt16LE(nameBuf.length, 26);
    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0); cen.writeUInt16LE(20, 4); cen.writeUInt16LE(20, 6); cen.writeUInt16LE(8, 10);
    cen.writeUInt32LE(crc, 16); cen.writeUInt32LE(comp.length, 20); cen.writeUInt32LE(size, 24); cen.writeUInt16LE(nameBuf.length, 28);
    cen.writeUInt32LE(offset, 42);
    locals.push(loc, nameBuf, comp);
    centrals.push(cen, nameBuf);
    offset += 30 + nameBuf.length + comp.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A ZIP archive of `files` (deflated, sizes and CRCs true). */
function makeZip(files: Record<string, string>): Buffer {
  return zipOf(Object.entries(files).map(([name, text]) => {
    const data = Buffer.from(text);
    return { name, comp: zlib.deflateRawSync(data), crc: zlib.crc32(data), size: data.length };
  }));
}

/**
 * A raw DEFLATE stream of `mib` MiB of zeros, built without inflating it: one MiB of zeros
 * deflated and ended with a full flush (non-final blocks, byte-aligned, no back-references
 * into earlier data) repeated `mib` times, then an empty final block (fixed Huffman: 03 00).
 */
function deflatedZeros(mib: number): Buffer {
  const segment = zlib.deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: zlib.constants.Z_FULL_FLUSH });
  return Buffer.concat([...Array<Buffer>(mib).fill(segment), Buffer.from([0x03, 0x00])]);
}

// A 6-point dataset in the repository's data + split-file layout (1-based rows, two split columns).
const DATA = ['6 4 3', '0 0:1 1:0.5', '1,2 2:1', '2 3:1', '0,1 0:0.5 3:0.5', '1 1:1', '0,2 2:0.25 3:1'].join('\n') + '\n';
const TR_SPLIT = '1 2\n3 4\n5 6\n6 1\n';
const TST_SPLIT = '2 3\n4 5\n';
const TINY: DatasetInfo = {
  name: 'Tiny', description: 'test fixture', url: 'unused', source: 'test',
  layout: { kind: 'data-splits', data: 'Tiny_data.txt', trainSplit: 'tiny_trSplit.txt', testSplit: 'tiny_tstSplit.txt', column: 0 },
  // Train rows 1,3,5,6 (labels 1+1+1+2 = 5), test rows 2,4 (2+2 = 4): 9 labels / 6 points.
  stats: { train: 4, test: 2, features: 4, labels: 3, labelsPerPoint: 1.5, pointsPerLabel: 3 },
  propensity: { a: 0.55, b: 1.5 }, published: {},
};
const ZIP = makeZip({ 'Tiny/Tiny_data.txt': DATA, 'Tiny/tiny_trSplit.txt': TR_SPLIT, 'Tiny/tiny_tstSplit.txt': TST_SPLIT });

type Mode = 'ok' | 'interrupt' | 'corrupt' | 'html';

/** Serve ZIP at /tiny.zip with Range support; `mode` changes what the next requests get. */
async function serve(zip = ZIP): Promise<{ url: string; setMode: (m: Mode) => void; ranges: (string | undefined)[]; close: () => Promise<void> }> {
  let mode: Mode = 'ok';
  const ranges: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    ranges.push(req.headers.range);
    if (mode === 'html') { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html>quota exceeded</html>'); return; }
    let body = zip;
    if (mode === 'corrupt') { body = Buffer.from(zip); for (let i = 40; i < 60; i++) body[i] = body[i]! ^ 0x5a; }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const part = body.subarray(start);
    res.writeHead(m ? 206 : 200, { 'content-type': 'application/zip', 'content-length': String(part.length), ...(m ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}) });
    if (mode === 'interrupt') {
      // Half the bytes, then the connection drops.
      res.write(part.subarray(0, Math.floor(part.length / 2)), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(part);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tiny.zip`, setMode: (m) => { mode = m; }, ranges,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

async function tmpDir(): Promise<string> {
  return tempDir('fetch');
}

/** Run `fn` with a fresh fixture server and an empty data directory, both removed afterwards. */
async function withServer(fn: (srv: Awaited<ReturnType<typeof serve>>, dataDir: string) => Promise<void>, zip = ZIP): Promise<void> {
  const srv = await serve(zip);
  const dataDir = await tmpDir();
  try {
    await fn(srv, dataDir);
  } finally {
    await srv.close();
    await fs.rm(dataDir, { recursive: true });
  }
}

test('the fixture archive lists its three files', async () => {
  const dir = await tmpDir();
  await fs.writeFile(path.join(dir, 'a.zip'), ZIP);
  assert.deepEqual((await listZip(path.join(dir, 'a.zip'))).map((e) => e.name), ['Tiny/Tiny_data.txt', 'Tiny/tiny_trSplit.txt', 'Tiny/tiny_tstSplit.txt']);
  await fs.rm(dir, { recursive: true });
});

test('fetch downloads, unpacks the first split column, verifies, and removes the archive', () => withServer(async (srv, dataDir) => {
  const r = await fetchDataset(TINY, { dataDir, url: srv.url });
  assert.equal(r.fetched, true);
  assert.ok(r.checks.every((c) => c.ok));
  // Rows 1, 3, 5, 6 of the data file, in split order, under a fresh header.
  assert.equal(await fs.readFile(r.train, 'utf8'), '4 4 3\n0 0:1 1:0.5\n2 3:1\n1 1:1\n0,2 2:0.25 3:1\n');
  assert.equal(await fs.readFile(r.test, 'utf8'), '2 4 3\n1,2 2:1\n0,1 0:0.5 3:0.5\n');
  assert.deepEqual((await fs.readdir(dataDir)).sort(), ['Tiny']);
  assert.deepEqual((await fs.readdir(path.join(dataDir, 'Tiny'))).sort(), ['Tiny_test.txt', 'Tiny_train.txt']);
  // Present and verified: a second fetch downloads nothing.
  const before = srv.ranges.length;
  assert.equal((await fetchDataset(TINY, { dataDir, url: srv.url })).fetched, false);
  assert.equal(srv.ranges.length, before);
  assert.equal((await verifyDataset(TINY, dataDir)).ok, true);
}));

test('an interrupted download ends in a clear error, writes no dataset, and the next fetch resumes with a Range request', () => withServer(async (srv, dataDir) => {
  srv.setMode('interrupt');
  await assert.rejects(fetchDataset(TINY, { dataDir, url: srv.url }), (e: Error) => e instanceof XmlcError && /interrupted|ended after/.test(e.message) && /run the same command again to resume/.test(e.message));
  assert.deepEqual(await fs.readdir(dataDir), ['Tiny.zip.part']);
  const have = (await fs.stat(path.join(dataDir, 'Tiny.zip.part'))).size;
  // Every byte received before the connection dropped is kept (the server sent half the archive).
  assert.equal(have, Math.floor(ZIP.length / 2), `partial download of ${have} bytes`);
  srv.setMode('ok');
  const r = await fetchDataset(TINY, { dataDir, url: srv.url });
  assert.equal(r.fetched, true);
  assert.equal(srv.ranges.at(-1), `bytes=${have}-`);
  assert.deepEqual((await fs.readdir(dataDir)).sort(), ['Tiny']);
}));

test('a corrupt archive ends in a clear error and leaves nothing behind', () => withServer(async (srv, dataDir) => {
  srv.setMode('corrupt');
  await assert.rejects(fetchDataset(TINY, { dataDir, url: srv.url }), (e: Error) => e instanceof XmlcError && /corrupt|damaged/.test(e.message) && /removed/.test(e.message));
  assert.deepEqual(await fs.readdir(dataDir), []);
  srv.setMode('html');
  await assert.rejects(fetchDataset(TINY, { dataDir, url: srv.url }), /returned a web page/);
  assert.deepEqual(await fs.readdir(dataDir), []);
}));

test('counts that disagree with the registry are an error, and an existing copy is kept', () => withServer(async (srv, dataDir) => {
  await fetchDataset(TINY, { dataDir, url: srv.url });
  const wrong: DatasetInfo = { ...TINY, stats: { ...TINY.stats, labels: 7 } };
  await assert.rejects(fetchDataset(wrong, { dataDir, url: srv.url, force: true }), /labels 3 \(expected 7\)/);
  assert.deepEqual((await fs.readdir(dataDir)).sort(), ['Tiny']);
  assert.equal((await verifyDataset(TINY, dataDir)).ok, true);
  assert.equal((await verifyDataset(wrong, dataDir)).ok, false);
}));

test('selectSplit: a row number out of range names the split file and line', () => {
  assert.throws(() => selectSplit(DATA, '1\n7\n', 0, { data: 'd.txt', split: 's.txt' }), /s\.txt:2: expected a row number from 1 to 6/);
  assert.throws(() => selectSplit(DATA, '0\n', 0, { data: 'd.txt', split: 's.txt' }), /s\.txt:1/);
  assert.throws(() => selectSplit('x y\n', '1\n', 0, { data: 'd.txt', split: 's.txt' }), /d\.txt:1: expected the header/);
  assert.equal(selectSplit(DATA, '2 1\n', 1, { data: 'd', split: 's' }), '1 4 3\n0 0:1 1:0.5\n');
});

test('data directory: the flag, else $XMLC_DATA_DIR, else the cache under home', () => {
  assert.equal(resolveDataDir('/a/b', { XMLC_DATA_DIR: '/c' }), '/a/b');
  assert.equal(resolveDataDir(undefined, { XMLC_DATA_DIR: '/c' }), '/c');
  assert.equal(resolveDataDir(undefined, { XDG_CACHE_HOME: '/x' }), '/x/xmlc/datasets');
  assert.equal(resolveDataDir(undefined, {}), path.join(os.homedir(), '.cache', 'xmlc', 'datasets'));
});

test('dataset names resolve to split files; files win; an absent dataset says how to fetch it', async () => {
  const dataDir = await tmpDir();
  try {
    await fs.mkdir(path.join(dataDir, 'Bibtex'));
    for (const s of ['train', 'test']) await fs.writeFile(path.join(dataDir, 'Bibtex', `Bibtex_${s}.txt`), '0 1 1\n');
    assert.equal(await resolveDataArg('bibtex', 'test', dataDir), path.join(dataDir, 'Bibtex', 'Bibtex_test.txt'));
    assert.equal(await resolveDataArg('Bibtex:train', 'test', dataDir), path.join(dataDir, 'Bibtex', 'Bibtex_train.txt'));
    assert.equal(await resolveDataArg('no-such-file.txt', 'train', dataDir), 'no-such-file.txt');
    await assert.rejects(resolveDataArg('EURLex-4K', 'train', dataDir), /xmlc datasets fetch EURLex-4K/);
  } finally {
    await fs.rm(dataDir, { recursive: true });
  }
});

test('the registry holds the datasets the issue names, with consistent statistics', () => {
  for (const n of ['EURLex-4K', 'Wiki10-31K', 'Bibtex', 'Delicious', 'Mediamill', 'AmazonCat-13K']) assert.ok(findDataset(n.toUpperCase()), n);
  for (const d of Object.values(DATASETS)) {
    // points per label × labels = labels per point × points (the repository averages over all
    // points for some sets, over the training points for others), within its rounding.
    const rel = (points: number): number => Math.abs(d.stats.pointsPerLabel * d.stats.labels - d.stats.labelsPerPoint * points) / (d.stats.labelsPerPoint * points);
    assert.ok(Math.min(rel(d.stats.train + d.stats.test), rel(d.stats.train)) < 0.01, d.name);
  }
});

// Zip bombs (issue 13, item 7): the 720 MB bomb of the issue, as Bibtex's data file.
const BOMB_MIB = 720;
const BOMB = deflatedZeros(BOMB_MIB);
const bibtexWith = (dataSize: number): Buffer => zipOf([
  { name: 'Bibtex/Bibtex_data.txt', comp: BOMB, crc: 0, size: dataSize },
  ...['bibtex_trSplit.txt', 'bibtex_tstSplit.txt'].map((name) => ({ name: `Bibtex/${name}`, comp: zlib.deflateRawSync(Buffer.from('1\n')), crc: zlib.crc32(Buffer.from('1\n')), size: 2 })),
]);

test('the bomb archive: about 1 MB that inflates to 720 MiB', () => {
  assert.ok(BOMB.length < 1.1e6, `${BOMB.length} bytes`);
  // Inflate the first 4 MiB only: zeros, and the stream goes on.
  const head = zlib.inflateRawSync(BOMB.subarray(0, Math.ceil(BOMB.length / BOMB_MIB) * 4), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  assert.ok(head.length >= 3 << 20 && head.every((b) => b === 0));
});

test('a zip bomb that declares its size is refused before inflating, and nothing is left behind', () => withServer(async (srv, dataDir) => {
  const bibtex = findDataset('Bibtex')!;
  const bound = maxFileBytes(bibtex)['Bibtex_data.txt']!;
  assert.ok(bound < BOMB_MIB << 20);
  await assert.rejects(fetchDataset(bibtex, { dataDir, url: srv.url }), (e: Error) => e instanceof XmlcError &&
    e.message.includes(`Bibtex/Bibtex_data.txt declares ${BOMB_MIB << 20} bytes, more than the ${bound} this file can hold`) && /zip bomb/.test(e.message) && /archive was removed/.test(e.message));
  assert.deepEqual(await fs.readdir(dataDir), []);
}, bibtexWith(BOMB_MIB << 20)));

test('a zip bomb that lies about its size is stopped at the size it declares, and nothing is left behind', () => withServer(async (srv, dataDir) => {
  await assert.rejects(fetchDataset(findDataset('Bibtex')!, { dataDir, url: srv.url }), (e: Error) => e instanceof XmlcError &&
    /Bibtex_data\.txt inflates past the 1000 bytes its directory entry declares/.test(e.message));
  assert.deepEqual(await fs.readdir(dataDir), []);
}, bibtexWith(1000)));

test('the ratio limit: declared sizes over 100:1 are refused at once, and a front-loaded bomb is stopped while it inflates', async () => {
  const dir = await tmpDir();
  try {
    const file = path.join(dir, 'b.zip'), dest = path.join(dir, 'out');
    // 20 MiB of zeros then 400 KB of seeded random bytes: about 50:1 overall, within the limit
    // on paper, but the first compressed kilobytes inflate to megabytes.
    const rng = new Rng(13);
    const data = Buffer.concat([Buffer.alloc(20 << 20), Buffer.from(Array.from({ length: 400_000 }, () => rng.int(256)))]);
    const comp = zlib.deflateRawSync(data);
    assert.ok(data.length / comp.length < MAX_INFLATE_RATIO && data.length / comp.length > 10);
    await fs.writeFile(file, zipOf([{ name: 'd.txt', comp, crc: zlib.crc32(data), size: data.length }]));
    const [entry] = await listZip(file);
    await assert.rejects(extractZipEntry(file, entry!, dest), /d\.txt inflates more than 100× its compressed size/);
    await assert.rejects(fs.access(dest));
    // The same entry within a lower explicit limit is refused before inflating.
    await assert.rejects(extractZipEntry(file, entry!, dest, { maxRatio: 10 }), /declares \d+ bytes from \d+ compressed, more than 10×/);
    await assert.rejects(fs.access(dest));
    // A generous limit lets it through, checked against its size and CRC.
    await extractZipEntry(file, entry!, dest, { maxRatio: 1000 });
    assert.equal((await fs.stat(dest)).size, data.length);
  } finally {
    await fs.rm(dir, { recursive: true });
  }
});

test('maxFileBytes: every registry file has a bound, the real Bibtex and Delicious files fit under theirs', async () => {
  for (const d of Object.values(DATASETS)) {
    const b = maxFileBytes(d);
    const names = d.layout.kind === 'train-test' ? [d.layout.train, d.layout.test] : [d.layout.data, d.layout.trainSplit, d.layout.testSplit];
    assert.deepEqual(Object.keys(b).sort(), names.sort(), d.name);
    for (const n of names) assert.ok(Number.isFinite(b[n]!) && b[n]! > 0, `${d.name} ${n}`);
  }
  // The shared copies are the data file's rows split in two (each with its own header line).
  for (const name of ['Bibtex', 'Delicious']) {
    const dir = path.join(repoRoot, '..', 'shared', 'datasets', name);
    let total = 0;
    try {
      for (const s of ['train', 'test']) total += (await fs.stat(path.join(dir, `${name}_${s}.txt`))).size;
    } catch { continue; /* shared datasets absent */ }
    const info = findDataset(name)!;
    assert.ok(info.layout.kind === 'data-splits');
    assert.ok(total < maxFileBytes(info)[info.layout.data]!, `${name}: ${total} bytes`);
  }
});
