/**
 * Predictions as text, read back for scoring (`xmlc evaluate --predictions FILE`): one line per
 * point, whitespace-separated `label:score` pairs (xmlc's own output, src/predict/output.ts, or
 * any other tool's), an empty line for a point without predictions.
 */
import { DataFormatError, XmlcError } from '../errors.js';
import { type Ranked } from '../ranking/topk.js';
import { readRegularFile } from '../util/regular_file.js';

const PAIR = /^(\d{1,10}):([^:\s]+)$/;

/**
 * Parse predictions text into a {@link Ranked}: each line's pairs ranked by score, best first
 * (a stable sort: ties keep the file's order, so a file already ranked keeps its ranking).
 * @param text the file's contents (a UTF-8 BOM and CR line ends are accepted).
 * @param file the name used in error messages.
 * @param minWidth the width k of the result is the longest line's pair count, at least this.
 * @throws DataFormatError naming file:line for a token that is not `label:score` (label an integer
 *   in [0, 2³¹), score a finite number) or a label listed twice on one line.
 */
export function parsePredictions(text: string, file: string, minWidth = 1): Ranked {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const rows: { label: number; score: number }[][] = [];
  let width = Math.max(1, minWidth);
  for (let i = 0; i < lines.length; i++) {
    const tokens = lines[i]!.trim().split(/\s+/).filter((t) => t !== '');
    const row: { label: number; score: number }[] = [];
    const seen = new Set<number>();
    for (const t of tokens) {
      const m = PAIR.exec(t);
      const label = m ? Number(m[1]) : NaN, score = m ? Number(m[2]) : NaN;
      if (!m || label > 0x7fffffff || !Number.isFinite(score)) {
        throw new DataFormatError(file, i + 1, `malformed prediction '${t.slice(0, 40)}' (expected label:score, a label id >= 0 and a finite score)`);
      }
      if (seen.has(label)) throw new DataFormatError(file, i + 1, `label ${label} is listed twice`);
      seen.add(label);
      row.push({ label, score });
    }
    row.sort((a, b) => b.score - a.score);
    width = Math.max(width, row.length);
    rows.push(row);
  }
  const labels = new Int32Array(rows.length * width).fill(-1);
  const scores = new Float32Array(rows.length * width).fill(-Infinity);
  rows.forEach((row, i) => row.forEach((p, t) => { labels[i * width + t] = p.label; scores[i * width + t] = p.score; }));
  return { nRows: rows.length, k: width, labels, scores };
}

/** Read and parse a predictions file; see {@link parsePredictions}. */
export async function readPredictions(file: string, minWidth = 1): Promise<Ranked> {
  const fail = (detail: string): XmlcError => new XmlcError(`predictions file ${file} ${detail}`);
  // V8's longest string bounds the file: a larger one cannot be parsed as one text.
  const bytes = await readRegularFile(file, fail, { maxBytes: MAX_TEXT_BYTES });
  return parsePredictions(Buffer.from(bytes).toString('utf8'), file, minWidth);
}

/** Bytes of the largest predictions file read (V8 strings hold at most 2^29 − 24 UTF-16 units). */
const MAX_TEXT_BYTES = (1 << 29) - 24;
