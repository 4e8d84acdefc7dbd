// Builds dist/src/engine/tfjs_gradients.js: registers the gradients of the tfjs kernels xmlc
// differentiates (training uses tf.grad / tf.variableGrads), so that importing xmlc loads
// @tensorflow/tfjs-core and the cpu backend only, not the @tensorflow/tfjs union bundle, which
// registers every gradient but also loads layers, converter, data and webgl. This is the
// approach of tfjs's size-optimised custom bundles (tfjs-core ships each kernel's gradient as
// an ES module, `dist/gradients/<Kernel>_grad.js`, importable only through a bundler).
// The registered configs are tfjs-core's own, so gradients (and trained models) are unchanged.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Kernels whose gradient xmlc needs. The first line is what training every encoder and the
 * gradient-check tests run through; the rest are the element-wise and shape ops a model
 * change is likely to add.
 */
export const GRADIENT_KERNELS = [
  'Abs', 'Add', 'AddN', 'BatchMatMul', 'Cast', 'FusedBatchNorm', 'Maximum', 'Mean', 'Multiply',
  'RealDiv', 'Relu', 'Reshape', 'Sigmoid', 'Sign', 'Slice', 'Square', 'SquaredDifference', 'Sub',
  'Sum', 'Tanh',
  'ClipByValue', 'Concat', 'Exp', 'ExpandDims', 'GatherV2', 'Identity', 'LeakyRelu', 'Log', 'Max',
  'Min', 'Minimum', 'Neg', 'Pack', 'PadV2', 'Pow', 'Relu6', 'Rsqrt', 'Select', 'Softplus', 'Sqrt',
  'Step', 'Tile', 'Transpose', 'Unpack', 'ZerosLike', 'OnesLike',
];

const root = join(dirname(new URL(import.meta.url).pathname), '..', '..');
const core = dirname(createRequire(join(root, 'package.json')).resolve('@tensorflow/tfjs-core/package.json'));
const files = GRADIENT_KERNELS.map((k) => {
  const file = join(core, 'dist', 'gradients', `${k}_grad.js`);
  if (!existsSync(file)) throw new Error(`tfjs-core has no gradient module for kernel ${k} (${file})`);
  return file;
});
const entry = [
  "import { registerGradient } from '@tensorflow/tfjs-core';",
  ...files.map((f, i) => `import * as g${i} from ${JSON.stringify(f)};`),
  `for (const m of [${files.map((_, i) => `g${i}`).join(', ')}]) {`,
  '  for (const config of Object.values(m)) if (config && typeof config === "object" && "kernelName" in config) registerGradient(config);',
  '}',
].join('\n');

await build({
  stdin: { contents: entry, resolveDir: root, sourcefile: 'tfjs_gradients_entry.js' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The registry (and the engine the inlined ops reach) is tfjs-core's global singleton, shared
  // with the @tensorflow/tfjs-core package xmlc imports; registerGradient comes from it directly.
  external: ['@tensorflow/tfjs-core'],
  legalComments: 'eof',
  logLevel: 'warning',
  outfile: join(root, 'dist', 'src', 'engine', 'tfjs_gradients.js'),
});
