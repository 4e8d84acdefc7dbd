import type { Argv, CommandModule } from 'yargs';
import { datasetStats } from '../../src/data/stats.js';
import { writeDataset } from '../../src/data/index.js';
import { type DataArgs, loadData, withDataOptions } from '../common.js';
import { stderrProgress } from '../progress.js';

interface StatsArgs extends DataArgs { file: string; json: boolean }
interface ConvertArgs extends DataArgs { input: string; output: string; to: 'bow' | 'libsvm' }

const stats: CommandModule<object, StatsArgs> = {
  command: 'stats <file>',
  describe: 'Print points, features, labels, avg labels/point, avg points/label, avg nonzeros/point',
  builder: (y: Argv) => withDataOptions(y)
    .positional('file', { type: 'string', demandOption: true, describe: 'data file (BoW or LIBSVM, optionally .gz)' })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
    .example('$0 data stats datasets/bibtex/Bibtex_train.txt.gz --json', '') as unknown as Argv<StatsArgs>,
  handler: async (args) => {
    const ds = await loadData(args.file, args, stderrProgress(args.quiet));
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
    .positional('input', { type: 'string', demandOption: true })
    .positional('output', { type: 'string', demandOption: true })
    .option('to', { choices: ['bow', 'libsvm'] as const, default: 'bow' as const, describe: 'output format (LIBSVM output uses --feature-base/--label-base, default 1 and 0)' })
    .example('$0 data convert train.txt train.svm --to libsvm', '') as unknown as Argv<ConvertArgs>,
  handler: async (args) => {
    const ds = await loadData(args.input, args, stderrProgress(args.quiet));
    await writeDataset(args.output, ds, {
      format: args.to,
      ...(args['feature-base'] !== undefined ? { featureBase: args['feature-base'] } : {}),
      ...(args['label-base'] !== undefined ? { labelBase: args['label-base'] } : {}),
    });
  },
};

export const dataCommand: CommandModule = {
  command: 'data',
  describe: 'Inspect and convert data files',
  builder: (y: Argv) => y
    .command(stats as unknown as CommandModule)
    .command(convert as unknown as CommandModule)
    .demandCommand(1, 'name a data subcommand: stats or convert'),
  handler: () => undefined,
};
