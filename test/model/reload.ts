/** Save → load helpers shared by the model tests. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadModel } from '../../src/model/load.js';
import { type Model } from '../../src/model/model.js';
import { type Ranked } from '../../src/ranking/topk.js';
import { tempDir } from '../tmp.js';

/** `model` saved to a fresh directory (removed when the test process exits) and loaded back. */
export async function saveAndLoad(model: Model, prefix: string): Promise<{ dir: string; loaded: Model }> {
  const dir = path.join(tempDir(prefix), 'model');
  await model.save(dir);
  return { dir, loaded: await loadModel(dir) };
}

/** The same labels and the same score bits, row for row. */
export function assertSameRanking(got: Ranked, want: Ranked, what?: string): void {
  assert.deepEqual(got.labels, want.labels, what);
  assert.deepEqual(got.scores, want.scores, what);
}
