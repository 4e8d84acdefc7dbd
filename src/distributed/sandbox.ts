/**
 * The processor BullMQ runs in a child process of `xmlc worker` (a sandboxed processor, as
 * BullMQ's guide recommends for CPU-bound jobs): a job's long native computations block this
 * process's event loop, not the worker's, which keeps renewing the job's lock — without it, a
 * stage longer than the lock (a big cluster's ridge solve) would be taken for a dead worker.
 * BullMQ keeps the child for the worker's next jobs, so the data, prepared features and models the
 * jobs keep (units.ts, predict_units.ts) are reused. The worker passes its settings through the
 * environment (`XMLC_WORKER_*`, set by startWorker before the child is forked).
 */
import { type SandboxedJob, UnrecoverableError } from 'bullmq';
import { type BackendChoice } from '../engine/backend_names.js';
import { UsageError, XmlcError } from '../errors.js';
import { checkPayload, jobLabel, runJob } from './queue.js';
import { WORKER_ENV } from './worker_env.js';

// The worker gone (killed), this child has nobody to report to: stop rather than compute on.
process.on('disconnect', () => process.exit(1));

let ready: Promise<void> | undefined;

/** The worker's threads and backend, set once in this child. */
async function setup(): Promise<void> {
  const threads = process.env[WORKER_ENV.threads];
  if (threads) (await import('../engine/threads.js')).setThreads(Number(threads));
  await (await import('../engine/backends.js')).useBackend((process.env[WORKER_ENV.backend] ?? 'auto') as BackendChoice);
}

export default async function processXmlcJob(job: SandboxedJob): Promise<{ seconds: number }> {
  const t0 = performance.now();
  await (ready ??= setup());
  const roots = JSON.parse(process.env[WORKER_ENV.roots] ?? '[]') as string[];
  const { payload } = await checkPayload(job.data, roots);
  // Test hooks: the worker "dies" at a job's start (it and this child are killed), or the job fails.
  if (process.env['XMLC_FAULT_INJECT'] === `job-${payload.kind}`) {
    process.kill(process.ppid, 'SIGKILL');
    process.kill(process.pid, 'SIGKILL');
  }
  if (process.env['XMLC_FAULT_FAIL_JOB'] === payload.kind) throw new XmlcError(`fault injected into ${jobLabel(payload)} (XMLC_FAULT_FAIL_JOB)`);
  try {
    await runJob(payload);
  } catch (e) {
    // A usage error (an option the model does not have) fails the same way on every attempt.
    if (e instanceof UsageError) throw new UnrecoverableError(e.message);
    throw e;
  }
  return { seconds: (performance.now() - t0) / 1000 };
}
