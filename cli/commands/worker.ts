import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../src/errors.js';
import { applyCompute, type BackendArgs, withBackendOption } from '../common.js';

interface WorkerArgs extends BackendArgs {
  redis: string;
  concurrency: number;
  'lock-seconds': number;
  root?: string[];
  quiet: boolean;
}

/**
 * `xmlc worker`: take xmlc jobs (training units, model assembly) from the queue at --redis until
 * SIGTERM or SIGINT; the first signal lets the running jobs finish, a second one abandons them
 * (BullMQ then hands them to another worker once their lock expires).
 */
export const workerCommand: CommandModule<object, WorkerArgs> = {
  command: 'worker',
  describe: 'Run xmlc jobs from a Redis queue (distributed training; see the README\'s "Past one machine")',
  builder: (y: Argv) => withBackendOption(y)
    .option('redis', { type: 'string', demandOption: true, describe: 'Redis URL: redis://[user:password@]host[:port][/db], or rediss://… for TLS' })
    .option('concurrency', { type: 'number', default: 1, describe: 'jobs run at once' })
    .option('lock-seconds', { type: 'number', default: 30, describe: 'a job\'s lock: a worker that dies mid-job has its job taken over after about this long' })
    .option('root', { type: 'string', array: true, describe: 'accept only jobs whose model directory and data files lie in these folders (repeatable)' })
    .check((a) => {
      if (!(Number.isInteger(a.concurrency) && a.concurrency >= 1)) throw new UsageError('--concurrency must be a positive integer');
      if (!(a['lock-seconds'] >= 1)) throw new UsageError('--lock-seconds must be at least 1');
      return true;
    })
    .example('$0 worker --redis redis://localhost:6379 --threads 1', '') as unknown as Argv<WorkerArgs>,
  handler: async (args) => {
    await applyCompute(args, true);
    const { startWorker } = await import('../../src/distributed/queue.js'); // bullmq loads with this command only
    const log = (line: string): void => { process.stderr.write(`${new Date().toISOString()} xmlc worker ${process.pid}: ${line}\n`); };
    const worker = startWorker({ redis: args.redis, concurrency: args.concurrency, lockSeconds: args['lock-seconds'], roots: args.root ?? [], log, backend: args.backend, ...(args.threads !== undefined ? { threads: args.threads } : {}) });
    await worker.ready();
    log(`waiting for jobs (concurrency ${args.concurrency})`);
    await new Promise<void>((resolve) => {
      let signals = 0;
      const stop = (sig: string): void => {
        signals++;
        log(signals === 1 ? `${sig}: finishing the running jobs, then exiting (again to abandon them)` : `${sig}: abandoning the running jobs`);
        void worker.close(signals > 1).then(resolve, resolve);
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
    log('stopped');
  },
};
