import type { Argv, CommandModule } from 'yargs';
import { checkModelTarget } from '../../src/model/store.js';
import { type DataArgs } from '../common.js';
import { stderrProgress } from '../progress.js';
import { printMetrics, propensityConstants, type ReportFlags, scorePredictions, withReportOptions } from '../report.js';
import { predictWithModel } from './predict.js';
import { type TrainFlags, trainFromArgs, withTrainOptions } from './train.js';

interface RunArgs extends TrainFlags, ReportFlags, DataArgs { test?: string; model?: string; force: boolean }

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'Train, then evaluate on a test set, in one go (defaults: the bundled Bibtex dataset)',
  builder: (y: Argv) => withReportOptions(withTrainOptions(y))
    .option('test', { type: 'string', describe: 'test data file', defaultDescription: 'bundled Bibtex test split' })
    .option('model', { type: 'string', describe: 'also save the trained model to this directory (a new path or an empty folder)' })
    .option('force', { type: 'boolean', default: false, describe: 'replace the xmlc model already at --model (never anything else)' })
    .example('$0 run', 'the ℓ1-AE pipeline on the bundled Bibtex data, prints P@1/3/5')
    .example('$0 run --train Delicious_train.txt --test Delicious_test.txt --json', '') as unknown as Argv<RunArgs>,
  handler: async (args) => {
    const progress = stderrProgress(args);
    if (args.model !== undefined) await checkModelTarget(args.model, args.force); // refuse before training, not after
    const model = await trainFromArgs(args);
    if (args.model !== undefined) await model.save(args.model, { overwrite: args.force });
    const { ranked, truth, seconds } = await predictWithModel(args, model, { topK: Math.max(...args.ks) }, true, progress);
    printMetrics(scorePredictions(ranked, truth, model.trainLabels, args, propensityConstants(args, args.test), args.quiet), args, { points: truth.nRows, seconds });
  },
};
