/**
 * Optimizers for training on any backend. On `native`, Adam runs as one fused native pass
 * per variable instead of a dozen tfjs ops; elsewhere it is tfjs's own AdamOptimizer. Both
 * follow tfjs's AdamOptimizer exactly (Kingma & Ba, "Adam: A Method for Stochastic
 * Optimization", ICLR 2015; ε = 1e-7 as tfjs's float32 backend epsilon).
 */
import * as tf from '@tensorflow/tfjs-core';
import { nativeAddon } from './addon.js';
import { NATIVE_BACKEND } from './native_backend.js';

/** Minimises a scalar loss over a list of variables, one step per call. */
export interface Trainer {
  /** One optimisation step; returns the loss before the step. */
  step(loss: () => tf.Scalar, vars: tf.Variable[]): number;
  /** Change the step size from the next step on (a learning-rate schedule); the optimizer's state is kept. */
  setLearningRate(learningRate: number): void;
  dispose(): void;
}

/** Adam settings (tfjs defaults). */
export interface AdamConfig { learningRate: number; beta1?: number; beta2?: number; epsilon?: number }

/** Any tfjs optimizer as a {@link Trainer} (every backend). */
export class TfjsTrainer implements Trainer {
  constructor(private readonly opt: tf.Optimizer) {}
  step(loss: () => tf.Scalar, vars: tf.Variable[]): number {
    const cost = this.opt.minimize(loss, true, vars)!;
    const v = cost.dataSync()[0]!;
    cost.dispose();
    return v;
  }
  setLearningRate(learningRate: number): void {
    // SGD has a setter (it caches −rate as a tensor); Adam reads its field at every step.
    const o = this.opt as unknown as { learningRate: number; setLearningRate?: (r: number) => void };
    if (o.setLearningRate) o.setLearningRate(learningRate);
    else o.learningRate = learningRate;
  }
  dispose(): void { this.opt.dispose(); }
}

/** Adam through tfjs's optimizer. */
function tfjsAdamTrainer(c: AdamConfig): Trainer {
  return new TfjsTrainer(tf.train.adam(c.learningRate, c.beta1 ?? 0.9, c.beta2 ?? 0.999, c.epsilon ?? 1e-7));
}

/**
 * Adam with the moment updates and the parameter update fused in one native pass. A variable's
 * new value is written over its old one when that storage is provably this optimizer's alone:
 * it is the array the previous step gave the variable, and the backend counts one reference to
 * it (the variable's; a clone or a tensor kept by a gradient tape would count too). Otherwise
 * (first step, a variable assigned elsewhere, a live clone) it goes to a fresh array, as tfjs's
 * own optimizers do. Arrays read from a variable with dataSync() on `native` are its storage,
 * so one read during training follows the updates; copy it to keep a snapshot.
 */
class NativeAdam implements Trainer {
  private readonly state = new Map<string, { m: Float32Array; v: Float32Array; owned: Float32Array | null }>();
  private accBeta1 = 1;
  private accBeta2 = 1;
  constructor(private readonly c: Required<AdamConfig>) {}
  setLearningRate(learningRate: number): void { this.c.learningRate = learningRate; }
  step(loss: () => tf.Scalar, vars: tf.Variable[]): number {
    const { addon } = nativeAddon();
    if (!addon) throw new Error('internal: NativeAdam without the native addon');
    const { value, grads } = tf.variableGrads(loss, vars);
    const lossValue = value.dataSync()[0]!;
    this.accBeta1 *= this.c.beta1;
    this.accBeta2 *= this.c.beta2;
    const backend = tf.backend();
    for (const variable of vars) {
      const g = grads[variable.name];
      if (!g) continue;
      const n = variable.size;
      let st = this.state.get(variable.name);
      if (!st) { st = { m: new Float32Array(n), v: new Float32Array(n), owned: null }; this.state.set(variable.name, st); }
      const w = variable.dataSync() as Float32Array;
      const inPlace = w === st.owned && backend.refCount(variable.dataId) === 1;
      const out = inPlace ? w : new Float32Array(n);
      addon.adamUpdate(w, g.dataSync() as Float32Array, st.m, st.v, out,
        this.c.learningRate, this.c.beta1, this.c.beta2, this.c.epsilon, this.accBeta1, this.accBeta2);
      if (!inPlace) {
        const next = tf.tensor(out, variable.shape, 'float32');
        variable.assign(next);
        next.dispose();
        st.owned = out;
      }
    }
    tf.dispose([value, ...Object.values(grads)]);
    return lossValue;
  }
  dispose(): void { this.state.clear(); }
}

/** Adam for the active backend: fused native on `native`, tfjs's otherwise. */
export function adam(c: AdamConfig): Trainer {
  const full = { learningRate: c.learningRate, beta1: c.beta1 ?? 0.9, beta2: c.beta2 ?? 0.999, epsilon: c.epsilon ?? 1e-7 };
  return tf.getBackend() === NATIVE_BACKEND && nativeAddon().addon ? new NativeAdam(full) : tfjsAdamTrainer(full);
}

/** Adam through tfjs's optimizer, whatever the backend (the reference the native one is tested against). */
export function tfjsAdam(c: AdamConfig): Trainer {
  return tfjsAdamTrainer(c);
}
