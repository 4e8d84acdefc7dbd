import type { ProgressEvent, ProgressFn } from '../src/progress.js';

/** How much progress a command prints on stderr (`--quiet`, `--verbose`). */
export interface ProgressLevel { quiet: boolean; verbose?: boolean }

/** One epoch event as text: "epoch 3/100, loss 0.01234, validation 0.01456, best epoch 3". */
export function formatEpoch(e: Extract<ProgressEvent, { status: 'epoch' }>): string {
  const v = e.validLoss !== undefined ? `, validation ${e.validLoss.toPrecision(4)}` : '';
  return `epoch ${e.epoch}/${e.epochs}, loss ${e.trainLoss.toPrecision(4)}${v}, best epoch ${e.bestEpoch}`;
}

/**
 * Draws library progress events on stderr. A bar redrawn in place on a terminal, with the last
 * epoch's losses and best epoch beside it; elsewhere a line every tenth of the epochs and one at
 * the end of training. One line per finished stage ("build HNSW index"); `verbose` adds how long
 * each took ("build HNSW index: 1.23s"). Silent when `quiet`.
 */
export function stderrProgress(level: ProgressLevel | boolean): ProgressFn {
  const { quiet, verbose = false } = typeof level === 'boolean' ? { quiet: level } : level;
  const err = process.stderr;
  const tty = err.isTTY === true;
  let barShown = false;
  let lastDraw = 0;
  // Per task: the last epoch line, and whether it is on a line of its own already (it is not when drawn in place).
  const epochs = new Map<string, { text: string; printed: boolean }>();
  const clear = (): void => {
    if (barShown) { err.write('\r\x1b[K'); barShown = false; }
  };
  const draw = (line: string): void => {
    err.write(`\r\x1b[K${line}`);
    barShown = true;
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
      const ep = epochs.get(e.task);
      draw(`${e.task} [${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}%${ep ? ` ${ep.text}` : ` ${e.done}/${e.total}`}`);
    } else if (e.status === 'epoch') {
      const text = formatEpoch(e);
      const every = Math.max(1, Math.ceil(e.epochs / 10));
      if (tty) {
        epochs.set(e.task, { text, printed: false });
        draw(`${e.task}: ${text}`);
      } else {
        const printed = e.epoch % every === 0;
        if (printed) err.write(`${e.task}: ${text}\n`);
        epochs.set(e.task, { text, printed });
      }
    } else if (e.status === 'done') {
      clear();
      const ep = epochs.get(e.task);
      if (ep && !ep.printed) err.write(`${e.task}: ${ep.text}\n`);
      epochs.delete(e.task);
      err.write(`${e.task}${verbose ? `: ${e.seconds.toFixed(2)}s` : ''}${e.detail ? ` (${e.detail})` : ''}\n`);
    }
  };
}

/** A one-line note on stderr (unless quiet). */
export function note(quiet: boolean, message: string): void {
  if (!quiet) process.stderr.write(message + '\n');
}
