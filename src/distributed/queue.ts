/**
 * xmlc's jobs on BullMQ (Redis): the submitter's side (`submitTraining`: one flow whose children
 * are the run's units and whose parent assembles the model, then a wait with progress) and the
 * worker's (`startWorker`: validates each job's payload, runs it, logs it). Retries, stalled-job
 * detection (a worker killed mid-job loses its lock and another takes the job over) and the
 * parent-waits-for-children logic are BullMQ's; this file only says what the jobs are.
 */
import * as path from 'node:path';
import { FlowProducer, Job, type ConnectionOptions, Queue, UnrecoverableError, Worker } from 'bullmq';
import { XmlcError } from '../errors.js';
import { type ProgressFn } from '../progress.js';
import { faultPoint } from '../util/process.js';
import { stageDir } from './artifacts.js';
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

/** A job's payload: plain data, checked by {@link checkPayload} before a worker acts on it. */
export type JobPayload =
  | { readonly v: 1; readonly kind: 'train-unit'; readonly stage: string; readonly unit: UnitName }
  | { readonly v: 1; readonly kind: 'assemble'; readonly stage: string; readonly overwrite: boolean };

const STAGE_NAME = /^\.[^/\\]+\.dist-[0-9a-f]{16}$/;
const UNIT_NAME = /^(m\d{1,6}|p\d{1,6}c\d{1,6})$/;

/**
 * Check a job's payload against the schema: its kind and fields, and that its paths are the
 * staging folder of the model directory its plan names (so a job writes nowhere else), inside
 * the worker's `roots` when it has some.
 * @throws UnrecoverableError (BullMQ does not retry it) saying what is wrong.
 */
export async function checkPayload(data: unknown, roots: readonly string[]): Promise<{ payload: JobPayload; plan: TrainPlan }> {
  const bad = (why: string): never => { throw new UnrecoverableError(`invalid xmlc job payload: ${why}`); };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) bad('not an object');
  const d = data as Record<string, unknown>;
  if (d['v'] !== 1) bad(`unknown version ${JSON.stringify(d['v'])}`);
  const stage = d['stage'];
  if (typeof stage !== 'string' || !path.isAbsolute(stage) || path.normalize(stage) !== stage || !STAGE_NAME.test(path.basename(stage))) bad('stage must be the absolute path of a run\'s staging folder');
  let payload: JobPayload;
  if (d['kind'] === 'train-unit') {
    if (typeof d['unit'] !== 'string' || !UNIT_NAME.test(d['unit'])) bad('unit must be m<i> or p<i>c<j>');
    if (Object.keys(d).some((k) => !['v', 'kind', 'stage', 'unit'].includes(k))) bad('unexpected fields');
    payload = { v: 1, kind: 'train-unit', stage: stage as string, unit: d['unit'] as UnitName };
  } else if (d['kind'] === 'assemble') {
    if (typeof d['overwrite'] !== 'boolean') bad('overwrite must be a boolean');
    if (Object.keys(d).some((k) => !['v', 'kind', 'stage', 'overwrite'].includes(k))) bad('unexpected fields');
    payload = { v: 1, kind: 'assemble', stage: stage as string, overwrite: d['overwrite'] as boolean };
  } else {
    return bad(`unknown kind ${JSON.stringify(d['kind'])}`);
  }
  const plan = await readPlan(payload.stage).catch((e: Error) => bad(e.message));
  if (stageDir(plan.modelDir, plan.id) !== payload.stage) bad('the staging folder is not the one of the model directory its plan names');
  const inside = (p: string): boolean => roots.length === 0 || roots.some((r) => { const rel = path.relative(path.resolve(r), p); return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel); });
  if (!inside(plan.modelDir) || !inside(plan.data.path)) bad(`the model directory ${plan.modelDir} and data file ${plan.data.path} must be inside the worker's --root folders`);
  if (payload.kind === 'train-unit' && !planUnits(plan).includes(payload.unit)) bad(`unit ${payload.unit} is not one of the run's`);
  return { payload, plan };
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
}

/** A running worker: `close()` finishes (or, on a second call, abandons) its jobs and disconnects. */
export interface XmlcWorker {
  close(force?: boolean): Promise<void>;
  /** Resolves once connected to Redis. */
  ready(): Promise<void>;
}

/** Start a worker taking xmlc jobs from the queue at `options.redis`. */
export function startWorker(options: WorkerOptions): XmlcWorker {
  const log = options.log ?? (() => {});
  const lock = Math.max(1, options.lockSeconds ?? 30) * 1000;
  const worker = new Worker(QUEUE_NAME, async (job: Job) => {
    const t0 = performance.now();
    const { payload } = await checkPayload(job.data, options.roots ?? []);
    const what = payload.kind === 'train-unit' ? `train-unit ${payload.unit}` : 'assemble';
    log(`job ${job.id} (${what}) started, attempt ${job.attemptsMade + 1}`);
    faultPoint(`job-${payload.kind}`);
    if (process.env['XMLC_FAULT_FAIL_JOB'] === payload.kind) throw new XmlcError(`fault injected into ${what} (XMLC_FAULT_FAIL_JOB)`);
    if (payload.kind === 'train-unit') await trainUnit(payload.stage, payload.unit);
    else await assembleModel(payload.stage, { overwrite: payload.overwrite });
    log(`job ${job.id} (${what}) done in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    return { seconds: (performance.now() - t0) / 1000 };
  }, {
    connection: redisConnection(options.redis, true), concurrency: options.concurrency ?? 1,
    lockDuration: lock, stalledInterval: Math.max(500, Math.floor(lock / 2)), maxStalledCount: 1, autorun: true,
  });
  worker.on('failed', (job, err) => log(`job ${job?.id ?? '?'} failed: ${err.message}`));
  worker.on('error', (err) => log(`worker error: ${err.message}`));
  return {
    close: (force = false) => worker.close(force),
    ready: () => worker.waitUntilReady().then(() => undefined),
  };
}

/** Settings of {@link submitTraining}. */
export interface SubmitOptions {
  readonly redis: string;
  readonly modelDir: string;
  readonly dataFile: string;
  readonly read: TrainPlan['read'];
  /** The training parameters as given. */
  readonly given: Record<string, unknown>;
  readonly overwrite?: boolean;
  /** Seconds between two looks at the run's state (default 0.5). */
  readonly pollSeconds?: number;
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
  const connection = redisConnection(o.redis, false);
  const queue = new Queue(QUEUE_NAME, { connection });
  queue.on('error', () => {}); // reported through the failing calls
  const flows = new FlowProducer({ connection });
  flows.on('error', () => {});
  try {
    await reach(queue, o.redis);
    const { plan, stage } = await planTraining(o.modelDir, o.dataFile, o.read, o.given, onProgress);
    const units = planUnits(plan);
    const parentId = `${plan.id}-assemble`;
    await redisCall(o.redis, async () => {
      const old = await Job.fromId(queue, parentId);
      const state = old ? await old.getState() : undefined;
      if (old && (state === 'completed' || state === 'failed')) await old.remove({ removeChildren: true });
      if (!old || state === 'completed' || state === 'failed') {
        for (const u of units) { const child = await Job.fromId(queue, `${plan.id}-${u}`); if (child) await child.remove().catch(() => {}); }
        await flows.add({
          name: 'assemble', queueName: QUEUE_NAME, data: { v: 1, kind: 'assemble', stage, overwrite: o.overwrite ?? false },
          opts: { jobId: parentId, attempts: JOB_ATTEMPTS, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 86400 } },
          children: units.map((u) => ({
            name: 'train-unit', queueName: QUEUE_NAME, data: { v: 1, kind: 'train-unit', stage, unit: u },
            opts: { jobId: `${plan.id}-${u}`, attempts: JOB_ATTEMPTS, backoff: { type: 'fixed', delay: 1000 }, failParentOnFailure: true, removeOnComplete: { age: 3600 }, removeOnFail: { age: 86400 } },
          })),
        });
      }
    });
    o.onQueued?.(plan, units.length);
    const task = `train on the workers (${units.length} jobs, run ${plan.id})`;
    onProgress?.({ status: 'start', task, total: units.length });
    const t0 = performance.now();
    for (;;) {
      const { state, done, reason } = await redisCall(o.redis, async () => {
        const job = await Job.fromId(queue, parentId);
        if (!job) return { state: 'missing', done: 0, reason: '' };
        const st = await job.getState();
        const deps = await job.getDependenciesCount({ processed: true });
        return { state: st, done: deps.processed ?? 0, reason: st === 'failed' ? await failureOf(queue, job) : '' };
      });
      onProgress?.({ status: 'progress', task, done: Math.min(done, units.length), total: units.length });
      if (state === 'completed') break;
      if (state === 'failed') throw new DistributedRunError(`distributed training failed: ${reason || 'a job failed'} (no model was written; the parts done are kept in ${stage} for a re-run)`);
      if (state === 'missing') throw new DistributedRunError(`the run's jobs are gone from Redis (queue flushed?); submit it again`);
      await new Promise((r) => setTimeout(r, (o.pollSeconds ?? 0.5) * 1000));
    }
    onProgress?.({ status: 'done', task, seconds: (performance.now() - t0) / 1000 });
    await removeStage(stage);
    return plan;
  } finally {
    await Promise.allSettled([queue.close(), flows.close()]);
  }
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
