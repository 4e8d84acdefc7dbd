import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/util/rng.js';

test('same seed, same sequence; different seeds differ', () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const sa = Array.from({ length: 100 }, () => a.next());
  const sb = Array.from({ length: 100 }, () => b.next());
  const sc = Array.from({ length: 100 }, () => c.next());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

test('uniform and normal moments are right', () => {
  const r = new Rng(1);
  const n = 200000;
  let s = 0, s2 = 0, ns = 0, ns2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    s += u; s2 += u * u;
    const z = r.normal();
    ns += z; ns2 += z * z;
  }
  // Standard errors: uniform mean 0.5 ± 0.00065, normal mean 0 ± 0.0022; 5 sigma bounds.
  assert.ok(Math.abs(s / n - 0.5) < 0.0033);
  assert.ok(Math.abs(s2 / n - 1 / 3) < 0.004);
  assert.ok(Math.abs(ns / n) < 0.011);
  assert.ok(Math.abs(ns2 / n - 1) < 0.016);
});

test('int(n) covers [0, n) and shuffle is a permutation', () => {
  const r = new Rng(3);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) seen.add(r.int(7));
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5, 6]);
  const a = Int32Array.from({ length: 50 }, (_, i) => i);
  r.shuffle(a);
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
});
