/**
 * Prediction speed, before → after: `xmlc test --json` (its predictSeconds and pointsPerSecond:
 * model loading and data reading excluded) for saved models, every strategy, with several builds.
 *
 *   node dist/eval/bench_predict.js --sets NAME=MODEL_DIR:TEST_FILE[,…] [--dists before=DIST,after=dist[:FLAGS]]
 *                                   [--strategies knn,decoder,average] [--repeat 3] [--how NAME=TEXT]
 *
 * `--dists` names builds (a `dist` folder each, optionally with `xmlc test` flags after a colon,
 * space-separated, e.g. `f32=dist:--decoder-precision float32`; default: this one as `after`); for every set,
 * strategy and repeat the builds run in turn, so a change of load hits them alike. Reported: the
 * median points/s over the repeats (and the range), P@1/3/5 (they must not differ between builds
 * that keep predictions identical), and the 1-minute load average around the runs (the machine
 * has two cores, often shared). Results are merged by (set, strategy, build) into
 * eval/results/bench_predict.json, and eval/results/bench_predict.md is rewritten from it, with
 * the command of each row, and `--how` (how the set's model and test file were made) under it.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { opt, root } from './args.js';

interface Row {
  set: string; model: string; test: string; strategy: string; build: string; dist: string;
  pointsPerSecond: number; minPointsPerSecond: number; maxPointsPerSecond: number; predictSeconds: number;
  'P@1': number; 'P@3': number; 'P@5': number; repeats: number; load1: [number, number]; command: string; date: string; how?: string;
}

const sets = opt('sets', '').split(',').filter((s) => s !== '').map((s) => {
  const m = /^([^=]+)=([^:]+):(.+)$/.exec(s);
  if (!m) throw new Error(`--sets lists NAME=MODEL_DIR:TEST_FILE but got ${s}`);
  return { name: m[1]!, model: path.resolve(m[2]!), test: path.resolve(m[3]!) };
});
const dists = opt('dists', `after=${path.join(root, 'dist')}`).split(',').map((s) => {
  const m = /^([^=]+)=([^:]+)(?::(.*))?$/.exec(s);
  if (!m) throw new Error(`--dists lists NAME=DIST_DIR[:FLAGS] but got ${s}`);
  return { name: m[1]!, dir: path.resolve(m[2]!), flags: (m[3] ?? '').split(' ').filter((f) => f !== '') };
});
const strategies = opt('strategies', 'knn,decoder,average').split(',').filter((s) => s !== '');
const repeat = Number(opt('repeat', '3'));
const how = new Map(opt('how', '').split(/,(?=[^=,]+=)/).filter((s) => s.includes('=')).map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)] as const));
if (sets.length === 0) throw new Error('--sets is required: NAME=MODEL_DIR:TEST_FILE[,…]');
if (!(Number.isInteger(repeat) && repeat >= 1)) throw new Error(`--repeat must be a positive integer but got ${opt('repeat', '')}`);

const median = (v: number[]): number => { const s = [...v].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]!; };

const rows: Row[] = [];
for (const set of sets) {
  for (const strategy of strategies) {
    const runs = new Map<string, { pps: number[]; sec: number[]; p: number[]; cmd: string }>();
    const load0 = os.loadavg()[0]!;
    for (let r = 0; r < repeat; r++) {
      for (const d of dists) {
        const args = [path.join(d.dir, 'cli', 'main.js'), 'test', '--model', set.model, '--test', set.test, '--strategy', strategy, ...d.flags, '--json', '-q'];
        const out = JSON.parse(execFileSync('node', args, { encoding: 'utf8', maxBuffer: 1 << 26 })) as Record<string, number>;
        const acc = runs.get(d.name) ?? { pps: [], sec: [], p: [], cmd: `node ${args.join(' ')}` };
        acc.pps.push(out['pointsPerSecond']!);
        acc.sec.push(out['predictSeconds']!);
        acc.p = [out['P@1']!, out['P@3']!, out['P@5']!];
        runs.set(d.name, acc);
        process.stderr.write(`${set.name} ${strategy} ${d.name}: ${out['pointsPerSecond']} points/s\n`);
      }
    }
    const load1 = os.loadavg()[0]!;
    for (const d of dists) {
      const a = runs.get(d.name)!;
      rows.push({
        set: set.name, model: set.model, test: set.test, strategy, build: d.name, dist: d.dir,
        pointsPerSecond: median(a.pps), minPointsPerSecond: Math.min(...a.pps), maxPointsPerSecond: Math.max(...a.pps), predictSeconds: median(a.sec),
        'P@1': a.p[0]!, 'P@3': a.p[1]!, 'P@5': a.p[2]!, repeats: repeat, load1: [load0, load1], command: a.cmd, date: new Date().toISOString(),
        ...(how.has(set.name) ? { how: how.get(set.name)! } : {}),
      });
    }
  }
}

const dir = path.join(root, 'eval', 'results');
await fs.mkdir(dir, { recursive: true });
const jsonFile = path.join(dir, 'bench_predict.json');
let all: Row[] = [];
try { all = JSON.parse(await fs.readFile(jsonFile, 'utf8')) as Row[]; } catch { /* first run */ }
const key = (r: Row): string => `${r.set}\u0000${r.strategy}\u0000${r.build}`;
const fresh = new Set(rows.map(key));
all = [...all.filter((r) => !fresh.has(key(r))), ...rows];
const write = async (file: string, text: string): Promise<void> => {
  await fs.writeFile(`${file}.tmp`, text);
  await fs.rename(`${file}.tmp`, file);
};
await write(jsonFile, JSON.stringify(all, null, 2) + '\n');

const lines = [
  '# Prediction speed (eval/bench_predict.ts)',
  '',
  'Points per second of `xmlc test` (predictSeconds: model loading and data reading excluded), median of the repeats',
  '(range in brackets), one model, each build run in turn. Load: the 1-minute load average before → after the',
  'runs of a row group, on a 2-core machine shared with other jobs (above 2 means the cores were oversubscribed).',
  '',
  '| set | strategy | build | points/s | range | P@1 | P@3 | P@5 | load |',
  '|---|---|---|---|---|---|---|---|---|',
  ...all.map((r) => `| ${r.set} | ${r.strategy} | ${r.build} | ${Math.round(r.pointsPerSecond)} | ${Math.round(r.minPointsPerSecond)}–${Math.round(r.maxPointsPerSecond)} | ${r['P@1']} | ${r['P@3']} | ${r['P@5']} | ${r.load1[0].toFixed(1)} → ${r.load1[1].toFixed(1)} |`),
  '',
  'Commands (one per set, strategy and build):',
  '',
  ...all.map((r) => `- ${r.set}, ${r.strategy}, ${r.build} (${r.date}): \`${r.command}\``),
  '',
  'How the models and test files were made:',
  '',
  ...[...new Map(all.filter((r) => r.how).map((r) => [r.set, r.how!])).entries()].map(([set, text]) => `- ${set}: ${text}`),
  '',
];
await write(path.join(dir, 'bench_predict.md'), lines.join('\n'));
