import assert from 'node:assert/strict';
import { test } from 'node:test';
import { repoRoot } from '../helpers.js';
import { folderOf, type ImportEdge, importEdges, layerViolations, moduleReferences, renderLayers } from './import_graph.js';
import { ALLOWED, LAYERS } from './layers.js';

test('layers: no folder imports a higher layer and no folders form a cycle (src, cli, datasets, eval)', (t) => {
  const edges = importEdges(repoRoot);
  assert.ok(edges.length > 100, `expected the sources' imports, found ${edges.length}`);
  for (const line of renderLayers(edges, LAYERS, ALLOWED).trimEnd().split('\n')) t.diagnostic(line);
  assert.deepEqual(layerViolations(edges, LAYERS, ALLOWED), []);
});

test('layers: every kind of relative module reference is read, and type-only ones are marked', () => {
  const refs = moduleReferences('x.ts', [
    "import * as tf from '@tensorflow/tfjs-core';",
    "import { a } from './a.js';",
    "import type { B } from '../b.js';",
    "import { type C, type D } from './c.js';",
    "import { type E, f } from './e.js';",
    "import './side.js';",
    "export { g } from './g.js';",
    "export type { H } from './h.js';",
    "export * from './all.js';",
    'const m = await import(\'./lazy.js\');',
    "let x: import('./typed.js').T;",
    '// import { no } from \'./comment.js\';',
    "const s = 'import { no } from \"./string.js\"';",
  ].join('\n'));
  assert.deepEqual(refs, [
    { specifier: './a.js', typeOnly: false },
    { specifier: '../b.js', typeOnly: true },
    { specifier: './c.js', typeOnly: true },
    { specifier: './e.js', typeOnly: false },
    { specifier: './side.js', typeOnly: false },
    { specifier: './g.js', typeOnly: false },
    { specifier: './h.js', typeOnly: true },
    { specifier: './all.js', typeOnly: false },
    { specifier: './lazy.js', typeOnly: false },
    { specifier: './typed.js', typeOnly: true },
  ]);
});

test('layers: files map to folders (src/<dir>, top-level src files, other roots)', () => {
  assert.equal(folderOf('src/model/io.ts'), 'src/model');
  assert.equal(folderOf('src/errors.ts'), 'src/errors');
  assert.equal(folderOf('cli/commands/train.ts'), 'cli');
  assert.equal(folderOf('datasets/fetch.ts'), 'datasets');
});

test('layers: the check reports an upward import, a same-layer cycle, an unknown folder and a stale allow-list entry', () => {
  const layers = [['src/data'], ['src/a', 'src/b'], ['src/top']];
  const e = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, typeOnly });
  const clean = [e('src/top/t.ts', 'src/a/a.ts'), e('src/a/a.ts', 'src/b/b.ts'), e('src/b/b.ts', 'src/data/d.ts')];
  assert.deepEqual(layerViolations(clean, layers), []);

  const up = layerViolations([...clean, e('src/data/d.ts', 'src/a/a.ts', true)], layers);
  assert.equal(up.length, 2); // upward (type-only counts) and the cycle data -> a -> b -> data
  assert.match(up[0]!, /^upward import src\/data \(layer 0\) -> src\/a \(layer 1\): src\/data\/d\.ts imports src\/a\/a\.ts \(type only\)/);
  assert.match(up[1]!, /^folder cycle src\/a <-> src\/b <-> src\/data:/);

  const cycle = layerViolations([...clean, e('src/b/b2.ts', 'src/a/a.ts')], layers);
  assert.deepEqual(cycle, ['folder cycle src/a <-> src/b: src/a/a.ts imports src/b/b.ts; src/b/b2.ts imports src/a/a.ts']);
  // Allow-listing one edge of the cycle removes it; an entry nothing needs is reported.
  assert.deepEqual(layerViolations([...clean, e('src/b/b2.ts', 'src/a/a.ts')], layers, [{ from: 'src/b', to: 'src/a', why: 'test' }]), []);
  assert.deepEqual(layerViolations(clean, layers, [{ from: 'src/b', to: 'src/a', why: 'test' }]), ['allow-list entry src/b -> src/a is no longer needed: remove it']);

  assert.match(layerViolations([...clean, e('src/new/n.ts', 'src/data/d.ts')], layers)[0]!, /^src\/new: a folder the layer table does not list/);
});
