/**
 * Held-out honesty (issue 18): every automatic choice (clusters, decoder weight, the default mixed
 * ensemble's merge rule, the re-ranker's α and C) is made on a split of the training data. `xmlc run`
 * with the default model and all of them on opens the test file exactly once, after every read of
 * the training file: only the final evaluation reads it.
 */
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import * as path from 'node:path';
import { test } from 'node:test';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { headBow, xmlcInProcess } from './harness.js';
import { tempDir } from '../tmp.js';

test('run with every automatic choice opens the test file once, after the training file, to score', async () => {
  const tmp = tempDir('test-split');
  const trainFile = path.join(tmp, 'train.txt'), testFile = path.join(tmp, 'test.txt');
  await headBow(BUNDLED_BIBTEX.train, trainFile, 900);
  await headBow(BUNDLED_BIBTEX.test, testFile, 150);
  const opened: string[] = [];
  const original = fsp.open;
  // Every file xmlc reads goes through fs/promises' open (src/util/regular_file.ts); record them.
  fsp.open = (async (...args: Parameters<typeof original>) => {
    opened.push(path.resolve(String(args[0])));
    return original(...args);
  }) as typeof original;
  syncBuiltinESMExports();
  let r;
  try {
    r = await xmlcInProcess(['run', '--train', trainFile, '--test', testFile, '--epochs', '2', '--clusters', 'auto', '--decoder-weight', 'auto', '--rerank', '--json', '-q']);
  } finally {
    fsp.open = original;
    syncBuiltinESMExports();
  }
  assert.equal(r.code, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout)['P@1'] > 0.2);
  const testOpens = opened.flatMap((f, i) => (f === testFile ? [i] : []));
  const trainOpens = opened.flatMap((f, i) => (f === trainFile ? [i] : []));
  assert.equal(testOpens.length, 1, `the test file was opened ${testOpens.length} times`);
  assert.ok(trainOpens.length >= 1 && trainOpens.every((i) => i < testOpens[0]!), `opens: ${opened.map((f) => path.basename(f)).join(', ')}`);
});
