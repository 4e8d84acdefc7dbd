/**
 * The `native` TensorFlow.js backend: tfjs's CPU backend (same tensor storage, same kernels)
 * with its hot kernels replaced by the native addon's general kernels (NativeKernels, src/engine/native/kernels.cc) — batched matrix products on OpenBLAS
 * sgemm, element-wise unary and binary ops with broadcasting, and reductions, in C++ with
 * OpenMP over both cores. Any shape or dtype a native kernel does not handle goes to the CPU
 * kernel unchanged, so results agree with `cpu` within float32 rounding.
 * (Design: docs/architecture.md, "Compute engine"; kernel registry: tfjs-core kernel_registry.ts.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU, shared } from '@tensorflow/tfjs-backend-cpu';
import { BINARY_OPS, type NativeKernels, nativeAddon, REDUCE_OPS, UNARY_OPS } from './addon.js';

/** Name under which the backend is registered. */
export const NATIVE_BACKEND = 'native';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type Args = Parameters<KernelFunc>[0];

/**
 * A float32 tensor's values as a Float32Array. tfjs's CPU Cast kernel relabels a bool or int32
 * tensor as float32 without converting its storage (no precision is lost), so a float32 tensor
 * may hold a Uint8Array or Int32Array: those are converted here before they reach the addon.
 */
function values(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array {
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
}

function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Element strides of `shape` broadcast to `out` (0 along broadcast dims), as Int32Array of out's rank. */
function broadcastStrides(shape: readonly number[], out: readonly number[]): Int32Array {
  const rank = out.length, s = new Int32Array(rank);
  let stride = 1;
  for (let d = rank - 1; d >= 0; d--) {
    const k = d - (rank - shape.length);
    const dim = k >= 0 ? shape[k]! : 1;
    s[d] = dim === 1 && out[d] !== 1 ? 0 : stride;
    stride *= dim;
  }
  return s;
}

function binaryKernel(addon: NativeKernels, op: number, fallback: KernelFunc): KernelFunc {
  return (args: Args) => {
    const a = args.inputs['a'] as tf.TensorInfo, b = args.inputs['b'] as tf.TensorInfo;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    const backend = args.backend as MathBackendCPU;
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (outShape.length > 8) return fallback(args);
    const n = size(outShape);
    const out = new Float32Array(n);
    if (n > 0) {
      const shape = outShape.length === 0 ? [1] : outShape;
      addon.binary(op, values(backend, a), values(backend, b), out, Int32Array.from(shape),
        broadcastStrides(a.shape.length === 0 ? [1] : a.shape, shape), broadcastStrides(b.shape.length === 0 ? [1] : b.shape, shape));
    }
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

function unaryKernel(addon: NativeKernels, op: number, fallback: KernelFunc): KernelFunc {
  return (args: Args) => {
    const x = args.inputs['x'] as tf.TensorInfo;
    if (x.dtype !== 'float32') return fallback(args);
    // Step takes an alpha for x <= 0; the native step is alpha = 0.
    if (op === UNARY_OPS.step && (args.attrs as { alpha?: number } | undefined)?.alpha !== 0) return fallback(args);
    const backend = args.backend as MathBackendCPU;
    const out = new Float32Array(size(x.shape));
    addon.unary(op, values(backend, x), out);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
}

function reduceKernel(addon: NativeKernels, op: number, fallback: KernelFunc): KernelFunc {
  return (args: Args) => {
    const x = args.inputs['x'] as tf.TensorInfo;
    if (x.dtype !== 'float32') return fallback(args);
    const backend = args.backend as MathBackendCPU;
    // Max names its axes `reductionIndices`; Sum, Mean and Min name them `axis`.
    const attrs = args.attrs as unknown as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims: boolean };
    const axis = (attrs.axis ?? attrs.reductionIndices)!;
    const keepDims = attrs.keepDims;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const sorted = [...axes].sort((p, q) => p - q);
    const [outShape, reduceShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, sorted);
    const r = size(reduceShape);
    // No axes, an empty reduction or an empty result: the CPU kernel's conventions.
    if (sorted.length === 0 || r === 0 || size(outShape) === 0) return fallback(args);
    let xVals = values(backend, x);
    let a: number, b: number;
    if (sorted.every((v, i) => i === 0 || v === sorted[i - 1]! + 1)) {
      // The reduced axes form one block: reduce x as a × r × b in place, no transpose.
      a = size(x.shape.slice(0, sorted[0]!));
      b = size(x.shape.slice(sorted[sorted.length - 1]! + 1));
    } else {
      // Move the reduced axes last (as tfjs's CPU kernels do), then reduce contiguous rows.
      const perm = tf.backend_util.getAxesPermutation(axes, rank)!;
      xVals = shared.transposeImpl(xVals, x.shape, 'float32', perm, perm.map((p) => x.shape[p]!)) as Float32Array;
      a = size(outShape);
      b = 1;
    }
    const out = new Float32Array(a * b);
    addon.reduceMid(op, xVals, a, r, b, out);
    const shape = keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, sorted) : outShape;
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

function batchMatMulKernel(addon: NativeKernels, fallback: KernelFunc): KernelFunc {
  return (args: Args) => {
    const a = args.inputs['a'] as tf.TensorInfo, b = args.inputs['b'] as tf.TensorInfo;
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return fallback(args);
    const ra = a.shape.length, rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const kA = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const kB = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    if (kA !== kB) return fallback(args); // lets the CPU kernel raise tfjs's own error
    const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
    const nA = size(batchA), nB = size(batchB);
    // Batch broadcasting handled natively: equal batches, or one side a single matrix.
    if (nA !== nB && nA !== 1 && nB !== 1) return fallback(args);
    const batchShape = tf.backend_util.assertAndGetBroadcastShape(batchA, batchB);
    const batch = Math.max(nA, nB);
    const backend = args.backend as MathBackendCPU;
    const out = new Float32Array(batch * m * n);
    addon.sgemmBatched(batch, transposeA, transposeB, m, n, kA, 1, values(backend, a), nA === 1 ? 0 : m * kA,
      values(backend, b), nB === 1 ? 0 : kA * n, 0, out, m * n);
    return backend.makeTensorInfo([...batchShape, m, n], 'float32', out);
  };
}

function tileKernel(addon: NativeKernels, fallback: KernelFunc): KernelFunc {
  return (args: Args) => {
    const x = args.inputs['x'] as tf.TensorInfo;
    const { reps } = args.attrs as unknown as { reps: number[] };
    if (x.dtype !== 'float32' || x.shape.length === 0 || x.shape.length > 8 || reps.length !== x.shape.length) return fallback(args);
    const backend = args.backend as MathBackendCPU;
    const outShape = x.shape.map((d, i) => d * reps[i]!);
    const out = new Float32Array(size(outShape));
    if (out.length > 0) addon.tile(values(backend, x), Int32Array.from(x.shape), Int32Array.from(outShape), out);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

let registered = false;

/**
 * Register the `native` backend and its kernels with tfjs (once). Returns false, with the
 * reason, when the addon is not available.
 * @param priority tfjs backend priority (higher wins when tfjs picks a backend by itself).
 */
export function registerNativeBackend(priority = 3): { ok: boolean; reason?: string } {
  const { addon, error } = nativeAddon();
  if (!addon) return { ok: false, reason: error ?? 'native addon unavailable' };
  if (registered) return { ok: true };
  const cpuKernels = tf.getKernelsForBackend('cpu');
  const cpu = new Map(cpuKernels.map((k) => [k.kernelName, k.kernelFunc] as const));
  const overrides = new Map<string, (fb: KernelFunc) => KernelFunc>([
    [tf.BatchMatMul, (fb) => batchMatMulKernel(addon, fb)],
    [tf.Add, (fb) => binaryKernel(addon, BINARY_OPS.add, fb)],
    [tf.Sub, (fb) => binaryKernel(addon, BINARY_OPS.sub, fb)],
    [tf.Multiply, (fb) => binaryKernel(addon, BINARY_OPS.mul, fb)],
    [tf.RealDiv, (fb) => binaryKernel(addon, BINARY_OPS.div, fb)],
    [tf.Maximum, (fb) => binaryKernel(addon, BINARY_OPS.maximum, fb)],
    [tf.Minimum, (fb) => binaryKernel(addon, BINARY_OPS.minimum, fb)],
    [tf.SquaredDifference, (fb) => binaryKernel(addon, BINARY_OPS.squaredDifference, fb)],
    [tf.Neg, (fb) => unaryKernel(addon, UNARY_OPS.neg, fb)],
    [tf.Abs, (fb) => unaryKernel(addon, UNARY_OPS.abs, fb)],
    [tf.Relu, (fb) => unaryKernel(addon, UNARY_OPS.relu, fb)],
    [tf.Sign, (fb) => unaryKernel(addon, UNARY_OPS.sign, fb)],
    [tf.Tanh, (fb) => unaryKernel(addon, UNARY_OPS.tanh, fb)],
    [tf.Exp, (fb) => unaryKernel(addon, UNARY_OPS.exp, fb)],
    [tf.Log, (fb) => unaryKernel(addon, UNARY_OPS.log, fb)],
    [tf.Sqrt, (fb) => unaryKernel(addon, UNARY_OPS.sqrt, fb)],
    [tf.Square, (fb) => unaryKernel(addon, UNARY_OPS.square, fb)],
    [tf.Sigmoid, (fb) => unaryKernel(addon, UNARY_OPS.sigmoid, fb)],
    [tf.Step, (fb) => unaryKernel(addon, UNARY_OPS.step, fb)],
    [tf.Tile, (fb) => tileKernel(addon, fb)],
    [tf.Sum, (fb) => reduceKernel(addon, REDUCE_OPS.sum, fb)],
    [tf.Max, (fb) => reduceKernel(addon, REDUCE_OPS.max, fb)],
    [tf.Min, (fb) => reduceKernel(addon, REDUCE_OPS.min, fb)],
    [tf.Mean, (fb) => reduceKernel(addon, REDUCE_OPS.mean, fb)],
  ]);
  for (const config of cpuKernels) {
    const make = overrides.get(config.kernelName);
    tf.registerKernel({ ...config, backendName: NATIVE_BACKEND, kernelFunc: make ? make(config.kernelFunc) : config.kernelFunc });
  }
  for (const name of overrides.keys()) {
    if (!cpu.has(name)) throw new Error(`internal: tfjs CPU backend has no kernel ${name} to fall back to`);
  }
  tf.registerBackend(NATIVE_BACKEND, () => new MathBackendCPU(), priority);
  registered = true;
  return { ok: true };
}

/** The names of the kernels the native backend runs natively (for `xmlc info` and tests). */
export const NATIVE_KERNELS = Object.freeze([
  'BatchMatMul', 'Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Minimum', 'SquaredDifference',
  'Neg', 'Abs', 'Relu', 'Sign', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Square', 'Sigmoid', 'Step',
  'Tile', 'Sum', 'Max', 'Min', 'Mean',
]);
