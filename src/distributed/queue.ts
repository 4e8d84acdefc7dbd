/**
 * xmlc's jobs on BullMQ (Redis): the submitter's side (`submitTraining`: one flow whose children
 * are the run's units and whose parent assembles the model, then a wait with progress) and the
 * worker's (`startWorker`: validates each job's payload, runs it, logs it). Retries, stalled-job
 * detection (a worker killed mid-job loses its lock and another takes the job over) and the
 * parent-waits-for-children logic are BullMQ's; this file only says what the jobs are.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowProducer, Job, type ConnectionOptions, Queue, UnrecoverableError, Worker } from 'bullmq';
import { XmlcError } from '../errors.js';
import { type ProgressFn } from '../progress.js';
import { stageDir } from './artifacts.js';
import { WORKER_ENV } from './worker_env.js';
import { type Ranked } from '../ranking/topk.js';
import { checkShards, gatherShards, planPrediction, type PredictPlan, planShards, predictShard, readPredictPlan, type ShardName } from './predict_units.js';
import { assembleModel, planTraining, planUnits, readPlan, removeStage, type TrainPlan, trainUnit, type UnitName } from './units.js';

/** The queue every xmlc job goes to. */
export const QUEUE_NAME = 'xmlc';

/** Redis is unreachable, or went away while a run was waiting on it. */
export class RedisUnavailableError extends XmlcError {}

/** A distributed run failed: one of its jobs failed all its attempts (its error is in the message). */
export class DistributedRunError extends XmlcError {}

/** Attempts of a unit job before the run fails (a worker's crash counts as one through BullMQ's stalled check). */
export const JOB_ATTEMPTS = 3;

/** The address of a Redis URL without its password (for messages). */
export function redisLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.hostname}:${u.port || '6379'}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * ioredis connection options for `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS).
 * `worker`: commands wait for a reconnection (BullMQ's requirement for workers); otherwise they
 * fail fast when Redis is down, and reconnection gives up after about 10 seconds.
 * @throws RedisUnavailableError for a URL that is not a Redis URL.
 */
export function redisConnection(url: string, worker: boolean): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisUnavailableError(`--redis ${JSON.stringify(url)} is not a URL; expected redis://[user:password@]host[:port][/db] or rediss://… (TLS)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new RedisUnavailableError(`--redis ${redisLabel(url)}: expected a redis:// or rediss:// URL`);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new RedisUnavailableError(`--redis ${redisLabel(url)}: the database (path) must be a number`);
  return {
    host: u.hostname, port: u.port ? Number(u.port) : 6379, db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}),
    maxRetriesPerRequest: worker ? null : 1,
    enableOfflineQueue: worker,
    connectTimeout: 5000,
    retryStrategy: worker ? (times: number) => Math.min(times * 500, 5000) : (times: number) => (times > 20 ? null : 500),
  };
}

/**
 * A job's payload: plain data, checked by {@link checkPayload} before a worker acts on it.
 * Training: `train-unit` (children) and `assemble` (parent); prediction: `predict-shard`
 * (children) and `predict-gather` (parent: checks every shard's part).
 */
export type JobPayload =
  | { readonly v: 1; readonly kind: 'train-unit'; readonly stage: string; readonly unit: UnitName }
  | { readonly v: 1; readonly kind: 'assemble'; readonly stage: string; readonly overwrite: boolean }
  | { readonly v: 1; readonly kind: 'predict-shard'; readonly stage: string; readonly shard: ShardName }
  | { readonly v: 1; readonly kind: 'predict-gather'; readonly stage: string };

const STAGE_NAME = /^\.[^/\\]+\.dist-[0-9a-f]{16}$/;
const UNIT_NAME = /^(m\d{1,6}|p\d{1,6}c\d{1,6})$/;
const SHARD_NAME = /^s\d{1,7}$/;

/**
 * Check a job's payload against the schema: its kind and fields, and that its paths are the
 * staging folder of the model directory its plan names (so a job writes nowhere else), inside
 * the worker's `roots` when it has some.
 * @throws UnrecoverableError (BullMQ does not retry it) saying what is wrong.
 */
export async function checkPayload(data: unknown, roots: readonly string[]): Promise<{ payload: JobPayload; plan: TrainPlan | PredictPlan }> {
  const bad = (why: string): never => { throw new UnrecoverableError(`invalid xmlc job payload: ${why}`); };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) bad('not an object');
  const d = data as Record<string, unknown>;
  if (d['v'] !== 1) bad(`unknown version ${JSON.stringify(d['v'])}`);
  const stage = d['stage'];
  if (typeof stage !== 'string' || !path.isAbsolute(stage) || path.normalize(stage) !== stage || !STAGE_NAME.test(path.basename(stage))) bad('stage must be the absolute path of a run\'s staging folder');
  const only = (...keys: string[]): void => { if (Object.keys(d).some((k) => !['v', 'kind', 'stage', ...keys].includes(k))) bad('unexpected fields'); };
  let payload: JobPayload;
  if (d['kind'] === 'train-unit') {
    if (typeof d['unit'] !== 'string' || !UNIT_NAME.test(d['unit'])) bad('unit must be m<i> or p<i>c<j>');
    only('unit');
    payload = { v: 1, kind: 'train-unit', stage: stage as string, unit: d['unit'] as UnitName };
  } else if (d['kind'] === 'assemble') {
    if (typeof d['overwrite'] !== 'boolean') bad('overwrite must be a boolean');
    only('overwrite');
    payload = { v: 1, kind: 'assemble', stage: stage as string, overwrite: d['overwrite'] as boolean };
  } else if (d['kind'] === 'predict-shard') {
    if (typeof d['shard'] !== 'string' || !SHARD_NAME.test(d['shard'])) bad('shard must be s<i>');
    only('shard');
    payload = { v: 1, kind: 'predict-shard', stage: stage as string, shard: d['shard'] as ShardName };
  } else if (d['kind'] === 'predict-gather') {
    only();
    payload = { v: 1, kind: 'predict-gather', stage: stage as string };
  } else {
    return bad(`unknown kind ${JSON.stringify(d['kind'])}`);
  }
  const predicting = payload.kind === 'predict-shard' || payload.kind === 'predict-gather';
  const plan: TrainPlan | PredictPlan = await (predicting ? readPredictPlan(payload.stage) : readPlan(payload.stage)).catch((e: Error) => bad(e.message));
  if (!predicting && (plan as { kind: string }).kind === 'predict') bad('a training job on a prediction run\'s staging folder');
  if (stageDir(plan.modelDir, plan.id) !== payload.stage) bad('the staging folder is not the one of the model directory its plan names');
  const inside = (p: string): boolean => roots.length === 0 || roots.some((r) => { const rel = path.relative(path.resolve(r), p); return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel); });
  if (!inside(plan.modelDir) || !inside(plan.data.path)) bad(`the model directory ${plan.modelDir} and data file ${plan.data.path} must be inside the worker's --root folders`);
  if (payload.kind === 'train-unit' && !planUnits(plan as TrainPlan).includes(payload.unit)) bad(`unit ${payload.unit} is not one of the run's`);
  if (payload.kind === 'predict-shard' && !planShards(plan as PredictPlan).includes(payload.shard)) bad(`shard ${payload.shard} is not one of the run's`);
  return { payload, plan };
}

/** What a job is, for the log: "train-unit p0c3", "predict-shard s2", "assemble". */
export function jobLabel(p: JobPayload): string {
  return p.kind === 'train-unit' ? `${p.kind} ${p.unit}` : p.kind === 'predict-shard' ? `${p.kind} ${p.shard}` : p.kind;
}

/** Run a checked job. */
export async function runJob(p: JobPayload): Promise<void> {
  switch (p.kind) {
    case 'train-unit': return trainUnit(p.stage, p.unit);
    case 'assemble': return assembleModel(p.stage, { overwrite: p.overwrite });
    case 'predict-shard': return predictShard(p.stage, p.shard);
    case 'predict-gather': return checkShards(p.stage);
  }
}

/** Settings of {@link startWorker}. */
export interface WorkerOptions {
  readonly redis: string;
  /** Jobs run at once (default 1). */
  readonly concurrency?: number;
  /** Seconds a job's lock lasts without renewal: a worker killed mid-job is noticed after about this long (default 30). */
  readonly lockSeconds?: number;
  /** Folders the jobs' model and data paths must lie in (none: any). */
  readonly roots?: readonly string[];
  /** One line per job event (the CLI prints them on stderr). */
  readonly log?: (line: string) => void;
  /** Compute threads of the jobs (default: the machine's). */
  readonly threads?: number;
  /** Compute backend of the jobs (default auto). */
  readonly backend?: string;
}

/** A running worker: `close()` finishes (or, on a second call, abandons) its jobs and disconnects. */
export interface XmlcWorker {
  close(force?: boolean): Promise<void>;
  /** Resolves once connected to Redis. */
  ready(): Promise<void>;
}

/** Start a worker taking xmlc jobs from the queue at `options.redis`; each job runs in a child process (./sandbox.ts). */
export function startWorker(options: WorkerOptions): XmlcWorker {
  const log = options.log ?? (() => {});
  const lock = Math.max(1, options.lockSeconds ?? 30) * 1000;
  // The children inherit these (sandbox.ts reads them).
  if (options.threads !== undefined) process.env[WORKER_ENV.threads] = String(options.threads);
  process.env[WORKER_ENV.backend] = options.backend ?? 'auto';
  process.env[WORKER_ENV.roots] = JSON.stringify((options.roots ?? []).map((r) => path.resolve(r)));
  const processor = fileURLToPath(new URL('./sandbox.js', import.meta.url));
  const worker = new Worker(QUEUE_NAME, processor, {
    connection: redisConnection(options.redis, true), concurrency: options.concurrency ?? 1,
    lockDuration: lock, stalledInterval: Math.max(500, Math.floor(lock / 2)), maxStalledCount: 1, autorun: true,
  });
  const label = (job: Job): string => {
    const d = job.data as Record<string, unknown> | undefined;
    const kind = typeof d?.['kind'] === 'string' && /^[a-z-]{1,20}$/.test(d['kind']) ? d['kind'] : '?';
    const unit = [d?.['unit'], d?.['shard']].find((u) => typeof u === 'string' && /^[a-z0-9]{1,20}$/.test(u));
    return unit === undefined ? kind : `${kind} ${String(unit)}`;
  };
  worker.on('active', (job) => log(`job ${job.id} (${label(job)}) started, attempt ${job.attemptsMade + 1}`));
  worker.on('completed', (job, result: { seconds?: number } | undefined) => log(`job ${job.id} (${label(job)}) done in ${(result?.seconds ?? 0).toFixed(2)} s`));
  worker.on('failed', (job, err) => log(`job ${job?.id ?? '?'} failed: ${err.message}`));
  worker.on('error', (err) => log(`worker error: ${err.message}`));
  return {
    close: (force = false) => worker.close(force),
    ready: () => worker.waitUntilReady().then(() => undefined),
  };
}

/** How the submitter reaches Redis and watches a run. */
export interface RunOptions {
  readonly redis: string;
  /** Seconds between two looks at the run's state (default 0.5). */
  readonly pollSeconds?: number;
}

/** Settings of {@link submitTraining}. */
export interface SubmitOptions extends RunOptions {
  readonly modelDir: string;
  readonly dataFile: string;
  readonly read: TrainPlan['read'];
  /** The training parameters as given. */
  readonly given: Record<string, unknown>;
  readonly overwrite?: boolean;
  /** Called once the run's jobs are in the queue (or found there, for a resubmitted run). */
  readonly onQueued?: (plan: TrainPlan, jobs: number) => void;
}

/** Ping Redis through `queue`, or fail with a clear error. */
async function reach(queue: Queue, url: string): Promise<void> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new RedisUnavailableError('no answer within 10 s')), 10_000).unref());
  try {
    await Promise.race([queue.waitUntilReady(), timeout]);
    await Promise.race([queue.getJobCounts('wait'), timeout]);
  } catch (e) {
    throw new RedisUnavailableError(`cannot reach Redis at ${redisLabel(url)}: ${(e as Error).message}`);
  }
}

/** One flow of a run: the parent's payload and each child's unit name and payload. */
interface RunFlow {
  readonly runId: string;
  readonly stage: string;
  readonly parent: { readonly name: string; readonly data: JobPayload };
  readonly children: readonly { readonly unit: string; readonly name: string; readonly data: JobPayload }[];
  /** The progress task: "train on the workers", "predict on the workers". */
  readonly what: string;
  /** What failed, in the error: "distributed training". */
  readonly failure: string;
  /** What a failure leaves: "no model was written". */
  readonly failed: string;
}

/**
 * Connect, run `setup` (which plans the run and returns its flow), enqueue the flow (ids from the
 * run id: a flow already queued by an earlier submission of the same run is attached to, one that
 * ended is replaced, so the parts already written are reused) and wait for its parent, reporting
 * the children done through `onProgress`.
 * @throws DistributedRunError when a job failed all its attempts; RedisUnavailableError when
 *   Redis cannot be reached or is lost while waiting.
 */
async function runOnWorkers<T>(o: RunOptions, setup: () => Promise<{ flow: RunFlow; result: T; onQueued?: () => void }>, onProgress?: ProgressFn): Promise<T> {
  const connection = redisConnection(o.redis, false);
  const queue = new Queue(QUEUE_NAME, { connection });
  queue.on('error', () => {}); // reported through the failing calls
  const flows = new FlowProducer({ connection });
  flows.on('error', () => {});
  try {
    await reach(queue, o.redis);
    const { flow, result, onQueued } = await setup();
    const parentId = `${flow.runId}-${flow.parent.name}`;
    const opts = { attempts: JOB_ATTEMPTS, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 86400 } };
    await redisCall(o.redis, async () => {
      const old = await Job.fromId(queue, parentId);
      const state = old ? await old.getState() : undefined;
      if (old && (state === 'completed' || state === 'failed')) await old.remove({ removeChildren: true });
      if (!old || state === 'completed' || state === 'failed') {
        for (const c of flow.children) { const child = await Job.fromId(queue, `${flow.runId}-${c.unit}`); if (child) await child.remove().catch(() => {}); }
        await flows.add({
          name: flow.parent.name, queueName: QUEUE_NAME, data: flow.parent.data, opts: { jobId: parentId, ...opts },
          children: flow.children.map((c) => ({ name: c.name, queueName: QUEUE_NAME, data: c.data, opts: { jobId: `${flow.runId}-${c.unit}`, failParentOnFailure: true, ...opts } })),
        });
      }
    });
    onQueued?.();
    const total = flow.children.length;
    const task = `${flow.what} (${total} jobs, run ${flow.runId})`;
    onProgress?.({ status: 'start', task, total });
    const t0 = performance.now();
    for (;;) {
      const { state, done, reason } = await redisCall(o.redis, async () => {
        const job = await Job.fromId(queue, parentId);
        if (!job) return { state: 'missing', done: 0, reason: '' };
        const st = await job.getState();
        const deps = await job.getDependenciesCount({ processed: true });
        return { state: st, done: deps.processed ?? 0, reason: st === 'failed' ? await failureOf(queue, job) : '' };
      });
      onProgress?.({ status: 'progress', task, done: Math.min(done, total), total });
      if (state === 'completed') break;
      if (state === 'failed') throw new DistributedRunError(`${flow.failure} failed: ${reason || 'a job failed'} (${flow.failed}; the parts done are kept in ${flow.stage} for a re-run)`);
      if (state === 'missing') throw new DistributedRunError(`the run's jobs are gone from Redis (queue flushed?); submit it again`);
      await new Promise((r) => setTimeout(r, (o.pollSeconds ?? 0.5) * 1000));
    }
    onProgress?.({ status: 'done', task, seconds: (performance.now() - t0) / 1000 });
    return result;
  } finally {
    await Promise.allSettled([queue.close(), flows.close()]);
  }
}

/**
 * Train on the workers: plan the run (here), enqueue one flow (children: the units, parent: the
 * assembly; job ids from the run id, so that submitting the same run again after a crash reuses
 * the parts already written and redoes the rest), and wait for the parent, reporting the units
 * done through `onProgress`. The staging folder is removed once the model is written.
 * @returns the plan (its notes say what training chose).
 * @throws DistributedRunError when a job failed all its attempts (no manifest is written);
 *   RedisUnavailableError when Redis cannot be reached or is lost while waiting.
 */
export async function submitTraining(o: SubmitOptions, onProgress?: ProgressFn): Promise<TrainPlan> {
  let stage = '';
  const plan = await runOnWorkers(o, async () => {
    const planned = await planTraining(o.modelDir, o.dataFile, o.read, o.given, onProgress);
    stage = planned.stage;
    const units = planUnits(planned.plan);
    const flow: RunFlow = {
      runId: planned.plan.id, stage, what: 'train on the workers', failure: 'distributed training', failed: 'no model was written',
      parent: { name: 'assemble', data: { v: 1, kind: 'assemble', stage, overwrite: o.overwrite ?? false } },
      children: units.map((u) => ({ unit: u, name: 'train-unit', data: { v: 1, kind: 'train-unit', stage, unit: u } })),
    };
    return { flow, result: planned.plan, onQueued: () => o.onQueued?.(planned.plan, units.length) };
  }, onProgress);
  await removeStage(stage);
  return plan;
}

/** Settings of {@link submitPrediction}. */
export interface PredictSubmitOptions extends RunOptions {
  readonly modelDir: string;
  readonly dataFile: string;
  /** How the data file is parsed (with the model's feature and label counts). */
  readonly read: PredictPlan['read'];
  /** The prediction options; `topK` labels per row. */
  readonly options: PredictPlan['options'];
  /** The data file's rows (the submitter read it). */
  readonly nRows: number;
  /** Jobs the rows are split into (contiguous row ranges). */
  readonly shards: number;
  /** Called once the run's jobs are in the queue (or found there, for a resubmitted run). */
  readonly onQueued?: (plan: PredictPlan, jobs: number) => void;
}

/**
 * Predict on the workers: split the data file's rows into `shards` jobs (children) whose parent
 * checks every part, wait, and join the parts in row order. The same predictions as one process
 * (each row is ranked on its own); the staging folder is removed at the end.
 * @throws DistributedRunError when a job failed all its attempts; RedisUnavailableError when
 *   Redis cannot be reached or is lost while waiting.
 */
export async function submitPrediction(o: PredictSubmitOptions, onProgress?: ProgressFn): Promise<Ranked> {
  let stage = '';
  await runOnWorkers(o, async () => {
    const planned = await planPrediction(o.modelDir, o.dataFile, o.read, o.options, o.nRows, o.shards);
    stage = planned.stage;
    const shards = planShards(planned.plan);
    const flow: RunFlow = {
      runId: planned.plan.id, stage, what: 'predict on the workers', failure: 'distributed prediction', failed: 'no predictions were written',
      parent: { name: 'predict-gather', data: { v: 1, kind: 'predict-gather', stage } },
      children: shards.map((u) => ({ unit: u, name: 'predict-shard', data: { v: 1, kind: 'predict-shard', stage, shard: u } })),
    };
    return { flow, result: undefined, onQueued: () => o.onQueued?.(planned.plan, shards.length) };
  }, onProgress);
  const ranked = await gatherShards(stage);
  await removeStage(stage);
  return ranked;
}

/** Why a failed parent failed: its failed child's own error when there is one (the parent's reason only names the child). */
async function failureOf(queue: Queue, parent: Job): Promise<string> {
  const reasons = Object.values(await parent.getFailedChildrenValues().catch(() => ({} as Record<string, string>)));
  if (reasons.length > 0) return reasons.join('; ');
  const child = /bull:[^:]+:(\S+) failed/.exec(parent.failedReason ?? '')?.[1];
  const job = child ? await Job.fromId(queue, child) : undefined;
  return job?.failedReason ? `job ${child}: ${job.failedReason}` : (parent.failedReason ?? 'a job failed');
}

/** Run a Redis call; a connection error becomes a RedisUnavailableError. */
async function redisCall<T>(url: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    const msg = (e as Error).message;
    if (e instanceof XmlcError) throw e;
    if (/connect|closed|ECONNREFUSED|ETIMEDOUT|ENOTFOUND|Stream isn't writeable|max retries|offline queue/i.test(msg)) throw new RedisUnavailableError(`lost Redis at ${redisLabel(url)} while the run was in progress: ${msg} (no model was written; submit the same command again to resume)`);
    throw e;
  }
}
