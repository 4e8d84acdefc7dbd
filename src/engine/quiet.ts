/**
 * The library never prints: tfjs writes console banners (e.g. "install our node backend") on first
 * use unless in production mode. Every entry point imports this module before any tensor is made —
 * the CLI loads the backends lazily and may build an encoder's tensors before choosing one.
 */
import * as tf from '@tensorflow/tfjs-core';

tf.env().set('PROD', true);
