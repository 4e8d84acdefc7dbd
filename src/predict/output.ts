import { type Ranked } from '../ranking/topk.js';

/**
 * Ranked predictions as text: one line per point, `label:score` pairs best first, separated
 * by single spaces (an empty line for a point with no prediction). Scores are printed with
 * 7 significant digits, enough to round-trip a float32 in practice.
 */
export function formatRanked(r: Ranked): string {
  const lines: string[] = new Array<string>(r.nRows);
  for (let i = 0; i < r.nRows; i++) {
    const parts: string[] = [];
    for (let t = 0; t < r.k; t++) {
      const l = r.labels[i * r.k + t]!;
      if (l < 0) break;
      parts.push(`${l}:${Number(r.scores[i * r.k + t]!.toPrecision(7))}`);
    }
    lines[i] = parts.join(' ');
  }
  return lines.join('\n') + (r.nRows > 0 ? '\n' : '');
}

/**
 * Ranked predictions as JSONL, one object per point: `{"id": ..., "labels": [{"label": "name",
 * "score": 0.93}, ...]}`, labels best first, named by `names` (label id i is names[i]); `ids` are
 * the points' ids (default: their 0-based row numbers). Scores as {@link formatRanked} prints them.
 */
export function formatRankedJsonl(r: Ranked, names: readonly string[], ids?: readonly string[]): string {
  const lines: string[] = new Array<string>(r.nRows);
  for (let i = 0; i < r.nRows; i++) {
    const labels: Array<{ label: string; score: number }> = [];
    for (let t = 0; t < r.k; t++) {
      const l = r.labels[i * r.k + t]!;
      if (l < 0) break;
      labels.push({ label: names[l]!, score: Number(r.scores[i * r.k + t]!.toPrecision(7)) });
    }
    lines[i] = JSON.stringify({ id: ids ? ids[i] : i, labels });
  }
  return lines.join('\n') + (r.nRows > 0 ? '\n' : '');
}
