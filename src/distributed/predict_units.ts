/**
 * Distributed batch prediction (issue 16): the rows of a test file split into contiguous shards,
 * one job each. A shard job loads the model and the data (both kept for the worker's next shard
 * of the same run), ranks its rows and writes them as a part of the run's staging folder; the
 * submitter reads the parts back in shard order, so the predictions come out in input order and
 * equal those of one process (every model ranks each row on its own).
 *
 * Nothing here talks to the queue (./queue.ts does): every function takes and returns plain data.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { sliceRows } from '../data/csr.js';
import { type Dataset } from '../data/index.js';
import { type ParseOptions } from '../data/parser.js';
import { UsageError } from '../errors.js';
import { openModel } from '../model/load.js';
import { MANIFEST_FILE } from '../model/io.js';
import { type Model } from '../model/model.js';
import { type PredictParams } from '../model/params.js';
import { PREDICT_ROW_ALIGN } from '../predict/strategies.js';
import { type Ranked } from '../ranking/topk.js';
import { writeFileAtomic } from '../util/atomic.js';
import { ArtifactError, contentId, type FileRef, fileRef, fileSha256, type Part, readDataCached, readPart, stageDir, writePart } from './artifacts.js';

/** The plan of a distributed prediction run, written once by the submitter as `plan.json` in the staging folder. */
export interface PredictPlan {
  readonly kind: 'predict';
  /** Run id: from the model's manifest, the data's checksum, the options and the shards (the same run gets the same id, and job ids). */
  readonly id: string;
  /** The model directory (absolute); its staging folders are beside it. */
  readonly modelDir: string;
  /** SHA-256 of the model's manifest.json when the run was planned: a worker refuses a model replaced since. */
  readonly manifestSha256: string;
  readonly data: FileRef;
  /** How the data file is parsed (with the model's feature and label counts). */
  readonly read: Pick<ParseOptions, 'format' | 'featureBase' | 'labelBase' | 'nFeatures' | 'nLabels'>;
  /** The prediction options (`topK`: the width of every part). */
  readonly options: Partial<PredictParams> & { readonly topK: number };
  /** The data's rows. */
  readonly nRows: number;
  /** Shard s holds rows [shards[s][0], shards[s][1]). */
  readonly shards: readonly (readonly [number, number])[];
}

/** One job's unit: shard `s<i>`. */
export type ShardName = `s${number}`;

/** The shard units of a plan, in row order. */
export function planShards(plan: PredictPlan): ShardName[] {
  return plan.shards.map((_, i) => `s${i}` as ShardName);
}

/**
 * Split rows [0, n) into at most `shards` contiguous ranges as equal as can be whose bounds are
 * multiples of `align` (but the last): at least one range, none empty unless n = 0. Aligned
 * shards are ranked bit for bit as in one batch (see PREDICT_ROW_ALIGN).
 */
export function shardRanges(n: number, shards: number, align = PREDICT_ROW_ALIGN): Array<[number, number]> {
  const units = Math.ceil(n / align);
  const s = Math.max(1, Math.min(shards, units));
  const bound = (i: number): number => Math.min(n, Math.floor((i * units) / s) * align);
  return Array.from({ length: s }, (_, i) => [bound(i), bound(i + 1)]);
}

const PLAN_FILE = 'plan.json';

/** The SHA-256 of a model directory's manifest (the model's identity: it lists every file's checksum). */
export function manifestSha256(modelDir: string): Promise<string> {
  return fileSha256(path.join(modelDir, MANIFEST_FILE));
}

/**
 * Plan a prediction run (the submitter): the data file's reference and the shards of its
 * `nRows` rows. An existing plan of the same run is reused as it is.
 * @returns the plan and the staging folder.
 */
export async function planPrediction(modelDir: string, dataFile: string, read: PredictPlan['read'], options: PredictPlan['options'], nRows: number, shards: number): Promise<{ plan: PredictPlan; stage: string }> {
  if (!(Number.isInteger(shards) && shards >= 1)) throw new UsageError(`--shards must be a positive integer but got ${shards}`);
  const dir = path.resolve(modelDir);
  const manifest = await manifestSha256(dir);
  const data = await fileRef(dataFile);
  const ranges = shardRanges(nRows, shards);
  const id = contentId({ kind: 'predict', manifest, data: { size: data.size, sha256: data.sha256 }, read, options, shards: ranges, modelDir: dir });
  const stage = stageDir(dir, id);
  const existing = await readPredictPlan(stage).catch(() => undefined);
  if (existing) return { plan: existing, stage };
  await fs.mkdir(stage, { recursive: true });
  const plan: PredictPlan = { kind: 'predict', id, modelDir: dir, manifestSha256: manifest, data, read, options, nRows, shards: ranges };
  await writeFileAtomic(path.join(stage, PLAN_FILE), JSON.stringify(plan, null, 2));
  return { plan, stage };
}

/** The prediction plan in a staging folder. @throws ArtifactError when it is missing, unreadable or not a prediction plan. */
export async function readPredictPlan(stage: string): Promise<PredictPlan> {
  let plan: PredictPlan;
  try {
    plan = JSON.parse(await fs.readFile(path.join(stage, PLAN_FILE), 'utf8')) as PredictPlan;
  } catch {
    throw new ArtifactError(`no readable ${PLAN_FILE} in ${stage}`);
  }
  if (plan.kind !== 'predict') throw new ArtifactError(`${path.join(stage, PLAN_FILE)} is not the plan of a prediction run`);
  return plan;
}

/** What a worker keeps between the shards of a run: the last model and data it loaded. */
let cachedModel: { key: string; model: Model } | undefined;

/** The plan's model, loaded once per worker (and again if the plan names another one). @throws ArtifactError if the model changed since the run was planned. */
async function planModel(plan: PredictPlan): Promise<Model> {
  const key = `${plan.modelDir}\0${plan.manifestSha256}`;
  if (cachedModel?.key === key) return cachedModel.model;
  const now = await manifestSha256(plan.modelDir).catch(() => 'missing');
  if (now !== plan.manifestSha256) throw new ArtifactError(`model ${plan.modelDir} is not the one the run was submitted with (its manifest ${now === 'missing' ? 'is missing on this machine' : 'changed'}); every worker must see the submitter's model at the same path`);
  cachedModel?.model.dispose();
  cachedModel = undefined;
  const model = await (await openModel(plan.modelDir)).load();
  cachedModel = { key, model };
  return model;
}

/** The plan's data, read once per worker (after checking it is the file the plan recorded). */
async function planData(plan: PredictPlan): Promise<Dataset> {
  const data = await readDataCached(plan.data, plan.read);
  if (data.features.nRows !== plan.nRows) throw new ArtifactError(`data file ${plan.data.path} has ${data.features.nRows} rows but the run recorded ${plan.nRows}`);
  return data;
}

/**
 * Rank the rows of shard `shard` and write them as the part `shard` of the staging folder (a
 * worker's job): `labels.i32` and `scores.f32`, `topK` per row. A part already there is kept.
 */
export async function predictShard(stage: string, shard: ShardName): Promise<void> {
  const plan = await readPredictPlan(stage);
  const s = Number(shard.slice(1));
  const range = plan.shards[s];
  if (!range || `s${s}` !== shard) throw new UsageError(`shard ${shard} is not one of run ${plan.id}'s`);
  if (await readPart(stage, shard).then(() => true, () => false)) return;
  const [start, end] = range;
  const data = await planData(plan);
  const model = await planModel(plan);
  const ranked = await model.predict({ features: sliceRows(data.features, start, end), source: plan.data.path }, plan.options);
  await writePart(stage, shard, async (w) => {
    await w.writeBytes('labels.i32', new Uint8Array(ranked.labels.buffer, ranked.labels.byteOffset, ranked.labels.byteLength));
    await w.writeBytes('scores.f32', new Uint8Array(ranked.scores.buffer, ranked.scores.byteOffset, ranked.scores.byteLength));
    return { start, end, k: ranked.k };
  });
}

/**
 * Every shard's part of `plan`, in row order, checked: its files' checksums, its rows and width.
 * With `keep`, the parts carry their (checked) contents.
 * @throws ArtifactError naming a missing or corrupt part.
 */
async function checkedShards(stage: string, plan: PredictPlan, keep: boolean): Promise<Part[]> {
  const k = plan.options.topK;
  const parts: Part[] = [];
  for (const [s, name] of planShards(plan).entries()) {
    const part = await readPart(stage, name, keep);
    const [start, end] = plan.shards[s]!;
    const meta = part.meta as { start?: unknown; end?: unknown; k?: unknown } | undefined;
    const n = (end - start) * k;
    if (meta?.start !== start || meta.end !== end || meta.k !== k || part.files.get('labels.i32')?.bytes !== 4 * n || part.files.get('scores.f32')?.bytes !== 4 * n) {
      throw new ArtifactError(`part ${part.dir} does not hold rows ${start}..${end} with ${k} labels each`);
    }
    parts.push(part);
  }
  return parts;
}

/** Check every shard's part (the parent job): see {@link gatherShards}. @throws ArtifactError naming a missing or corrupt part. */
export async function checkShards(stage: string): Promise<void> {
  await checkedShards(stage, await readPredictPlan(stage), false);
}

/**
 * The predictions of every shard, checked (each part's checksums, rows and width) and joined in
 * row order: the ranking of the whole data file.
 * @throws ArtifactError naming a missing or corrupt part.
 */
export async function gatherShards(stage: string): Promise<Ranked> {
  const plan = await readPredictPlan(stage);
  const k = plan.options.topK;
  const labels = new Int32Array(plan.nRows * k), scores = new Float32Array(plan.nRows * k);
  for (const [s, part] of (await checkedShards(stage, plan, true)).entries()) {
    const start = plan.shards[s]![0];
    new Uint8Array(labels.buffer, start * k * 4).set(part.contents!.get('labels.i32')!);
    new Uint8Array(scores.buffer, start * k * 4).set(part.contents!.get('scores.f32')!);
  }
  return { nRows: plan.nRows, k, labels, scores };
}
