import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { generateSynthetic, SYNTH_DEFAULTS, SYNTHETIC_DATASETS, syntheticListing, type SplitName } from '../../datasets/synthetic.js';
import { nnz } from '../../src/data/csr.js';
import { datasetStats } from '../../src/data/stats.js';
import { formatDataset, writeDataset } from '../../src/data/index.js';
import { UsageError } from '../../src/errors.js';
import { task } from '../../src/progress.js';
import { checkNumericFlag, type DataArgs, loadData, withDataOptions, writeOutput } from '../common.js';
import type { NumericSpec } from '../../src/model/params.js';
import { stderrProgress } from '../progress.js';

interface StatsArgs extends DataArgs { file: string; json: boolean }
interface ConvertArgs extends DataArgs { input: string; output: string; to: 'bow' | 'libsvm' }
interface SynthArgs { name: string; out: string; seed: number; scale: number; quiet: boolean; verbose: boolean }

const stats: CommandModule<object, StatsArgs> = {
  command: 'stats <file>',
  describe: 'Print points, features, labels, avg labels/point, avg points/label, avg nonzeros/point',
  builder: (y: Argv) => withDataOptions(y)
    .positional('file', { type: 'string', demandOption: true, describe: 'data file (BoW or LIBSVM, optionally .gz), or - for standard input' })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
    .example('$0 data stats datasets/bibtex/Bibtex_train.txt.gz --json', '') as unknown as Argv<StatsArgs>,
  handler: async (args) => {
    const ds = await loadData(args.file, args, stderrProgress(args));
    const s = datasetStats(ds);
    if (args.json) {
      process.stdout.write(JSON.stringify(s) + '\n');
    } else {
      const rows: [string, string][] = [
        ['format', ds.format],
        ['points', String(s.points)],
        ['features', String(s.features)],
        ['labels', String(s.labels)],
        ['avg labels/point', s.labelsPerPoint.toFixed(2)],
        ['avg points/label', s.pointsPerLabel.toFixed(2)],
        ['avg nonzeros/point', s.nnzPerPoint.toFixed(2)],
      ];
      for (const [k, v] of rows) process.stdout.write(`${k.padEnd(20)}${v}\n`);
    }
  },
};

const convert: CommandModule<object, ConvertArgs> = {
  command: 'convert <input> <output>',
  describe: 'Rewrite a data file in another format (BoW or LIBSVM; .gz output is compressed)',
  builder: (y: Argv) => withDataOptions(y)
    .positional('input', { type: 'string', demandOption: true, describe: 'data file, or - for standard input' })
    .positional('output', { type: 'string', demandOption: true, describe: 'output file (written atomically; .gz is compressed); - for stdout' })
    .option('to', { choices: ['bow', 'libsvm'] as const, default: 'bow' as const, describe: 'output format (LIBSVM output uses --feature-base/--label-base, default 1 and 0)' })
    .example('$0 data convert train.txt train.svm --to libsvm', '') as unknown as Argv<ConvertArgs>,
  handler: async (args) => {
    const ds = await loadData(args.input, args, stderrProgress(args));
    const opts = {
      format: args.to,
      ...(args['feature-base'] !== undefined ? { featureBase: args['feature-base'] } : {}),
      ...(args['label-base'] !== undefined ? { labelBase: args['label-base'] } : {}),
    };
    if (args.output === '-') await writeOutput('-', formatDataset(ds, opts));
    else await writeDataset(args.output, ds, opts);
  },
};

const SYNTH_FLAGS: readonly [flag: 'seed' | 'scale', spec: NumericSpec, example: string][] = [
  ['seed', Object.freeze({ int: true }), 'xmlc data synth synthetic1 --out DIR --seed 3'],
  ['scale', Object.freeze({ int: false, min: 0, minOpen: true }), 'xmlc data synth wiki10-31k-like --out DIR --scale 0.1'],
];

/** Option rules of `data synth`: an integer seed and a positive scale. @throws UsageError */
export function checkSynthArgs(args: { seed: unknown; scale: unknown }): true {
  for (const [flag, spec, example] of SYNTH_FLAGS) {
    try {
      checkNumericFlag(flag, args[flag], spec);
    } catch (e) {
      throw new UsageError(`${(e as Error).message}. Example usage: ${example}`);
    }
  }
  return true;
}

const SYNTH_NAMES = Object.keys(SYNTHETIC_DATASETS);

const synth: CommandModule<object, SynthArgs> = {
  command: 'synth <name>',
  describe: 'Generate a seeded synthetic dataset as BoW files: train.txt, test.txt (and valid.txt for synthetic1/2/3)',
  builder: (y: Argv) => y
    .positional('name', { type: 'string', demandOption: true, choices: SYNTH_NAMES, describe: 'which dataset (see below)' })
    .option('out', { type: 'string', demandOption: true, describe: 'directory to write the files into (created if missing)' })
    .option('seed', { requiresArg: true, default: SYNTH_DEFAULTS.seed, describe: 'seed of every random choice: the same seed writes the same files' })
    .option('scale', { requiresArg: true, default: SYNTH_DEFAULTS.scale, describe: 'multiply the point counts (e.g. 0.1 for a quick run)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress output on stderr' })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'also say on stderr how long each stage took' })
    .check((a) => checkSynthArgs(a as unknown as SynthArgs))
    .epilog([
      'Datasets:',
      ...syntheticListing(),
      '',
      'synthetic1/2/3 are the sparse vectors of Wu et al. (ICML 2019), the signals of compressed-sensing',
      'recovery: each line holds one vector as its features (`idx:value`, 0-based, unit norm) and no labels',
      '(the line starts with a space; the header says 0 labels).',
    ].join('\n'))
    .example('$0 data synth eurlex-4k-like --out data/eurlex-like --seed 1', '')
    .example('$0 data synth synthetic2 --out data/syn2 --scale 0.1', '') as unknown as Argv<SynthArgs>,
  handler: async (args) => {
    const onProgress = stderrProgress(args);
    const data = generateSynthetic(args.name, { seed: args.seed, scale: args.scale, onProgress });
    await fs.mkdir(args.out, { recursive: true });
    for (const split of ['train', 'valid', 'test'] as SplitName[]) {
      const ds = data[split];
      if (!ds) continue;
      const file = path.join(args.out, `${split}.txt`);
      await task(onProgress, `write ${file}`, undefined, () => writeDataset(file, ds));
      const n = ds.features.nRows;
      process.stdout.write(`${file}: ${n} points, ${ds.features.nCols} features, ${ds.labels.nCols} labels, ${nnz(ds.features)} nnz ` +
        `(${(nnz(ds.features) / n).toFixed(2)} per point), ${(nnz(ds.labels) / n).toFixed(2)} labels per point\n`);
    }
  },
};

export const dataCommand: CommandModule = {
  command: 'data',
  describe: 'Inspect, convert and generate data files',
  builder: (y: Argv) => y
    .command(stats as unknown as CommandModule)
    .command(convert as unknown as CommandModule)
    .command(synth as unknown as CommandModule)
    .demandCommand(1, 'name a data subcommand: stats, convert or synth'),
  handler: () => undefined,
};
