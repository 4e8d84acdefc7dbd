/**
 * Distributed training as independent units (issue 16): what the submitter plans, what each
 * worker job trains, and how the parent job assembles the model directory. The units are the
 * ones the model classes train one after the other in a single process — an ensemble member of a
 * global model, or one cluster of one member of a clustered model — trained and written by the
 * same functions (`EmbeddingModel.trainMember` / `writeMember`, `ClusteredModel.trainCluster` /
 * `writeCluster`), so the assembled directory holds the same files, byte for byte, as
 * `trainModel(...).save(...)` with the same data and parameters.
 *
 * Nothing here talks to the queue (./queue.ts does): every function takes and returns plain data.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type Dataset, readDataset } from '../data/index.js';
import { type ParseOptions } from '../data/parser.js';
import { UsageError } from '../errors.js';
import { activeBackend } from '../engine/backends.js';
import { ClusteredModel, chooseClusters, type Clustering, rowsByCluster } from '../model/clustered_model.js';
import { embeddingBody, EmbeddingModel, readMemberMetas } from '../model/embed_model.js';
import { encodeFloats, decodeFloats, type ModelWriter } from '../model/io.js';
import { JsonChecker, type ManifestBody } from '../model/manifest.js';
import { embedTrainParams } from '../model/params.js';
import { type SaveOptions, writeModelDir } from '../model/store.js';
import { type ProgressFn } from '../progress.js';
import { kmeansRouter } from '../regression/kmeans.js';
import { writeFileAtomic } from '../util/atomic.js';
import { ArtifactError, contentId, readDataCached, copyPart, type FileRef, fileRef, type Part, partManifest, readPart, stageDir, writePart } from './artifacts.js';

/** The plan of a distributed training run, written once by the submitter as `plan.json` in the staging folder. */
export interface TrainPlan {
  /** Run id: from the data's checksum and the parameters (the same run gets the same id, and job ids). */
  readonly id: string;
  /** The model directory the parent job writes (absolute). */
  readonly modelDir: string;
  readonly data: FileRef;
  /** How the data file is parsed. */
  readonly read: Pick<ParseOptions, 'format' | 'featureBase' | 'labelBase'>;
  /** The parameters as given (the library tells an explicit choice from a default). */
  readonly given: Record<string, unknown>;
  /** One global model (units: ensemble members) or a clustered model (units: member × cluster). */
  readonly kind: 'global' | 'clustered';
  /** The number of clusters trained (1: global). */
  readonly clusters: number;
  /** Clusters of each member (clustered models). */
  readonly clusterCounts: readonly number[];
  /** What training chose, as the notes of a single-process run say it. */
  readonly notes: readonly string[];
}

/** One job's unit: `m<i>` (member i of a global model) or `p<i>c<j>` (cluster j of member i). */
export type UnitName = `m${number}` | `p${number}c${number}`;

/** The units of a plan, in the order a single process trains them. */
export function planUnits(plan: TrainPlan): UnitName[] {
  if (plan.kind === 'global') return Array.from({ length: plan.clusterCounts.length }, (_, i) => `m${i}` as UnitName);
  return plan.clusterCounts.flatMap((k, i) => Array.from({ length: k }, (_, j) => `p${i}c${j}` as UnitName));
}

const PLAN_FILE = 'plan.json';

/** Read a dataset as the plan says, after checking it is the file the plan recorded (once per worker: see readDataCached). */
export async function readPlanData(plan: TrainPlan): Promise<Dataset> {
  return readDataCached(plan.data, plan.read);
}

/**
 * Plan a run (the submitter): the data file's reference, the choice `clusters: 'auto'` makes, and
 * each member's clustering (written to the staging folder as `p<i>.centroids.f32` and
 * `p<i>.assign.i32`). An existing plan of the same run is reused as it is.
 * @returns the plan and the staging folder.
 */
export async function planTraining(modelDir: string, dataFile: string, read: TrainPlan['read'], given: Record<string, unknown>, onProgress?: ProgressFn): Promise<{ plan: TrainPlan; stage: string }> {
  embedTrainParams(given); // validated before any work
  const data = await fileRef(dataFile);
  const id = contentId({ data: { size: data.size, sha256: data.sha256 }, read, given, modelDir: path.resolve(modelDir) });
  const stage = stageDir(modelDir, id);
  const existing = await readPlan(stage).catch(() => undefined);
  if (existing) return { plan: existing, stage };
  await fs.mkdir(stage, { recursive: true });
  const ds = await readDataset(data.path, { ...read });
  const { chosen, note, first } = await chooseClusters(ds, given, onProgress);
  const notes = note !== undefined ? [note] : [];
  let clusterCounts: number[];
  if (chosen === 1) {
    const { p, notes: more } = await EmbeddingModel.prepare(ds, { ...given, clusters: 1 });
    notes.push(...more);
    clusterCounts = Array.from({ length: p.ensemble }, () => 1);
  } else {
    const { p, notes: more, x } = await ClusteredModel.prepare(ds, { ...given, clusters: chosen });
    notes.push(...more);
    clusterCounts = [];
    for (let i = 0; i < p.ensemble; i++) {
      const c: Clustering = i === 0 && first ? first : await ClusteredModel.memberClustering(x, ds.labels, p, i, notes, onProgress);
      await writeFileAtomic(path.join(stage, `p${i}.centroids.f32`), encodeFloats([c.router.centroids]));
      await writeFileAtomic(path.join(stage, `p${i}.assign.i32`), new Uint8Array(c.assignments.buffer, c.assignments.byteOffset, c.assignments.byteLength));
      clusterCounts.push(c.router.k);
    }
  }
  const plan: TrainPlan = { id, modelDir: path.resolve(modelDir), data, read, given, kind: chosen === 1 ? 'global' : 'clustered', clusters: chosen, clusterCounts, notes };
  await writeFileAtomic(path.join(stage, PLAN_FILE), JSON.stringify(plan, null, 2));
  return { plan, stage };
}

/** The plan in a staging folder. @throws ArtifactError when it is missing or unreadable. */
export async function readPlan(stage: string): Promise<TrainPlan> {
  try {
    return JSON.parse(await fs.readFile(path.join(stage, PLAN_FILE), 'utf8')) as TrainPlan;
  } catch {
    throw new ArtifactError(`no readable ${PLAN_FILE} in ${stage}`);
  }
}

/** Member `i`'s clustering as the plan stored it. */
async function planClustering(stage: string, plan: TrainPlan, i: number, nFeatures: number, nPoints: number): Promise<Clustering> {
  const k = plan.clusterCounts[i]!;
  const cFile = path.join(stage, `p${i}.centroids.f32`), aFile = path.join(stage, `p${i}.assign.i32`);
  const [centroids] = decodeFloats(new Uint8Array(await fs.readFile(cFile)), [k * nFeatures], cFile);
  const bytes = await fs.readFile(aFile);
  if (bytes.length !== nPoints * 4) throw new ArtifactError(`${aFile}: expected ${nPoints} cluster ids`);
  const assignments = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return { router: kmeansRouter(centroids!, k, nFeatures), assignments };
}

/** What a worker prepared for the last run it trained a unit of (the parameters, feature space and projected rows), reused by its next unit of that run. */
let lastPrepared: { id: string; value: Promise<Prepared> } | undefined;
type Prepared = Awaited<ReturnType<typeof EmbeddingModel.prepare>>;

/** `prepare()` for `plan`, once per worker and run (the result is never modified by the units). */
function prepared(plan: TrainPlan, prepare: () => Promise<Prepared>): Promise<Prepared> {
  if (lastPrepared?.id !== plan.id) {
    const value = prepare();
    lastPrepared = { id: plan.id, value };
    value.catch(() => { if (lastPrepared?.value === value) lastPrepared = undefined; });
  }
  return lastPrepared!.value;
}

/**
 * Train one unit and write it as the part `unit` of the staging folder (a worker's job). A part
 * already there is kept: the job ran before (a re-run after a crash redoes only what is missing).
 */
export async function trainUnit(stage: string, unit: UnitName, onProgress?: ProgressFn): Promise<void> {
  const plan = await readPlan(stage);
  if (!planUnits(plan).includes(unit)) throw new UsageError(`unit ${unit} is not one of run ${plan.id}'s`);
  if (await readPart(stage, unit).then(() => true, () => false)) return;
  const data = await readPlanData(plan);
  if (plan.kind === 'global') {
    const i = Number(unit.slice(1));
    const { p, x } = await prepared(plan, () => EmbeddingModel.prepare(data, { ...plan.given, clusters: 1 }));
    const member = await EmbeddingModel.trainMember(x, data.labels, p, i, onProgress);
    try {
      await writePart(stage, unit, (w) => EmbeddingModel.writeMember(w, i, member));
    } finally {
      member.encoder.dispose();
    }
    return;
  }
  const [, si, sj] = /^p(\d+)c(\d+)$/.exec(unit)!;
  const i = Number(si), j = Number(sj);
  const { p, space } = await prepared(plan, () => ClusteredModel.prepare(data, { ...plan.given, clusters: plan.clusters }));
  const clustering = await planClustering(stage, plan, i, space.dim, data.features.nRows);
  const rows = rowsByCluster(clustering.assignments, clustering.router.k)[j]!;
  const cluster = await ClusteredModel.trainCluster(data, rows, p, i, j, clustering.router.k, [], onProgress);
  try {
    await writePart(stage, unit, (w) => ClusteredModel.writeCluster(w, i, j, cluster));
  } finally {
    cluster.model.dispose();
  }
}

/**
 * Assemble the model directory from every unit's part (the parent job): each part is checked,
 * its files copied into a new version folder of `plan.modelDir`, and the manifest is written
 * last (writeModelDir: crash-safe, nothing half-written).
 * @throws ArtifactError naming a missing or corrupt part.
 */
export async function assembleModel(stage: string, options: SaveOptions = {}, onProgress?: ProgressFn): Promise<void> {
  const plan = await readPlan(stage);
  const parts: Part[] = [];
  for (const unit of planUnits(plan)) parts.push(await readPart(stage, unit));
  const data = await readPlanData(plan);
  if (plan.kind === 'global') {
    const { p, x, space } = await EmbeddingModel.prepare(data, { ...plan.given, clusters: 1 });
    const metas = parts.map((part) => part.meta);
    // Member 0's files as a model directory whose manifest lists every member (checked): its encoder chooses the decoder weight.
    const first0 = partManifest(parts[0]!, embeddingBody(p, data.labels, space, { members: metas }, undefined));
    const meta = readMemberMetas(new JsonChecker(path.join(parts[0]!.dir, 'part.json')), first0, p.ensemble)[0]!;
    const first = await EmbeddingModel.readEncoder(parts[0]!.dir, first0, 0, meta, data.labels.nCols);
    let weight: number;
    try {
      weight = await EmbeddingModel.chooseWeight(x, data.labels, p, first, meta.lambda, onProgress);
    } finally {
      first.dispose();
    }
    await writeModelDir(plan.modelDir, options, async (w: ModelWriter): Promise<ManifestBody> => {
      await EmbeddingModel.writeShared(w, data.labels, space);
      for (const part of parts) await copyPart(w, part);
      return EmbeddingModel.body(p, data.labels, space, metas, weight, activeBackend());
    });
    return;
  }
  const { p, space } = await ClusteredModel.prepare(data, { ...plan.given, clusters: plan.clusters });
  await writeModelDir(plan.modelDir, options, async (w: ModelWriter): Promise<ManifestBody> => {
    const partitions: unknown[] = [];
    await EmbeddingModel.writeShared(w, data.labels, space);
    let u = 0;
    for (const [i, k] of plan.clusterCounts.entries()) {
      const c = await planClustering(stage, plan, i, space.dim, data.features.nRows);
      await w.writeBytes(`p${i}.centroids.f32`, encodeFloats([c.router.centroids]));
      const clusters: unknown[] = [];
      for (let j = 0; j < k; j++) {
        const part = parts[u++]!;
        await copyPart(w, part);
        clusters.push(part.meta);
      }
      partitions.push({ clusters });
    }
    return ClusteredModel.body(p, data.labels, space, partitions, activeBackend());
  });
}

/** Remove a run's staging folder (after its model was written). */
export async function removeStage(stage: string): Promise<void> {
  await fs.rm(stage, { recursive: true, force: true });
}
