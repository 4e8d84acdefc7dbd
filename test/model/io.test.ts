import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../tmp.js';
import { test } from 'node:test';
import { fromDense } from '../../src/data/csr.js';
import { ModelFormatError } from '../../src/errors.js';
import { decodeCsr, encodeCsr, ModelWriter, readManifest, readModelFile } from '../../src/model/io.js';
import { manifestText } from '../../src/model/manifest.js';
import { writeDirAtomic, writeFileAtomic } from '../../src/util/atomic.js';

async function tmpdir(): Promise<string> {
  return tempDir('io');
}

test('CSR binary encoding round-trips, including empty matrices', () => {
  const m = fromDense(3, 4, [1, 0, 2, 0, 0, 0, 0, 0, 0, 3.25, 0, -4]);
  assert.deepEqual(decodeCsr(encodeCsr(m), 'm'), m);
  const e = fromDense(0, 5, []);
  assert.deepEqual(decodeCsr(encodeCsr(e), 'e'), e);
});

test('decodeCsr rejects bad magic, truncation and corrupt structure', () => {
  const bytes = encodeCsr(fromDense(2, 2, [1, 0, 0, 1]));
  assert.throws(() => decodeCsr(bytes.subarray(0, bytes.length - 1), 'x'), /expected \d+ bytes/);
  const bad = bytes.slice(); bad[0] = 0x41;
  assert.throws(() => decodeCsr(bad, 'x'), /bad magic/);
  const corrupt = bytes.slice();
  // Column id of the first entry (after 24-byte header and 3 row pointers) set to 7 ≥ nCols.
  new DataView(corrupt.buffer).setInt32(24 + 12, 7, true);
  assert.throws(() => decodeCsr(corrupt, 'x'), ModelFormatError);
});

test('manifest: checksums verified, wrong format and version refused', async (t) => {
  const dir = await tmpdir();
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const version = 'v-1-0000abcd';
  await fs.mkdir(path.join(dir, version));
  const w = new ModelWriter(path.join(dir, version));
  await w.writeBytes('a.bin', new Uint8Array([1, 2, 3]));
  await fs.writeFile(path.join(dir, 'manifest.json'), manifestText(w.manifest({ method: 'knn', data: { nPoints: 1, nFeatures: 1, nLabels: 1 }, params: {} }, version)));
  const m = await readManifest(dir);
  assert.deepEqual([...(await readModelFile(dir, m, 'a.bin'))], [1, 2, 3]);
  await fs.writeFile(path.join(dir, version, 'a.bin'), new Uint8Array([1, 2, 4]));
  await assert.rejects(readModelFile(dir, m, 'a.bin'), /has 3 bytes|checksum mismatch/);
  await fs.writeFile(path.join(dir, version, 'a.bin'), new Uint8Array([1, 2, 3, 4]));
  await assert.rejects(readModelFile(dir, m, 'a.bin'), /has 4 bytes, expected 3/);
  await fs.writeFile(path.join(dir, version, 'a.bin'), new Uint8Array([1, 2, 4]));
  await assert.rejects(readModelFile(dir, m, 'a.bin'), /checksum mismatch/);
  await assert.rejects(readModelFile(dir, m, 'b.bin'), /lists no file "b.bin"/);
  const mf = path.join(dir, 'manifest.json');
  const json = JSON.parse(await fs.readFile(mf, 'utf8')) as Record<string, unknown>;
  await fs.writeFile(mf, JSON.stringify({ ...json, formatVersion: 99 }));
  await assert.rejects(readManifest(dir), /format version 99 is not supported/);
  await fs.writeFile(mf, JSON.stringify({ ...json, format: 'other' }));
  await assert.rejects(readManifest(dir), /not an xmlc model manifest/);
  await fs.writeFile(mf, '{');
  await assert.rejects(readManifest(dir), /invalid JSON/);
  await assert.rejects(readManifest(path.join(dir, 'nope')), /is not an xmlc model/);
});

test('writeDirAtomic replaces an existing directory and leaves nothing on failure', async () => {
  const root = await tmpdir();
  const target = path.join(root, 'model');
  await writeDirAtomic(target, async (d) => fs.writeFile(path.join(d, 'x'), 'one'));
  await writeDirAtomic(target, async (d) => fs.writeFile(path.join(d, 'y'), 'two'));
  assert.deepEqual(await fs.readdir(target), ['y']);
  await assert.rejects(writeDirAtomic(target, async (d) => {
    await fs.writeFile(path.join(d, 'z'), 'half');
    throw new Error('crash while writing');
  }), /crash while writing/);
  assert.deepEqual(await fs.readdir(target), ['y']);
  assert.deepEqual(await fs.readdir(root), ['model']);
});

test('writeFileAtomic writes whole files and cleans up on failure', async () => {
  const root = await tmpdir();
  const f = path.join(root, 'out.txt');
  await writeFileAtomic(f, 'hello\n');
  assert.equal(await fs.readFile(f, 'utf8'), 'hello\n');
  await assert.rejects(writeFileAtomic(path.join(root, 'missing-dir', 'x.txt'), 'x'));
  assert.deepEqual(await fs.readdir(root), ['out.txt']);
});
