import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic } from '../../src/util/atomic.js';
import { readRegularFile } from '../../src/util/regular_file.js';

async function tempRoot(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-atomic-'));
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  return root;
}

test('writeFileAtomic: a regular file is replaced by rename (new inode), a new path created, a directory refused', async (t) => {
  const root = await tempRoot(t);
  const f = path.join(root, 'out.txt');
  await writeFileAtomic(f, 'one\n');
  const ino = (await fs.stat(f)).ino;
  await writeFileAtomic(f, 'two\n');
  assert.equal(await fs.readFile(f, 'utf8'), 'two\n');
  assert.notEqual((await fs.stat(f)).ino, ino, 'replaced by a rename, not rewritten in place');
  await assert.rejects(writeFileAtomic(root, 'x'), /is a directory/);
  assert.deepEqual(await fs.readdir(root), ['out.txt']);
});

test('writeFileAtomic: a symlink stays a symlink and its target gets the data', async (t) => {
  const root = await tempRoot(t);
  const target = path.join(root, 'target.txt'), link = path.join(root, 'link.txt');
  await fs.writeFile(target, 'old\n');
  await fs.symlink(target, link);
  await writeFileAtomic(link, 'new\n');
  assert.ok((await fs.lstat(link)).isSymbolicLink());
  assert.equal(await fs.readFile(target, 'utf8'), 'new\n');
  assert.deepEqual((await fs.readdir(root)).sort(), ['link.txt', 'target.txt']);
});

test('writeFileAtomic: /dev/null stays a device; a FIFO is written through to its reader', async (t) => {
  await writeFileAtomic('/dev/null', 'discarded\n');
  assert.ok((await fs.lstat('/dev/null')).isCharacterDevice());
  const root = await tempRoot(t);
  const fifo = path.join(root, 'pipe');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const chunks: Buffer[] = [];
  const reader = new Promise<string>((resolve, reject) => {
    createReadStream(fifo).on('data', (c) => chunks.push(c as Buffer)).on('end', () => resolve(Buffer.concat(chunks).toString('utf8'))).on('error', reject);
  });
  await writeFileAtomic(fifo, 'through the pipe\n');
  assert.equal(await reader, 'through the pipe\n');
  assert.ok((await fs.lstat(fifo)).isFIFO(), 'the FIFO is still a FIFO');
  assert.deepEqual(await fs.readdir(root), ['pipe']);
});

test('readRegularFile refuses a device, a FIFO (without waiting for a writer), a directory and a wrong size', async (t) => {
  const root = await tempRoot(t);
  const fail = (d: string): Error => new Error(d);
  await assert.rejects(readRegularFile('/dev/zero', fail), /is a character device, not a regular file/);
  const fifo = path.join(root, 'pipe');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  await assert.rejects(readRegularFile(fifo, fail), /is a FIFO \(named pipe\), not a regular file/);
  await assert.rejects(readRegularFile(root, fail), /is a directory, not a regular file/);
  const f = path.join(root, 'f');
  await fs.writeFile(f, 'abc');
  await fs.symlink(f, path.join(root, 'link'));
  assert.deepEqual([...await readRegularFile(path.join(root, 'link'), fail, { bytes: 3 })], [97, 98, 99]);
  await assert.rejects(readRegularFile(f, fail, { bytes: 4 }), /has 3 bytes, expected 4/);
  await assert.rejects(readRegularFile(path.join(root, 'none'), fail), /does not exist/);
  await assert.rejects(readRegularFile(f, fail, { maxBytes: 2 }), /has 3 bytes, more than the 2 it may have/);
  assert.equal((await readRegularFile(f, fail, { maxBytes: 3 })).length, 3);
});
