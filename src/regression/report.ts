/** Progress events for the synchronous solvers of src/regression. */
import { type ProgressFn } from '../progress.js';

/**
 * Progress of a synchronous task: `start` now, `progress` at most ~100 times, `done` at the end.
 * (The async `task` of src/progress.ts cannot wrap a synchronous solver's inner steps.)
 */
export function reporter(onProgress: ProgressFn | undefined, name: string, total: number): { tick: (done: number) => void; end: (detail: string) => void } {
  const t0 = performance.now();
  onProgress?.({ status: 'start', task: name, total });
  const step = Math.max(1, Math.floor(total / 100));
  let last = 0;
  return {
    tick: (done) => {
      if (onProgress && (done - last >= step || done === total)) { last = done; onProgress({ status: 'progress', task: name, done, total }); }
    },
    end: (detail) => onProgress?.({ status: 'done', task: name, seconds: (performance.now() - t0) / 1000, detail }),
  };
}
