/**
 * The folder dependency graph of the sources (src/, cli/, datasets/, eval/) by layer, as checked
 * by test/architecture/layers.test.ts: writes eval/results/layers.md.
 *
 *   node dist/eval/layers.js
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/util/atomic.js';
import { importEdges, layerViolations, renderLayers } from '../test/architecture/import_graph.js';
import { ALLOWED, LAYERS } from '../test/architecture/layers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const edges = importEdges(root);
const problems = layerViolations(edges, LAYERS, ALLOWED);
const md = [
  '# Folder dependency graph',
  '',
  'Written by `node dist/eval/layers.js` from the TypeScript sources (static, dynamic and type-only relative imports).',
  'Layers bottom first (0); a folder imports only its own layer or lower ones, and no folders form a cycle',
  '(checked by test/architecture/layers.test.ts; the order is in test/architecture/layers.ts).',
  '',
  renderLayers(edges, LAYERS, ALLOWED),
  problems.length === 0 ? 'Violations: none.' : `Violations:\n\n${problems.map((p) => `- ${p}`).join('\n')}`,
  '',
].join('\n');
const out = path.join(root, 'eval', 'results', 'layers.md');
await writeFileAtomic(out, md);
process.stdout.write(md);
