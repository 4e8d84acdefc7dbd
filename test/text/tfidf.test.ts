/**
 * The TF-IDF vectoriser (issue 17): tokenisation fixtures (Unicode, punctuation, n-grams), the
 * idf and tf-idf rows against hand computations, the cuts (min_df, max_df, max_features),
 * order-independence, save → load giving identical features, and the addon's kernels giving the
 * JavaScript path's bits.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Csr } from '../../src/data/csr.js';
import { nativeAddon } from '../../src/engine/addon.js';
import { forEachTerm, TFIDF_DEFAULTS, tfidfParams, TfidfVectorizer, tokenize, useNativeVectorizer, VectorizerFormatError } from '../../src/text/tfidf.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { Rng } from '../../src/util/rng.js';

const terms = (text: string, p: Partial<typeof TFIDF_DEFAULTS> = {}): string[] => {
  const out: string[] = [];
  forEachTerm(text, tfidfParams(p), (t) => out.push(t));
  return out;
};

test('tokenisation: Unicode letters, digits and marks, lower-cased; punctuation and one-character tokens dropped', () => {
  assert.deepEqual(tokenize('Hello, World! C++ and C# — naïve café; x86-64 (v2.0)'), ['hello', 'world', 'and', 'naïve', 'café', 'x86', '64', 'v2']);
  // Greek, Cyrillic, CJK (no spaces: one token per run), combining marks kept inside words, emoji dropped.
  assert.deepEqual(tokenize('Ἀθῆναι Москва 東京都 e\u0301cole 🙂ok'), ['ἀθῆναι', 'москва', '東京都', 'e\u0301cole', 'ok']);
  assert.deepEqual(tokenize('İSTANBUL ǅemal'), ['i̇stanbul', 'ǆemal']);
  assert.deepEqual(tokenize('ABC def', { lowercase: false, tokenPattern: TFIDF_DEFAULTS.tokenPattern }), ['ABC', 'def']);
  assert.deepEqual(tokenize('a-b c_d', { lowercase: true, tokenPattern: '[a-z_]+' }), ['a', 'b', 'c_d']);
  assert.deepEqual(tokenize(''), []);
});

test('the default pattern\'s scanner finds exactly the regular expression\'s matches (BMP, astral, marks, digits, punctuation)', () => {
  const re = new RegExp(TFIDF_DEFAULTS.tokenPattern, 'gu');
  // Code points from letters, marks, digits and everything else, astral ones included.
  const pool = [...'aZé9 ,.-_\t\n\u0301\u0663ΣσЖж東京\u200b\u2028\ufeff'].map((c) => c.codePointAt(0)!).concat([0x1d518, 0x1d7d8, 0x1f642, 0x10400, 0xd800]);
  const rng = new Rng(17);
  for (let t = 0; t < 500; t++) {
    const text = String.fromCodePoint(...Array.from({ length: rng.int(40) }, () => pool[rng.int(pool.length)]!));
    assert.deepEqual(tokenize(text), text.toLowerCase().match(re) ?? [], JSON.stringify(text));
  }
});

test('word n-grams: every 1..n run of consecutive tokens, joined by one space, in text order', () => {
  assert.deepEqual(terms('the quick brown fox', { ngramMin: 1, ngramMax: 2 }), ['the', 'the quick', 'quick', 'quick brown', 'brown', 'brown fox', 'fox']);
  assert.deepEqual(terms('the quick brown', { ngramMin: 2, ngramMax: 3 }), ['the quick', 'the quick brown', 'quick brown']);
  assert.deepEqual(terms('one', { ngramMin: 2, ngramMax: 2 }), []);
  // Character n-grams inside words padded with one space (code points, not UTF-16 units).
  assert.deepEqual(terms('ab 𝔘x', { analyzer: 'char', ngramMin: 3, ngramMax: 3 }), [' ab', 'ab ', ' 𝔘x', '𝔘x ']);
});

test('idf and tf-idf rows match a hand computation (smooth idf, sublinear tf, ℓ2 rows); terms sorted', () => {
  const docs = ['apple banana apple', 'banana cherry', 'cherry cherry cherry apple'];
  const v = TfidfVectorizer.fit(docs, { ngramMax: 1, minDf: 1 });
  assert.deepEqual(v.vocabulary, ['apple', 'banana', 'cherry']);
  // df: apple 2, banana 2, cherry 2 → idf = ln(4/3) + 1 each.
  const idf = Math.log(4 / 3) + 1;
  for (const x of v.idf) assert.ok(Math.abs(x - idf) < 1e-6);
  const x = v.transform(docs);
  // Row 0: apple tf 2 → 1 + ln 2, banana tf 1 → 1; equal idf cancels in the ℓ2 norm.
  const a = 1 + Math.log(2), n0 = Math.hypot(a, 1);
  assert.deepEqual(Array.from(x.indices.subarray(0, 2)), [0, 1]);
  assert.ok(Math.abs(x.values[0]! - a / n0) < 1e-6 && Math.abs(x.values[1]! - 1 / n0) < 1e-6);
  // Unsmoothed idf and raw tf: idf = ln(3/df) + 1.
  const w = TfidfVectorizer.fit(['a1 b1', 'a1', 'a1 c1 c1'], { ngramMax: 1, minDf: 1, smoothIdf: false, sublinearTf: false });
  assert.deepEqual(w.vocabulary, ['a1', 'b1', 'c1']);
  assert.ok(Math.abs(w.idf[0]! - 1) < 1e-6 && Math.abs(w.idf[1]! - (Math.log(3) + 1)) < 1e-6);
  const r = w.transform(['c1 c1 a1']);
  const c = 2 * (Math.log(3) + 1), nr = Math.hypot(1, c);
  assert.deepEqual(Array.from(r.indices), [0, 2]);
  assert.ok(Math.abs(r.values[0]! - 1 / nr) < 1e-6 && Math.abs(r.values[1]! - c / nr) < 1e-6);
  // Nothing known: an all-zero row.
  const empty = w.transform(['zz yy']);
  assert.equal(empty.rowPtr[1], 0);
});

test('the cuts: min_df, max_df and max_features (most frequent terms, ties by term), and fitTransform = fit then transform', () => {
  const docs = ['aa bb cc', 'aa bb', 'aa dd', 'aa bb ee ee ee'];
  assert.deepEqual(TfidfVectorizer.fit(docs, { ngramMax: 1, minDf: 2 }).vocabulary, ['aa', 'bb']);
  assert.deepEqual(TfidfVectorizer.fit(docs, { ngramMax: 1, minDf: 1, maxDf: 0.8 }).vocabulary, ['bb', 'cc', 'dd', 'ee']);
  // Total counts: aa 4, bb 3, ee 3, cc 1, dd 1 → the top 3 are aa, bb, ee.
  assert.deepEqual(TfidfVectorizer.fit(docs, { ngramMax: 1, minDf: 1, maxFeatures: 3 }).vocabulary, ['aa', 'bb', 'ee']);
  const { vectorizer, features } = TfidfVectorizer.fitTransform(docs, { minDf: 1 });
  assert.deepEqual(features, vectorizer.transform(docs));
});

test('a fitted vectoriser does not depend on the order of the documents', () => {
  const docs = ['red green', 'green blue blue', 'blue red', 'yellow red green'];
  const a = TfidfVectorizer.fit(docs, { minDf: 1 }), b = TfidfVectorizer.fit([...docs].reverse(), { minDf: 1 });
  assert.deepEqual(a.vocabulary, b.vocabulary);
  assert.deepEqual(a.idf, b.idf);
});

test('save → load gives identical features; corrupt saves are refused', () => {
  const docs = ['the cat sat on the mat', 'the dog sat', 'a cat and a dog', 'μῆνιν ἄειδε θεὰ'];
  const v = TfidfVectorizer.fit(docs, { minDf: 1, ngramMax: 2 });
  const back = TfidfVectorizer.fromBytes(v.toBytes(), 'v.json');
  assert.deepEqual(back.vocabulary, v.vocabulary);
  assert.deepEqual(back.idf, v.idf);
  assert.deepEqual(back.params, v.params);
  assert.deepEqual(back.transform(docs), v.transform(docs));
  const bad = (s: string): void => assert.throws(() => TfidfVectorizer.fromBytes(new TextEncoder().encode(s), 'v.json'), VectorizerFormatError);
  bad('not json');
  bad('{"format":"xmlc-tfidf","version":2}');
  const json = JSON.parse(new TextDecoder().decode(v.toBytes())) as { terms: string[]; idf: number[] };
  bad(JSON.stringify({ ...json, terms: [...json.terms].reverse() }));
  bad(JSON.stringify({ ...json, idf: json.idf.slice(1) }));
});

test('parameters are checked', () => {
  for (const p of [{ ngramMin: 0 }, { ngramMin: 3, ngramMax: 2 }, { minDf: 0 }, { maxDf: 0 }, { maxDf: 1.5 }, { maxFeatures: -1 }, { analyzer: 'bytes' }, { tokenPattern: '(' }, { tokenPattern: 'a*' }, { lowercase: 'yes' }]) {
    assert.throws(() => tfidfParams(p as never), InvalidArgumentError, JSON.stringify(p));
  }
});

/** Fit and transform with the addon's kernels (where built) and with the JavaScript path; both results. */
function bothPaths<T>(run: () => T): { native: T; js: T } {
  const native = run();
  useNativeVectorizer(false);
  try {
    return { native, js: run() };
  } finally {
    useNativeVectorizer(true);
  }
}

const sameFeatures = (a: Csr, b: Csr, what: string): void => {
  assert.equal(a.nCols, b.nCols, what);
  assert.deepEqual(Array.from(a.rowPtr), Array.from(b.rowPtr), what);
  assert.deepEqual(Array.from(a.indices), Array.from(b.indices), what);
  // The same bits, not just close values.
  assert.deepEqual(Array.from(new Uint32Array(a.values.buffer, a.values.byteOffset, a.values.length)), Array.from(new Uint32Array(b.values.buffer, b.values.byteOffset, b.values.length)), what);
};

test('the addon\'s tokeniser, term table and rows give the JavaScript path\'s vocabulary, idf and feature bits (BMP, astral, marks, lone surrogates)', (t) => {
  if (!nativeAddon().addon) { t.skip('the native addon is not built'); return; }
  const rng = new Rng(23);
  // Words from a pool that holds astral letters and digits (𝔘, 𝟘, 𐐀), an emoji, marks, a lone surrogate and separators.
  const pool = ['alpha', 'Beta', 'γάμμα', 'Ж', '東京', 'e\u0301', '𝔘𝔫𝔦', 'x𝟘', '𐐀𐐁', '🙂', 'a\ud800b', '9', 'TWO', 'три', 'ok'];
  const seps = [' ', ', ', '\t', ' — ', '\n', '.'];
  const doc = (): string => Array.from({ length: 1 + rng.int(30) }, () => pool[rng.int(pool.length)]! + seps[rng.int(seps.length)]!).join('');
  // The first documents hold no astral code point, so the addon first scans without its astral table.
  const train = [...Array.from({ length: 5 }, () => 'plain words only here'), ...Array.from({ length: 300 }, doc)];
  const test2 = [...Array.from({ length: 60 }, doc), 'unseen words entirely', ''];
  for (const params of [{}, { minDf: 1, ngramMax: 1 }, { minDf: 1, ngramMin: 2, ngramMax: 3 }, { maxFeatures: 40 }, { sublinearTf: false, smoothIdf: false, lowercase: false }, { maxDf: 0.5 }]) {
    const what = JSON.stringify(params);
    const { native, js } = bothPaths(() => {
      const { vectorizer, features } = TfidfVectorizer.fitTransform(train, params);
      return { vectorizer, features, test: vectorizer.transform(test2) };
    });
    assert.deepEqual(native.vectorizer.vocabulary, js.vectorizer.vocabulary, what);
    assert.deepEqual(native.vectorizer.idf, js.vectorizer.idf, what);
    sameFeatures(native.features, js.features, what);
    sameFeatures(native.test, js.test, what);
    // A vectoriser saved by one path and loaded by the other transforms alike.
    const loadedJs = bothPaths(() => TfidfVectorizer.fromBytes(native.vectorizer.toBytes(), 'v.json')).js;
    sameFeatures(loadedJs.transform(test2), native.test, what);
  }
  // The tokens (unigrams, min_df 1) are exactly the regular expression's matches.
  const re = new RegExp(TFIDF_DEFAULTS.tokenPattern, 'gu');
  const expected = [...new Set(train.flatMap((d) => d.toLowerCase().match(re) ?? []))].sort();
  assert.deepEqual(TfidfVectorizer.fit(train, { minDf: 1, ngramMax: 1 }).vocabulary, expected);
});

test('the vocabulary is in code-unit order whichever way it is sorted (token ranks, or whole strings when tokens may hold units ≤ U+0020)', () => {
  const docs = ['ab a b', 'a b c', 'ab c a', 'abc a b c', 'b a', 'é z', 'z é a', 'a\tb ab\t c\t\t'];
  for (const params of [{ minDf: 1, ngramMax: 3 }, { minDf: 1, ngramMax: 2, tokenPattern: '[a-zé\t]+' }, { minDf: 1, analyzer: 'char' as const, ngramMin: 1, ngramMax: 3 }]) {
    const v = TfidfVectorizer.fit(docs, params).vocabulary;
    assert.deepEqual([...v], [...v].sort(), JSON.stringify(params));
    assert.equal(new Set(v).size, v.length);
  }
  // A token before its n-grams, "aa bb" before "aab" (' ' < 'b').
  assert.deepEqual(TfidfVectorizer.fit(['aab bb', 'aa bb', 'aa cc', 'aab', 'bb aa'], { minDf: 1, ngramMax: 2 }).vocabulary, ['aa', 'aa bb', 'aa cc', 'aab', 'aab bb', 'bb', 'bb aa', 'cc']);
});

/** The character n-grams of the words of `text` written out plainly: each word padded with one space, code points, n = lo … hi. */
function charNgrams(text: string, lo: number, hi: number): string[] {
  const out: string[] = [];
  for (const t of text.toLowerCase().match(new RegExp(TFIDF_DEFAULTS.tokenPattern, 'gu')) ?? []) {
    const chars = Array.from(` ${t} `);
    for (let n = lo; n <= hi && n <= chars.length; n++) for (let i = 0; i + n <= chars.length; i++) out.push(chars.slice(i, i + n).join(''));
  }
  return out;
}

test('character n-grams: forEachTerm and the vectoriser count exactly the plain n-grams (code points, words padded with one space)', () => {
  const docs = ['Naïve café', 'x𝔘y café', 'ok', '🙂 abc abc'];
  const p = tfidfParams({ analyzer: 'char', ngramMin: 1, ngramMax: 3, minDf: 1, sublinearTf: false, smoothIdf: false });
  const v = TfidfVectorizer.fit(docs, p);
  const rows = v.transform(docs);
  docs.forEach((d, i) => {
    const counts = new Map<string, number>();
    for (const t of charNgrams(d, 1, 3)) counts.set(t, (counts.get(t) ?? 0) + 1);
    assert.deepEqual(terms(d, p), charNgrams(d, 1, 3));
    const got = new Map<string, number>();
    for (let q = rows.rowPtr[i]!; q < rows.rowPtr[i + 1]!; q++) got.set(v.vocabulary[rows.indices[q]!]!, rows.values[q]! / v.idf[rows.indices[q]!]!);
    // Row values are tf·idf scaled by one norm: the ratios to the first term are the counts' ratios.
    const [first] = counts.keys();
    for (const [t, c] of counts) assert.ok(Math.abs(got.get(t)! / got.get(first!)! - c / counts.get(first!)!) < 1e-5, `${d}: ${t}`);
    assert.equal(got.size, counts.size, d);
  });
  assert.ok(v.vocabulary.includes(' 𝔘') === false && v.vocabulary.includes('x𝔘y'), 'astral code points are one character');
});
