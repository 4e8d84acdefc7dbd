/**
 * `xmlc train --rerank`: the re-ranker's flags and `rerank` parameters, a re-ranked model saved,
 * described, tested and predicting; bad values are usage errors.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { headBow, xmlc as run } from './harness.js';
import { tempDir } from '../tmp.js';

const xmlc = (...args: string[]): ReturnType<typeof run> => run(args);
const tmp = tempDir('cli-rerank');
const trainFile = path.join(tmp, 'train.txt'), testFile = path.join(tmp, 'test.txt');
await headBow(BUNDLED_BIBTEX.train, trainFile, 800);
await headBow(BUNDLED_BIBTEX.test, testFile, 200);

test('train --rerank: flags over --params, --print-params shows the rerank object; the model is described, tested and predicts', async () => {
  const params = path.join(tmp, 'params.json');
  await fs.writeFile(params, JSON.stringify({ method: 'knn', rerank: { shortlist: 30, c: 1 } }));
  const printed = JSON.parse(xmlc('train', '--params', params, '--rerank-alpha', '0.7', '--print-params').stdout) as { rerank: Record<string, unknown> };
  assert.deepEqual(printed.rerank, { shortlist: 30, loss: 'logistic', c: 1, bias: 1, pruneBelow: 0.01, alpha: 0.7, validationFraction: 0.1, negatives: 'auto' });
  const flagged = JSON.parse(xmlc('train', '--params', params, '--rerank-negatives', 'shortlist', '--print-params').stdout) as { rerank: Record<string, unknown> };
  assert.equal(flagged.rerank['negatives'], 'shortlist');
  assert.equal((JSON.parse(xmlc('train', '--method', 'knn', '--print-params').stdout) as { rerank: unknown }).rerank, false);
  const model = path.join(tmp, 'model');
  const r = xmlc('train', '--train', trainFile, '--model', model, '--params', params, '--rerank-alpha', '0.7', '-q');
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(xmlc('info', '--model', model, '--json').stdout) as { rerank: Record<string, unknown> };
  assert.deepEqual(info.rerank, { shortlist: 30, alpha: 0.7, loss: 'logistic', c: 1, negatives: 'all' }, 'auto: 159 labels are not over 10 × 30');
  const t = xmlc('test', '--model', model, '--test', testFile, '--json', '-q');
  assert.equal(t.code, 0, t.stderr);
  assert.ok((JSON.parse(t.stdout) as Record<string, number>)['P@1']! > 0.3);
  const p = xmlc('predict', '--model', model, '--test', testFile, '--top-k', '3', '-q');
  assert.equal(p.code, 0, p.stderr);
  assert.equal(p.stdout.trim().split('\n').length, 200);
});

test('bad re-ranker values are usage errors (exit 2) naming the parameter', () => {
  for (const [args, re] of [[['--rerank-alpha', '2'], /rerank-alpha/], [['--rerank-shortlist', '0'], /rerank-shortlist/], [['--rerank-c', '0'], /rerank-c/], [['--rerank-negatives', 'hard'], /rerank-negatives/]] as const) {
    const r = xmlc('train', '--method', 'knn', '--rerank', ...args, '--print-params');
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});
