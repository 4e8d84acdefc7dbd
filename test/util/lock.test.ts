import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { acquireLock, LockedError } from '../../src/util/lock.js';
import { pidAlive } from '../../src/util/process.js';

test('acquireLock: one holder at a time, a clear error naming it; stale and empty locks are taken over; nothing left behind', async (t) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-lock-'));
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const file = path.join(root, '.model.lock');
  const release = await acquireLock(file, 'model');
  assert.equal(await fs.readFile(file, 'utf8'), `${process.pid}\n`);
  await assert.rejects(acquireLock(file, 'model'), (e: Error) => e instanceof LockedError && e.message.includes(`pid ${process.pid}`) && e.message.includes(file));
  await release();
  assert.deepEqual(await fs.readdir(root), []);

  // A lock left by a process that has exited.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  assert.ok(deadPid > 0 && !pidAlive(deadPid));
  await fs.writeFile(file, `${deadPid}\n`);
  const again = await acquireLock(file, 'model');
  assert.equal(await fs.readFile(file, 'utf8'), `${process.pid}\n`);
  await again();
  await fs.writeFile(file, '');
  await (await acquireLock(file, 'model'))();
  assert.deepEqual(await fs.readdir(root), []);
});
