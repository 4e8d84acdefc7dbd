/**
 * Raw text end to end through the CLI (issue 17), on a slice of the Debtags corpus (Debian
 * package descriptions and their debtags): train on JSONL, predict JSONL with label names, test
 * matched by name (unseen names are misses), the same model after a reload, CSV input, the
 * TF-IDF flags in --print-params, and the library's TextModel.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readTextDataset } from '../../src/data/text_reader.js';
import { loadModel } from '../../src/model/load.js';
import { TextModel } from '../../src/model/text_model.js';
import { repoRoot } from '../helpers.js';
import { tempDir, xmlc } from '../cli/harness.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'text');
const train = path.join(fixtures, 'debtags_train.jsonl'), testFile = path.join(fixtures, 'debtags_test.jsonl');
const FAST = ['--epochs', '3', '--embedding-dim', '24', '--seed', '2', '--threads', '1', '-q'];

test('train on JSONL text, predict label names as JSONL, test by name; a reload predicts the same', async () => {
  const { dir, cleanup } = await tempDir('text-cli');
  try {
    const model = path.join(dir, 'm');
    const t = xmlc(['train', '--train', train, '--model', model, ...FAST, '--min-df', '1']);
    assert.equal(t.code, 0, t.stderr);
    const manifest = JSON.parse(await fs.readFile(path.join(model, 'manifest.json'), 'utf8')) as { text: { terms: number; labels: number }; files: Record<string, unknown> };
    assert.ok(manifest.files['text.vectorizer.json'] && manifest.files['text.labels.json'], 'the front end is checksummed with the model');
    const p = xmlc(['predict', '--model', model, '--test', testFile, '--id-field', 'id', '--top-k', '3', '--threads', '1', '-q']);
    assert.equal(p.code, 0, p.stderr);
    const lines = p.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; labels: Array<{ label: string; score: number }> });
    const docs = await readTextDataset(testFile, { idField: 'id' });
    assert.equal(lines.length, docs.texts.length);
    const names = new Set((await readTextDataset(train)).labels.flat());
    for (const [i, l] of lines.entries()) {
      assert.equal(l.id, docs.ids![i]);
      assert.ok(l.labels.length <= 3);
      for (const { label, score } of l.labels) { assert.ok(names.has(label), label); assert.equal(typeof score, 'number'); }
      for (let j = 1; j < l.labels.length; j++) assert.ok(l.labels[j - 1]!.score >= l.labels[j]!.score);
    }
    // The label ids of --output-format ids are the positions of the names in the model's sorted label list.
    const ids = xmlc(['predict', '--model', model, '--test', testFile, '--top-k', '3', '--output-format', 'ids', '--threads', '1', '-q']);
    const loadedModel = await loadModel(model);
    assert.ok(loadedModel instanceof TextModel);
    const loaded: TextModel = loadedModel;
    const first = ids.stdout.split('\n')[0]!.split(' ').map((x): string => loaded.labelNames.names[Number(x.split(':')[0])]!);
    assert.deepEqual(first, lines[0]!.labels.map((x) => x.label));
    // test: P@1 equals the share of documents whose first predicted name is one of theirs.
    const r = xmlc(['test', '--model', model, '--test', testFile, '--json', '--threads', '1', '-q']);
    assert.equal(r.code, 0, r.stderr);
    const hits = lines.filter((l, i) => l.labels.length > 0 && docs.labels[i]!.includes(l.labels[0]!.label)).length;
    assert.ok(Math.abs((JSON.parse(r.stdout) as Record<string, number>)['P@1']! - Number((100 * hits / lines.length).toFixed(2))) < 1e-9);
    // The library: the loaded model ranks raw text as the CLI did.
    const ranked = await loaded.predictTexts(docs.texts.slice(0, 5), { topK: 3 });
    for (let i = 0; i < 5; i++) assert.deepEqual(Array.from(ranked.labels.subarray(i * 3, i * 3 + lines[i]!.labels.length)).map((id): string => loaded.labelNames.names[id]!), lines[i]!.labels.map((x) => x.label));
    loaded.dispose();
  } finally {
    await cleanup();
  }
});

test('names unseen in training count as misses; CSV input; knn on text; TF-IDF flags in --print-params; errors', async () => {
  const { dir, cleanup } = await tempDir('text-cli2');
  try {
    const docs = await readTextDataset(train);
    const csv = path.join(dir, 'train.csv');
    const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
    await fs.writeFile(csv, 'text,labels\n' + docs.texts.map((t, i) => `${q(t)},${q(docs.labels[i]!.join('|'))}`).join('\n') + '\n');
    const model = path.join(dir, 'knn');
    assert.equal(xmlc(['train', '--train', csv, '--model', model, '--method', 'knn', '--min-df', '1', '--threads', '1', '-q']).code, 0);
    // One test document: its labels are a training name and a name never seen.
    const one = path.join(dir, 'one.jsonl');
    await fs.writeFile(one, JSON.stringify({ text: docs.texts[0], labels: [docs.labels[0]![0], 'never::seen'] }) + '\n');
    const r = xmlc(['test', '--model', model, '--test', one, '--json', '--ks', '1,2', '--metrics', 'P,R', '--threads', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /1 label occurrence of names unseen in training \(counted as misses\)/);
    const m = JSON.parse(r.stdout) as Record<string, number>;
    assert.ok(m['R@2']! <= 50, `recall counts the unseen name: ${m['R@2']}`);
    // The TF-IDF parameters are training parameters.
    const pp = JSON.parse(xmlc(['train', '--print-params', '--ngram-max', '3', '--min-df', '4']).stdout) as { tfidf: Record<string, unknown> };
    assert.equal(pp.tfidf['ngramMax'], 3); assert.equal(pp.tfidf['minDf'], 4); assert.equal(pp.tfidf['sublinearTf'], true);
    const params = path.join(dir, 'p.json');
    await fs.writeFile(params, JSON.stringify({ tfidf: { ngrams: 2 } }));
    const bad = xmlc(['train', '--train', train, '--model', path.join(dir, 'x'), '--params', params]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown TF-IDF parameter 'ngrams'/);
    // A text model needs text to predict; a BoW model refuses text.
    const wrong = xmlc(['predict', '--model', model, '-q']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /was trained on text: give a text test file/);
  } finally {
    await cleanup();
  }
});
