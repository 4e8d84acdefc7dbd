/** The environment variables `startWorker` sets for its job processes (sandbox.ts reads them): the jobs' threads, backend and --root folders. */
export const WORKER_ENV = Object.freeze({ threads: 'XMLC_WORKER_THREADS', backend: 'XMLC_WORKER_BACKEND', roots: 'XMLC_WORKER_ROOTS' });
