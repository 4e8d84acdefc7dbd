/**
 * The layer order of docs/architecture.md ("Layers"), bottom first, and the known violations still
 * tolerated. A folder may import folders of its own layer or of lower layers; folders of one
 * layer must not form a cycle (test/architecture/layers.test.ts checks both).
 * Type-only imports count as dependencies like any other: a type still ties a folder to another.
 */
import { type AllowedEdge } from './import_graph.js';

export const LAYERS: readonly (readonly string[])[] = [
  // 0: the bottom — errors, data structures and I/O, utilities (and two leaf modules of src/).
  ['src/errors', 'src/version', 'src/progress', 'src/util', 'src/data'],
  // 1: the compute engine (backends, native addon, sparse kernels).
  ['src/engine'],
  // 2: numerics shared by everyone: ranking/top-k types, dense linear algebra; text → features (its hot loops are native).
  ['src/ranking', 'src/linalg', 'src/text'],
  // 3: the algorithms. datasets/ (registry, download, synthetic sets) needs only the bottom layer
  //    and is used by the CLI and src/index.ts, so it sits here.
  ['src/sensing', 'src/encoders', 'src/regression', 'src/knn', 'src/predict', 'src/metrics', 'src/linear', 'src/forest', 'datasets'],
  // 4: models built from the algorithms.
  ['src/model', 'src/distributed'],
  // 5: the entry points; `test` appears only as a target (eval/layers.ts uses the test's graph code).
  ['cli', 'eval', 'src/index', 'test'],
];

/**
 * Known violations, each with why it is still there. Empty: the graph is clean. A new upward
 * import or cycle fails the test; an entry no edge needs any more fails it too.
 */
export const ALLOWED: readonly AllowedEdge[] = [];
