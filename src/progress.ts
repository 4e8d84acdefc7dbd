/**
 * Typed progress events. The library never prints: long operations call an optional
 * `onProgress` with these events and the CLI draws them on stderr.
 * (Modelled on transformers.js `ProgressInfo`, a union keyed on `status`.)
 */
export type ProgressEvent =
  /** A task started. */
  | {
    /** Which kind of event. */
    status: 'start';
    /** Name of the task (e.g. `'read train.txt'`, `'train ℓ1-AE encoder'`). */
    task: string;
    /** Units of work the task will report (rows, epochs, …), when known. */
    total?: number;
  }
  /** A task advanced (at most about 100 of these per task). */
  | {
    /** Which kind of event. */
    status: 'progress';
    /** Name of the task. */
    task: string;
    /** Units of work done so far (0 ≤ done ≤ total). */
    done: number;
    /** Units of work in all. */
    total: number;
  }
  /** A task finished. */
  | {
    /** Which kind of event. */
    status: 'done';
    /** Name of the task. */
    task: string;
    /** Wall-clock time the task took, in seconds. */
    seconds: number;
    /** A one-line summary, when the task has one. */
    detail?: string;
  }
  /**
   * An epoch of an iterative trainer finished (src/encoders/train_loop.ts): its mean training
   * loss, the validation loss (when there is a validation split) and the 1-based epoch whose
   * weights are kept so far (the best by the validation loss or score).
   */
  | {
    /** Which kind of event. */
    status: 'epoch';
    /** Name of the task. */
    task: string;
    /** The 1-based epoch that finished. */
    epoch: number;
    /** Epochs at most (early stopping may end sooner). */
    epochs: number;
    /** Mean mini-batch loss of the epoch. */
    trainLoss: number;
    /** Loss on the validation split after the epoch, when there is one. */
    validLoss?: number;
    /** 1-based epoch whose weights are kept so far. */
    bestEpoch: number;
  };

/** Receiver of progress events. */
export type ProgressFn = (event: ProgressEvent) => void;

/**
 * Runs `fn` as a named task: emits `start`, lets `fn` report `progress` through the callback
 * it gets (throttled to ~100 events per task), then `done` with the elapsed seconds.
 */
export async function task<T>(
  onProgress: ProgressFn | undefined,
  name: string,
  total: number | undefined,
  fn: (tick: (done: number) => void) => Promise<T> | T,
): Promise<T> {
  const t0 = performance.now();
  onProgress?.({ status: 'start', task: name, ...(total !== undefined ? { total } : {}) });
  let last = -1;
  const step = total !== undefined && total > 0 ? Math.max(1, Math.floor(total / 100)) : 1;
  const tick = (done: number): void => {
    if (!onProgress || total === undefined) return;
    if (done === total || done - last >= step) {
      last = done;
      onProgress({ status: 'progress', task: name, done, total });
    }
  };
  const result = await fn(tick);
  onProgress?.({ status: 'done', task: name, seconds: (performance.now() - t0) / 1000 });
  return result;
}
