import type { Argv, CommandModule } from 'yargs';
import { type DataArgs, loadData, orBundled } from '../common.js';
import { stderrProgress } from '../progress.js';
import { printMetrics, REPORTED_KS, scorePredictions } from '../report.js';
import { type TrainFlags, trainFromArgs, withTrainOptions } from './train.js';
import { type PropensityFlags, propensityConstants, withReportOptions } from './evaluate.js';

interface RunArgs extends TrainFlags, PropensityFlags, DataArgs { test?: string; model?: string }

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'Train, then evaluate on a test set, in one go (defaults: the bundled Bibtex dataset)',
  builder: (y: Argv) => withReportOptions(withTrainOptions(y))
    .option('test', { type: 'string', describe: 'test data file', defaultDescription: 'bundled Bibtex test split' })
    .option('model', { type: 'string', describe: 'also save the trained model to this directory' })
    .example('$0 run', 'the ℓ1-AE pipeline on the bundled Bibtex data, prints P@1/3/5')
    .example('$0 run --train Delicious_train.txt --test Delicious_test.txt --json', '') as unknown as Argv<RunArgs>,
  handler: async (args) => {
    const progress = stderrProgress(args.quiet);
    const model = await trainFromArgs(args);
    if (args.model !== undefined) await model.save(args.model);
    const test = await loadData(orBundled(args.test, 'test', args.quiet), args, progress, { nFeatures: model.nFeatures, nLabels: model.nLabels });
    const t0 = performance.now();
    const ranked = await model.predict(test, { topK: Math.max(...REPORTED_KS) }, progress);
    const seconds = (performance.now() - t0) / 1000;
    progress({ status: 'done', task: 'predict', seconds, detail: `${(1000 * seconds / Math.max(1, test.features.nRows)).toFixed(3)} ms/point` });
    const { a, b } = propensityConstants(args, args.test);
    printMetrics(scorePredictions(ranked, test.labels, model.trainLabels, a, b), args.json);
  },
};
