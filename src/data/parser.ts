import { type Csr } from './csr.js';
import { DataFormatError, InvalidArgumentError } from '../errors.js';
import { growBytes, growFloat32, growInt32, type Growable } from './growable.js';

/** The two text formats xmlc reads and writes. */
export type DataFormat = 'bow' | 'libsvm';

/** How to read a data file. */
export interface ParseOptions {
  /** `auto` (default) detects from the first line: three integers ⇒ BoW header, else LIBSVM. */
  format?: DataFormat | 'auto';
  /** LIBSVM only: id of the first feature (default 1, LIBSVM's convention). */
  featureBase?: number;
  /** LIBSVM only: id of the first label (default 0). */
  labelBase?: number;
  /** LIBSVM only: at least this many features (aligns a test file with a model). */
  nFeatures?: number;
  /** LIBSVM only: at least this many labels. */
  nLabels?: number;
}

/** A multi-label dataset: features n×D and labels n×L (label values 1). */
export interface Dataset {
  /** Feature rows, n × D (values as read, float32). */
  features: Csr;
  /** Label rows, n × L (every stored value 1). */
  labels: Csr;
  /** The file format it was read from (or is written in). */
  format: DataFormat;
  /** Where it was read from (a path, or the name the caller gave in-memory data). */
  source: string;
}

const NL = 10, CR = 13, SP = 32, TAB = 9, COMMA = 44, COLON = 58, DOT = 46, MINUS = 45, PLUS = 43;
const D0 = 48, D9 = 57;
// Exact powers of ten as doubles: 10^0 .. 10^22 are all exactly representable.
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NONFINITE = /^[+-]?(nan|inf|infinity)$/i;

function isSpace(c: number): boolean {
  return c === SP || c === TAB;
}

// Characters an error message shows escaped: C0/C1 controls, zero-width and bidi marks, line
// separators, the byte-order mark, and U+FFFD.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060\ufeff\ufffd]/g;

/**
 * buf[s, e) between backticks, cut to `max` characters (an ellipsis marks the cut), for an
 * error message: invisible characters are shown as `\u{…}` escapes and bytes that are not
 * UTF-8 as `\xNN`, so a message never carries raw binary to the terminal.
 */
function quote(bytes: Uint8Array, s: number, e: number, max = 40): string {
  const end = Math.min(e, s + 4 * max + 4);
  const slice = bytes.subarray(s, end);
  let text: string;
  try {
    // Where the slice cuts the token, `stream: true` leaves a character cut in two out instead of failing on it.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(slice, { stream: end < e });
  } catch {
    text = Array.from(slice, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
  }
  const cut = text.length > max;
  const shown = (cut ? text.slice(0, max) : text).replace(INVISIBLE, (c) => `\\u{${c.charCodeAt(0).toString(16).toUpperCase()}}`);
  return '`' + shown + (cut ? '…' : '') + '`';
}

/** Largest nnz a CSR with Int32 row pointers can hold, and the largest dimension. */
const MAX_NNZ = 0x7fffffff;
/** Largest id (after the base): ids are Int32 and the dimension, id + 1, must be one too. */
const MAX_ID = MAX_NNZ - 1;
/**
 * Longest line accepted, in bytes. A fully dense point of 1M features at ~12 bytes per
 * `id:value` token takes 12 MB; a longer "line" is a file without newlines (binary data, a
 * device), and a bound keeps memory and the time to say so small.
 */
export const MAX_LINE_BYTES = 64 << 20;
const BOM = [0xef, 0xbb, 0xbf];

/**
 * Incremental parser of BoW / LIBSVM multi-label text. Feed it chunks of bytes in order;
 * it parses every complete line at once (carrying a partial last line over) into growable
 * typed buffers, and {@link finish} returns the CSR matrices. No per-row or per-token JS
 * objects are made: ids and values are parsed from the bytes.
 *
 * Formats: the BoW format of the Extreme Classification Repository
 * (Bhatia et al., address in datasets/registry.ts: a header `N D L`, then N lines
 * `l1,l2,... f:v f:v ...`, 0-based ids) and the multi-label LIBSVM format (the same lines
 * without a header, features 1-based by convention). A `\r` before the newline is ignored.
 *
 * Blank lines (a choice of ours; neither format says):
 * - BoW: a line holding nothing or only spaces/tabs is a point with no labels and no
 *   features (the writer prints such a point as one space) while the header still expects
 *   points; once the N points are read, blank lines are ignored (trailing blank lines) and
 *   any other line is an error.
 * - LIBSVM (no count to go by): a line holding only spaces/tabs is an empty point; a
 *   completely empty line is held back and becomes an empty point only if a data line
 *   follows, so leading and trailing empty lines are ignored.
 */
export class DatasetParser {
  private format: DataFormat | undefined;
  private readonly featureBase: number;
  private readonly labelBase: number;
  private headerRows = -1;
  private headerFeatures = 0;
  private headerLabels = 0;
  private maxFeature = -1;
  private maxLabel = -1;
  private line = 0;
  private rows = 0;
  private pendingBlank = 0;
  /** LIBSVM: a non-empty line has been seen (leading empty lines are skipped). */
  private seenData = false;
  /** Bytes fed so far (for {@link sizeHint}). */
  private bytesFed = 0;
  /** Scratch: position after the last {@link readDigits}. */
  private pos = 0;
  /** The first bytes while fewer than a byte-order mark's three have arrived (then undefined). */
  private head: Uint8Array | undefined = new Uint8Array(0);
  /** The partial last line carried over to the next chunk. */
  private readonly carry = growBytes(1 << 12);
  // Small to start with: large inputs get a size hint (see sizeHint) after their first chunk.
  private readonly fRowPtr = growInt32(1 << 10);
  private readonly fIdx = growInt32(1 << 12);
  private readonly fVal = growFloat32(1 << 12);
  private readonly lRowPtr = growInt32(1 << 10);
  private readonly lIdx = growInt32(1 << 10);

  /**
   * @param source names the input in error messages (a path, or any label).
   * @param options format (default `auto`), LIBSVM id bases and minimum dimensions.
   * @throws InvalidArgumentError for an unknown format or for a negative or non-integer base.
   */
  constructor(readonly source: string, private readonly options: ParseOptions = {}) {
    const f = options.format ?? 'auto';
    if (f !== 'auto' && f !== 'bow' && f !== 'libsvm') throw new InvalidArgumentError('DatasetParser', `format must be auto, bow or libsvm but got ${String(f)}`);
    this.format = f === 'auto' ? undefined : f;
    this.featureBase = options.featureBase ?? 1;
    this.labelBase = options.labelBase ?? 0;
    for (const [name, v] of [['featureBase', this.featureBase], ['labelBase', this.labelBase]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError('DatasetParser', `'${name}' must be a non-negative integer but got ${v}`);
    }
    this.fRowPtr.push(0);
    this.lRowPtr.push(0);
  }

  private fail(detail: string): never {
    throw new DataFormatError(this.source, this.line, detail);
  }

  /**
   * Parse the complete lines of `chunk` (after any carried-over partial line). A UTF-8
   * byte-order mark at the very start is skipped.
   */
  feed(chunk: Uint8Array): void {
    if (this.head) {
      chunk = this.skipByteOrderMark(chunk, false);
      if (this.head) return;
    }
    this.bytesFed += chunk.length;
    // A NUL byte never occurs in text: fail at once instead of waiting for a newline that a
    // binary file or a device may never send.
    const nul = chunk.indexOf(0);
    if (nul >= 0) {
      this.feedText(chunk.subarray(0, nul));
      this.line++;
      this.fail('binary data (a NUL byte): expected a text file of BoW or LIBSVM lines (UTF-8, optionally gzip-compressed)');
    }
    this.feedText(chunk);
  }

  /**
   * While the first three bytes are not all in, collect them in `head` (returning an empty
   * chunk); then drop a UTF-8 byte-order mark, refuse UTF-16/32 (whose marks start FF FE or
   * FE FF), and return the rest. `final`: no more input will come.
   */
  private skipByteOrderMark(chunk: Uint8Array, final: boolean): Uint8Array {
    const head = this.head!;
    const bytes = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const marks = [BOM, [0xff, 0xfe], [0xfe, 0xff]];
    const prefixOfMark = marks.some((m) => bytes.length < m.length && bytes.every((b, i) => b === m[i]));
    if (prefixOfMark && !final) {
      this.head = bytes.slice();
      return bytes.subarray(0, 0);
    }
    this.head = undefined;
    if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
      this.line = 1;
      this.fail(`UTF-16 or UTF-32 text (byte-order mark ${bytes[0]!.toString(16).toUpperCase()} ${bytes[1]!.toString(16).toUpperCase()}): expected UTF-8; convert it first, e.g. iconv -f UTF-16 -t UTF-8`);
    }
    return bytes.length >= 3 && BOM.every((b, i) => bytes[i] === b) ? bytes.subarray(3) : bytes;
  }

  /** Parse the complete lines of `chunk` (no NUL bytes), carrying the partial last line over. */
  private feedText(chunk: Uint8Array): void {
    let buf = chunk;
    if (this.carry.length > 0) {
      const firstNl = chunk.indexOf(NL);
      if (firstNl < 0) {
        this.addToCarry(chunk);
        return;
      }
      // Only the carried piece and the chunk's first line need joining.
      this.addToCarry(chunk.subarray(0, firstNl + 1));
      this.parseLines(this.carry.data, this.carry.length);
      this.carry.clear();
      buf = chunk.subarray(firstNl + 1);
    }
    const lastNl = buf.lastIndexOf(NL);
    if (lastNl < 0) {
      this.addToCarry(buf);
      return;
    }
    this.parseLines(buf, lastNl + 1);
    this.addToCarry(buf.subarray(lastNl + 1));
  }

  private addToCarry(bytes: Uint8Array): void {
    if (this.carry.length + bytes.length > MAX_LINE_BYTES) {
      this.line++;
      this.fail(`line longer than ${MAX_LINE_BYTES >> 20} MiB: expected BoW or LIBSVM lines (is this a data file?)`);
    }
    if (bytes.length > 0) this.carry.append(bytes);
  }

  /**
   * Tell the parser the input's expected total size in bytes: it extrapolates the entries
   * parsed so far to reserve its buffers once (about 5% over), instead of growing them by
   * half repeatedly. Call it after feeding a representative first part (a few MB).
   */
  sizeHint(totalBytes: number): void {
    const done = this.bytesFed - this.carry.length;
    if (!(done > 0 && totalBytes > done)) return;
    const scale = (totalBytes / done) * 1.05;
    const plan = (g: Growable<Int32Array> | Growable<Float32Array>): void => g.reserve(Math.min(MAX_NNZ, g.length * scale + 1024));
    plan(this.fRowPtr); plan(this.lRowPtr); plan(this.fIdx); plan(this.fVal); plan(this.lIdx);
  }

  /** Parse the lines of buf[0, end), end just after a newline. */
  private parseLines(buf: Uint8Array, end: number): void {
    let s = 0;
    while (s < end) {
      let e = buf.indexOf(NL, s);
      if (e < 0 || e >= end) e = end;
      this.parseLine(buf, s, e);
      s = e + 1;
    }
  }

  private parseLine(buf: Uint8Array, s: number, e: number): void {
    this.line++;
    if (e > s && buf[e - 1] === CR) e--;
    if (this.format === undefined || (this.format === 'bow' && this.headerRows < 0)) {
      if (s === e && this.format === undefined) return; // leading empty lines before detection
      if (this.detectOrHeader(buf, s, e)) return;
    }
    let blank = true;
    for (let p = s; p < e; p++) if (!isSpace(buf[p]!)) { blank = false; break; }
    if (this.format === 'bow') {
      if (this.rows >= this.headerRows) {
        if (blank) return; // trailing blank lines
        this.fail(`the header says ${this.headerRows} points but found more at line ${this.line}: expected end of file`);
      }
      if (blank) this.endRow(); else this.parseRow(buf, s, e);
      return;
    }
    if (s === e) { if (this.seenData) this.pendingBlank++; return; }
    this.seenData = true;
    while (this.pendingBlank > 0) { this.pendingBlank--; this.endRow(); }
    if (blank) this.endRow(); else this.parseRow(buf, s, e);
  }

  /** Decide the format on the first line; returns true when the line was a BoW header. */
  private detectOrHeader(buf: Uint8Array, s: number, e: number): boolean {
    // A header is three numbers: a long line is not one (and is not copied into a string).
    const text = e - s <= 256 ? Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1') : '';
    const m = /^[ \t]*(\d+)[ \t]+(\d+)[ \t]+(\d+)[ \t]*$/.exec(text);
    if (this.format === undefined) this.format = m ? 'bow' : 'libsvm';
    if (this.format === 'libsvm') return false;
    if (!m) this.fail(`missing or bad header: expected \`N_points N_features N_labels\`, got ${quote(buf, s, e, 80)}`);
    const [n, d, l] = [Number(m[1]), Number(m[2]), Number(m[3])];
    for (let i = 1; i <= 3; i++) if (Number(m[i]) > MAX_NNZ) this.fail(`header value ${m[i]!.slice(0, 40)} is too large: at most ${MAX_NNZ}`);
    this.headerRows = n; this.headerFeatures = d; this.headerLabels = l;
    return true;
  }

  private endRow(): void {
    if (this.fIdx.length > MAX_NNZ || this.lIdx.length > MAX_NNZ || this.rows >= MAX_NNZ - 1) {
      this.fail(`too many entries: xmlc holds at most ${MAX_NNZ} points, features or labels per matrix`);
    }
    this.fRowPtr.push(this.fIdx.length);
    this.lRowPtr.push(this.lIdx.length);
    this.rows++;
  }

  /** An id beyond {@link MAX_ID} (+ base), quoted from the text (its double may have lost digits). */
  private tooLarge(what: string, buf: Uint8Array, s: number, e: number, bound: number, base: number): never {
    this.fail(bound >= 0 ? `${what} id ${quote(buf, s, e)} out of range [0, ${bound})` : `${what} id ${quote(buf, s, e)} is too large: at most ${MAX_ID + base}`);
  }

  /** Parse one data line `l1,l2 f:v f:v` spanning buf[s, e). */
  private parseRow(buf: Uint8Array, s: number, e: number): void {
    const bow = this.format === 'bow';
    const lBase = bow ? 0 : this.labelBase, fBase = bow ? 0 : this.featureBase;
    let p = s;
    // Labels: present unless the line starts with whitespace or the first token is `id:value`.
    let firstTokenIsFeature = false;
    if (!isSpace(buf[p]!)) {
      for (let q = p; q < e && !isSpace(buf[q]!); q++) if (buf[q] === COLON) { firstTokenIsFeature = true; break; }
    }
    const labelStart = this.lIdx.length;
    let labelsSorted = true;
    if (!isSpace(buf[p]!) && !firstTokenIsFeature) {
      let prev = -1;
      for (;;) {
        const t0 = p;
        let id = this.readDigits(buf, p, e);
        p = this.pos;
        const c = p < e ? buf[p]! : SP;
        if (p === t0 || (c !== COMMA && !isSpace(c))) {
          let q = p; while (q < e && !isSpace(buf[q]!)) q++;
          this.fail(`malformed label list ${quote(buf, s, q)}: expected comma-separated non-negative integer label ids`);
        }
        if (id > MAX_ID + lBase) this.tooLarge('label', buf, t0, p, bow ? this.headerLabels : -1, lBase);
        id -= lBase;
        if (id < 0) this.fail(`label id ${id + lBase} is below the first label id ${lBase} (set --label-base)`);
        if (bow && id >= this.headerLabels) this.fail(`label id ${id} out of range [0, ${this.headerLabels})`);
        if (id === prev) this.fail(`duplicate label id ${id + lBase} in the row`);
        if (id < prev) labelsSorted = false;
        prev = id;
        this.lIdx.push(id);
        if (id > this.maxLabel) this.maxLabel = id;
        if (c === COMMA) { p++; continue; }
        break;
      }
    }
    if (!labelsSorted) this.sortRow(this.lIdx, undefined, labelStart, 'label', lBase);

    // Features.
    const featStart = this.fIdx.length;
    let featsSorted = true;
    let prev = -1;
    for (;;) {
      while (p < e && isSpace(buf[p]!)) p++;
      if (p >= e) break;
      const t0 = p;
      let id = this.readDigits(buf, p, e);
      p = this.pos;
      if (p === t0 || p >= e || buf[p] !== COLON) {
        let q = p; while (q < e && !isSpace(buf[q]!)) q++;
        this.fail(`malformed feature ${quote(buf, t0, q)}: expected \`id:value\` with a non-negative integer id`);
      }
      if (id > MAX_ID + fBase) this.tooLarge('feature', buf, t0, p, bow ? this.headerFeatures : -1, fBase);
      p++; // colon
      const v0 = p;
      let q = p;
      while (q < e && !isSpace(buf[q]!)) q++;
      const value = this.parseValue(buf, v0, q, t0);
      p = q;
      id -= fBase;
      if (id < 0) this.fail(`feature id ${id + fBase} is below the first feature id ${fBase} (set --feature-base)`);
      if (bow && id >= this.headerFeatures) this.fail(`feature id ${id} out of range [0, ${this.headerFeatures})`);
      if (id === prev) this.fail(`duplicate feature id ${id + fBase} in the row`);
      if (id < prev) featsSorted = false;
      prev = id;
      this.fIdx.push(id);
      this.fVal.push(value);
      if (id > this.maxFeature) this.maxFeature = id;
    }
    if (!featsSorted) this.sortRow(this.fIdx, this.fVal, featStart, 'feature', fBase);
    this.endRow();
  }

  /** The decimal digits at buf[p, …) as a number; leaves the position after them in `pos`. */
  private readDigits(buf: Uint8Array, p: number, e: number): number {
    let id = 0;
    while (p < e) {
      const c = buf[p]!;
      if (c < D0 || c > D9) break;
      id = id * 10 + (c - D0);
      p++;
    }
    this.pos = p;
    return id;
  }

  /**
   * The value in buf[s, e) as float32. Fast path (Clinger, "How to read floating point
   * numbers accurately", PLDI 1990): with at most 15 significant digits the decimal mantissa
   * is an exact double and dividing by an exact power of ten rounds correctly, so the
   * result equals `Math.fround(parseFloat(token))`. Other forms go through `Number`.
   */
  private parseValue(buf: Uint8Array, s: number, e: number, tokenStart: number): number {
    let p = s;
    let neg = false;
    if (p < e && (buf[p] === MINUS || buf[p] === PLUS)) { neg = buf[p] === MINUS; p++; }
    let mant = 0, digits = 0, frac = 0, seenDot = false;
    for (; p < e; p++) {
      const c = buf[p]!;
      if (c >= D0 && c <= D9) {
        mant = mant * 10 + (c - D0);
        digits++;
        if (seenDot) frac++;
      } else if (c === DOT && !seenDot) {
        seenDot = true;
      } else {
        break;
      }
    }
    if (p === e && digits > 0 && digits <= 15 && frac <= 22) {
      const v = frac === 0 ? mant : mant / POW10[frac]!;
      return Math.fround(neg ? -v : v);
    }
    const text = Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1');
    if (NONFINITE.test(text)) this.fail(`non-finite value ${quote(buf, tokenStart, e)}: expected a finite number`);
    if (!DECIMAL.test(text)) this.fail(`malformed feature ${quote(buf, tokenStart, e)}: expected \`id:value\` with a decimal number value`);
    const v = Number(text);
    if (!Number.isFinite(v) || !Number.isFinite(Math.fround(v))) this.fail(`non-finite value ${quote(buf, tokenStart, e)}: expected a number within float32 range`);
    return Math.fround(v);
  }

  /**
   * Sort the current row's ids (and values) in place, then reject duplicates. Rows are
   * short and usually nearly sorted: insertion sort (stable, in place) up to 64 entries,
   * an index sort beyond.
   */
  private sortRow(idx: Growable<Int32Array>, val: Growable<Float32Array> | undefined, start: number, what: string, base: number): void {
    const n = idx.length - start;
    const ids = idx.data, vals = val?.data;
    if (n <= 64) {
      const end = idx.length;
      for (let i = start + 1; i < end; i++) {
        const id = ids[i]!, v = vals ? vals[i]! : 0;
        let j = i - 1;
        while (j >= start && ids[j]! > id) { ids[j + 1] = ids[j]!; if (vals) vals[j + 1] = vals[j]!; j--; }
        ids[j + 1] = id;
        if (vals) vals[j + 1] = v;
      }
      for (let i = start + 1; i < end; i++) if (ids[i] === ids[i - 1]) this.fail(`duplicate ${what} id ${ids[i]! + base} in the row`);
      return;
    }
    this.sortLongRow(idx, val, start, what, base);
  }

  private sortLongRow(idx: Growable<Int32Array>, val: Growable<Float32Array> | undefined, start: number, what: string, base: number): void {
    const n = idx.length - start;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => idx.data[start + a]! - idx.data[start + b]!);
    const ids = idx.data.slice(start, start + n);
    const vals = val ? val.data.slice(start, start + n) : undefined;
    for (let i = 0; i < n; i++) {
      idx.data[start + i] = ids[order[i]!]!;
      if (val && vals) val.data[start + i] = vals[order[i]!]!;
      if (i > 0 && idx.data[start + i] === idx.data[start + i - 1]) this.fail(`duplicate ${what} id ${idx.data[start + i]! + base} in the row`);
    }
  }

  /** Finish: parse a final line without newline, check counts, and build the matrices. */
  finish(): Dataset {
    if (this.head) this.feedText(this.skipByteOrderMark(new Uint8Array(0), true));
    if (this.carry.length > 0) {
      const { data, length } = this.carry;
      this.carry.clear();
      this.parseLine(data, 0, length);
    }
    if (this.format === undefined) {
      this.line = 0;
      this.fail('the file is empty: expected a BoW header `N_points N_features N_labels` or LIBSVM lines');
    }
    if (this.format === 'bow') {
      if (this.headerRows < 0) { this.line = 0; this.fail('the file is empty: expected a header `N_points N_features N_labels`'); }
      if (this.rows < this.headerRows) {
        this.line++;
        this.fail(`the header says ${this.headerRows} points but the file has only ${this.rows}`);
      }
    }
    const nFeatures = this.format === 'bow' ? this.headerFeatures : Math.max(this.options.nFeatures ?? 0, this.maxFeature + 1);
    const nLabels = this.format === 'bow' ? this.headerLabels : Math.max(this.options.nLabels ?? 0, this.maxLabel + 1);
    const labelNnz = this.lIdx.length;
    const labelValues = new Float32Array(labelNnz).fill(1);
    return {
      features: { nRows: this.rows, nCols: nFeatures, rowPtr: this.fRowPtr.toArray(), indices: this.fIdx.toArray(), values: this.fVal.toArray() },
      labels: { nRows: this.rows, nCols: nLabels, rowPtr: this.lRowPtr.toArray(), indices: this.lIdx.toArray(), values: labelValues },
      format: this.format,
      source: this.source,
    };
  }

  /**
   * V8 keeps the hidden classes ("maps") of objects only while some object has them; once
   * the last parser is garbage-collected, the optimized parsing code that depends on them is
   * discarded ("weak objects" deoptimization) and the next read starts cold, about 2× slower
   * on a few-MB file. One idle parser (≈ 45 KB) held by the class prevents that.
   */
  private static readonly mapAnchor: DatasetParser = new DatasetParser('(map anchor)');
}
