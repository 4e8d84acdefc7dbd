/**
 * The real sets of the accuracy benchmarks, as train and test splits: a registry set or any DIR/NAME/NAME_{train,test}.txt of
 * the data directory (its repository split; propensity constants A = 0.55, B = 1.5 unless the registry has them),
 * RCV1-sub2 (one file, split here: a seeded 25% test) and Debtags (JSONL text, TF-IDF features fitted on the training split).
 */
import * as path from 'node:path';
import { splitPath } from '../datasets/fetch.js';
import { findDataset } from '../datasets/registry.js';
import { type Csr, selectRows } from '../src/data/csr.js';
import { readDataset } from '../src/data/index.js';
import { readTextDataset } from '../src/data/text_reader.js';
import { LabelNames } from '../src/model/text_model.js';
import { TfidfVectorizer } from '../src/text/tfidf.js';
import { splitRows } from '../src/util/split.js';
import { dataDir } from './args.js';

/** A set's splits, its propensity constants and how it was split. */
export interface Data { train: { features: Csr; labels: Csr }; test: { features: Csr; labels: Csr }; a: number; b: number; note: string }

/** The train and test splits of a set (see the module comment). */
export async function load(name: string): Promise<Data> {
  if (name === 'Debtags') {
    const dir = path.join(dataDir, 'Debtags');
    const tr = await readTextDataset(path.join(dir, 'Debtags_train.jsonl')), te = await readTextDataset(path.join(dir, 'Debtags_test.jsonl'));
    const { vectorizer, features } = TfidfVectorizer.fitTransform(tr.texts);
    const names = LabelNames.fromDocuments(tr.labels);
    return {
      train: { features, labels: names.encode(tr.labels).labels },
      test: { features: vectorizer.transform(te.texts), labels: names.encodeWithUnseen(te.labels).labels },
      a: 0.55, b: 1.5, note: `JSONL text, ${features.nCols} TF-IDF features (vectoriser defaults)`,
    };
  }
  if (name === 'RCV1-sub2') {
    const all = await readDataset(path.join(dataDir, name, `${name}_all.txt`));
    const { train, valid } = splitRows(all.features.nRows, 0.25, 0);
    const part = (rows: Int32Array): { features: Csr; labels: Csr } => ({ features: selectRows(all.features, rows), labels: selectRows(all.labels, rows) });
    return { train: part(train), test: part(valid), a: 0.55, b: 1.5, note: `one file: seeded split (seed 0), ${train.length} train / ${valid.length} test` };
  }
  const info = findDataset(name);
  const file = (split: 'train' | 'test'): string => (info ? splitPath(dataDir, info, split) : path.join(dataDir, name, `${name}_${split}.txt`));
  const train = await readDataset(file('train'));
  const test = await readDataset(file('test'), { nFeatures: train.features.nCols, nLabels: train.labels.nCols });
  const { a, b } = info?.propensity ?? { a: 0.55, b: 1.5 };
  return { train, test, a, b, note: 'the repository split' };
}

