/**
 * Distributed training end to end on a real Redis (Debian's redis-server, started here on a free
 * loopback port) with `xmlc worker` child processes: the model equals the single-process one file
 * by file, a worker killed mid-job has its job retried elsewhere, a failing job fails the run
 * without a manifest, Redis unreachable or lost is a clear exit 1, and a run resubmitted after
 * its submitter was killed completes. Batch prediction on the workers ranks the rows as one
 * process does, in input order, also when a worker dies in a shard. Payload, shard and URL checks
 * are unit-tested at the end.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { UnrecoverableError } from 'bullmq';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { stageDir } from '../../src/distributed/artifacts.js';
import { shardRanges } from '../../src/distributed/predict_units.js';
import { checkPayload, redisConnection, RedisUnavailableError } from '../../src/distributed/queue.js';
import { headBow, tempDir, xmlc } from '../cli/harness.js';

const bin = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
// CI installs redis-server: there a missing one is a failure, elsewhere the tests are skipped.
const skip = !hasRedis && process.env['CI'] !== 'true' ? 'redis-server is not installed (apt-get install redis-server)' : false;

/** A free loopback TCP port. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

/** Resolves once something accepts TCP connections on `port`. */
async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on port ${port}`);
}

/** A redis-server of our own: no persistence, loopback only. */
async function startRedis(dir: string): Promise<{ url: string; port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  await waitForPort(port);
  return { url: `redis://127.0.0.1:${port}`, port, stop: () => stopChild(p) };
}

async function stopChild(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const done = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill(signal);
  await done;
}

interface Proc { p: ChildProcess; out: () => string; exit: Promise<number | null> }

/** `xmlc ...args` as a child process we can wait for or kill. */
function spawnXmlc(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const p = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  p.stdout!.on('data', (d: Buffer) => { text += d.toString(); });
  p.stderr!.on('data', (d: Buffer) => { text += d.toString(); });
  return { p, out: () => text, exit: new Promise((r) => p.once('exit', (code) => r(code))) };
}

/** Resolves once `proc`'s output matches `re`. */
async function waitFor(proc: Proc, re: RegExp, seconds = 60): Promise<void> {
  const t0 = Date.now();
  while (!re.test(proc.out())) {
    if (Date.now() - t0 > seconds * 1000) throw new Error(`timed out waiting for ${re} in:\n${proc.out()}`);
    if (proc.p.exitCode !== null) throw new Error(`exited (${proc.p.exitCode}) before ${re}:\n${proc.out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** File name → SHA-256 of a model directory's manifest. */
async function checksums(dir: string): Promise<Record<string, string>> {
  const m = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string }> };
  return Object.fromEntries(Object.entries(m.files).map(([k, v]) => [k, v.sha256]).sort());
}

let work: { dir: string; cleanup: () => Promise<void> };
let redis: Awaited<ReturnType<typeof startRedis>>;
let train: string;
const workers: Proc[] = [];
// One thread everywhere: a model's bits depend on the thread count of the kernels that trained it.
const COMMON = ['--epochs', '2', '--embedding-dim', '16', '--seed', '5', '--threads', '1', '--index', 'exact'];

before(async () => {
  if (skip) return;
  work = await tempDir('dist');
  train = path.join(work.dir, 'train.txt');
  await headBow(BUNDLED_BIBTEX.train, train, 400);
  redis = await startRedis(work.dir);
});

after(async () => {
  if (skip) return;
  await Promise.all(workers.map((w) => stopChild(w.p, 'SIGKILL')));
  await redis.stop();
  await work.cleanup();
});

/** Start `n` workers (extra environment `env`) and wait until they listen. */
async function startWorkers(n: number, env: NodeJS.ProcessEnv = {}, lockSeconds = 2): Promise<Proc[]> {
  const started = Array.from({ length: n }, () => spawnXmlc(['worker', '--redis', redis.url, '--threads', '1', '--lock-seconds', String(lockSeconds)], env));
  workers.push(...started);
  await Promise.all(started.map((w) => waitFor(w, /waiting for jobs/)));
  return started;
}

async function stopWorkers(list: Proc[]): Promise<void> {
  await Promise.all(list.map((w) => stopChild(w.p)));
}

test('train --redis on 2 workers writes the single-process model, file by file (global ensemble and clustered)', { skip }, async () => {
  const ws = await startWorkers(2);
  try {
    // --lambda auto: each member chooses its ridge penalty in its own job; the assembly's decoder weight uses member 0's.
    for (const [name, extra] of [['global', ['--ensemble', '3', '--clusters', '1', '--lambda', 'auto']], ['clustered', ['--ensemble', '2', '--clusters', '2', '--lambda', 'auto']]] as const) {
      const dist = path.join(work.dir, `${name}-dist`), single = path.join(work.dir, `${name}-single`);
      const r = spawnXmlc(['train', '--train', train, '--model', dist, ...COMMON, ...extra, '--redis', redis.url]);
      assert.equal(await r.exit, 0, r.out());
      assert.match(r.out(), /train on the workers \(\d+ jobs, run [0-9a-f]{16}\)/);
      const s = xmlc(['train', '--train', train, '--model', single, ...COMMON, ...extra, '-q']);
      assert.equal(s.code, 0, s.stderr);
      assert.deepEqual(await checksums(dist), await checksums(single), name);
      // The staging folder is gone; the model loads and predicts.
      assert.deepEqual((await fs.readdir(work.dir)).filter((f) => f.includes('.dist-')), []);
      assert.equal(xmlc(['info', '--model', dist]).code, 0);
    }
    // Both workers took jobs, and logged each with its id, kind and seconds.
    for (const w of ws) assert.match(w.out(), /job [0-9a-f]{16}-(m|p)\d+\S* \(train-unit \S+\) done in \d+\.\d+ s/);
  } finally {
    await stopWorkers(ws);
  }
});

test('a worker killed (SIGKILL) mid-job: another worker retries the job and the model is still the single-process one', { skip }, async () => {
  // The first worker kills itself when it starts a training unit; the second survives.
  const [doomed] = await startWorkers(1, { XMLC_FAULT_INJECT: 'job-train-unit' });
  const dist = path.join(work.dir, 'killed-dist'), single = path.join(work.dir, 'killed-single');
  const r = spawnXmlc(['train', '--train', train, '--model', dist, ...COMMON, '--ensemble', '2', '--clusters', '1', '--redis', redis.url]);
  await doomed!.exit;
  assert.equal(doomed!.p.signalCode, 'SIGKILL');
  const [healthy] = await startWorkers(1);
  try {
    assert.equal(await r.exit, 0, r.out());
    assert.match(healthy!.out(), /attempt 2|done in/);
    assert.equal(xmlc(['train', '--train', train, '--model', single, ...COMMON, '--ensemble', '2', '--clusters', '1', '-q']).code, 0);
    assert.deepEqual(await checksums(dist), await checksums(single));
  } finally {
    await stopWorkers([healthy!]);
  }
});

test('a job that fails all its attempts fails the run: exit 1 with its error, no manifest', { skip }, async () => {
  const ws = await startWorkers(2, { XMLC_FAULT_FAIL_JOB: 'train-unit' });
  try {
    const dist = path.join(work.dir, 'failing');
    const r = spawnXmlc(['train', '--train', train, '--model', dist, ...COMMON, '--ensemble', '2', '--clusters', '1', '--redis', redis.url]);
    assert.equal(await r.exit, 1, r.out());
    assert.match(r.out(), /xmlc: error: distributed training failed: job [0-9a-f]{16}-m\d: fault injected into train-unit m\d/);
    await assert.rejects(fs.access(path.join(dist, 'manifest.json')));
  } finally {
    await stopWorkers(ws);
  }
});

test('Redis unreachable: exit 1 naming it, nothing written', { skip }, async () => {
  const port = await freePort();
  const dist = path.join(work.dir, 'unreachable');
  const r = xmlc(['train', '--train', train, '--model', dist, ...COMMON, '--redis', `redis://user:secret@127.0.0.1:${port}`]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`xmlc: error: cannot reach Redis at redis://user@127\\.0\\.0\\.1:${port}`));
  assert.doesNotMatch(r.stderr, /secret|at .*\.js:\d+/);
  await assert.rejects(fs.access(dist));
});

test('Redis lost mid-run: exit 1, no model; the run resubmitted after its submitter was killed completes with the same model', { skip }, async () => {
  const own = await startRedis(work.dir);
  const dist = path.join(work.dir, 'lost'), single = path.join(work.dir, 'lost-single');
  const args = ['train', '--train', train, '--model', dist, ...COMMON, '--ensemble', '2', '--clusters', '1', '--redis', own.url];
  // No worker: the submitter waits on its jobs while Redis goes away.
  const r = spawnXmlc(args);
  await waitFor(r, /queued \d+ jobs of run/);
  await own.stop();
  assert.equal(await r.exit, 1, r.out());
  assert.match(r.out(), /xmlc: error: lost Redis at redis:\/\/127\.0\.0\.1:\d+/);
  await assert.rejects(fs.access(path.join(dist, 'manifest.json')));
  // Kill a submitter once its jobs are queued; the same command again finds them (same run id,
  // same job ids) and waits for them; workers started then finish the run.
  const again = args.map((a) => (a === own.url ? redis.url : a));
  const r2 = spawnXmlc(again);
  await waitFor(r2, /queued \d+ jobs of run/);
  await stopChild(r2.p, 'SIGKILL');
  const r3 = spawnXmlc(again);
  await waitFor(r3, /queued \d+ jobs of run/);
  assert.equal(/run ([0-9a-f]{16})/.exec(r3.out())?.[1], /run ([0-9a-f]{16})/.exec(r2.out())?.[1]);
  const ws = await startWorkers(2);
  try {
    assert.equal(await r3.exit, 0, r3.out());
    assert.equal(xmlc(['train', '--train', train, '--model', single, ...COMMON, '--ensemble', '2', '--clusters', '1', '-q']).code, 0);
    assert.deepEqual(await checksums(dist), await checksums(single));
  } finally {
    await stopWorkers(ws);
  }
});

test('predict and test --redis --shards: the rows split into jobs, the predictions in input order, as one process ranks them', { skip }, async () => {
  const testFile = path.join(work.dir, 'test.txt');
  await headBow(BUNDLED_BIBTEX.test, testFile, 300);
  const ws = await startWorkers(2);
  try {
    for (const [name, extra] of [['global', ['--ensemble', '2', '--clusters', '1']], ['clustered', ['--ensemble', '2', '--clusters', '2']]] as const) {
      const model = path.join(work.dir, `predict-${name}`);
      assert.equal(xmlc(['train', '--train', train, '--model', model, ...COMMON, ...extra, '-q']).code, 0);
      const single = xmlc(['predict', '--model', model, '--test', testFile, '--threads', '1', '-q']);
      assert.equal(single.code, 0, single.stderr);
      for (const shards of ['3', '7']) {
        const r = spawnXmlc(['predict', '--model', model, '--test', testFile, '--redis', redis.url, '--shards', shards]);
        assert.equal(await r.exit, 0, r.out());
        const out = r.out().split('\n').filter((l) => /^\d+:/.test(l)).join('\n') + '\n';
        // Shards start at multiples of 64 rows (PREDICT_ROW_ALIGN): every row is ranked bit for bit as in one batch.
        if (name === 'global') assert.equal(out, single.stdout, `${name}, ${shards} shards`);
        else assertSameRanking(out, single.stdout, `${name}, ${shards} shards`);
      }
      // `test` scores what the workers ranked: the same metrics as the single process.
      const js = JSON.parse(xmlc(['test', '--model', model, '--test', testFile, '--threads', '1', '--json', '-q']).stdout) as Record<string, unknown>;
      const r = spawnXmlc(['test', '--model', model, '--test', testFile, '--redis', redis.url, '--shards', '2', '--json', '-q']);
      assert.equal(await r.exit, 0, r.out());
      const jd = JSON.parse(r.out()) as Record<string, unknown>;
      for (const k of ['P@1', 'P@3', 'P@5', 'nDCG@5', 'PSP@5']) assert.ok(Math.abs(Number(jd[k]) - Number(js[k])) < 1e-6, `${name} ${k}: ${String(jd[k])} vs ${String(js[k])}`);
      assert.deepEqual((await fs.readdir(work.dir)).filter((f) => f.startsWith(`.predict-${name}.dist-`)), []);
    }
    for (const w of ws) assert.match(w.out(), /job [0-9a-f]{16}-s\d+ \(predict-shard s\d+\) done in \d+\.\d+ s/);
  } finally {
    await stopWorkers(ws);
  }
});

/** Two `label:score` outputs rank alike: the same lines, labels and scores up to float32 rounding (ties within it may swap). */
function assertSameRanking(a: string, b: string, what: string): void {
  const la = a.trimEnd().split('\n'), lb = b.trimEnd().split('\n');
  assert.equal(la.length, lb.length, what);
  const parse = (l: string): Map<number, number> => new Map(l.split(' ').filter(Boolean).map((t) => t.split(':').map(Number) as [number, number]));
  for (let i = 0; i < la.length; i++) {
    const x = parse(la[i]!), y = parse(lb[i]!);
    const lowest = Math.min(...y.values());
    for (const [label, score] of x) {
      const other = y.get(label);
      if (other !== undefined) assert.ok(Math.abs(other - score) <= 1e-5 * Math.max(1, Math.abs(score)), `${what}, line ${i + 1}, label ${label}: ${score} vs ${other}`);
      else assert.ok(Math.abs(score - lowest) <= 1e-5, `${what}, line ${i + 1}: label ${label} (${score}) is not among ${lb[i]}`);
    }
  }
}

test('a worker killed (SIGKILL) in a prediction shard: the shard is retried and the predictions are unchanged', { skip }, async () => {
  const testFile = path.join(work.dir, 'test-kill.txt');
  await headBow(BUNDLED_BIBTEX.test, testFile, 200);
  const model = path.join(work.dir, 'predict-kill');
  assert.equal(xmlc(['train', '--train', train, '--model', model, ...COMMON, '--ensemble', '1', '--clusters', '1', '-q']).code, 0);
  const single = xmlc(['predict', '--model', model, '--test', testFile, '--threads', '1', '-q']);
  const [doomed] = await startWorkers(1, { XMLC_FAULT_INJECT: 'job-predict-shard' });
  const out = path.join(work.dir, 'pred-kill.txt');
  const r = spawnXmlc(['predict', '--model', model, '--test', testFile, '--redis', redis.url, '--shards', '2', '--out', out]);
  await doomed!.exit;
  assert.equal(doomed!.p.signalCode, 'SIGKILL');
  const [healthy] = await startWorkers(1);
  try {
    assert.equal(await r.exit, 0, r.out());
    // The job the killed worker had started was done by the other one.
    const killed = /job (\S+) \(predict-shard s\d+\) started/.exec(doomed!.out())?.[1];
    assert.ok(killed, doomed!.out());
    assert.match(healthy!.out(), new RegExp(`job ${killed} \\(predict-shard s\\d+\\) done in`));
    assert.equal(await fs.readFile(out, 'utf8'), single.stdout);
  } finally {
    await stopWorkers([healthy!]);
  }
});

test('shards are contiguous, cover every row once, start at multiples of 64 and are never empty', () => {
  assert.deepEqual(shardRanges(300, 3), [[0, 64], [64, 192], [192, 300]]);
  assert.deepEqual(shardRanges(10, 4), [[0, 10]]);
  assert.deepEqual(shardRanges(0, 4), [[0, 0]]);
  for (const [n, s] of [[1, 1], [64, 2], [65, 2], [1000, 16], [100_000, 7], [129, 100]] as const) {
    const r = shardRanges(n, s);
    assert.ok(r.length >= 1 && r.length <= s);
    assert.equal(r[0]![0], 0); assert.equal(r.at(-1)![1], n);
    for (let i = 0; i < r.length; i++) {
      assert.ok(r[i]![1] > r[i]![0], `${n}/${s}: shard ${i} empty`);
      assert.equal(r[i]![0] % 64, 0);
      if (i > 0) assert.equal(r[i]![0], r[i - 1]![1]);
    }
  }
});

test('job payloads are checked: unknown kinds, extra fields and paths outside the run\'s staging folder are refused without retry', { skip }, async () => {
  const stage = stageDir(path.join(work.dir, 'nowhere'), '0123456789abcdef');
  for (const bad of [null, [], { v: 2 }, { v: 1, kind: 'shell', stage }, { v: 1, kind: 'train-unit', stage: 'relative/.x.dist-0123456789abcdef', unit: 'm0' },
    { v: 1, kind: 'train-unit', stage, unit: 'm0; rm -rf /' }, { v: 1, kind: 'train-unit', stage: '/tmp/.x.dist-0123456789abcdef/../etc', unit: 'm0' },
    { v: 1, kind: 'train-unit', stage, unit: 'm0', code: 'x' }, { v: 1, kind: 'assemble', stage, overwrite: 'yes' }, { v: 1, kind: 'train-unit', stage, unit: 'm0' },
    { v: 1, kind: 'predict-shard', stage, shard: 's0/../x' }, { v: 1, kind: 'predict-shard', stage, shard: 's0', unit: 'm0' }, { v: 1, kind: 'predict-gather', stage, overwrite: true },
    { v: 1, kind: 'predict-shard', stage, shard: 's0' }]) {
    await assert.rejects(checkPayload(bad, []), UnrecoverableError, JSON.stringify(bad));
  }
});

test('Redis URLs: user and password, database, rediss:// (TLS); anything else is refused', () => {
  const c = redisConnection('rediss://alice:p%40ss@cache.example:6380/2', true) as Record<string, unknown>;
  assert.equal(c['host'], 'cache.example'); assert.equal(c['port'], 6380); assert.equal(c['db'], 2);
  assert.equal(c['username'], 'alice'); assert.equal(c['password'], 'p@ss');
  assert.deepEqual(c['tls'], { servername: 'cache.example' });
  assert.equal(c['maxRetriesPerRequest'], null);
  const plain = redisConnection('redis://localhost', false) as Record<string, unknown>;
  assert.equal(plain['port'], 6379); assert.equal(plain['tls'], undefined); assert.equal(plain['maxRetriesPerRequest'], 1);
  for (const bad of ['localhost:6379', 'http://localhost', 'redis://localhost/x']) assert.throws(() => redisConnection(bad, false), RedisUnavailableError);
});
