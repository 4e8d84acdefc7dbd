/**
 * Distributed training and prediction on BullMQ + Redis (issue 16), measured end to end the way a
 * user runs it: a redis-server of its own on a free loopback port, `xmlc worker --threads 1`
 * processes, `xmlc train --redis` / `xmlc predict --redis --shards S` as child processes.
 *
 * For one configuration (`--name`, a training file and `--params`):
 * 1. the single-process run, `xmlc train --threads 1` (the same compute, no queue);
 * 2. `train --redis` on 1 and on 2 workers: wall time, every job's seconds from the workers' logs,
 *    the planning before the jobs are queued, and a check that the model is the single-process
 *    one file by file;
 * 3. with `--test`: `predict --threads 1` against `predict --redis --shards 2W` on W = 1, 2;
 * 4. with `--kill`: a one-job run (one member, no clusters) on two workers, the one that takes
 *    the job SIGKILLed 2 s into it, and the seconds until the idle one starts that job again
 *    (`--lock-seconds`, default the worker's 30).
 * The speed-up is wall(1 worker) / wall(2 workers); the per-job overhead (queue, artifact I/O,
 * each job reading the data) is (wall(1 worker) − wall(single process)) / jobs.
 *
 *   node dist/eval/bench_distributed.js --name delicious-8 --train T --test T2 --params '{"ensemble":8,"clusters":1}' [--kill]
 *   node dist/eval/bench_distributed.js --report
 *
 * Runs go to eval/results/bench_distributed.json (by name) and .md. The machine, commit and
 * OPENBLAS_CORETYPE are recorded with each run.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { tempSibling } from '../src/util/atomic.js';
import { flag, opt, root } from './args.js';

interface JobLog { id: string; what: string; seconds: number }

interface DistRun {
  name: string;
  train: string;
  params: Record<string, unknown>;
  jobs: number;
  /** Wall seconds of `xmlc train --threads 1`. */
  singleSeconds: number;
  /** Per worker count: wall seconds of `train --redis`, seconds before the jobs were queued, the jobs' seconds. */
  distributed: Array<{ workers: number; seconds: number; planSeconds: number; jobSeconds: number; assembleSeconds: number; sameModel: boolean }>;
  speedup: number;
  overheadPerJob: number;
  predict?: { rows: number; singleSeconds: number; runs: Array<{ workers: number; shards: number; seconds: number; samePredictions: boolean }>; speedup: number };
  kill?: { lockSeconds: number; restartSeconds: number; job: string };
  date: string;
  machine: string;
  code: string;
  blas: string;
}

const bin = path.join(root, 'dist', 'cli', 'main.js');
const resultsJson = path.join(root, 'eval', 'results', 'bench_distributed.json');
const resultsMd = path.join(root, 'eval', 'results', 'bench_distributed.md');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

interface Proc { p: ChildProcess; out: () => string; exit: Promise<number | null> }

function run(args: string[], cmd = process.execPath): Proc {
  const p = spawn(cmd, cmd === process.execPath ? [bin, ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  p.stdout!.on('data', (d: Buffer) => { text += d.toString(); });
  p.stderr!.on('data', (d: Buffer) => { text += d.toString(); });
  return { p, out: () => text, exit: new Promise((r) => p.once('exit', (code) => r(code))) };
}

async function waitFor(proc: Proc, re: RegExp, seconds = 600): Promise<RegExpExecArray> {
  const t0 = Date.now();
  for (;;) {
    const m = re.exec(proc.out());
    if (m) return m;
    if (Date.now() - t0 > seconds * 1000) throw new Error(`timed out waiting for ${re}:\n${proc.out()}`);
    if (proc.p.exitCode !== null) throw new Error(`exited (${proc.p.exitCode}) before ${re}:\n${proc.out()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function stop(p: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.p.exitCode !== null || p.p.signalCode !== null) return;
  p.p.kill(signal);
  await p.exit;
}

/** Wall seconds of `xmlc ...args`; throws with its output if it fails. */
async function timed(args: string[]): Promise<{ seconds: number; out: string }> {
  const t0 = performance.now();
  const r = run(args);
  const code = await r.exit;
  if (code !== 0) throw new Error(`xmlc ${args.join(' ')} exited ${code}:\n${r.out()}`);
  return { seconds: (performance.now() - t0) / 1000, out: r.out() };
}

function jobLogs(text: string): JobLog[] {
  return [...text.matchAll(/job (\S+) \(([^)]+)\) done in (\d+\.\d+) s/g)].map((m) => ({ id: m[1]!, what: m[2]!, seconds: Number(m[3]) }));
}

async function checksums(dir: string): Promise<string> {
  const m = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string }> };
  return JSON.stringify(Object.entries(m.files).map(([k, v]) => [k, v.sha256]).sort());
}

function commitOf(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return head + (dirty ? '+' : '');
  } catch {
    return 'unknown';
  }
}

async function measure(): Promise<DistRun> {
  const name = opt('name', ''), train = opt('train', ''), test = opt('test', '');
  if (!name || !train) throw new Error('usage: bench_distributed --name NAME --train FILE [--test FILE] [--params JSON] [--kill] [--lock-seconds S]');
  // One method (the ℓ1-AE unless named): `--redis` trains one method's models, and the local run must match it.
  const params = { method: 'l1ae', ...(JSON.parse(opt('params', '{}')) as Record<string, unknown>) };
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-bench-dist-'));
  const port = await freePort();
  const redisProc = run(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', work], 'redis-server');
  await waitFor(redisProc, /Ready to accept connections/, 30);
  const url = `redis://127.0.0.1:${port}`;
  const paramsFile = path.join(work, 'params.json');
  await fs.writeFile(paramsFile, JSON.stringify(params));
  const trainArgs = (model: string): string[] => ['train', '--train', path.resolve(train), '--model', model, '--params', paramsFile, '--threads', '1'];
  const workersOf = async (n: number, lock?: number): Promise<Proc[]> => {
    const ws = Array.from({ length: n }, () => run(['worker', '--redis', url, '--threads', '1', ...(lock !== undefined ? ['--lock-seconds', String(lock)] : [])]));
    await Promise.all(ws.map((w) => waitFor(w, /waiting for jobs/, 60)));
    return ws;
  };
  try {
    process.stderr.write(`${name}: single process\n`);
    const singleDir = path.join(work, 'single');
    const single = await timed(trainArgs(singleDir));
    const reference = await checksums(singleDir);
    const distributed: DistRun['distributed'] = [];
    let jobs = 0;
    for (const n of [1, 2]) {
      process.stderr.write(`${name}: ${n} worker(s)\n`);
      const ws = await workersOf(n);
      const dir = path.join(work, `dist${n}`);
      const t0 = performance.now();
      const r = run([...trainArgs(dir), '--redis', url]);
      await waitFor(r, /queued (\d+) jobs/);
      const planSeconds = (performance.now() - t0) / 1000;
      const code = await r.exit;
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) throw new Error(`train --redis exited ${code}:\n${r.out()}`);
      await Promise.all(ws.map((w) => stop(w)));
      const logs = ws.flatMap((w) => jobLogs(w.out()));
      const units = logs.filter((l) => l.what.startsWith('train-unit'));
      jobs = units.length;
      distributed.push({
        workers: n, seconds, planSeconds, jobSeconds: units.reduce((a, l) => a + l.seconds, 0),
        assembleSeconds: logs.filter((l) => l.what === 'assemble').reduce((a, l) => a + l.seconds, 0), sameModel: (await checksums(dir)) === reference,
      });
    }
    const one = distributed[0]!, two = distributed[1]!;
    const out: DistRun = {
      name, train: path.resolve(train), params, jobs, singleSeconds: single.seconds, distributed,
      speedup: one.seconds / two.seconds, overheadPerJob: (one.seconds - single.seconds) / Math.max(1, jobs),
      date: new Date().toISOString(), machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      code: commitOf(), blas: process.env['OPENBLAS_CORETYPE'] ?? 'unset',
    };
    if (test) {
      process.stderr.write(`${name}: prediction\n`);
      const singlePred = await timed(['predict', '--model', singleDir, '--test', path.resolve(test), '--threads', '1', '-q']);
      const rows = singlePred.out.split('\n').filter((l) => l !== '').length;
      const runs: NonNullable<DistRun['predict']>['runs'] = [];
      for (const n of [1, 2]) {
        const ws = await workersOf(n);
        const p = await timed(['predict', '--model', singleDir, '--test', path.resolve(test), '--redis', url, '--shards', String(2 * n), '-q']);
        await Promise.all(ws.map((w) => stop(w)));
        runs.push({ workers: n, shards: 2 * n, seconds: p.seconds, samePredictions: p.out === singlePred.out });
      }
      out.predict = { rows, singleSeconds: singlePred.seconds, runs, speedup: runs[0]!.seconds / runs[1]!.seconds };
    }
    if (flag('kill')) {
      const lock = Number(opt('lock-seconds', '30'));
      process.stderr.write(`${name}: SIGKILL a worker (lock ${lock} s)\n`);
      // One job (one member, no clusters) and two workers: the second is idle when the first dies,
      // so the time measured is the stalled-job detection, not a wait for a free worker.
      const oneJob = path.join(work, 'one-job.json');
      await fs.writeFile(oneJob, JSON.stringify({ ...params, ensemble: 1, clusters: 1 }));
      const ws = await workersOf(2, lock);
      const r = run(['train', '--train', path.resolve(train), '--model', path.join(work, 'killed'), '--params', oneJob, '--threads', '1', '--redis', url]);
      const started = await waitFor(ws[0]!, /job (\S+) \(train-unit \S+\) started/);
      await new Promise((res) => setTimeout(res, 2000));
      const killedAt = performance.now();
      await stop(ws[0]!, 'SIGKILL');
      const job = started[1]!;
      await waitFor(ws[1]!, new RegExp(`job ${job} \\(train-unit \\S+\\) started`), lock * 4 + 600);
      out.kill = { lockSeconds: lock, restartSeconds: (performance.now() - killedAt) / 1000, job };
      await stop(r, 'SIGKILL');
      await stop(ws[1]!, 'SIGKILL');
    }
    return out;
  } finally {
    await stop(redisProc);
    await fs.rm(work, { recursive: true, force: true });
  }
}

const f1 = (x: number): string => x.toFixed(1);

function report(runs: DistRun[]): string {
  const lines = [
    '# Distributed training on BullMQ + Redis (eval/bench_distributed.ts)',
    '',
    'Each row: one configuration trained by `xmlc train --threads 1` (single process) and by `xmlc train --redis` on 1 and 2',
    '`xmlc worker --threads 1` processes on this machine (a redis-server of its own on loopback). Seconds are wall time of the',
    'whole command, planning and assembly included. Per-job overhead = (1 worker − single process) / jobs: the queue, the',
    'parts written and checked (SHA-256), and every job reading and preparing the data again.',
    '',
    '| run | commit | BLAS | params | jobs | single s | 1 worker s | 2 workers s | speed-up 1→2 | plan s | Σ job s (1 w) | assemble s | overhead s/job | same model |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of runs) {
    const [a, b] = r.distributed;
    lines.push(`| ${r.name} | ${r.code} | ${r.blas} | \`${JSON.stringify(r.params)}\` | ${r.jobs} | ${f1(r.singleSeconds)} | ${f1(a!.seconds)} | ${f1(b!.seconds)} | **${r.speedup.toFixed(2)}×** | ${f1(a!.planSeconds)} | ${f1(a!.jobSeconds)} | ${f1(a!.assembleSeconds)} | ${r.overheadPerJob.toFixed(2)} | ${r.distributed.every((d) => d.sameModel) ? 'yes' : 'NO'} |`);
  }
  const preds = runs.filter((r) => r.predict);
  if (preds.length) {
    lines.push('', '## Prediction in row shards (`xmlc predict --redis --shards 2W`)', '', '| run | test rows | single s | 1 worker (2 shards) s | 2 workers (4 shards) s | speed-up | same predictions |', '|---|---|---|---|---|---|---|');
    for (const r of preds) {
      const p = r.predict!;
      lines.push(`| ${r.name} | ${p.rows} | ${f1(p.singleSeconds)} | ${f1(p.runs[0]!.seconds)} | ${f1(p.runs[1]!.seconds)} | ${p.speedup.toFixed(2)}× | ${p.runs.every((x) => x.samePredictions) ? 'yes' : 'NO'} |`);
    }
  }
  const kills = runs.filter((r) => r.kill);
  if (kills.length) {
    lines.push('', '## A worker SIGKILLed mid-job', '', 'A one-job run (one member, no clusters) on two workers: seconds from the SIGKILL of the worker running the job (2 s into it)', 'until the idle worker starts it again. BullMQ\'s stalled-job check (every half lock) finds the job once its lock, no longer', 'renewed, has expired: about `--lock-seconds` to 1.5 × `--lock-seconds`.', '', '| run | --lock-seconds | restart after s |', '|---|---|---|');
    for (const r of kills) lines.push(`| ${r.name} | ${r.kill!.lockSeconds} | ${f1(r.kill!.restartSeconds)} |`);
  }
  const m = runs[0]?.machine;
  if (m) lines.push('', `Machine: ${m}. Commands: \`env -u OPENBLAS_CORETYPE node dist/eval/bench_distributed.js --name NAME --train F [--test F] --params JSON [--kill]\`.`);
  return lines.join('\n') + '\n';
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = tempSibling(file);
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
}

async function main(): Promise<void> {
  const runs: DistRun[] = JSON.parse(await fs.readFile(resultsJson, 'utf8').catch(() => '[]')) as DistRun[];
  if (!flag('report')) {
    const r = await measure();
    const i = runs.findIndex((x) => x.name === r.name);
    if (i >= 0) runs[i] = r; else runs.push(r);
    await writeAtomic(resultsJson, JSON.stringify(runs, null, 2) + '\n');
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  }
  await writeAtomic(resultsMd, report(runs));
}

await main();
