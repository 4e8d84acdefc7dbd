import type { ProgressEvent, ProgressFn } from '../src/progress.js';

/**
 * Draws library progress events on stderr: a bar redrawn in place on a terminal, and one
 * line per finished task ("build HNSW index: 1.23s") everywhere. Silent when `quiet`.
 */
export function stderrProgress(quiet: boolean): ProgressFn {
  const err = process.stderr;
  const tty = err.isTTY === true;
  let barShown = false;
  let lastDraw = 0;
  const clear = (): void => {
    if (barShown) { err.write('\r\x1b[K'); barShown = false; }
  };
  return (e: ProgressEvent): void => {
    if (quiet) return;
    if (e.status === 'progress' && tty) {
      const now = Date.now();
      if (e.done < e.total && now - lastDraw < 100) return;
      lastDraw = now;
      const width = 30;
      const frac = e.total > 0 ? Math.min(1, e.done / e.total) : 1;
      const full = Math.round(frac * width);
      err.write(`\r\x1b[K${e.task} [${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ${e.done}/${e.total}`);
      barShown = true;
    } else if (e.status === 'done') {
      clear();
      err.write(`${e.task}: ${e.seconds.toFixed(2)}s${e.detail ? ` (${e.detail})` : ''}\n`);
    }
  };
}

/** A one-line note on stderr (unless quiet). */
export function note(quiet: boolean, message: string): void {
  if (!quiet) process.stderr.write(message + '\n');
}
