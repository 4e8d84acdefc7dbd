import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { headBow, tempDir, xmlc } from './harness.js';

let dir = '', cleanup = async (): Promise<void> => undefined;
const f = (name: string): string => path.join(dir, name);
before(async () => {
  ({ dir, cleanup } = await tempDir('xmlc-clusters-cli-'));
  await headBow(BUNDLED_BIBTEX.train, f('train.txt'), 600);
  await headBow(BUNDLED_BIBTEX.test, f('test.txt'), 100);
});
after(() => cleanup());

const SMALL = ['--method', 'pca', '--embedding-dim', '20', '--index', 'exact', '--quiet'];

test('train --clusters 2: info reports the clusters; predict merges two clusters (route 2) unless --route 1; --route on a global model is a usage error', () => {
  const model = f('clustered');
  const tr = xmlc(['train', '--train', f('train.txt'), '--model', model, '--clusters', '2', ...SMALL]);
  assert.equal(tr.code, 0, tr.stderr);
  const info = JSON.parse(xmlc(['info', '--model', model, '--json']).stdout) as { clusters: number[]; route: number; params: { clusters: number } };
  assert.deepEqual(info.clusters, [2]);
  assert.equal(info.route, 2);
  assert.equal(info.params.clusters, 2);
  const one = xmlc(['predict', '--model', model, '--test', f('test.txt'), '--route', '1', '--quiet']);
  const two = xmlc(['predict', '--model', model, '--test', f('test.txt'), '--quiet']);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  assert.equal(one.stdout.split('\n').length, two.stdout.split('\n').length);
  assert.notEqual(one.stdout, two.stdout);

  const global = f('global');
  assert.equal(xmlc(['train', '--train', f('train.txt'), '--model', global, '--clusters', '1', ...SMALL]).code, 0);
  const bad = xmlc(['predict', '--model', global, '--test', f('test.txt'), '--route', '2', '--quiet']);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /--route applies to clustered models/);
  const badFlag = xmlc(['train', '--train', f('train.txt'), '--model', f('x'), '--clusters', 'many', ...SMALL]);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /clusters/);
});
