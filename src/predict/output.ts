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
