import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { headBow, tempDir, xmlc } from './harness.js';

let dir = '', cleanup = async (): Promise<void> => undefined;
const f = (name: string): string => path.join(dir, name);
before(async () => {
  ({ dir, cleanup } = await tempDir('xmlc-solver-cli-'));
  await headBow(BUNDLED_BIBTEX.train, f('train.txt'), 200); // 200 points, 1,836 features: the dual's shape
  await headBow(BUNDLED_BIBTEX.test, f('test.txt'), 50);
});
after(() => cleanup());

test('xmlc train --solver dual: accepted and gives the P@k of --solver cholesky; an unknown solver is a usage error naming the choices', () => {
  const p1: number[] = [];
  for (const solver of ['cholesky', 'dual']) {
    const model = f(`pca-${solver}`);
    const tr = xmlc(['train', '--train', f('train.txt'), '--model', model, '--method', 'pca', '--embedding-dim', '8', '--solver', solver, '--seed', '1', '--quiet']);
    assert.equal(tr.code, 0, tr.stderr);
    const ev = xmlc(['evaluate', '--model', model, '--test', f('test.txt'), '--ks', '1', '--metrics', 'P', '--json', '--quiet']);
    assert.equal(ev.code, 0, ev.stderr);
    p1.push((JSON.parse(ev.stdout) as Record<string, number>)['P@1']!);
  }
  assert.equal(p1[1], p1[0], 'the same ridge solution up to float32 rounding: the same top-1 labels');
  const bad = xmlc(['train', '--train', f('train.txt'), '--model', f('x'), '--solver', 'qr']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /"auto", "cholesky", "dual", "cg"/);
});
