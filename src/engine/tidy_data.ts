import * as tf from '@tensorflow/tfjs-core';
import './quiet.js';

/**
 * Run `fn` in a tf.tidy scope and return its result tensor's values as a Float32Array, freeing
 * every tensor. (Returning the typed array from inside tf.tidy would make tfjs walk it element
 * by element looking for tensors to keep: seconds for a few million values.)
 */
export function tidyData(fn: () => tf.Tensor): Float32Array {
  const t = tf.tidy(fn);
  try {
    return t.dataSync() as Float32Array;
  } finally {
    t.dispose();
  }
}
