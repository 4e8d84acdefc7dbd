/**
 * Backend choice for every command that computes: `tensorflow` (tfjs-node-gpu / tfjs-node, a
 * user's GPU or libtensorflow), `native` (our OpenBLAS addon), `wasm`, `cpu` — `auto` takes
 * the first that loads, in that order (docs/architecture.md, "Compute engine").
 */
// tfjs-core's declarations name the global `Long` of @types/long without referencing it: say so
// here, so that a consumer's strict `tsc` (without skipLibCheck, with a `types` list) finds it.
/// <reference types="long" preserve="true" />
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// Gradients of the kernels xmlc trains through: tfjs-core's Node entry point registers none.
// Built by src/engine/bundle_gradients.mjs (`npm run build`) from tfjs-core's own gradient modules.
import './tfjs_gradients.js';
import { XmlcError } from '../errors.js';
import './quiet.js';
import { registerNativeBackend } from './native_backend.js';
import { BACKENDS, type BackendName, type BackendChoice } from './backend_names.js';

export { BACKENDS, BACKEND_CHOICES, type BackendName, type BackendChoice } from './backend_names.js';

/** Whether one backend can be used here, and if not why. */
export interface BackendStatus {
  /** Whether the backend loads and initialises here. */
  readonly ok: boolean;
  /** Why not, when it does not (e.g. the package or the native addon is missing). */
  readonly reason?: string;
}

async function loadTensorflow(): Promise<BackendStatus> {
  const reasons: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(pkg);
      if (tf.findBackend('tensorflow')) return { ok: true };
      reasons.push(`${pkg} loaded but registered no backend`);
    } catch (e) {
      reasons.push(`${pkg}: ${((e as Error).message.split('\n')[0] ?? '').slice(0, 160)}`);
    }
  }
  return { ok: false, reason: reasons.join('; ') };
}

async function loadWasm(): Promise<BackendStatus> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    return tf.findBackendFactory('wasm') ? { ok: true } : { ok: false, reason: 'tfjs-backend-wasm registered no backend' };
  } catch (e) {
    return { ok: false, reason: (e as Error).message.split('\n')[0] ?? String(e) };
  }
}

/** The backend tensors run on now, by tfjs's name for it (`tensorflow`, `native`, `wasm` or `cpu`). */
export function activeBackend(): string {
  return tf.getBackend();
}

/** Whether a backend was chosen (by {@link useBackend} or {@link ensureBackend}). */
let chosen = false;
let autoChoice: Promise<unknown> | undefined;

/**
 * Choose `auto` unless a backend was already chosen with {@link useBackend}: the library's
 * train and predict entry points call this, so a caller who never chooses gets the fastest
 * backend here, not tfjs's pure-JavaScript `cpu`.
 */
export async function ensureBackend(): Promise<void> {
  if (!chosen) autoChoice ??= useBackend('auto');
  await autoChoice;
}

const status = new Map<BackendName, Promise<BackendStatus>>();

/** Load (once) and report one backend. Never throws. */
export function backendStatus(name: BackendName): Promise<BackendStatus> {
  let s = status.get(name);
  if (!s) {
    switch (name) {
      case 'tensorflow': s = loadTensorflow(); break;
      case 'native': s = Promise.resolve(registerNativeBackend()); break;
      case 'wasm': s = loadWasm(); break;
      case 'cpu': s = Promise.resolve({ ok: true }); break;
    }
    status.set(name, s);
  }
  return s;
}

/** Every backend's status, and the one `auto` picks. */
export async function backendReport(): Promise<{
  /** The status of every backend in {@link BACKENDS}. */
  backends: Record<BackendName, BackendStatus>;
  /** The backend `auto` picks: the first that loads (`cpu` always does). */
  auto: BackendName;
}> {
  const backends = {} as Record<BackendName, BackendStatus>;
  for (const b of BACKENDS) backends[b] = await backendStatus(b);
  const auto = BACKENDS.find((b) => backends[b].ok) ?? 'cpu';
  return { backends, auto };
}

/**
 * Make `choice` the active tfjs backend. `auto` picks the first available of
 * tensorflow, native, wasm, cpu and says, in `notes`, why it skipped the better ones.
 * @throws XmlcError when an explicitly requested backend is not available.
 * @example
 * ```ts
 * const { name, notes } = await useBackend('auto'); // e.g. 'native', ['backend tensorflow unavailable: …']
 * ```
 */
export async function useBackend(choice: BackendChoice): Promise<{
  /** The backend now active. */
  name: BackendName;
  /** Why `auto` skipped the backends before it (empty for an explicit choice). */
  notes: string[];
}> {
  chosen = true;
  const notes: string[] = [];
  let name: BackendName = 'cpu';
  if (choice === 'auto') {
    for (const b of BACKENDS) {
      const s = await backendStatus(b);
      if (s.ok) { name = b; break; }
      if (b !== 'tensorflow') notes.push(`backend ${b} unavailable: ${s.reason}`);
    }
  } else {
    if (!(BACKENDS as readonly string[]).includes(choice)) throw new XmlcError(`unknown backend '${String(choice)}' (known: auto, ${BACKENDS.join(', ')})`);
    const s = await backendStatus(choice);
    if (!s.ok) throw new XmlcError(`backend ${choice} is not available here: ${s.reason}`);
    name = choice;
  }
  if (!(await tf.setBackend(name))) throw new XmlcError(`backend ${name} failed to initialise`);
  await tf.ready();
  return { name, notes };
}

// Register `native` (priority 3, above tfjs's `cpu` and `webgl`) as soon as the library is
// imported, so that tensor operations run before any backend is chosen use it rather than cpu.
void backendStatus('native');
