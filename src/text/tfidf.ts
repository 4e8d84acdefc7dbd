/**
 * TF-IDF features for raw text (issue 17): Unicode-aware tokenisation, word (or character)
 * n-grams, document-frequency cuts, sublinear tf, smooth idf and ℓ2-normalised rows — the
 * definitions of scikit-learn's TfidfVectorizer (Pedregosa et al., JMLR 12, 2011; the idf is
 * ln((1 + n)/(1 + df)) + 1 with smoothing, ln(n/df) + 1 without, and sublinear tf 1 + ln tf, as
 * in Manning, Raghavan & Schütze, "Introduction to Information Retrieval", §6.4.1), written here
 * for xmlc: the vocabulary is sorted (code-unit order), so a fitted vectoriser does not depend on
 * the order of the documents.
 */
import { type Csr } from '../data/csr.js';
import { nativeAddon, type NativeTermTableHandle, type NativeText } from '../engine/addon.js';
import { InvalidArgumentError, XmlcError } from '../errors.js';

/** How text becomes terms. */
export interface TfidfParams {
  /** `word`: word n-grams; `char`: character n-grams inside each word, padded with one space (scikit-learn's `char_wb`). */
  readonly analyzer: 'word' | 'char';
  /** Shortest n-gram (words or characters). */
  readonly ngramMin: number;
  /** Longest n-gram. */
  readonly ngramMax: number;
  /** Keep terms in at least this many training documents. */
  readonly minDf: number;
  /** Keep terms in at most this fraction of the training documents. */
  readonly maxDf: number;
  /** Keep at most this many terms, the most frequent in the training text (0: all). */
  readonly maxFeatures: number;
  /** tf → 1 + ln tf. */
  readonly sublinearTf: boolean;
  /** idf = ln((1 + n)/(1 + df)) + 1 (as if one more document held every term), else ln(n/df) + 1. */
  readonly smoothIdf: boolean;
  /** Lower-case the text first (Unicode, locale-independent). */
  readonly lowercase: boolean;
  /** A token: one match of this regular expression (Unicode mode), after lower-casing. */
  readonly tokenPattern: string;
}

/** The defaults: word 1–2-grams of tokens of two or more letters, digits or marks, min_df 2, sublinear tf, smooth idf. */
export const TFIDF_DEFAULTS: TfidfParams = Object.freeze({
  analyzer: 'word', ngramMin: 1, ngramMax: 2, minDf: 2, maxDf: 1, maxFeatures: 0,
  sublinearTf: true, smoothIdf: true, lowercase: true, tokenPattern: '[\\p{L}\\p{M}\\p{N}]{2,}',
});

/** The longest n-gram accepted (the count of terms grows with it). */
const MAX_NGRAM = 8;

/** Check and complete vectoriser parameters. @throws InvalidArgumentError naming the bad one. */
export function tfidfParams(given: Partial<TfidfParams> = {}): TfidfParams {
  const p = { ...TFIDF_DEFAULTS, ...given };
  const bad = (name: string, expected: string, got: unknown): never => {
    throw new InvalidArgumentError('tfidfParams', `TF-IDF parameter '${name}' must be ${expected} but got ${JSON.stringify(got)}`);
  };
  if (p.analyzer !== 'word' && p.analyzer !== 'char') bad('analyzer', '"word" or "char"', p.analyzer);
  if (!Number.isInteger(p.ngramMin) || p.ngramMin < 1 || p.ngramMin > MAX_NGRAM) bad('ngramMin', `an integer in [1, ${MAX_NGRAM}]`, p.ngramMin);
  if (!Number.isInteger(p.ngramMax) || p.ngramMax < p.ngramMin || p.ngramMax > MAX_NGRAM) bad('ngramMax', `an integer in [ngramMin, ${MAX_NGRAM}]`, p.ngramMax);
  if (!Number.isInteger(p.minDf) || p.minDf < 1) bad('minDf', 'an integer ≥ 1', p.minDf);
  if (!(typeof p.maxDf === 'number' && p.maxDf > 0 && p.maxDf <= 1)) bad('maxDf', 'a fraction in (0, 1]', p.maxDf);
  if (!Number.isInteger(p.maxFeatures) || p.maxFeatures < 0) bad('maxFeatures', 'an integer ≥ 0 (0: no limit)', p.maxFeatures);
  for (const k of ['sublinearTf', 'smoothIdf', 'lowercase'] as const) if (typeof p[k] !== 'boolean') bad(k, 'true or false', p[k]);
  if (typeof p.tokenPattern !== 'string' || p.tokenPattern === '') bad('tokenPattern', 'a regular expression', p.tokenPattern);
  try {
    if (new RegExp(p.tokenPattern, 'u').test('')) bad('tokenPattern', 'a regular expression that matches no empty string', p.tokenPattern);
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw e;
    bad('tokenPattern', `a valid regular expression (${(e as Error).message})`, p.tokenPattern);
  }
  return Object.freeze(p);
}

/**
 * The tokens of `text` (lower-cased first when `lowercase`): the matches of `tokenPattern`, found
 * for the default pattern by the vectoriser's own scanner (the one that fits and transforms).
 */
export function tokenize(text: string, params: Pick<TfidfParams, 'lowercase' | 'tokenPattern'> = TFIDF_DEFAULTS): string[] {
  const lower = params.lowercase ? text.toLowerCase() : text;
  if (params.tokenPattern !== TFIDF_DEFAULTS.tokenPattern) return lower.match(new RegExp(params.tokenPattern, 'gu')) ?? [];
  const table = new TermTable(), scratch = [new Int32Array(64)];
  const k = scanDefaultTokens(lower, table, true, scratch);
  return Array.from(scratch[0]!.subarray(0, k), (node) => table.text(node));
}

/**
 * Call `emit` with every term of `text`, in text order: its word n-grams (joined by one space) or
 * the character n-grams of its words, each word padded with one space (code points) — the
 * vectoriser's own walk ({@link walkTerms}).
 */
export function forEachTerm(text: string, params: TfidfParams, emit: (term: string) => void, re = new RegExp(params.tokenPattern, 'gu')): void {
  const table = new TermTable(), nodes = new NodeBuffer();
  walkTerms(text, params, re, table, true, [new Int32Array(64)], nodes);
  for (let q = 0; q < nodes.len; q++) emit(table.text(nodes.buf[q]!));
}

/** A vectoriser file or state that is not a fitted TF-IDF vectoriser. */
export class VectorizerFormatError extends XmlcError {}

/** The saved form (JSON): parameters, sorted terms, and their idf (float32 values). */
interface VectorizerJson { format: 'xmlc-tfidf'; version: 1; params: TfidfParams; nDocuments: number; terms: string[]; idf: number[] }

/** `n` empty slots of `width` int32s each (−1 in the field that marks a free slot: the node for width 2, the first for width 4). */
function emptySlots(n: number, width: number): Int32Array {
  const a = new Int32Array(n * width);
  for (let i = 0; i < n; i++) a[i * width + (width === 2 ? 1 : 0)] = -1;
  return a;
}

/**
 * What the vectoriser needs of a table of terms: the JavaScript {@link TermTable} or the addon's
 * ({@link NativeTermTable}; the same algorithm, src/engine/native/text_terms.cc). Node numbers are
 * the table's own; nothing outside it depends on them.
 */
interface Terms {
  /** The node of token `s` (created when `create`; −1 when absent). */
  token(s: string, create: boolean): number;
  /** The node of the n-gram (node `a`, token node `b`) (created when `create`; −1 when absent). */
  pair(a: number, b: number, create: boolean): number;
  /** The count of nodes, and per node its prefix node (−1 for a token) and its last token's node. */
  chains(): { size: number; prefix: Int32Array; last: Int32Array };
  /** The texts of token nodes. */
  tokenTexts(tokens: Int32Array): string[];
}

/**
 * The texts of `nodes` (a word n-gram's tokens joined by one space), and the tokens they are made
 * of: `tokens[i]` is a token node, `tokenText[i]` its text, `slot[node]` = i + 1 (0 for the others).
 * (Arrays are filled in order, never `new Array(n)`: V8 keeps a large preallocated array as a slow dictionary.)
 */
function termTexts(terms: Terms, nodes: Int32Array): { texts: string[]; tokens: Int32Array; tokenText: string[]; slot: Int32Array; chains: ReturnType<Terms['chains']> } {
  const chains = terms.chains(), { prefix, last } = chains;
  const slot = new Int32Array(chains.size), tokenList: number[] = [];
  for (let j = 0; j < nodes.length; j++) {
    for (let x = nodes[j]!; x >= 0; x = prefix[x]!) { const t = last[x]!; if (slot[t] === 0) { tokenList.push(t); slot[t] = tokenList.length; } }
  }
  const tokens = Int32Array.from(tokenList), tokenText = terms.tokenTexts(tokens);
  const texts: string[] = [];
  for (let j = 0; j < nodes.length; j++) {
    const node = nodes[j]!, a = prefix[node]!;
    if (a < 0) texts.push(tokenText[slot[node]! - 1]!);
    else if (prefix[a]! < 0) texts.push(`${tokenText[slot[a]! - 1]!} ${tokenText[slot[last[node]!]! - 1]!}`);
    else {
      const parts: string[] = [];
      for (let x = node; x >= 0; x = prefix[x]!) parts.push(tokenText[slot[last[x]!]! - 1]!);
      texts.push(parts.reverse().join(' '));
    }
  }
  return { texts, tokens, tokenText, slot, chains };
}

/**
 * The texts of `nodes` in sorted order (UTF-16 code units, as `Array.prototype.sort`) and each
 * node's place in it. Word n-grams whose tokens hold only units above U+0020 (every default
 * token) sort as the sequences of their tokens' ranks — "a b" < "ab" as ' ' < any token unit, a
 * prefix before its extensions — so only the tokens are sorted as strings and the n-grams as
 * packed numbers; otherwise every text is sorted as a string.
 */
function sortedTerms(terms: Terms, nodes: Int32Array): { vocabulary: string[]; position: Int32Array } {
  const m = nodes.length, position = new Int32Array(m);
  const { texts, tokens, tokenText, slot, chains: { prefix, last } } = termTexts(terms, nodes);
  let longest = 1, spaced = false;
  for (let j = 0; j < m; j++) { let len = 0; for (let x = nodes[j]!; x >= 0; x = prefix[x]!) len++; if (len > longest) longest = len; }
  for (let i = 0; i < tokenText.length && !spaced; i++) {
    const s = tokenText[i]!;
    for (let j = 0; j < s.length; j++) if (s.charCodeAt(j) <= 0x20) { spaced = true; break; }
  }
  const bits = Math.ceil(Math.log2(tokens.length + 1));
  /** The vocabulary from the places. */
  const inPlace = (): string[] => {
    const at = new Int32Array(m);
    for (let j = 0; j < m; j++) at[position[j]!] = j;
    const vocabulary: string[] = [];
    for (let i = 0; i < m; i++) vocabulary.push(texts[at[i]!]!);
    return vocabulary;
  };
  if (spaced || bits * longest > 52) {
    texts.map((_, j) => j).sort((a, b) => (texts[a]! < texts[b]! ? -1 : 1)).forEach((j, i) => { position[j] = i; });
    return { vocabulary: inPlace(), position };
  }
  // Rank the tokens (1-based: 0 ends a shorter n-gram), then key each n-gram by its ranks.
  const rank = new Int32Array(tokens.length);
  const byText = new Map<string, number>(tokenText.map((t, i) => [t, i]));
  [...byText.keys()].sort().forEach((t, r) => { rank[byText.get(t)!] = r + 1; });
  // When the ranks leave room, the key carries the node's index too (low bits): one numeric sort gives the order.
  const base = 2 ** bits, indexBits = Math.ceil(Math.log2(m + 1)), withIndex = bits * longest + indexBits <= 53, scale = withIndex ? 2 ** indexBits : 1;
  const keys = new Float64Array(m);
  const chain = new Int32Array(longest);
  for (let j = 0; j < m; j++) {
    let len = 0;
    for (let x = nodes[j]!; x >= 0; x = prefix[x]!) chain[len++] = last[x]!;
    let key = 0;
    for (let q = 0; q < longest; q++) key = key * base + (q < len ? rank[slot[chain[len - 1 - q]!]! - 1]! : 0);
    keys[j] = withIndex ? key * scale + j : key;
  }
  const order = keys.slice().sort();
  if (withIndex) {
    for (let i = 0; i < m; i++) position[order[i]! % scale] = i;
  } else {
    for (let j = 0; j < m; j++) {
      let lo = 0, hi = m - 1;
      const k = keys[j]!;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (order[mid]! < k) lo = mid + 1; else hi = mid; }
      position[j] = lo;
    }
  }
  return { vocabulary: inPlace(), position };
}

/** The default token pattern's classes for the addon: 1 per BMP unit of `[\p{L}\p{M}\p{N}]` (computed once). */
let bmpWordUnits: Uint8Array | undefined;
function bmpClassTable(): Uint8Array {
  if (!bmpWordUnits) {
    const t = new Uint8Array(65536);
    for (let c = 0; c < 65536; c++) if (isWordUnit(c)) t[c] = 1;
    bmpWordUnits = t;
  }
  return bmpWordUnits;
}

/** The same class over the astral code points, a bitset (bit cp & 7 of byte cp >> 3), from one scan of them all (computed once, when a text holds one). */
let astralWordPoints: Uint8Array | undefined;
function astralClassTable(): Uint8Array {
  if (!astralWordPoints) {
    const bits = new Uint8Array(0x110000 >> 3);
    const re = /[\p{L}\p{M}\p{N}]/gu;
    for (let base = 0x10000; base < 0x110000; base += 0x4000) {
      const points = new Array<number>(0x4000);
      for (let j = 0; j < 0x4000; j++) points[j] = base + j;
      const s = String.fromCodePoint(...points);
      for (const m of s.matchAll(re)) { const cp = m[0].codePointAt(0)!; bits[cp >> 3]! |= 1 << (cp & 7); }
    }
    astralWordPoints = bits;
  }
  return astralWordPoints;
}

/** Whether the addon's text kernels are used where they apply (tests compare them with the JavaScript path). */
let nativeTextEnabled = true;

/**
 * Use the addon's tokeniser, term table and rows where they apply (the default), or the
 * JavaScript path everywhere (`false`; the same features, slower). For tests and benchmarks.
 */
export function useNativeVectorizer(on: boolean): void { nativeTextEnabled = on; }

/** The addon's text kernels, when built (and not switched off). */
function nativeText(): NativeText | undefined {
  if (!nativeTextEnabled) return undefined;
  const addon = nativeAddon().addon;
  return addon && typeof addon.textScan === 'function' ? addon : undefined;
}

/** Documents per call into the addon (a call that meets the first astral code point stops there, and the scan goes on from it with the astral table). */
const SCAN_CHUNK = 4096;

/** The addon's term table: the default tokeniser and word n-grams (src/engine/native/text_terms.cc). */
class NativeTermTable implements Terms {
  private readonly handle: NativeTermTableHandle;
  constructor(private readonly addon: NativeText) { this.handle = addon.textTableNew(); }

  /** The per-node arrays as last read (cleared by every call that may add nodes). */
  private info: ReturnType<NativeText['textTableInfo']> | undefined;

  token(s: string, create: boolean): number { if (create) this.info = undefined; return this.addon.textToken(this.handle, s, create); }
  pair(a: number, b: number, create: boolean): number { if (create) this.info = undefined; return this.addon.textPair(this.handle, a, b, create); }
  chains(): { size: number; prefix: Int32Array; last: Int32Array } { return this.stats(); }
  tokenTexts(tokens: Int32Array): string[] { return this.addon.textTokens(this.handle, tokens); }
  /** Per node: prefix, last token, document frequency and count (the documents scanned with `create`). */
  stats(): ReturnType<NativeText['textTableInfo']> { return (this.info ??= this.addon.textTableInfo(this.handle)); }

  /**
   * The term nodes of `texts` (lower-cased first when `p.lowercase`, by the addon for ASCII text), document d's at
   * nodes[offsets[d], offsets[d + 1]); with `create`, new terms become nodes and are counted.
   */
  scan(texts: readonly string[], p: TfidfParams, create: boolean): { nodes: Int32Array; offsets: Int32Array } {
    const n = texts.length;
    if (create) this.info = undefined;
    let astral: Uint8Array | null = astralWordPoints ?? null;
    for (let from = 0; from < n;) {
      const to = Math.min(n, from + SCAN_CHUNK);
      const chunk = texts.slice(from, to);
      from += this.addon.textScan(this.handle, chunk, from, p.ngramMin, p.ngramMax, create, bmpClassTable(), astral, p.lowercase);
      if (from < to) astral = astralClassTable(); // a text with an astral code point: scan on from it with the table
    }
    return this.addon.textTake(this.handle);
  }
}

/** A hash of an int32 pair (multiplicative, then a xor-shift). */
function pairHash(a: number, b: number): number {
  const h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) >>> 0;
  return h ^ (h >>> 15);
}

/** The slots of `old` (`width` int32s each) in a table twice as large, placed by `hashOf(offset of the slot)`. */
function rehash(old: Int32Array, width: number, hashOf: (k: number) => number): Int32Array {
  const n = old.length / width, cap = 2 * n, mask = cap - 1, used = width === 2 ? 1 : 0;
  const slots = emptySlots(cap, width);
  for (let k = 0; k < n; k++) {
    if (old[k * width + used] === -1) continue;
    let i = hashOf(k * width) & mask;
    while (slots[i * width + used] !== -1) i = (i + 1) & mask;
    for (let w = 0; w < width; w++) slots[i * width + w] = old[k * width + w]!;
  }
  return slots;
}

/**
 * The terms seen, as nodes: a token (word, or character n-gram) is a node found by its string;
 * a word n-gram of n ≥ 2 tokens is the node of the pair (its first n − 1 tokens' node, its last
 * token's node), found in an open-addressing table of int32 pairs. No n-gram string is built
 * while counting or transforming (strings only for the vocabulary), which is what makes the
 * vectoriser fast.
 */
class TermTable implements Terms {
  /** Tokens: an open-addressing table of slots (FNV-1a hash of the token's UTF-16 units, node), interleaved: one cache line per probe. */
  private tok = emptySlots(1 << 14, 2);
  private tokens = 0;
  /** N-grams: slots (prefix node, last token node, node, unused). */
  private pairSlots = emptySlots(1 << 16, 4);
  private pairs = 0;
  /** Per node: its prefix node (−1 for a token) and its last token's node. */
  private prefix = new Int32Array(1 << 16);
  private last = new Int32Array(1 << 16);
  private readonly tokenText: string[] = [];
  size = 0;

  private newNode(prefix: number, last: number): number {
    const id = this.size++;
    if (id === this.prefix.length) {
      const p = new Int32Array(id * 2); p.set(this.prefix); this.prefix = p;
      const l = new Int32Array(id * 2); l.set(this.last); this.last = l;
    }
    this.prefix[id] = prefix;
    this.last[id] = last < 0 ? id : last;
    return id;
  }

  /** The node of token `s` (created when `create`; −1 when absent). */
  token(s: string, create: boolean): number {
    return this.tokenAt(s, 0, s.length, fnv1a(s, 0, s.length), create);
  }

  /** The node of the token `s[start, end)` whose {@link fnv1a} hash is `h`; no string is made unless it is new and `create`. */
  tokenAt(s: string, start: number, end: number, h: number, create: boolean): number {
    const slots = this.tok, mask = (slots.length >> 1) - 1, len = end - start;
    let i = (h ^ (h >>> 16)) & mask;
    for (;;) {
      const node = slots[2 * i + 1]!;
      if (node === -1) break;
      if (slots[2 * i] === h) {
        const t = this.tokenText[node]!;
        if (t.length === len) {
          let same = true;
          for (let j = 0; j < len; j++) if (t.charCodeAt(j) !== s.charCodeAt(start + j)) { same = false; break; }
          if (same) return node;
        }
      }
      i = (i + 1) & mask;
    }
    if (!create) return -1;
    const id = this.newNode(-1, -1);
    this.tokenText[id] = start === 0 && end === s.length ? s : s.slice(start, end);
    slots[2 * i] = h; slots[2 * i + 1] = id;
    if (2 * ++this.tokens > (slots.length >> 1)) this.tok = rehash(slots, 2, (k) => { const x = slots[k]!; return x ^ (x >>> 16); });
    return id;
  }

  /** The node of the n-gram (node `a`, token node `b`) (created when `create`; −1 when absent). */
  pair(a: number, b: number, create: boolean): number {
    let slots = this.pairSlots;
    const mask = (slots.length >> 2) - 1;
    let i = pairHash(a, b) & mask;
    for (;;) {
      const k = slots[4 * i]!;
      if (k === -1) break;
      if (k === a && slots[4 * i + 1] === b) return slots[4 * i + 2]!;
      i = (i + 1) & mask;
    }
    if (!create) return -1;
    const id = this.newNode(a, b);
    slots[4 * i] = a; slots[4 * i + 1] = b; slots[4 * i + 2] = id;
    if (2 * ++this.pairs > (slots.length >> 2)) {
      const old = slots;
      slots = rehash(old, 4, (k) => pairHash(old[k]!, old[k + 1]!));
      this.pairSlots = slots;
    }
    return id;
  }

  /** Per node (the first `size`): its prefix node (−1 for a token) and its last token's node. */
  chains(): { size: number; prefix: Int32Array; last: Int32Array } {
    return { size: this.size, prefix: this.prefix, last: this.last };
  }

  /** The texts of token nodes. */
  tokenTexts(tokens: Int32Array): string[] {
    return Array.from(tokens, (t) => this.tokenText[t]!);
  }

  /** The text of a node: its tokens joined by one space. */
  text(node: number): string {
    const parts: string[] = [];
    for (let x = node; x >= 0; x = this.prefix[x]!) parts.push(this.tokenText[this.last[x]!]!);
    return parts.reverse().join(' ');
  }
}

/** FNV-1a (32-bit) of the UTF-16 units s[start, end) (Fowler, Noll and Vo; the offset basis and prime of the FNV spec). */
function fnv1a(s: string, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** The default token pattern's character class, `[\p{L}\p{M}\p{N}]`: per BMP unit 1 (in), 2 (out), 0 (not looked up yet). */
const WORD_CLASS = /^[\p{L}\p{M}\p{N}]$/u;
const bmpClass = new Uint8Array(65536);
const astralClass = new Map<number, boolean>();
function isWordUnit(c: number): boolean {
  let k = bmpClass[c]!;
  if (k === 0) { k = WORD_CLASS.test(String.fromCharCode(c)) ? 1 : 2; bmpClass[c] = k; }
  return k === 1;
}
function isWordAstral(cp: number): boolean {
  let k = astralClass.get(cp);
  if (k === undefined) { k = WORD_CLASS.test(String.fromCodePoint(cp)); astralClass.set(cp, k); }
  return k;
}

/**
 * The tokens of `s` under the default pattern (runs of ≥ 2 code points of letters, marks and
 * digits), as nodes of `table`, into `out` (grown as needed); a scan of the UTF-16 units with a
 * memo of the character class and the tokens hashed as they are scanned, equal to matching the
 * regular expression (tested against it).
 */
function scanDefaultTokens(s: string, table: TermTable, create: boolean, scratch: Int32Array[]): number {
  let out = scratch[0]!, k = 0;
  const n = s.length;
  let i = 0;
  while (i < n) {
    let c = s.charCodeAt(i), units = 1, word: boolean;
    if ((c & 0xfc00) === 0xd800 && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { units = 2; word = isWordAstral(s.codePointAt(i)!); } else word = isWordUnit(c);
    if (!word) { i += units; continue; }
    const start = i;
    let h = 0x811c9dc5 | 0, points = 0;
    for (;;) {
      h = Math.imul(h ^ c, 0x01000193);
      if (units === 2) h = Math.imul(h ^ s.charCodeAt(i + 1), 0x01000193);
      i += units;
      points++;
      if (i >= n) break;
      c = s.charCodeAt(i); units = 1;
      if ((c & 0xfc00) === 0xd800 && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { units = 2; if (!isWordAstral(s.codePointAt(i)!)) break; } else if (!isWordUnit(c)) break;
    }
    if (points < 2) continue;
    if (k === out.length) { const o = new Int32Array(2 * k); o.set(out); out = o; scratch[0] = out; }
    out[k++] = table.tokenAt(s, start, i, h, create);
  }
  return k;
}

/**
 * Walk the terms of `text`: `emit(node)` for each, as nodes of `table` (created when `create`;
 * a term absent from the table is skipped, and so are its extensions).
 */
function walkTerms(text: string, p: TfidfParams, re: RegExp, table: TermTable, create: boolean, tokenIds: Int32Array[], out: NodeBuffer): void {
  const lower = p.lowercase ? text.toLowerCase() : text;
  if (p.analyzer === 'char') {
    // For n = lo … hi, the n-grams of code points of the word padded with one space, looked up by their place (no string per n-gram).
    const words = lower.match(re);
    if (!words) return;
    const { ngramMin: lo, ngramMax: hi } = p;
    for (const t of words) {
      const w = ` ${t} `;
      let starts = tokenIds[0]!;
      if (starts.length <= w.length) { starts = new Int32Array(2 * w.length + 2); tokenIds[0] = starts; }
      let points = 0;
      for (let i = 0; i < w.length; points++) { starts[points] = i; i += (w.charCodeAt(i) & 0xfc00) === 0xd800 && i + 1 < w.length && (w.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1; }
      starts[points] = w.length;
      for (let n = lo; n <= hi && n <= points; n++) {
        out.reserve(points - n + 1);
        for (let i = 0; i + n <= points; i++) {
          const a = starts[i]!, b = starts[i + n]!;
          const id = table.tokenAt(w, a, b, fnv1a(w, a, b), create);
          if (id >= 0) out.buf[out.len++] = id;
        }
      }
    }
    return;
  }
  let k: number;
  if (p.tokenPattern === TFIDF_DEFAULTS.tokenPattern) {
    k = scanDefaultTokens(lower, table, create, tokenIds);
  } else {
    const tokens = lower.match(re);
    if (!tokens) return;
    k = tokens.length;
    if (tokenIds[0]!.length < k) tokenIds[0] = new Int32Array(2 * k);
    const ids = tokenIds[0]!;
    for (let i = 0; i < k; i++) {
      const t = tokens[i]!;
      let id = table.token(t, false);
      if (id < 0 && create) {
        if (t.includes(' ')) throw new InvalidArgumentError('TfidfVectorizer', `TF-IDF parameter 'tokenPattern' matched a token with a space (${JSON.stringify(t.slice(0, 40))}): word n-grams are joined by spaces, so tokens must not hold any`);
        id = table.token(t, true);
      }
      ids[i] = id;
    }
  }
  const ids = tokenIds[0]!;
  const { ngramMin: lo, ngramMax: hi } = p;
  out.reserve(k * (hi - lo + 1));
  const buf = out.buf;
  let len = out.len;
  for (let i = 0; i < k; i++) {
    let node = ids[i]!;
    if (node < 0) continue;
    if (lo === 1) buf[len++] = node;
    for (let n = 2; n <= hi && i + n <= k; n++) {
      const next = ids[i + n - 1]!;
      if (next < 0) break;
      node = table.pair(node, next, create);
      if (node < 0) break;
      if (n >= lo) buf[len++] = node;
    }
  }
  out.len = len;
}

/**
 * Every document's term nodes in a new table (document d's at nodes[offsets[d], offsets[d + 1])),
 * and per node its document frequency and count: in the addon for the default word tokens,
 * else in JavaScript.
 */
function countTerms(texts: readonly string[], p: TfidfParams): { table: Terms; nodes: Int32Array; offsets: Int32Array; df: Int32Array; count: Int32Array } {
  const native = p.analyzer === 'word' && p.tokenPattern === TFIDF_DEFAULTS.tokenPattern ? nativeText() : undefined;
  if (native) {
    const table = new NativeTermTable(native);
    const { nodes, offsets } = table.scan(texts, p, true);
    const { df, count } = table.stats();
    return { table, nodes, offsets, df, count };
  }
  const n = texts.length;
  const table = new TermTable();
  // Per node: the last document it was seen in, its document frequency and its count (interleaved).
  let stats = new Int32Array(3 << 16);
  for (let i = 0; i < stats.length; i += 3) stats[i] = -1;
  // Every document's term nodes, in one buffer (offsets per document).
  const nodes = new NodeBuffer();
  const offsets = new Int32Array(n + 1);
  const re = new RegExp(p.tokenPattern, 'gu');
  const scratch = [new Int32Array(1024)];
  for (let d = 0; d < n; d++) {
    const start = nodes.len;
    walkTerms(texts[d]!, p, re, table, true, scratch, nodes);
    if (3 * table.size > stats.length) {
      const grown = new Int32Array(Math.max(2 * stats.length, 3 * table.size));
      for (let i = stats.length; i < grown.length; i += 3) grown[i] = -1;
      grown.set(stats);
      stats = grown;
    }
    const buf = nodes.buf;
    for (let q = start; q < nodes.len; q++) {
      const o = 3 * buf[q]!;
      if (stats[o] !== d) { stats[o] = d; stats[o + 1]!++; }
      stats[o + 2]!++;
    }
    offsets[d + 1] = nodes.len;
  }
  const df = new Int32Array(table.size), count = new Int32Array(table.size);
  for (let id = 0; id < table.size; id++) { df[id] = stats[3 * id + 1]!; count[id] = stats[3 * id + 2]!; }
  return { table, nodes: nodes.buf, offsets, df, count };
}

/** A growing buffer of term nodes (every document's, one after the other). */
class NodeBuffer {
  buf = new Int32Array(1 << 16);
  len = 0;
  /** Room for `extra` more. */
  reserve(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const b = new Int32Array(Math.max(2 * this.buf.length, this.len + extra));
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
}

/**
 * A fitted TF-IDF vectoriser: text → sparse ℓ2-normalised rows over its vocabulary.
 * @example
 * const v = TfidfVectorizer.fit(trainTexts, { minDf: 2 });
 * const x = v.transform(testTexts); // Csr, testTexts.length × v.vocabulary.length
 */
export class TfidfVectorizer {
  private constructor(
    /** The parameters it was fitted with. */
    readonly params: TfidfParams,
    /** The terms, sorted; term i is feature i. */
    readonly vocabulary: readonly string[],
    /** idf of every term (float32). */
    readonly idf: Float32Array,
    /** Training documents it was fitted on. */
    readonly nDocuments: number,
    /** The terms' nodes, and each node's feature (−1: not in the vocabulary). */
    private readonly table: Terms,
    private readonly feature: Int32Array,
  ) {}

  /** Features: the vocabulary's size. */
  get nFeatures(): number { return this.vocabulary.length; }

  /**
   * Fit on the training documents: document frequencies, the cuts (minDf, maxDf, maxFeatures)
   * and the idf.
   * @throws InvalidArgumentError for bad parameters.
   */
  static fit(texts: readonly string[], params: Partial<TfidfParams> = {}): TfidfVectorizer {
    return TfidfVectorizer.fitTransform(texts, params).vectorizer;
  }

  /** {@link fit} and {@link transform} of the same documents, tokenising them once. */
  static fitTransform(texts: readonly string[], params: Partial<TfidfParams> = {}): {
    /** The fitted vectoriser. */
    vectorizer: TfidfVectorizer;
    /** The TF-IDF rows of `texts`. */
    features: Csr;
  } {
    const p = tfidfParams(params);
    const n = texts.length;
    const { table, nodes, offsets, df, count } = countTerms(texts, p);
    // The cuts, then the vocabulary in sorted order.
    const maxDocs = p.maxDf * n;
    let m = 0;
    for (let id = 0; id < df.length; id++) { const f = df[id]!; if (f >= p.minDf && f <= maxDocs) m++; }
    let kept = new Int32Array(m);
    for (let id = 0, j = 0; id < df.length; id++) { const f = df[id]!; if (f >= p.minDf && f <= maxDocs) kept[j++] = id; }
    if (p.maxFeatures > 0 && kept.length > p.maxFeatures) {
      const all = kept, text = termTexts(table, all).texts;
      const order = Array.from(all.keys()).sort((x, y) => count[all[y]!]! - count[all[x]!]! || (text[x]! < text[y]! ? -1 : 1));
      kept = Int32Array.from(order.slice(0, p.maxFeatures), (i) => all[i]!);
    }
    const { vocabulary, position } = sortedTerms(table, kept);
    const feature = new Int32Array(df.length).fill(-1);
    const idf = new Float32Array(vocabulary.length);
    for (let j = 0; j < kept.length; j++) {
      const id = kept[j]!, i = position[j]!, f = df[id]!;
      feature[id] = i;
      idf[i] = p.smoothIdf ? Math.log((1 + n) / (1 + f)) + 1 : Math.log(n / f) + 1;
    }
    const vectorizer = new TfidfVectorizer(p, vocabulary, idf, n, table, feature);
    const features = vectorizer.rows(nodes, offsets);
    return { vectorizer, features };
  }

  /** The TF-IDF rows of `texts` (terms outside the vocabulary are dropped; a row without any is all zeros). */
  transform(texts: readonly string[]): Csr {
    const table = this.table;
    if (!(table instanceof TermTable)) {
      const { nodes, offsets } = (table as NativeTermTable).scan(texts, this.params, false);
      return this.rows(nodes, offsets);
    }
    const re = new RegExp(this.params.tokenPattern, 'gu');
    const scratch = [new Int32Array(1024)];
    const nodes = new NodeBuffer();
    const offsets = new Int32Array(texts.length + 1);
    for (let d = 0; d < texts.length; d++) {
      walkTerms(texts[d]!, this.params, re, table, false, scratch, nodes);
      offsets[d + 1] = nodes.len;
    }
    return this.rows(nodes.buf, offsets);
  }

  /** The CSR rows of documents whose term nodes are `nodes[offsets[d], offsets[d + 1])` (nodes outside the vocabulary dropped). */
  private rows(nodes: Int32Array, offsets: Int32Array): Csr {
    const n = offsets.length - 1;
    const sublinear = this.params.sublinearTf;
    /** The tf weight of a count (1 + ln tf, or tf). */
    const tfWeightOf = (tf: number): number => (sublinear && tf > 0 ? 1 + Math.log(tf) : tf);
    const native = nativeText();
    if (native) {
      let longest = 0;
      for (let d = 0; d < n; d++) longest = Math.max(longest, offsets[d + 1]! - offsets[d]!);
      const r = native.tfidfRows(nodes, offsets, this.feature, this.idf, Float64Array.from({ length: longest + 1 }, (_, tf) => tfWeightOf(tf)));
      return { nRows: n, nCols: this.vocabulary.length, rowPtr: r.rowPtr, indices: r.indices, values: r.values };
    }
    const rowPtr = new Int32Array(n + 1);
    let indices = new Int32Array(1 << 16), values = new Float32Array(1 << 16);
    const count = new Int32Array(this.vocabulary.length);
    let touched = new Int32Array(1024);
    const idf = this.idf, feature = this.feature;
    // The tf weight of the small counts, looked up.
    const tfWeight = Float64Array.from({ length: 64 }, (_, tf) => tfWeightOf(tf));
    let nnz = 0;
    for (let d = 0; d < n; d++) {
      let k = 0;
      const end = offsets[d + 1]!;
      if (end - offsets[d]! > touched.length) touched = new Int32Array(2 * (end - offsets[d]!));
      for (let q = offsets[d]!; q < end; q++) {
        const f = feature[nodes[q]!]!;
        if (f >= 0 && count[f]!++ === 0) touched[k++] = f;
      }
      if (nnz + k > indices.length) {
        const cap = Math.max(indices.length * 2, nnz + k);
        const i2 = new Int32Array(cap); i2.set(indices.subarray(0, nnz)); indices = i2;
        const v2 = new Float32Array(cap); v2.set(values.subarray(0, nnz)); values = v2;
      }
      // The norm over the features in the order met, then the row in feature order (a native sort of the few of one row).
      let norm = 0;
      for (let j = 0; j < k; j++) {
        const f = touched[j]!, tf = count[f]!;
        const v = (tf < tfWeight.length ? tfWeight[tf]! : tfWeightOf(tf)) * idf[f]!;
        norm += v * v;
      }
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      if (k > 1) touched.subarray(0, k).sort();
      for (let j = 0; j < k; j++) {
        const f = touched[j]!, tf = count[f]!;
        count[f] = 0;
        indices[nnz + j] = f;
        values[nnz + j] = (tf < tfWeight.length ? tfWeight[tf]! : tfWeightOf(tf)) * idf[f]! * scale;
      }
      nnz += k;
      rowPtr[d + 1] = nnz;
    }
    return { nRows: n, nCols: this.vocabulary.length, rowPtr, indices: indices.subarray(0, nnz), values: values.subarray(0, nnz) };
  }

  /** The vectoriser as bytes (UTF-8 JSON: parameters, terms, idf), for {@link fromBytes}. */
  toBytes(): Uint8Array {
    const json: VectorizerJson = { format: 'xmlc-tfidf', version: 1, params: this.params, nDocuments: this.nDocuments, terms: [...this.vocabulary], idf: Array.from(this.idf) };
    return new TextEncoder().encode(JSON.stringify(json));
  }

  /**
   * A vectoriser from {@link toBytes}' output; `source` names it in errors.
   * @throws VectorizerFormatError when the bytes are not a saved vectoriser.
   */
  static fromBytes(bytes: Uint8Array, source: string): TfidfVectorizer {
    let json: VectorizerJson;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as VectorizerJson;
    } catch (e) {
      throw new VectorizerFormatError(`${source}: not a saved TF-IDF vectoriser (${(e as Error).message})`);
    }
    if (json?.format !== 'xmlc-tfidf' || json.version !== 1) throw new VectorizerFormatError(`${source}: not a saved TF-IDF vectoriser (format "xmlc-tfidf", version 1)`);
    let params: TfidfParams;
    try {
      params = tfidfParams(json.params);
    } catch (e) {
      throw new VectorizerFormatError(`${source}: ${(e as Error).message}`);
    }
    const { terms, idf } = json;
    if (!Array.isArray(terms) || !Array.isArray(idf) || terms.length !== idf.length || !terms.every((t) => typeof t === 'string' && t !== '') || !idf.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new VectorizerFormatError(`${source}: "terms" and "idf" must be lists of non-empty strings and finite numbers of the same length`);
    }
    for (let i = 1; i < terms.length; i++) if (!(terms[i - 1]! < terms[i]!)) throw new VectorizerFormatError(`${source}: the terms must be sorted and distinct (term ${i})`);
    if (!Number.isInteger(json.nDocuments) || json.nDocuments < 0) throw new VectorizerFormatError(`${source}: "nDocuments" must be a count`);
    // The table of the vocabulary's terms: a word n-gram is the chain of its tokens.
    const native = params.analyzer === 'word' && params.tokenPattern === TFIDF_DEFAULTS.tokenPattern ? nativeText() : undefined;
    const table: Terms = native ? new NativeTermTable(native) : new TermTable();
    const nodes = terms.map((t) => {
      if (params.analyzer === 'char') return table.token(t, true);
      const toks = t.split(' ');
      if (toks.length > params.ngramMax || toks.some((x) => x === '')) throw new VectorizerFormatError(`${source}: term ${JSON.stringify(t.slice(0, 40))} is not a word n-gram of at most ${params.ngramMax} tokens`);
      let node = table.token(toks[0]!, true);
      for (let j = 1; j < toks.length; j++) node = table.pair(node, table.token(toks[j]!, true), true);
      return node;
    });
    const feature = new Int32Array(table.chains().size).fill(-1);
    nodes.forEach((node, i) => { feature[node] = i; });
    return new TfidfVectorizer(params, terms, Float32Array.from(idf), json.nDocuments, table, feature);
  }
}
