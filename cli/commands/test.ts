import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../src/errors.js';
import { writeOutput } from '../common.js';
import { limitRanked, printMetrics, propensityConstants, type ReportFlags, scorePredictions, withReportOptions } from '../report.js';
import { formatPredictions, type OutputFlags, type PredictFlags, predictFromArgs, withOutputOptions, withPredictOptions } from './predict.js';

interface TestArgs extends PredictFlags, ReportFlags, OutputFlags {}

export const testCommand: CommandModule<object, TestArgs> = {
  command: 'test',
  describe: 'Predict the test set and score it in one pass (the table and --json of evaluate); --out also writes the predictions',
  builder: (y: Argv) => withOutputOptions(withReportOptions(withPredictOptions(y)), 'also write the predictions to this file (written atomically)', 'the largest of --ks')
    .check((a) => {
      if (a['out'] === '-') throw new UsageError('xmlc test prints the metrics on stdout: name a file for --out (or use xmlc predict for predictions on stdout)');
      return true;
    })
    .example('$0 test --model models/bibtex --test Bibtex_test.txt --out pred.txt', '')
    .example('$0 test --model models/bibtex --test Bibtex --ks 1,3,5,10 --json', '') as unknown as Argv<TestArgs>,
  handler: async (args) => {
    const topK = args['top-k'] ?? Math.max(...args.ks);
    const predicted = await predictFromArgs(args, Math.max(topK, ...args.ks));
    const { ranked: full, truth, trainLabels, seconds } = predicted;
    // What is written is what is scored: `xmlc evaluate --predictions` of the --out file gives the same numbers.
    const ranked = limitRanked(full, topK, args.threshold);
    if (args.out !== undefined) await writeOutput(args.out, formatPredictions(ranked, predicted, args['output-format']));
    printMetrics(scorePredictions(ranked, truth, trainLabels, args, propensityConstants(args, args.test), args.quiet), args, { points: truth.nRows, seconds });
  },
};
